"""The first line as an operator reads it, wrapped on a phone: the state,
the tally, the cause in the plugin's own words, then the figures. The
same fault gives the same first line on every run, apart from the
figures, so that notifications and flapping detection see one problem;
libcurl's sentence (host, port, "after N ms") stays in the long output
and -v. Each case of the issue that asked for it: exit code, first line,
perfdata."""

import re

import pytest

import simulator
import tls_server
from conftest import (INSTANCE, TENANT, assert_explained, assert_no_perfdata,
                      assert_perfdata, assert_state, first_line,
                      free_port, parse_perfdata, run_plugin)

# libcurl's words, which must not reach the first line without -v: its
# sentences for a refused connection, a name not resolved, a TLS
# failure, a closed connection, and the figure that changes every run.
CURL_WORDS = re.compile(r"Failed to connect|Could(n't| not) (connect|resolve)"
                        r"|Connection refused|SSL|OpenSSL|Empty reply"
                        r"|after \d+ ms|Operation timed out|Timeout was "
                        r"reached", re.I)
FIGURE = re.compile(r"\b\d+\.\d{3} s\b")


def summary(out):
    """The first line without its perfdata."""
    return first_line(out).split("|", 1)[0].rstrip()


def same_apart_from_figures(a, b):
    return FIGURE.sub("T s", summary(a)) == FIGURE.sub("T s", summary(b))


def assert_short(out):
    """The plugin's words only: no libcurl sentence, no ';' (Nagios 4
    shows it as ':'), the time at most once."""
    line = summary(out)
    assert not CURL_WORDS.search(line), line
    assert ";" not in line, line
    assert len(FIGURE.findall(line)) <= 1, line


def twice(args):
    runs = [run_plugin(args) for _ in range(2)]
    (rc1, out1, _, _), (rc2, out2, _, _) = runs
    assert rc1 == rc2, (out1, out2)
    assert same_apart_from_figures(out1, out2), (summary(out1), summary(out2))
    assert_short(out1)
    return rc1, out1


def direct(host, port, secret_file, *extra):
    return ["-H", host, "-p", str(port), "-i", INSTANCE, "-T", TENANT,
            "--secret-file", secret_file] + list(extra)


def series(name):
    """A backend's perfdata suffix (README "Performance data")."""
    return re.sub(r"[^A-Za-z0-9-]", "_", name.replace("]", "").lstrip("["))


# ---- the cases of the issue, one by one ---------------------------------

def test_several_backends_one_down(sim, secret_file):
    """`N/M backends OK` first, then the failing backend and its cause."""
    down = "127.0.0.1:%s" % free_port()
    up = "127.0.0.1:%s" % sim.port
    rc, out = twice(["-H", up, "-H", down, "-i", INSTANCE, "-T", TENANT,
                     "--secret-file", secret_file])
    line = assert_state(rc, out, "CRITICAL",
                        r"^NOVA METADATA CRITICAL - canary 32d0524b: 1/2 "
                        r"backends OK, %s refused $" % re.escape(down))
    # The tally leads: nothing but the label, state and canary before it.
    assert line.index("1/2 backends OK") == len(
        "NOVA METADATA CRITICAL - canary 32d0524b: "), line
    perf = parse_perfdata(line)
    assert list(perf) == ["backends_ok"] + [
        "%s_%s" % (label, series(name)) for name in (up, down)
        for label in ("time", "size", "ok")], line
    assert perf["time_" + series(up)][1] == "s", line
    # the backend that is down keeps its series: ok 0, no bytes
    assert perf["ok_" + series(down)][0] == 0, line
    assert perf["size_" + series(down)][0] == 0, line
    # libcurl's sentence once in the long output, under the backend.
    assert len(re.findall(r"(Couldn't|Could not) connect", out)) == 1, out


def test_wrong_secret(sim, base_args, wrong_secret_file):
    """The cause before the time, the time once."""
    args = list(base_args)
    args[args.index("--secret-file") + 1] = wrong_secret_file
    rc, out = twice(args)
    line = assert_state(rc, out, "CRITICAL",
                        r"^NOVA METADATA CRITICAL - canary 32d0524b on "
                        r"127\.0\.0\.1:%d: HTTP 403 signature rejected, "
                        r"\d+\.\d{3} s $" % sim.port)
    assert_perfdata(line)
    assert_explained(out, r"the shared secret differs from Nova's")


def test_threshold_with_its_unit(sim, base_args):
    """`-w 0.000001`: the time once, as the cause, the threshold with its
    unit."""
    rc, out, _, _ = run_plugin(base_args + ["-w", "0.000001"])
    line = assert_state(rc, out, "WARNING",
                        r"^NOVA METADATA WARNING - canary 32d0524b on "
                        r"127\.0\.0\.1:%d: \d+\.\d{3} s exceeds warning "
                        r"0\.000001 s, HTTP 200, 2/2 keys $" % sim.port)
    assert_short(out)
    perf = assert_perfdata(line)
    assert perf["time"][2] == "0.000001", line
    assert_explained(out, r"^\\_ \[WARNING\] response time \d+\.\d{6} s "
                     r"exceeds warning 0\.000001 s$")


def test_cloud_init_ok_names_what_is_absent(sim, base_args):
    """user_data's 404 is normal: named, not counted as 4/5."""
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "OK",
                        r"^NOVA METADATA OK - canary 32d0524b on "
                        r"127\.0\.0\.1:%d: cloud-init profile, version "
                        r"2018-08-27, user_data: none, 17 EC2 values, "
                        r"\d+ requests, \d+\.\d{3} s $" % sim.port)
    assert "/5" not in line, line
    assert_short(out)
    assert parse_perfdata(line)["user_data_time"][1] == "s", line


def test_no_semicolon_in_any_first_line_of_the_issue(sim, base_args,
                                                     wrong_secret_file):
    """Nagios 4 turns ';' into ':': none in the first line of a failure
    whose long output still explains with one."""
    sim.set_fault("status", 404, path="/openstack")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    assert_state(rc, out, "CRITICAL", r": HTTP 404 [a-z ]+ for /openstack, ")
    assert_short(out)


# ---- the same fault, the same first line --------------------------------

def test_refused_twice_the_same(secret_file):
    port = free_port()
    rc, out = twice(direct("127.0.0.1", port, secret_file))
    line = assert_state(rc, out, "CRITICAL",
                        r"^NOVA METADATA CRITICAL - canary 32d0524b on "
                        r"127\.0\.0\.1:%s: refused$" % port)
    assert_no_perfdata(line)


def test_unresolved_twice_the_same(secret_file):
    rc, out = twice(direct("no-such-host.invalid", 8775, secret_file,
                           "-t", "5"))
    line = assert_state(rc, out, "CRITICAL",
                        r"^NOVA METADATA CRITICAL - canary 32d0524b on "
                        r"no-such-host\.invalid:8775: name not resolved$")
    assert_no_perfdata(line)


def test_timed_out_twice_the_same(sim, base_args):
    sim.set_fault("hang")
    rc, out = twice(base_args + ["-t", "1"])
    line = assert_state(rc, out, "CRITICAL",
                        r"^NOVA METADATA CRITICAL - canary 32d0524b on "
                        r"127\.0\.0\.1:%d: timed out after 1 s "
                        r"\(whole-run limit, -t\)$" % sim.port)
    assert_no_perfdata(line)


def test_one_backend_timed_out_twice_the_same(sim, secret_file):
    """A backend that hangs among several ends on its own, named."""
    s = simulator.Simulator().start()
    try:
        s.set_fault("hang")
        names = ["127.0.0.1:%s" % sim.port, "127.0.0.1:%s" % s.port]
        rc, out = twice(["-H", names[0], "-H", names[1], "-i", INSTANCE,
                         "-T", TENANT, "--secret-file", secret_file,
                         "-t", "2"])
    finally:
        s.stop()
    line = assert_state(rc, out, "CRITICAL",
                        r"^NOVA METADATA CRITICAL - canary 32d0524b: 1/2 "
                        r"backends OK, %s timed out $" % re.escape(names[1]))
    perf = parse_perfdata(line)
    assert list(perf) == ["backends_ok"] + [
        "%s_%s" % (label, series(name)) for name in names
        for label in ("time", "size", "ok")], line
    assert perf["backends_ok"][0] == 1, line


def test_tls_handshake_twice_the_same(sim, base_args):
    """HTTPS to a plain HTTP port: the handshake fails."""
    rc, out = twice(base_args + ["-S"])
    line = assert_state(rc, out, "CRITICAL",
                        r"^NOVA METADATA CRITICAL - canary 32d0524b on "
                        r"127\.0\.0\.1:%d: TLS: handshake failed$" % sim.port)
    assert_no_perfdata(line)
    assert_explained(out, r"SSL|OpenSSL|TLS")


@pytest.fixture(scope="module")
def untrusted(tmp_path_factory):
    pki = tls_server.make_pki(tmp_path_factory.mktemp("pki"))
    s = tls_server.TLSSimulator(pki["server"], pki["server_key"]).start()
    yield s
    s.stop()


def test_tls_certificate_twice_the_same(untrusted, secret_file):
    """A certificate no trusted CA signed."""
    rc, out = twice(direct("127.0.0.1", untrusted.port, secret_file, "-S"))
    line = assert_state(rc, out, "CRITICAL",
                        r"^NOVA METADATA CRITICAL - canary 32d0524b on "
                        r"127\.0\.0\.1:%s: TLS: certificate not verified$"
                        % untrusted.port)
    assert_no_perfdata(line)
    assert_explained(out, r"SSL certificate problem")


def test_wrong_secret_twice_the_same(sim, base_args, wrong_secret_file):
    args = list(base_args)
    args[args.index("--secret-file") + 1] = wrong_secret_file
    rc, out = twice(args)
    assert_state(rc, out, "CRITICAL", r": HTTP 403 signature rejected, ")


# ---- libcurl's words: -v only (and the long output) ---------------------

def test_libcurl_sentence_only_with_v(secret_file):
    port = free_port()
    rc, out, err, _ = run_plugin(direct("127.0.0.1", port, secret_file))
    assert rc == 2
    assert not CURL_WORDS.search(first_line(out)), out
    assert err == ""
    rc, out, err, _ = run_plugin(direct("127.0.0.1", port, secret_file,
                                        "-v"))
    assert rc == 2
    assert not CURL_WORDS.search(first_line(out)), out
    assert re.search(r"(Couldn't|Could not) connect to server", err), err
