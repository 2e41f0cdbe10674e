"""HTTPS: verification by default, trust from --ca-cert, the reasons
libcurl gives for bad peers, mutual TLS, --insecure, and tls_time."""

import re

import pytest

from conftest import (INSTANCE, TENANT, assert_explained, assert_no_perfdata,
                      assert_perfdata, assert_state, assert_unknown_usage,
                      run_plugin)
import tls_server


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return tls_server.make_pki(tmp_path_factory.mktemp("pki"))


def _server(pki, cert, **kwargs):
    s = tls_server.TLSSimulator(pki[cert], pki[cert + "_key"], **kwargs)
    return s.start()


@pytest.fixture(scope="module")
def good(pki):
    s = _server(pki, "server")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def mutual(pki):
    s = _server(pki, "server", client_ca=pki["ca"])
    yield s
    s.stop()


def _args(server, secret_file, *extra, host="127.0.0.1"):
    return ["-S", "-H", host, "-p", server.port, "-i", INSTANCE, "-T", TENANT,
            "--secret-file", secret_file] + list(extra)


def assert_tls_perfdata(line):
    perf = assert_perfdata(line)
    assert list(perf)[2] == "tls_time", line
    value, uom, _, _, pmin, _ = perf["tls_time"]
    assert uom == "s" and pmin == "0" and 0 < value < perf["time"][0], line
    assert re.search(r"\btls_time=\d+\.\d{6}s;", line), line
    return perf


def test_ok_with_ca_cert(plugin, good, pki, secret_file):
    rc, out, err, _ = run_plugin(_args(good, secret_file, "--ca-cert",
                                       pki["ca"]))
    line = assert_state(rc, out, "OK", r"on 127\.0\.0\.1:\d+: HTTP 200")
    assert_tls_perfdata(line)


def test_ok_by_host_name(plugin, good, pki, secret_file):
    rc, out, _, _ = run_plugin(_args(good, secret_file, "--ca-cert", pki["ca"],
                                     host="localhost"))
    assert_tls_perfdata(assert_state(rc, out, "OK", r"on localhost:\d+"))


def test_untrusted_by_default(plugin, good, secret_file):
    """Our CA is in no system store: the peer must not be trusted."""
    rc, out, _, _ = run_plugin(_args(good, secret_file, "-vvv"))
    line = assert_state(rc, out, "CRITICAL",
                        r": TLS: certificate not verified$")
    assert_explained(out, r"SSL certificate problem: unable to get local "
                     r"issuer certificate")
    assert_no_perfdata(line)


def test_expired(plugin, pki, secret_file):
    s = _server(pki, "expired")
    try:
        rc, out, _, _ = run_plugin(_args(s, secret_file, "--ca-cert",
                                         pki["ca"], "-vvv"))
    finally:
        s.stop()
    assert_no_perfdata(assert_state(rc, out, "CRITICAL",
                                    r": TLS: certificate not verified$"))
    assert_explained(out, r"certificate has expired")


def test_wrong_name(plugin, pki, secret_file):
    s = _server(pki, "wrong")
    try:
        rc, out, _, _ = run_plugin(_args(s, secret_file, "--ca-cert",
                                         pki["ca"]))
    finally:
        s.stop()
    assert_no_perfdata(assert_state(
        rc, out, "CRITICAL", r": TLS: certificate not verified$"))
    assert_explained(
        out, r"no alternative certificate subject name "
        # libcurl 7 (Debian 12): "host name", libcurl 8 (Debian 13) "ipv4
        # address"
        r"matches target (host name|ipv4 address) '127\.0\.0\.1'")


def test_ca_cert_missing_file(plugin, good, secret_file, tmp_path):
    rc, out, _, _ = run_plugin(_args(good, secret_file, "--ca-cert",
                                     str(tmp_path / "none.pem")))
    # A CA file that is not there is the local setup's fault: UNKNOWN.
    assert_state(rc, out, "UNKNOWN", r"--ca-cert: the file it names cannot "
                 r"be read: No such file")
    assert "none.pem" not in out
    assert len(out.splitlines()) == 1


def test_insecure_says_so(plugin, good, secret_file):
    rc, out, err, _ = run_plugin(_args(good, secret_file, "--insecure", "-v"))
    assert_tls_perfdata(assert_state(rc, out, "OK"))
    assert "--insecure: the server's certificate is NOT verified" in err


def test_insecure_silent_without_v(plugin, good, secret_file):
    rc, out, err, _ = run_plugin(_args(good, secret_file, "--insecure"))
    assert_tls_perfdata(assert_state(rc, out, "OK"))
    assert err == ""


# How libcurl meets a server that refuses a client without a certificate.
# Under TLS 1.3 the refusal comes after the client's handshake is done, so
# it depends on timing (and is slower under the sanitizers) whether
# libcurl sees the alert on its read, or the closed connection while it
# still sends the request or asks for the peer's address.
REFUSED_CLIENT = re.compile(
    r"certificate required|alert|Send failure: Broken pipe|"
    r"getpeername\(\) failed|Transport endpoint is not connected|"
    r"Connection reset|Failed sending data to the peer|"
    r"Failure when receiving data from the peer")


def test_mutual_tls_without_client_cert(plugin, mutual, pki, secret_file):
    rc, out, _, _ = run_plugin(_args(mutual, secret_file, "--ca-cert",
                                     pki["ca"]))
    line = assert_state(rc, out, "CRITICAL")
    assert rc == 2
    assert_no_perfdata(line)
    # The plugin's words first; libcurl's (which vary with the TLS
    # library's timing) in the long output.
    assert re.search(r": (TLS: handshake failed|connection broke off|"
                     r"transfer failed)$", line), line
    assert REFUSED_CLIENT.search(out.split("\n", 1)[1]), out


def test_mutual_tls_with_client_cert(plugin, mutual, pki, secret_file):
    rc, out, _, _ = run_plugin(_args(mutual, secret_file, "--ca-cert",
                                     pki["ca"], "-J", pki["client"],
                                     "-K", pki["client_key"]))
    assert_tls_perfdata(assert_state(rc, out, "OK"))
    assert mutual.request_count >= 1


def test_client_cert_without_key(plugin, pki, secret_file):
    rc, out, _, _ = run_plugin(["-S", "-i", INSTANCE, "-T", TENANT,
                                "--secret-file", secret_file,
                                "-J", pki["client"]])
    assert_no_perfdata(assert_unknown_usage(rc, out,
                                            r"-J/--client-cert needs -K"))


def test_https_to_plain_http(plugin, sim, secret_file):
    rc, out, _, _ = run_plugin(["-S", "-p", sim.port, "-i", INSTANCE,
                                "-T", TENANT, "--secret-file", secret_file])
    assert_no_perfdata(assert_state(rc, out, "CRITICAL", r"SSL|TLS"))


def test_no_tls_time_over_http(plugin, sim, base_args):
    rc, out, _, _ = run_plugin(base_args)
    perf = assert_perfdata(assert_state(rc, out, "OK"))
    assert list(perf) == ["time", "size"]


@pytest.mark.parametrize("var", ["https_proxy", "HTTPS_PROXY", "all_proxy",
                                 "ALL_PROXY"])
def test_proxy_env_ignored_for_https(plugin, good, pki, secret_file, var):
    dead = "http://127.0.0.1:%d" % tls_server.dead_port()
    rc, out, _, _ = run_plugin(_args(good, secret_file, "--ca-cert",
                                     pki["ca"]), env={var: dead,
                                                      "no_proxy": None,
                                                      "NO_PROXY": None})
    assert_tls_perfdata(assert_state(rc, out, "OK"))
