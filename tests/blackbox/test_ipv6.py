"""IPv6 and names: -H ::1, -H [::1], host names, -4/-6; proxies from the
environment never divert the check."""

import re
import socket

import pytest

import simulator
from conftest import (INSTANCE, TENANT, assert_no_perfdata, assert_perfdata,
                      assert_state, ipv6_loopback, run_plugin)
import tls_server

needs_ipv6 = pytest.mark.skipif(not ipv6_loopback(),
                                reason="no IPv6 on loopback")


@pytest.fixture(scope="module")
def sim6():
    if not ipv6_loopback():
        pytest.skip("no IPv6 on loopback")
    s = simulator.Simulator(bind="::1").start()
    yield s
    s.stop()


def _args(host, port, secret_file, *extra):
    return ["-H", host, "-p", port, "-i", INSTANCE, "-T", TENANT,
            "--secret-file", secret_file] + list(extra)


def _resolves(name, family):
    try:
        return bool(socket.getaddrinfo(name, None, family))
    except socket.gaierror:
        return False


@needs_ipv6
@pytest.mark.parametrize("host", ["::1", "[::1]", "0:0:0:0:0:0:0:1"])
def test_ipv6_literal(plugin, sim6, secret_file, host):
    rc, out, _, _ = run_plugin(_args(host, sim6.port, secret_file))
    line = assert_state(rc, out, "OK", r"on \[[0:]*:1\]:%d: HTTP 200"
                        % sim6.port)
    assert_perfdata(line)
    assert sim6.last_headers["X-Instance-ID"] == INSTANCE


@needs_ipv6
def test_ipv6_forced(plugin, sim6, secret_file):
    rc, out, _, _ = run_plugin(_args("::1", sim6.port, secret_file, "-6"))
    assert_perfdata(assert_state(rc, out, "OK"))


@needs_ipv6
def test_ipv6_address_with_minus_4(plugin, sim6, secret_file):
    before = sim6.request_count
    # An address literal of the other family is a usage error, found
    # before any request: UNKNOWN, not a CRITICAL blaming the service.
    rc, out, _, _ = run_plugin(_args("::1", sim6.port, secret_file, "-4"))
    assert_state(rc, out, "UNKNOWN", r"-4 with -H ::1")
    assert len(out.splitlines()) == 1
    assert sim6.request_count == before


def test_ipv4_server_with_minus_6(plugin, sim, secret_file):
    before = sim.request_count
    rc, out, _, _ = run_plugin(_args("127.0.0.1", sim.port, secret_file,
                                     "-6"))
    assert_state(rc, out, "UNKNOWN", r"-6 with -H 127\.0\.0\.1")
    assert sim.request_count == before


def test_host_name(plugin, sim, secret_file):
    rc, out, _, _ = run_plugin(_args("localhost", sim.port, secret_file,
                                     "-4"))
    assert_perfdata(assert_state(rc, out, "OK", r"on localhost:%d" % sim.port))


@needs_ipv6
def test_host_name_over_ipv6(plugin, sim6, secret_file):
    if not _resolves("localhost", socket.AF_INET6):
        pytest.skip("localhost has no IPv6 address here")
    rc, out, _, _ = run_plugin(_args("localhost", sim6.port, secret_file,
                                     "-6"))
    assert_perfdata(assert_state(rc, out, "OK"))


def test_unknown_name(plugin, secret_file):
    rc, out, _, _ = run_plugin(_args("no-such-host.invalid", 8775,
                                     secret_file))
    assert_no_perfdata(assert_state(rc, out, "CRITICAL",
                                    r": name not resolved$"))
    assert re.search(r"Could(n't| not) resolve", out), out


_PROXY_VARS = ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
               "https_proxy", "HTTPS_PROXY"]


def _dead_proxies():
    dead = "http://127.0.0.1:%d" % tls_server.dead_port()
    env = {v: dead for v in _PROXY_VARS}
    env.update({"no_proxy": None, "NO_PROXY": None})
    return env


@pytest.mark.parametrize("var", _PROXY_VARS)
def test_proxy_env_ignored(plugin, sim, base_args, var):
    dead = "http://127.0.0.1:%d" % tls_server.dead_port()
    rc, out, _, _ = run_plugin(base_args + ["-vvv"], env={
        var: dead, "no_proxy": None, "NO_PROXY": None})
    assert_perfdata(assert_state(rc, out, "OK"))
    assert sim.request_count >= 1


def test_all_proxies_dead_still_direct(plugin, sim, base_args):
    rc, out, err, _ = run_plugin(base_args + ["-vvv"], env=_dead_proxies())
    assert_perfdata(assert_state(rc, out, "OK"))
    assert "Uses proxy" not in err and "Connected to 127.0.0.1" in err


@needs_ipv6
def test_proxy_env_ignored_ipv6(plugin, sim6, secret_file):
    rc, out, _, _ = run_plugin(_args("::1", sim6.port, secret_file),
                               env=_dead_proxies())
    assert_perfdata(assert_state(rc, out, "OK"))
