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


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_interrupted_still_reports(sim, base_args, plugin, signame):
    # A scheduler that gives up first, or an operator's ^C: still one
    # status line and a plugin exit code, never a bare signal death.
    import signal
    import subprocess
    import time
    sim.set_fault("hang")
    before = sim.request_count
    p = subprocess.Popen([plugin] + [str(a) for a in base_args] + ["-t", "20"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        deadline = time.monotonic() + 10
        while sim.request_count == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sim.request_count > before, "the plugin never asked"
        p.send_signal(getattr(signal, signame))
        out, _ = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    line = assert_state(p.returncode, out, "UNKNOWN",
                        r"interrupted by a signal")
    assert_no_perfdata(line)
