"""The long output as the operator reads it in a collapsed view, a pager
or a mail: worst first at every level, no green noise in a failed run,
each cause once per level. Every case asserts exit code and first line
too (assert_state); the first line's words are not asserted here."""

import json
import re

import pytest

import simulator
from conftest import (INSTANCE, TENANT, assert_perfdata, assert_state,
                      free_port, parse_perfdata, run_plugin)


@pytest.fixture(scope="module")
def fleet_server():
    f = simulator.Fleet(3, secrets={2: "another-secret-on-backend-2"})
    f.start()
    yield f
    f.stop()


@pytest.fixture
def fleet(fleet_server, plugin):
    fleet_server.reset()
    yield fleet_server
    fleet_server.reset()


@pytest.fixture
def args(secret_file):
    return ["-i", INSTANCE, "-T", TENANT, "--secret-file", secret_file]


STATE_ORDER = {"CRITICAL": 3, "WARNING": 2, "UNKNOWN": 1, "OK": 0}
LINE = re.compile(r"^((?:    )*)\\_ \[(OK|WARNING|CRITICAL|UNKNOWN)\] (.*)$")


def tree(out):
    """The long output as (depth, state, text) for each line."""
    lines = []
    for line in out.rstrip("\n").split("\n")[1:]:
        m = LINE.match(line)
        assert m, "not a sub-check line: %r in %r" % (line, out)
        lines.append((len(m.group(1)) // 4, m.group(2), m.group(3)))
    return lines


def assert_worst_first(lines):
    """Among siblings, no line is worse than one before it, and the
    first child has its parent's state."""
    for i, (depth, state, _) in enumerate(lines):
        for d2, s2, _ in lines[i + 1:]:
            if d2 < depth:
                break
            if d2 == depth:
                assert STATE_ORDER[s2] <= STATE_ORDER[state], lines
        if i + 1 < len(lines) and lines[i + 1][0] == depth + 1:
            assert lines[i + 1][1] == state, lines


def series(name):
    """A backend's perfdata suffix (test_backends.py says how)."""
    return re.sub(r"[^A-Za-z0-9-]", "_", name.replace("]", "").lstrip("["))


def hosts(names):
    out = []
    for name in names:
        out += ["-H", name]
    return out


def test_failing_backend_first_with_its_cause_once(fleet, args):
    """Two good backends and a refused one last: the refused one comes
    first, its line says "refused" and its sub-check holds libcurl's
    sentence, which appears once in the long output."""
    down = "127.0.0.1:%d" % free_port()
    names = [fleet.name(0), fleet.name(1), down]
    rc, out, _, _ = run_plugin(hosts(names) + args)
    line = assert_state(rc, out, "CRITICAL", r"2/3 backends OK")
    # perfdata keeps -H order, whatever the long output's
    assert [l for l in parse_perfdata(line) if l.startswith("time_")] == \
        ["time_" + series(n) for n in names], line
    lines = tree(out)
    assert_worst_first(lines)
    assert lines[0] == (0, "CRITICAL", "%s: refused" % down), lines
    assert lines[1][:2] == (1, "CRITICAL"), lines
    assert "Connection refused" in lines[1][2], lines
    long_output = out.split("\n", 1)[1]
    assert long_output.count("Connection refused") == 1, out
    # the healthy ones after it, in -H order, each with its figures
    top = [l for l in lines if l[0] == 0]
    assert [t[2].split(": ", 1)[0] for t in top] == [down] + names[:2]
    assert top[1][2].startswith("%s: HTTP 200" % names[0]), top


def test_backend_line_names_the_status_class(fleet, args):
    rc, out, _, _ = run_plugin(hosts([fleet.name(0), fleet.name(2)]) + args)
    assert_state(rc, out, "CRITICAL", r"1/2 backends OK")
    lines = tree(out)
    assert_worst_first(lines)
    assert lines[0] == (0, "CRITICAL", "%s: HTTP 403 signature rejected"
                        % fleet.name(2)), lines
    assert "shared secret" in lines[1][2], lines
    # the detail once: the backend's line has none of it
    assert sum("shared secret" in l[2] for l in lines) == 1, lines


def test_failed_run_hides_its_green_time(sim, base_args, wrong_secret_file):
    """A 403: the time's perfdata stays, its [OK] line goes."""
    args = list(base_args)
    args[args.index("--secret-file") + 1] = wrong_secret_file
    rc, out, _, _ = run_plugin(args)
    line = assert_state(rc, out, "CRITICAL", r"HTTP 403")
    assert "time" in assert_perfdata(line)
    lines = tree(out)
    assert [l[1] for l in lines] == ["CRITICAL"], lines
    assert not any("response time" in l[2] for l in lines), lines


def test_slow_run_keeps_its_time_first(sim, base_args):
    """When the time is the problem, its line stays, and leads."""
    sim.set_fault("delay", 0.2)
    rc, out, _, _ = run_plugin(base_args + ["-w", "0.1"])
    assert_state(rc, out, "WARNING", r"exceeds warning 0\.1 s")
    lines = tree(out)
    assert_worst_first(lines)
    assert lines[0][1] == "WARNING" and "response time" in lines[0][2], lines
    assert [l[1] for l in lines[1:]] == ["OK", "OK"], lines


def test_ok_run_keeps_its_time(sim, base_args):
    rc, out, _, _ = run_plugin(base_args)
    assert_state(rc, out, "OK")
    lines = tree(out)
    assert lines[-1][:2] == (0, "OK") and "response time" in lines[-1][2]


def test_failing_backend_hides_only_its_own_time(fleet, args):
    """Per backend: the failing one loses its green time line, the OK
    one keeps it; both keep their time perfdata."""
    names = [fleet.name(0), fleet.name(2)]
    rc, out, _, _ = run_plugin(hosts(names) + args)
    line = assert_state(rc, out, "CRITICAL", r"1/2 backends OK")
    perf = parse_perfdata(line)
    assert "time_" + series(names[0]) in perf, line
    assert "time_" + series(names[1]) in perf, line
    lines = tree(out)
    failing = lines[:[i for i, l in enumerate(lines) if l[0] == 0][1]]
    healthy = lines[len(failing):]
    assert not any("response time" in l[2] for l in failing), lines
    assert any("response time" in l[2] for l in healthy), lines


def test_json_keeps_the_order_made(fleet, args):
    """mp-test-json is the record for programs: -H order, and the time
    sub-check with its perfdata, whatever the states."""
    down = "127.0.0.1:%d" % free_port()
    rc, out, _, _ = run_plugin(hosts([fleet.name(0), down]) + args +
                               ["--output-format=mp-test-json"])
    assert rc == 2, out
    doc = json.loads(out)
    assert [c["state"] for c in doc["checks"]] == ["OK", "CRITICAL"], out
    assert [c["output"].split(":")[0] for c in doc["checks"]] == \
        ["127.0.0.1", "127.0.0.1"], out
    assert doc["checks"][1]["output"] == "%s: refused" % down, out
