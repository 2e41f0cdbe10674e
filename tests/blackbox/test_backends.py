"""Several backends in one run (-H repeated), against a fleet of
simulators: each backend its own simulator, with its own faults, values
and secret. Every case asserts exit code, first line and perfdata."""

import os
import re
import shutil

import pytest

import simulator
from conftest import (INSTANCE, PLUGIN, TENANT, assert_perfdata,
                      assert_state, first_line, free_port, ipv6_loopback,
                      parse_perfdata, run_plugin)


@pytest.fixture(scope="module")
def fleet_server():
    # 16 good backends, and a 17th with a secret of its own.
    f = simulator.Fleet(17, secrets={16: "another-secret-on-backend-16"})
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


def hosts(fleet, which):
    out = []
    for i in which:
        out += ["-H", fleet.name(i)]
    return out


def series(name):
    """A backend's perfdata suffix: its name with brackets dropped and
    every character but a letter, a digit or '-' made '_'."""
    return re.sub(r"[^A-Za-z0-9-]", "_", name.replace("]", "").lstrip("["))


def assert_backend_perfdata(line, names, warn="", bad=()):
    """backends_ok (max: the backends), then one label set per backend
    of names, in -H order: time_S, size_S, ok_S (S: series(name)); a
    backend that is down too (the time until it failed), ok_S 0 for the
    names in bad."""
    perf = parse_perfdata(line)
    want = ["backends_ok"]
    for name in names:
        want += ["%s_%s" % (lb, series(name)) for lb in ("time", "size", "ok")]
    assert list(perf) == want, line
    assert perf["backends_ok"] == (len(names) - len(bad), "", "", "", "0",
                                   str(len(names))), line
    for name in names:
        s = series(name)
        value, uom, w, _, pmin, _ = perf["time_" + s]
        assert uom == "s" and value >= 0 and pmin == "0" and w == warn, line
        assert perf["size_" + s][1] == "B", line
        assert perf["ok_" + s][0] == (0 if name in bad else 1), line
        assert perf["ok_" + s][1:] == ("", "", "", "0", "1"), line
    # Words every perfdata writer keeps as they are: no quotes needed.
    assert all(re.match(r"^[A-Za-z0-9_-]+$", l) for l in perf), line
    assert "'" not in line.split("|", 1)[1], line
    return perf


def test_one_backend_is_as_before(fleet, args):
    """-H HOST:PORT alone gives what -H HOST -p PORT always gave."""
    sim = fleet.sims[0]
    rc1, out1, _, _ = run_plugin(["-H", fleet.name(0)] + args)
    rc2, out2, _, _ = run_plugin(["-H", "127.0.0.1", "-p", sim.port] + args)
    strip = re.compile(r"[0-9]+\.[0-9]+ ?s")
    assert rc1 == rc2 == 0
    assert strip.sub("T", out1) == strip.sub("T", out2)
    line = assert_state(rc1, out1, "OK", r"^NOVA METADATA OK - canary "
                        r"32d0524b on 127\.0\.0\.1:%d: HTTP 200, 2/2 keys, "
                        % sim.port)
    assert_perfdata(line)


def test_two_backends_ok(fleet, args):
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 2]) + args)
    line = assert_state(rc, out, "OK", r"^NOVA METADATA OK - canary "
                        r"32d0524b: 2/2 backends OK $")
    assert_backend_perfdata(line, [fleet.name(0), fleet.name(2)])
    # Each backend's sub-checks nested under it.
    lines = out.splitlines()
    assert lines[1].startswith("\\_ [OK] %s: HTTP 200" % fleet.name(0))
    assert lines[2].startswith("    \\_ [OK] signature accepted")
    # Each backend makes exactly the requests one backend makes: the
    # listing alone (the -k keys are compared as listed, not fetched).
    for i in (0, 2):
        assert [r["path"] for r in fleet.sims[i].requests] == \
            ["/latest/meta-data/"]


def test_longest_host_name_labels_whole(fleet, args):
    # 255 bytes, the longest -H takes, that still resolves to loopback
    # (leading zeros of an octal 0177): its perfdata labels are whole,
    # where a 128-byte label once failed the run as "out of memory".
    longest = "0" * 246 + "177.0.0.1"
    assert len(longest) == 255
    names = [fleet.name(0), fleet.name(1, host=longest)]
    rc, out, _, _ = run_plugin(["-H", names[0], "-H", names[1]] + args)
    line = assert_state(rc, out, "OK", r"32d0524b: 2/2 backends OK $")
    assert_backend_perfdata(line, names)


def test_sixteen_backends_ok(fleet, args):
    which = list(range(16))
    rc, out, _, _ = run_plugin(hosts(fleet, which) + args)
    line = assert_state(rc, out, "OK", r"32d0524b: 16/16 backends OK $")
    assert_backend_perfdata(line, [fleet.name(i) for i in which])


def test_sixteen_with_one_down(fleet, args):
    down = "127.0.0.1:%d" % free_port()
    which = list(range(1, 16))
    rc, out, _, _ = run_plugin(hosts(fleet, which) + ["-H", down] + args)
    line = assert_state(rc, out, "CRITICAL", r"32d0524b: 15/16 backends OK, "
                        r"%s refused $" % re.escape(down))
    # The backend that never answered keeps its series: the time until
    # it was refused, no bytes, ok 0.
    perf = assert_backend_perfdata(line, [fleet.name(i) for i in which] +
                                   [down], bad=[down])
    assert perf["size_" + series(down)][0] == 0


def test_one_with_another_secret(fleet, args):
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 16, 2]) + args)
    line = assert_state(rc, out, "CRITICAL", r"32d0524b: 2/3 backends OK, "
                        r"%s HTTP 403 signature rejected $"
                        % re.escape(fleet.name(16)))
    assert "signature rejected: the shared secret differs" in out, out
    assert fleet.name(0) + ":" not in line.split("|")[0]
    assert_backend_perfdata(line, [fleet.name(i) for i in (0, 16, 2)],
                            bad=[fleet.name(16)])


def test_one_slow(fleet, args):
    fleet.sims[2].set_fault("delay", 0.6)
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 2, 3]) + ["-w", "0.4"] +
                               args)
    line = assert_state(rc, out, "WARNING", r"32d0524b: 2/3 backends OK, "
                        r"%s \d+\.\d{3} s exceeds warning 0\.4 s $"
                        % re.escape(fleet.name(2)))
    perf = assert_backend_perfdata(
        line, [fleet.name(i) for i in (0, 2, 3)], warn="0.4",
        bad=[fleet.name(2)])
    assert perf["time_" + series(fleet.name(2))][0] >= 0.6


def test_one_stale_listing(fleet, args):
    """A backend that lists other keys (a stale cache) is WARNING, named,
    even when every backend passes on its own."""
    fleet.sims[3].set_fault("missing_key", "ami-launch-index")
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 2, 3]) + args)
    line = assert_state(rc, out, "WARNING", r"32d0524b: 3/3 backends OK, "
                        r"backends disagree: %s differs $"
                        % re.escape(fleet.name(3)))
    assert_backend_perfdata(line, [fleet.name(i) for i in (0, 2, 3)])
    assert "[WARNING] backends disagree on the checked values: %s serves" \
        % fleet.name(3) in out


def test_one_stale_value_with_expect(fleet, args):
    """Same keys listed, another value served for one of them: -e fetches
    it, so the stale backend fails its own -e (CRITICAL) and is also
    the odd one out among the -e values the backends served."""
    fleet.sims[0].set_fault("value", "local-ipv4=10.9.9.9")
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 2, 3]) +
                               ["-e", "local-ipv4=10.0.0.5"] + args)
    line = assert_state(rc, out, "CRITICAL", r"32d0524b: 2/3 backends OK, "
                        r"%s local-ipv4 is '10\.9\.9\.9', expected "
                        r"'10\.0\.0\.5', backends disagree: %s differs $"
                        % (re.escape(fleet.name(0)), re.escape(fleet.name(0))))
    assert_backend_perfdata(line, [fleet.name(i) for i in (0, 2, 3)],
                            bad=[fleet.name(0)])
    for i in (0, 2, 3):
        assert [r["path"] for r in fleet.sims[i].requests] == \
            ["/latest/meta-data/", "/latest/meta-data/local-ipv4"]


def test_stale_value_of_unfetched_key_not_compared(fleet, args):
    """Without -e or -O a -k value is only listed, never fetched: one
    backend serving another value for it is not seen (README says so)."""
    fleet.sims[0].set_fault("value", "local-ipv4=10.9.9.9")
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 2, 3]) + args)
    line = assert_state(rc, out, "OK", r"32d0524b: 3/3 backends OK $")
    assert_backend_perfdata(line, [fleet.name(i) for i in (0, 2, 3)])


def test_two_that_disagree_have_no_majority(fleet, args):
    fleet.sims[0].set_fault("os_value", "hostname=old-name")
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 2]) + ["-O"] + args)
    line = assert_state(rc, out, "WARNING", r"32d0524b: 2/2 backends OK, "
                        r"backends disagree: %s, %s differ \(no majority\) $"
                        % (re.escape(fleet.name(0)), re.escape(fleet.name(2))))
    assert_backend_perfdata(line, [fleet.name(0), fleet.name(2)])


def test_one_stale_meta_data(fleet, args):
    """-O: one backend serves another hostname for the canary."""
    fleet.sims[2].set_fault("os_value", "hostname=old-name")
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 2, 3]) + ["-O"] + args)
    line = assert_state(rc, out, "WARNING", r"3/3 backends OK, backends "
                        r"disagree: %s differs $" % re.escape(fleet.name(2)))
    assert_backend_perfdata(line, [fleet.name(i) for i in (0, 2, 3)])


def test_ipv6_and_port_forms(fleet, args):
    """[IPV6]:PORT and HOST with -p as the port of those without one."""
    rc, out, _, _ = run_plugin(["-H", "127.0.0.1", "-p", fleet.sims[0].port,
                                "-H", fleet.name(2)] + args)
    line = assert_state(rc, out, "OK", r"32d0524b: 2/2 backends OK $")
    assert_backend_perfdata(line, [fleet.name(0), fleet.name(2)])


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 on loopback")
def test_ipv6_backend_with_port(fleet, args):
    """[IPV6]:PORT beside HOST:PORT; its labels drop the brackets."""
    sim6 = simulator.Simulator(bind="::1").start()
    try:
        name6 = "[::1]:%d" % sim6.port
        rc, out, _, _ = run_plugin(["-H", fleet.name(0), "-H", name6] + args)
    finally:
        sim6.stop()
    line = assert_state(rc, out, "OK", r"32d0524b: 2/2 backends OK $")
    assert_backend_perfdata(line, [fleet.name(0), name6])


def test_same_backend_twice_is_unknown(fleet, args):
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 0]) + args)
    assert_state(rc, out, "UNKNOWN", r"-H/--hostname: 127\.0\.0\.1 given "
                 r"twice")
    assert "|" not in first_line(out)


def test_json_nests_backends(fleet, args):
    import json
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 2]) +
                               ["--output-format=mp-test-json"] + args)
    doc = json.loads(out)
    assert rc == 0 and doc["state"] == "OK"
    assert [c["output"].split(":")[0:2] for c in doc["checks"]] == \
        [fleet.name(i).split(":") for i in (0, 2)]
    assert all(c["checks"] for c in doc["checks"])


def test_one_hung_is_its_own_timeout(fleet, args):
    """A backend that never answers hits the limit on its own: the others'
    results still come, before the whole-run limit."""
    fleet.sims[2].set_fault("hang")
    rc, out, _, elapsed = run_plugin(hosts(fleet, [0, 2, 3]) +
                                     ["-t", "5"] + args)
    line = assert_state(rc, out, "CRITICAL", r"32d0524b: 2/3 backends OK, "
                        r"%s timed out $" % re.escape(fleet.name(2)))
    # its line in the long output, failing first, the limit under it
    assert out.split("\n")[1:3] == [
        "\\_ [CRITICAL] %s: timed out" % fleet.name(2),
        "    \\_ [CRITICAL] timed out after 5 s (whole-run limit, -t)"], out
    # The hung one too: the time until its own limit.
    perf = assert_backend_perfdata(line, [fleet.name(i) for i in (0, 2, 3)],
                                   bad=[fleet.name(2)])
    assert perf["time_" + series(fleet.name(2))][0] > 1


def test_timeout_result_applies_per_backend(fleet, args):
    fleet.sims[3].set_fault("hang")
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 3]) +
                               ["-t", "5:WARNING"] + args)
    assert_state(rc, out, "WARNING", r"32d0524b: 1/2 backends OK, %s timed "
                 r"out $" % re.escape(fleet.name(3)))


def test_all_addresses_keeps_the_name_as_host(fleet, args):
    """--all-addresses connects to each address the name has; the name
    stays the Host header. (The several-address case runs in a network
    namespace with its own hosts file, in the suite that owns it.)"""
    port = fleet.sims[0].port
    rc, out, _, _ = run_plugin(["-H", "localhost:%d" % port,
                                "--all-addresses", "-4"] + args)
    line = assert_state(rc, out, "OK", r"^NOVA METADATA OK - canary "
                        r"32d0524b on every address of localhost:%d: HTTP "
                        r"200, 2/2 keys" % port)
    assert_perfdata(line)
    assert fleet.sims[0].last_headers["Host"] == "localhost:%d" % port


def test_all_addresses_with_several_names(fleet, args):
    """Each name's addresses are backends named NAME[ADDRESS]:PORT."""
    p0, p2 = fleet.sims[0].port, fleet.sims[2].port
    rc, out, _, _ = run_plugin(["-H", "localhost:%d" % p0, "-H",
                                "127.0.0.1:%d" % p2, "--all-addresses",
                                "-4"] + args)
    line = assert_state(rc, out, "OK", r"32d0524b on every address: 2/2 "
                        r"backends OK $")
    assert_backend_perfdata(line, ["localhost[127.0.0.1]:%d" % p0,
                                   "127.0.0.1:%d" % p2])
    assert fleet.sims[0].last_headers["Host"] == "localhost:%d" % p0


# ---- the monitoring host's thread limit ------------------------------------
THREADSHIM = os.path.join(os.path.dirname(PLUGIN), "..", "tests",
                          "shim", "threadshim.so")


@pytest.mark.parametrize("nth", [2, 3])
def test_no_thread_for_a_backend_is_unknown(fleet, args, nth):
    """A thread that cannot be started is the monitoring host's limit:
    UNKNOWN naming the backend, never a backend's CRITICAL. The first
    pthread_create is the signal thread's; the Nth fails, and every one
    after it."""
    if os.environ.get("ENABLE_SANITIZERS") == "yes" or \
            os.environ.get("ENABLE_TSAN") == "yes":
        pytest.skip("a sanitizer's runtime must be the first library")
    if not os.path.isfile(THREADSHIM):
        pytest.skip("%s is not built (make check builds it)" % THREADSHIM)
    which = [0, 2, 3]
    rc, out, _, _ = run_plugin(hosts(fleet, which) + args, plugin=PLUGIN,
                               env={"LD_PRELOAD": os.path.abspath(THREADSHIM),
                                    "NM_SHIM_FAIL_THREAD": str(nth)})
    line = assert_state(rc, out, "UNKNOWN", r"^NOVA METADATA UNKNOWN - "
                        r"the monitoring host's limit of processes and "
                        r"threads \(ulimit -u\) is reached: "
                        r"cannot start a thread for backend %s: Resource "
                        r"temporarily unavailable$"
                        % re.escape(fleet.name(which[nth - 2])))
    assert "|" not in line


# ---- memory and threads: several backends, each on a thread ---------------
# A build with ASan/UBSan (--enable-sanitizers) or ThreadSanitizer
# (--enable-tsan) checks itself: the plugin exits 86 (ASan's exitcode in
# make check) or 66 (scripts/tsan-ci) on a finding. Any other build runs
# under valgrind's memcheck, which exits 99 on an error or a leak.
VALGRIND = ["valgrind", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect", "-q"]


def _checked_run(argv):
    """Runs argv under the build's own sanitizer or valgrind."""
    if os.environ.get("ENABLE_SANITIZERS") == "yes" or \
            os.environ.get("ENABLE_TSAN") == "yes":
        return run_plugin(argv, timeout=120)
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind not installed")
    return run_plugin(argv, timeout=120, prefix=VALGRIND, plugin=PLUGIN)


def test_memory_sixteen_backends_ok(fleet, args):
    """16 threads, -O (JSON on each), -vvv (every thread logs)."""
    which = list(range(16))
    rc, out, err, _ = _checked_run(hosts(fleet, which) + args +
                                   ["-O", "-vvv", "-t", "60"])
    assert rc == 0, "exit %d (99 valgrind, 86 ASan, 66 TSan)\n%s\n%s" % (
        rc, out, err[-3000:])
    line = assert_state(rc, out, "OK", r"32d0524b: 16/16 backends OK $")
    assert_backend_perfdata(line, [fleet.name(i) for i in which])
    # Each line of -vvv whole: none begins inside another.
    assert all(l.startswith("check_nova_metadata: ")
               for l in err.splitlines() if l and not l.startswith("=="))


def test_memory_backends_that_fail(fleet, args):
    """Threads that end in each way: refused, 403, the 404 probe, a
    body past the cap, a slow one over -w, and one OK (unless valgrind
    on a busy machine makes it slower than -w too)."""
    down = "127.0.0.1:%d" % free_port()
    fleet.sims[2].set_fault("status", 404)
    fleet.sims[3].set_fault("oversize")
    fleet.sims[4].set_fault("delay", 2.5)
    names = [fleet.name(0), down, fleet.name(16), fleet.name(2),
             fleet.name(3), fleet.name(4)]
    argv = []
    for n in names:
        argv += ["-H", n]
    rc, out, err, _ = _checked_run(argv + args + ["-w", "2", "-t", "60"])
    assert rc == 2, "exit %d (99 valgrind, 86 ASan, 66 TSan)\n%s\n%s" % (
        rc, out, err[-3000:])
    assert_state(rc, out, "CRITICAL", r"32d0524b: [01]/6 backends OK, ")
    for n in names[1:]:
        assert n + " " in first_line(out).split("|")[0]


def test_ec2_profile_one_stale_key_value(fleet, args):
    """--cloud-init=ec2: the crawl reads each top-level value anyway, so
    the -k keys' values are compared with no request added."""
    fleet.sims[2].set_fault("value", "local-ipv4=10.9.9.9")
    rc, out, _, _ = run_plugin(hosts(fleet, [0, 2, 3]) + args +
                               ["--cloud-init=ec2"])
    line = assert_state(rc, out, "WARNING", r"32d0524b: 3/3 backends OK, "
                        r"backends disagree: %s differs $"
                        % re.escape(fleet.name(2)))
    assert "[WARNING] backends disagree on the checked values: %s serves" \
        % fleet.name(2) in out
    counts = {len(fleet.sims[i].requests) for i in (0, 2, 3)}
    assert counts == {26}, counts
