"""Every option of the manual (TLS, --nova-conf, --extra-opts come later)."""

import json
import os
import re

import pytest

import simulator
from conftest import (INSTANCE, SECRET, SIGNATURE, TENANT, WRONG_SECRET,
                      assert_no_perfdata, assert_perfdata, assert_state,
                      assert_unknown_usage, first_line, free_port,
                      ipv6_loopback, run_plugin)

needs_ipv6 = pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback")


def without(args, option):
    """args minus option and its value."""
    args = list(args)
    i = args.index(option)
    del args[i:i + 2]
    return args


def replaced(args, option, value):
    args = list(args)
    args[args.index(option) + 1] = value
    return args


# ---- -H, -p, -4, -6 ----------------------------------------------------
def test_hostname_defaults_to_127_0_0_1(sim, base_args):
    rc, out, _, _ = run_plugin(without(base_args, "-H"))
    line = assert_state(rc, out, "OK", r"on 127\.0\.0\.1:%d:" % sim.port)
    assert_perfdata(line)
    assert sim.request_count == 1


def test_hostname_long_option_and_name(sim, base_args):
    args = without(base_args, "-H") + ["--hostname=localhost"]
    rc, out, _, _ = run_plugin(args)
    line = assert_state(rc, out, "OK", r"localhost")
    assert_perfdata(line)


def test_port_defaults_to_8775(plugin, secret_file):
    try:
        s = simulator.Simulator(port=8775).start()
    except OSError:
        pytest.skip("port 8775 is in use")
    try:
        rc, out, _, _ = run_plugin(["-H", "127.0.0.1", "-i", INSTANCE,
                                    "-T", TENANT, "--secret-file",
                                    secret_file])
        line = assert_state(rc, out, "OK", r"127\.0\.0\.1:8775")
        assert_perfdata(line)
        assert s.request_count == 1
    finally:
        s.stop()


def test_port_long_option(sim, base_args):
    args = without(base_args, "-p") + ["--port=%d" % sim.port]
    rc, out, _, _ = run_plugin(args)
    assert_perfdata(assert_state(rc, out, "OK"))


@pytest.mark.parametrize("port", ["0", "65536", "abc", "-1", "80x", ""])
def test_bad_port(sim, base_args, port):
    rc, out, _, _ = run_plugin(replaced(base_args, "-p", port))
    assert_unknown_usage(rc, out, r"(-p|--port|port)")
    assert sim.request_count == 0


def test_force_ipv4(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-4"])
    assert_perfdata(assert_state(rc, out, "OK"))


def test_force_ipv6_against_ipv4_only_server(sim, base_args):
    # The server listens on 127.0.0.1 only: IPv6 cannot reach it.
    rc, out, _, _ = run_plugin(replaced(base_args, "-H", "localhost") + ["-6"])
    assert_no_perfdata(assert_state(rc, out, "CRITICAL"))
    assert sim.request_count == 0


@needs_ipv6
def test_ipv6_server(plugin, secret_file):
    with simulator.Simulator(bind="::1") as s6:
        args = ["-H", "::1", "-p", s6.port, "-i", INSTANCE, "-T", TENANT,
                "--secret-file", secret_file]
        rc, out, _, _ = run_plugin(args + ["-6"])
        line = assert_state(rc, out, "OK", r"::1")
        assert_perfdata(line)
        assert s6.request_count == 1
        assert s6.last_headers["X-Instance-ID-Signature"] == SIGNATURE
        rc, out, _, _ = run_plugin(args)
        assert_state(rc, out, "OK")
        rc, out, _, _ = run_plugin(args + ["-4"])
        assert_state(rc, out, "UNKNOWN", r"-4 with -H ::1")
        assert s6.request_count == 2


# ---- -i, -T ----------------------------------------------------------------
def test_instance_required(sim, base_args):
    rc, out, _, _ = run_plugin(without(base_args, "-i"))
    assert_unknown_usage(rc, out, r"(-i|--instance|instance)")


@pytest.mark.parametrize("bad", [
    "canary", "32d0524b-314d-4594-b3a3-607e3f2354f", "",
    "32d0524b-314d-4594-b3a3-607e3f2354f8x",
    "32d0524b314d4594b3a3607e3f2354f8-----",
    "zzd0524b-314d-4594-b3a3-607e3f2354f8",
])
def test_instance_not_a_uuid(sim, base_args, bad):
    rc, out, _, _ = run_plugin(replaced(base_args, "-i", bad))
    assert_unknown_usage(rc, out, r"(-i|--instance|instance|UUID)")
    assert sim.request_count == 0


def test_instance_long_option(sim, base_args):
    args = without(base_args, "-i") + ["--instance=" + INSTANCE]
    assert_perfdata(assert_state(*run_plugin(args)[:2], "OK"))


def test_tenant_required(sim, base_args):
    rc, out, _, _ = run_plugin(without(base_args, "-T"))
    assert_unknown_usage(rc, out, r"(-T|--tenant|tenant)")


def test_tenant_long_option_is_sent(sim, base_args):
    args = without(base_args, "-T") + ["--tenant", TENANT]
    assert_perfdata(assert_state(*run_plugin(args)[:2], "OK"))
    assert sim.last_headers["X-Tenant-ID"] == TENANT


# ---- the secret ------------------------------------------------------------
def test_secret_file_first_line_only(sim, base_args, make_secret_file):
    f = make_secret_file(SECRET + "\nsecond line is not the secret\n")
    rc, out, _, _ = run_plugin(replaced(base_args, "--secret-file", f))
    assert_perfdata(assert_state(rc, out, "OK"))
    assert sim.last_headers["X-Instance-ID-Signature"] == SIGNATURE


def test_secret_file_without_newline(sim, base_args, make_secret_file):
    f = make_secret_file(SECRET)
    rc, out, _, _ = run_plugin(replaced(base_args, "--secret-file", f))
    assert_perfdata(assert_state(rc, out, "OK"))


def test_secret_file_missing(sim, base_args, tmp_path):
    rc, out, _, _ = run_plugin(replaced(base_args, "--secret-file",
                                        str(tmp_path / "absent")))
    assert_unknown_usage(rc, out, r"(--secret-file|secret)")
    assert sim.request_count == 0


def test_secret_file_unreadable(sim, base_args, tmp_path):
    # A directory: unreadable as a file even for root.
    rc, out, _, _ = run_plugin(replaced(base_args, "--secret-file",
                                        str(tmp_path)))
    assert_unknown_usage(rc, out, r"(--secret-file|secret)")
    assert sim.request_count == 0


def test_secret_file_empty(sim, base_args, make_secret_file):
    f = make_secret_file("\n")
    rc, out, _, _ = run_plugin(replaced(base_args, "--secret-file", f))
    assert_unknown_usage(rc, out, r"(--secret-file|secret)")
    assert sim.request_count == 0


def test_no_secret_at_all(sim, base_args):
    rc, out, _, _ = run_plugin(without(base_args, "--secret-file"))
    assert_unknown_usage(rc, out, r"(secret|NOVA_METADATA_SECRET)")
    assert sim.request_count == 0


def test_secret_from_environment(sim, base_args):
    rc, out, _, _ = run_plugin(without(base_args, "--secret-file"),
                               env={"NOVA_METADATA_SECRET": SECRET})
    assert_perfdata(assert_state(rc, out, "OK"))
    assert sim.last_headers["X-Instance-ID-Signature"] == SIGNATURE


def test_secret_option_wins_over_environment(sim, base_args,
                                             wrong_secret_file):
    rc, out, _, _ = run_plugin(base_args,
                               env={"NOVA_METADATA_SECRET": WRONG_SECRET})
    assert_state(rc, out, "OK")
    rc, out, _, _ = run_plugin(
        replaced(base_args, "--secret-file", wrong_secret_file),
        env={"NOVA_METADATA_SECRET": SECRET})
    assert_state(rc, out, "CRITICAL", r"HTTP 403")


# ---- -k, -e, -u --------------------------------------------------------
def test_keys_replace_the_defaults(sim, base_args):
    sim.set_fault("missing_key", "local-ipv4")
    rc, out, _, _ = run_plugin(base_args + ["-k", "hostname"])
    line = assert_state(rc, out, "OK", r"1/1 keys")
    assert_perfdata(line)


def test_keys_repeatable(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + [
        "-k", "hostname", "--key=ami-id", "-k", "security-groups"])
    assert_perfdata(assert_state(rc, out, "OK", r"3/3 keys"))


def test_key_not_listed(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-k", "hostname",
                                            "-k", "no-such-key"])
    line = assert_state(rc, out, "CRITICAL", r"1/2 keys")
    assert "no-such-key missing" in line, line
    assert_perfdata(line)


def test_expect_fetches_url_key(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + [
        "-e", "hostname=canary.novalocal", "--expect=local-ipv4=10.0.0.5"])
    assert_perfdata(assert_state(rc, out, "OK"))
    paths = sorted(r["path"] for r in sim.requests)
    assert paths == ["/latest/meta-data/", "/latest/meta-data/hostname",
                     "/latest/meta-data/local-ipv4"], paths
    for r in sim.requests:
        assert r["headers"]["X-Instance-ID-Signature"] == SIGNATURE
        assert r["headers"]["X-Instance-ID"] == INSTANCE


def test_expect_compares_exactly(sim, base_args):
    for wrong in ("canary", "canary.novalocal ", "CANARY.NOVALOCAL"):
        sim.reset()
        rc, out, _, _ = run_plugin(base_args + ["-e", "hostname=" + wrong])
        line = assert_state(rc, out, "CRITICAL", r"hostname")
        assert_perfdata(line)


def test_expect_value_may_contain_equals(sim, base_args):
    sim.set_fault("value", ("security-groups", "a=b"))
    rc, out, _, _ = run_plugin(base_args + ["-e", "security-groups=a=b"])
    assert_perfdata(assert_state(rc, out, "OK"))


def test_expect_nested_key(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + [
        "-e", "placement/availability-zone=nova"])
    assert_perfdata(assert_state(rc, out, "OK"))
    assert "/latest/meta-data/placement/availability-zone" in \
        [r["path"] for r in sim.requests]


@pytest.mark.parametrize("bad", ["hostname", "=value"])
def test_expect_bad_syntax(sim, base_args, bad):
    rc, out, _, _ = run_plugin(base_args + ["-e", bad])
    assert_unknown_usage(rc, out, r"(-e|--expect|expect)")
    assert sim.request_count == 0


def test_url_other_version(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-u", "/2009-04-04/meta-data/"])
    assert_perfdata(assert_state(rc, out, "OK"))
    assert sim.last_request["path"] == "/2009-04-04/meta-data/"


def test_url_and_expect_combine(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + [
        "--url=/latest/meta-data/placement/", "-k", "availability-zone",
        "-e", "availability-zone=nova"])
    assert_perfdata(assert_state(rc, out, "OK", r"1/1 keys"))
    paths = [r["path"] for r in sim.requests]
    assert "/latest/meta-data/placement/" in paths
    assert "/latest/meta-data/placement/availability-zone" in paths


def test_url_not_found(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-u", "/latest/no-such-dir/"])
    assert_perfdata(assert_state(rc, out, "CRITICAL", r"HTTP 404"))


# ---- -w, -c (states are in test_states.py) --------------------------------
@pytest.mark.parametrize("opt", ["-w", "-c", "--warning", "--critical"])
@pytest.mark.parametrize("bad", ["abc", "1:x", "5:1", "@", "1..2", ""])
def test_bad_range(sim, base_args, opt, bad):
    rc, out, _, _ = run_plugin(base_args + [opt, bad])
    assert_unknown_usage(rc, out, r"(-w|-c|--warning|--critical|warning|"
                                  r"critical|range)")
    assert sim.request_count == 0


# ---- -t, --timeout-result (behaviour in test_timeouts.py) ----------------
@pytest.mark.parametrize("bad", ["abc", "-5", "0", "1.5x", ""])
def test_bad_timeout(sim, base_args, bad):
    rc, out, _, _ = run_plugin(base_args + ["-t", bad])
    assert_unknown_usage(rc, out, r"(-t|--timeout|timeout)")


def test_bad_timeout_result(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--timeout-result=SOMETIMES"])
    assert_unknown_usage(rc, out, r"(--timeout-result|timeout-result)")


# ---- --forwarded-for -------------------------------------------------------
def test_forwarded_for_sent_only_when_asked(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--forwarded-for=10.0.0.5"])
    assert_perfdata(assert_state(rc, out, "OK"))
    assert sim.last_headers.get_all("X-Forwarded-For") == ["10.0.0.5"]
    sim.reset()
    rc, out, _, _ = run_plugin(base_args)
    assert_state(rc, out, "OK")
    assert sim.last_headers.get("X-Forwarded-For") is None


# ---- --output-format -----------------------------------------------------
def test_output_format_classic_is_the_default(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--output-format=classic"])
    line = assert_state(rc, out, "OK", r"2/2 keys")
    assert_perfdata(line)


def _json_doc(out):
    doc = json.loads(out)
    assert isinstance(doc, dict)
    return doc


def _json_perf(doc):
    perf = {}
    for check in doc["checks"]:
        assert check["state"] in ("OK", "WARNING", "CRITICAL", "UNKNOWN")
        assert isinstance(check["output"], str)
        for p in check.get("perfdata", []):
            perf[p["label"]] = p
    return perf


def test_output_format_json_ok(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--output-format=mp-test-json"])
    assert rc == 0, out
    doc = _json_doc(out)
    assert doc["state"] == "OK"
    assert "2/2 keys" in doc["summary"]
    assert doc.get("label", "NOVA METADATA") == "NOVA METADATA"
    perf = _json_perf(doc)
    assert perf["time"]["uom"] == "s"
    assert isinstance(perf["time"]["value"], (int, float))
    assert 0 <= perf["time"]["value"] < 5
    listing = simulator.ec2_md_print(simulator.canary_tree()).encode()
    assert perf["size"]["uom"] == "B"
    assert perf["size"]["value"] == len(listing)


def test_output_format_json_critical(sim, base_args):
    sim.set_fault("delay", 0.3)
    rc, out, _, _ = run_plugin(base_args + [
        "--output-format", "mp-test-json", "-w", "0.05", "-c", "0.1"])
    assert rc == 2, out
    doc = _json_doc(out)
    assert doc["state"] == "CRITICAL"
    perf = _json_perf(doc)
    assert perf["time"]["value"] >= 0.3
    assert str(perf["time"]["crit"]) == "0.1"


def test_output_format_bad(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--output-format=xml"])
    assert_unknown_usage(rc, out, r"(--output-format|output-format|format)")


# ---- -v, -h, -V, unknown options -------------------------------------------
@pytest.mark.parametrize("verbosity", ["-v", "-vv", "-vvv"])
def test_verbose_keeps_first_line(sim, base_args, verbosity):
    rc, out, err, _ = run_plugin(base_args + [verbosity])
    line = assert_state(rc, out, "OK", r"2/2 keys")
    assert_perfdata(line)


def test_verbose_says_more(sim, base_args):
    _, quiet, _, _ = run_plugin(base_args)
    _, loud, loud_err, _ = run_plugin(base_args + ["-vvv"])
    assert len(loud) + len(loud_err) > len(quiet)


def test_help(plugin):
    rc, out, _, _ = run_plugin(["-h"])
    assert rc == 3, "help exits UNKNOWN, as monitoring-plugins do"
    assert re.search(r"usage", out, re.I), out
    for opt in ("--instance", "--tenant", "--secret-file", "--key",
                "--expect", "--url", "--warning", "--critical", "--timeout",
                "--timeout-result", "--forwarded-for", "--output-format"):
        assert opt in out, opt
    rc2, out2, _, _ = run_plugin(["--help"])
    assert (rc2, out2) == (rc, out)


def test_version(plugin):
    rc, out, _, _ = run_plugin(["-V"])
    assert rc == 3, "version exits UNKNOWN, as monitoring-plugins do"
    assert re.search(r"check_nova_metadata.*\d+\.\d+", first_line(out)), out
    # the libraries it runs with, at run time
    assert re.search(r"libcurl \d+\.\d+\.\d+", out), out
    assert re.search(r"OpenSSL \d+\.\d+", out), out
    assert re.search(r"jansson \d+\.\d+", out), out
    assert run_plugin(["--version"])[:2] == (rc, out)


@pytest.mark.parametrize("argv,option_re", [
    (["--bogus"], r"unknown option: a long option of 7 characters"),
    (["-Z"], r"Z"),
    (["extra-argument"], r"unexpected argument \(14 characters\)"),
])
def test_unknown_option(sim, base_args, argv, option_re):
    rc, out, _, _ = run_plugin(base_args + argv)
    assert_unknown_usage(rc, out, option_re)
    assert sim.request_count == 0


def test_option_missing_its_argument(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-w"])
    assert_unknown_usage(rc, out, r"(-w|--warning|warning)")


def test_no_arguments(plugin):
    rc, out, _, _ = run_plugin([])
    assert_unknown_usage(rc, out, r"(-i|--instance|instance|-T|--tenant)")


def test_refused_port_is_named(plugin, secret_file):
    port = free_port()
    rc, out, _, _ = run_plugin(["-p", port, "-i", INSTANCE, "-T", TENANT,
                                "--secret-file", secret_file])
    assert_state(rc, out, "CRITICAL", r"127\.0\.0\.1:%d" % port)


def test_secret_file_symlink_loop(sim, base_args, tmp_path):
    loop = tmp_path / "loop"
    os.symlink(str(loop), str(loop))
    rc, out, _, _ = run_plugin(replaced(base_args, "--secret-file", str(loop)))
    assert_unknown_usage(rc, out, r"(--secret-file|secret)")

