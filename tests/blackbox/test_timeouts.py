"""-t and --timeout-result: the whole-run limit is never exceeded."""

import pytest

from conftest import assert_no_perfdata, assert_state, run_plugin

MARGIN = 1.5


@pytest.mark.parametrize("fault,arg", [
    ("hang", True),
    ("drip", 100),
    ("delay", 5),
])
def test_limit_reached(sim, base_args, fault, arg):
    sim.set_fault(fault, arg)
    rc, out, _, elapsed = run_plugin(base_args + ["-t", "2"], timeout=15)
    line = assert_state(rc, out, "CRITICAL", r"timed out after 2 s")
    assert elapsed < 2 + MARGIN, "took %.2f s" % elapsed
    if fault != "drip":
        assert_no_perfdata(line)


def test_limit_is_for_the_whole_run(sim, base_args):
    # Each request alone fits in the limit; both together do not.
    sim.set_fault("delay", 1.2, path="/latest/meta-data/")
    sim.set_fault("delay", 1.2, path="/latest/meta-data/hostname")
    rc, out, _, elapsed = run_plugin(
        base_args + ["-t", "2", "-e", "hostname=canary.novalocal"],
        timeout=15)
    assert_state(rc, out, "CRITICAL", r"timed out after 2 s")
    assert elapsed < 2 + MARGIN, "took %.2f s" % elapsed


@pytest.mark.parametrize("state", ["UNKNOWN", "WARNING", "OK"])
def test_timeout_result(sim, base_args, state):
    sim.set_fault("hang")
    rc, out, _, elapsed = run_plugin(
        base_args + ["-t", "1", "--timeout-result=%s" % state], timeout=15)
    assert_state(rc, out, state, r"timed out after 1 s")
    assert elapsed < 1 + MARGIN


def test_default_limit_is_10_s(sim, base_args):
    sim.set_fault("hang")
    rc, out, _, elapsed = run_plugin(base_args, timeout=30)
    assert_state(rc, out, "CRITICAL", r"timed out after 10 s")
    assert 9.5 <= elapsed < 10 + MARGIN, "took %.2f s" % elapsed


def test_slow_but_within_limit(sim, base_args):
    sim.set_fault("delay", 0.5)
    rc, out, _, _ = run_plugin(base_args + ["-t", "3"], timeout=15)
    assert_state(rc, out, "OK")
