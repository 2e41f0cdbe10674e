"""The manual's states table, row by row: exit code, first line, perfdata."""

import re

import pytest

import simulator
from conftest import (INSTANCE, SIGNATURE, TENANT, assert_no_perfdata,
                      assert_perfdata, assert_state, free_port, run_plugin)

LISTING = simulator.ec2_md_print(simulator.canary_tree()).encode()
OTHER_UUID = "11111111-2222-4333-8444-555555555555"


# ---- 200, all as expected ----------------------------------------------
def test_ok(sim, base_args):
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(
        rc, out, "OK",
        r"^NOVA METADATA OK - canary 32d0524b on 127\.0\.0\.1:%d: HTTP 200, "
        r"2/2 keys, \d+\.\d{3} s $" % sim.port)
    perf = assert_perfdata(line, size=len(LISTING))
    assert perf["time"][2:4] == ("", ""), "no thresholds given: %r" % line
    assert re.search(r"\| time=\d+\.\d{6}s;;;0;10 size=%dB;;;0;$"
                     % len(LISTING), line), line
    # Long output: one "\_ [STATE] text" line per sub-check, all OK here.
    rest = out.rstrip("\n").split("\n")[1:]
    assert rest, "no long output: %r" % out
    for extra in rest:
        assert re.match(r"^\\_ \[OK\] \S", extra), extra


def test_ok_request_carries_signed_headers(sim, base_args):
    rc, out, _, _ = run_plugin(base_args)
    assert_state(rc, out, "OK")
    assert sim.request_count == 1
    req = sim.last_request
    assert req["method"] == "GET"
    assert req["path"] == "/latest/meta-data/"
    h = req["headers"]
    assert h.get_all("X-Instance-ID") == [INSTANCE]
    assert h.get_all("X-Tenant-ID") == [TENANT]
    assert h.get_all("X-Instance-ID-Signature") == [SIGNATURE]
    assert h.get("X-Forwarded-For") is None
    # A compressed body would dodge the 1 MiB cap and the text checks.
    enc = (h.get("Accept-Encoding") or "identity").lower()
    assert all(e.strip().split(";")[0] in ("identity", "")
               for e in enc.split(",")), enc
    assert h.get("Host", "").startswith("127.0.0.1")


# ---- thresholds on time --------------------------------------------------
def test_time_warning(sim, base_args):
    sim.set_fault("delay", 0.3)
    rc, out, _, _ = run_plugin(base_args + ["-w", "0.1", "-c", "5"])
    line = assert_state(rc, out, "WARNING",
                        r": \d+\.\d{3} s exceeds warning 0\.1 s, HTTP 200, "
                        r"2/2 keys $")
    # The time once, as the cause; the threshold with its unit.
    assert len(re.findall(r"\d\.\d{3} s\b", line.split("|")[0])) == 1, line
    perf = assert_perfdata(line)
    assert perf["time"][0] >= 0.3
    assert perf["time"][2:4] == ("0.1", "5"), line
    assert re.search(r"time=\d+\.\d{6}s;0\.1;5;0;", line), line


def test_time_critical(sim, base_args):
    sim.set_fault("delay", 0.3)
    rc, out, _, _ = run_plugin(base_args + ["-w", "0.05", "-c", "0.1"])
    line = assert_state(rc, out, "CRITICAL",
                        r": \d+\.\d{3} s exceeds critical 0\.1 s, ")
    perf = assert_perfdata(line)
    assert perf["time"][2:4] == ("0.05", "0.1"), line


def test_time_within_thresholds(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-w", "5", "-c", "10"])
    line = assert_state(rc, out, "OK")
    assert assert_perfdata(line)["time"][2:4] == ("5", "10"), line


def test_range_inside_alerts(sim, base_args):
    # @0:5 alerts when the time is inside 0..5: a fast answer warns.
    # "@5" is the same range (start 0 is the default), so either spelling.
    rc, out, _, _ = run_plugin(base_args + ["-w", "@0:5"])
    line = assert_state(rc, out, "WARNING",
                        r"\d s is within warning range 0\.\.5 s, ")
    assert assert_perfdata(line)["time"][2] in ("@0:5", "@5"), line


def test_range_below_alerts(sim, base_args):
    # 5: alerts below 5 seconds.
    rc, out, _, _ = run_plugin(base_args + ["-c", "5:"])
    line = assert_state(rc, out, "CRITICAL", r"\d s is below critical 5 s, ")
    assert_perfdata(line)


def test_range_above_alerts(sim, base_args):
    sim.set_fault("delay", 0.3)
    rc, out, _, _ = run_plugin(base_args + ["-w", "~:0.1"])
    line = assert_state(rc, out, "WARNING", r"\d s exceeds warning 0\.1 s, ")
    assert_perfdata(line)


def test_critical_tested_before_warning(sim, base_args):
    sim.set_fault("delay", 0.3)
    rc, out, _, _ = run_plugin(base_args + ["-w", "0.1", "-c", "0.2"])
    assert_state(rc, out, "CRITICAL", r"\d s exceeds critical 0\.2 s, ")


# ---- HTTP errors -----------------------------------------------------------
def test_400_says_which_header(sim, base_args):
    body = simulator.nova_error_body(
        400, "X-Tenant-ID header is missing from request.")
    sim.set_fault("status", (400, body))
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(rc, out, "CRITICAL",
                        r": HTTP 400 bad request, \d+\.\d{3} s $")
    # Nova's words (which header) in the long output, not the first line.
    assert re.search(r"^\\_ \[CRITICAL\] HTTP 400 .*X-Tenant-ID header is "
                     r"missing", out, re.M), out
    assert_perfdata(line, size=len(body))


def test_403_signature_rejected(sim, base_args, wrong_secret_file):
    args = list(base_args)
    args[args.index("--secret-file") + 1] = wrong_secret_file
    rc, out, _, _ = run_plugin(args)
    line = assert_state(rc, out, "CRITICAL",
                        r": HTTP 403 signature rejected, \d+\.\d{3} s $")
    assert re.search(r"^\\_ \[CRITICAL\] HTTP 403 .*signature rejected: "
                     r"the shared secret differs", out, re.M), out
    assert_perfdata(line)
    assert sim.last_headers["X-Instance-ID-Signature"] != SIGNATURE


def _assert_404(rc, out, sim, proxy_on):
    """A 404 and the probe's verdict: one more request, with a wrong
    signature; with the proxy mode on the canary or tenant is wrong,
    with it off Nova ignores the signed headers."""
    line = assert_state(rc, out, "CRITICAL", r": HTTP 404 %s, \d+\.\d{3} s $"
                        % ("canary unknown" if proxy_on else
                           "metadata proxy mode off"))
    # The probe's whole verdict in the long output.
    if proxy_on:
        assert "canary unknown to Nova or tenant" in out, out
        assert "check -i and -T" in out, out
        assert "service_metadata_proxy" not in out, out
    else:
        assert "service_metadata_proxy = False" in out, out
        assert "canary unknown" not in out, out
    assert_perfdata(line)
    assert sim.request_count == 2
    assert sim.requests[1]["headers"]["X-Instance-ID-Signature"] != \
        sim.requests[0]["headers"]["X-Instance-ID-Signature"]


def test_404_unknown_instance(sim, base_args):
    args = list(base_args)
    args[args.index("-i") + 1] = OTHER_UUID
    rc, out, _, _ = run_plugin(args)
    _assert_404(rc, out, sim, True)
    assert sim.last_headers["X-Instance-ID"] == OTHER_UUID


def test_404_tenant_not_the_project(sim, base_args):
    args = list(base_args)
    args[args.index("-T") + 1] = "0000000000000000000000000000beef"
    rc, out, _, _ = run_plugin(args)
    _assert_404(rc, out, sim, True)


def test_404_service_metadata_proxy_off(sim, base_args):
    sim.set_fault("ignore_signature")
    rc, out, _, _ = run_plugin(base_args)
    _assert_404(rc, out, sim, False)


@pytest.mark.parametrize("code,explanation", [
    (500, "An unknown error has occurred. Please try your request again."),
    (503, "The metadata service is down for maintenance."),
])
def test_5xx_status_and_explanation(sim, base_args, code, explanation):
    sim.set_fault("status", (code, simulator.nova_error_body(code,
                                                             explanation)))
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(rc, out, "CRITICAL",
                        r": HTTP %d server error, \d+\.\d{3} s $" % code)
    # The server's words change from run to run: long output only.
    assert explanation not in line
    assert re.search(r"^\\_ \[CRITICAL\] HTTP %d .*%s" % (
        code, re.escape(explanation)), out, re.M), out
    assert_perfdata(line)


def test_5xx_long_explanation_marked(sim, base_args):
    # An explanation longer than the 200 bytes shown ends in "...", so a
    # cut never passes for the server's whole text.
    explanation = "Database connection lost: " + "x" * 400 + " END"
    sim.set_fault("status", (500, simulator.nova_error_body(500,
                                                            explanation)))
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(rc, out, "CRITICAL", r"HTTP 500 server error")
    assert re.search(r"HTTP 500.*Nova says: Database connection lost: "
                     r"x+\.\.\.$", out, re.M), out
    assert_perfdata(line)
    assert " END" not in out


def test_302_not_followed(sim, base_args):
    sim.set_fault("redirect")
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(rc, out, "CRITICAL", r": HTTP 302 redirected, ")
    assert_perfdata(line)
    assert sim.request_count == 1, "the redirect was followed"


def test_418_unexpected_status(sim, base_args):
    sim.set_fault("status", (418, "I'm a teapot"))
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(rc, out, "CRITICAL", r": HTTP 418 unexpected status, ")
    assert_perfdata(line)


# ---- keys and values -------------------------------------------------------
def test_key_missing(sim, base_args):
    sim.set_fault("missing_key", "local-ipv4")
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(rc, out, "CRITICAL", r": local-ipv4 missing, HTTP 200, "
                        r"1/2 keys, ")
    assert_perfdata(line)


def test_value_differs(sim, base_args):
    sim.set_fault("value", ("hostname", "impostor.example"))
    rc, out, _, _ = run_plugin(base_args + ["-e", "hostname=canary.novalocal"])
    line = assert_state(rc, out, "CRITICAL", r"hostname")
    assert "canary.novalocal" in line and "impostor.example" in line, line
    assert_perfdata(line)


def test_value_matches(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-e", "hostname=canary.novalocal"])
    line = assert_state(rc, out, "OK")
    assert_perfdata(line)


def test_expected_key_not_served(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-e", "no-such-key=x"])
    line = assert_state(rc, out, "CRITICAL", r"no-such-key")
    assert_perfdata(line)


# ---- transport failures: the plugin's words first, libcurl's after -------
def test_connection_refused(plugin, secret_file):
    port = free_port()
    rc, out, _, _ = run_plugin(["-H", "127.0.0.1", "-p", port, "-i", INSTANCE,
                                "-T", TENANT, "--secret-file", secret_file])
    line = assert_state(rc, out, "CRITICAL",
                        r"^NOVA METADATA CRITICAL - canary 32d0524b on "
                        r"127\.0\.0\.1:%s: refused$" % port)
    # libcurl 7 (Debian 12) says "Couldn't", libcurl 8 (Debian 13) "Could
    # not": its words in the long output
    assert re.search(r"^\\_ \[CRITICAL\] no answer for /latest/meta-data/: "
                     r".*(Couldn't|Could not) connect to server", out, re.M), out
    assert_no_perfdata(line)


def test_name_not_resolved(plugin, secret_file):
    rc, out, _, elapsed = run_plugin(
        ["-H", "nonexistent.invalid", "-p", "8775", "-i", INSTANCE,
         "-T", TENANT, "--secret-file", secret_file, "-t", "5"])
    line = assert_state(rc, out, "CRITICAL",
                        r"nonexistent\.invalid:8775: name not resolved$")
    assert re.search(r"(Could not|Couldn't) resolve host", out), out
    assert_no_perfdata(line)
    assert elapsed < 5


def test_long_name_not_resolved_marks_the_cut(plugin, secret_file):
    # libcurl's detail stops at 255 bytes, inside a long name: "..."
    # shows that the name went on.
    name = ("a" * 60 + ".") * 4 + "invalid"
    rc, out, _, _ = run_plugin(
        ["-H", name, "-p", "8775", "-i", INSTANCE, "-T", TENANT,
         "--secret-file", secret_file, "-t", "5"])
    line = assert_state(rc, out, "CRITICAL", r": name not resolved$")
    assert re.search(r"(Could not|Couldn't) resolve host: a+\.[a.]+\.\.\.$",
                     out, re.M), out
    assert_no_perfdata(line)


def test_connection_closed_without_answer(sim, base_args):
    sim.set_fault("close")
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(rc, out, "CRITICAL", r": connection broke off$")
    assert "Empty reply from server" in out, out
    assert_no_perfdata(line)


# ---- bodies that are not a listing ---------------------------------------
@pytest.mark.parametrize("mode", ["cl", "nocl", "chunked"])
def test_oversize(sim, base_args, mode):
    sim.set_fault("oversize", mode)
    rc, out, _, elapsed = run_plugin(base_args)
    line = assert_state(rc, out, "CRITICAL", r": answer over 1 MiB, HTTP 200, ")
    assert "larger than 1 MiB" in out, out
    assert_perfdata(line)
    assert elapsed < 5


def test_garbage_not_text(sim, base_args):
    sim.set_fault("garbage")
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(rc, out, "CRITICAL", r"not text")
    assert_perfdata(line)
    assert "\x00" not in out


def test_html_not_a_listing(sim, base_args):
    sim.set_fault("html")
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(rc, out, "CRITICAL", r"not a metadata listing")
    assert_perfdata(line)


@pytest.mark.parametrize("fault", [None, "close", "hang"])
def test_output_ends_with_newline(sim, base_args, fault):
    if fault:
        sim.set_fault(fault)
    rc, out, _, _ = run_plugin(base_args + ["-t", "1"])
    assert_state(rc, out, "OK" if fault is None else "CRITICAL")
    assert out.endswith("\n")


# ---- a failing request names itself ------------------------------------
def test_transport_failure_names_the_value_request(sim, base_args):
    sim.set_fault("close", True, path="/latest/meta-data/hostname")
    rc, out, _, _ = run_plugin(base_args + ["-e", "hostname=x"])
    line = assert_state(rc, out, "CRITICAL",
                        r": /latest/meta-data/hostname connection broke off, "
                        r"HTTP 200, 2/2 keys, ")
    assert "Empty reply" not in line and "Empty reply" in out, out
    assert "|" in line, "the listing answered: perfdata expected"
    assert re.search(r"^\\_ \[CRITICAL\] no answer for "
                     r"/latest/meta-data/hostname: ", out, re.M), out


def test_transport_failure_on_listing_says_it_once(sim, base_args):
    port = free_port()
    args = [str(port) if str(a) == str(sim.port) else a for a in base_args]
    rc, out, _, _ = run_plugin(args)
    line = assert_state(rc, out, "CRITICAL", r": refused$")
    assert_no_perfdata(line)
    assert len(re.findall(r"(Couldn't|Could not) connect to server",
                          out)) == 1, out
    assert re.search(r"^\\_ \[CRITICAL\] no answer for /latest/meta-data/: ",
                     out, re.M), out


# ---- local TLS files are the setup's fault -----------------------------
@pytest.mark.parametrize("opts", [
    ["-S", "-J", "/nonexistent/client.pem", "-K", "/nonexistent/key.pem"],
    ["-S", "--ca-cert", "/"],
])
def test_tls_files_unreadable_unknown(sim, base_args, opts):
    before = sim.request_count
    rc, out, _, _ = run_plugin(base_args + opts)
    assert_state(rc, out, "UNKNOWN", r"(--client-cert|--ca-cert)")
    assert len(out.splitlines()) == 1
    assert sim.request_count == before
