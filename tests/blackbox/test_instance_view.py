"""--instance-view against the simulator answering as the whole chain
does (its instance_view fault): no secret, no signature, and failures
named after the hop that gives them (haproxy's pages, its rate limit,
the agent's 500 and 404)."""

import pytest

from conftest import (INSTANCE, TENANT, assert_explained, assert_no_perfdata,
                      assert_perfdata, assert_state, assert_unknown_usage,
                      free_port, ipv6_loopback, parse_perfdata, run_plugin)
import simulator

HAPROXY = {
    502: "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an "
         "invalid or incomplete response.\n</body></html>\n",
    503: "<html><body><h1>503 Service Unavailable</h1>\nNo server is "
         "available to handle this request.\n</body></html>\n",
    504: "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't "
         "respond in time.\n</body></html>\n",
}
HAPROXY_429 = ("<html><body><h1>429 Too Many Requests</h1>\nYou have sent "
               "too many requests in a given amount of time.\n"
               "</body></html>\n")
AGENT_500 = ("500 Internal Server Error\n\nAn unknown error has occurred. "
             "Please try your request again.\n\n   ")


@pytest.fixture
def view(sim):
    sim.set_fault("instance_view")
    return sim


def _args(sim, *extra):
    return ["--instance-view", "-H", "127.0.0.1", "-p", sim.port, "-i",
            INSTANCE, "-T", TENANT] + list(extra)


def _subject(sim):
    return "canary %s, instance view 127.0.0.1:%d: " % (INSTANCE[:8],
                                                        sim.port)


def test_ok_unsigned(plugin, view):
    rc, out, _, _ = run_plugin(_args(view),
                               env={"NOVA_METADATA_SECRET": "ignored"})
    line = assert_state(rc, out, "OK")
    assert line.startswith("NOVA METADATA OK - " + _subject(view) +
                           "HTTP 200, 2/2 keys, "), line
    assert_perfdata(line)
    headers = view.last_headers
    for name in ("X-Instance-ID", "X-Instance-ID-Signature", "X-Tenant-ID",
                 "X-Forwarded-For"):
        assert headers.get(name) is None, "%s sent" % name


@pytest.mark.parametrize("mode", ["-O", "--cloud-init", "--cloud-init=ec2"])
def test_every_mode(plugin, view, mode):
    rc, out, _, _ = run_plugin(_args(view, mode))
    line = assert_state(rc, out, "OK")
    assert line.startswith("NOVA METADATA OK - " + _subject(view)), line
    assert "time=" in line and "size=" in line, line
    assert view.last_headers.get("X-Instance-ID-Signature") is None


def test_ec2_profile_proves_the_canary(plugin, view):
    """The EC2 tree does not say whose it is: meta_data.json, once."""
    rc, out, _, _ = run_plugin(_args(view, "--cloud-init=ec2"))
    assert_state(rc, out, "OK")
    assert view.last_request["path"] == "/openstack/latest/meta_data.json"
    view.set_fault("os_value",
                   'uuid="11111111-2222-4333-8444-555555555555"')
    rc, out, _, _ = run_plugin(_args(view, "--cloud-init=ec2"))
    assert_state(rc, out, "CRITICAL", r"another instance's")


def test_rate_limited(plugin, view):
    view.set_fault("status", (429, HAPROXY_429))
    rc, out, _, _ = run_plugin(_args(view))
    line = assert_state(rc, out, "CRITICAL", r": HTTP 429 rate limited, "
                        r"\d+\.\d{3} s $")
    assert_explained(out, r"rate limited by the metadata proxy "
                     r"\(\[metadata_rate_limiting\]\)")
    assert line.startswith("NOVA METADATA CRITICAL - " + _subject(view))
    assert_perfdata(line)


@pytest.mark.parametrize("code,words", [
    (502, "the metadata proxy (haproxy) got an invalid or incomplete "
          "answer from the neutron metadata agent"),
    (503, "the metadata proxy (haproxy) has no server for the request: "
          "the neutron metadata agent is not serving its socket"),
    (504, "the metadata proxy (haproxy) timed out waiting for the neutron "
          "metadata agent"),
])
def test_haproxy_pages(plugin, view, code, words):
    view.set_fault("status", (code, HAPROXY[code]))
    rc, out, _, _ = run_plugin(_args(view))
    line = assert_state(rc, out, "CRITICAL", r": HTTP %d no agent behind "
                        r"haproxy, " % code)
    assert words in out, out
    assert "Nova says" not in out, out
    assert_perfdata(line)


def test_5xx_not_haproxys_is_not_named_proxy(plugin, view):
    """A 503 in webob's words is not haproxy's page."""
    view.set_fault("status", 503)
    rc, out, _, _ = run_plugin(_args(view))
    line = assert_state(rc, out, "CRITICAL", r"HTTP 503")
    assert "haproxy" not in line, line


def test_agent_500(plugin, view):
    view.set_fault("status", (500, AGENT_500))
    rc, out, _, _ = run_plugin(_args(view))
    line = assert_state(rc, out, "CRITICAL", r": HTTP 500 agent cannot reach "
                        r"Nova, ")
    assert_explained(out, r"the neutron metadata agent failed to forward the "
                     r"request to Nova")
    assert_perfdata(line)


def test_404_is_the_port_lookup(plugin, view):
    view.set_fault("status", 404)
    rc, out, _, _ = run_plugin(_args(view))
    line = assert_state(rc, out, "CRITICAL", r": HTTP 404 no port for the "
                        r"address, ")
    assert_explained(out, r"no port for this address \(the agent's port "
                     r"lookup")
    assert_perfdata(line)
    # Nothing is signed, so there is no wrong signature to probe with.
    assert len(view.requests) == 1, view.requests


def test_later_404_is_a_path(plugin, view):
    """Once the listing came through, a missing -e key is not the lookup."""
    rc, out, _, _ = run_plugin(_args(view, "-e", "no-such-key=x"))
    line = assert_state(rc, out, "CRITICAL", r"no-such-key")
    assert "no port" not in out, out


def test_proxy_down(plugin):
    port = free_port()
    rc, out, _, _ = run_plugin(["--instance-view", "-H", "127.0.0.1", "-p",
                                port, "-i", INSTANCE, "-T", TENANT])
    line = assert_state(rc, out, "CRITICAL", r": refused$")
    assert_explained(out, r"Connection refused.*the metadata proxy "
                     r"\(haproxy\) is down")
    assert_no_perfdata(line)


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 on loopback")
@pytest.mark.parametrize("host", ["::1%lo", "[::1%lo]", "[::1%25lo]"])
def test_zone_scoped_literal(plugin, host):
    """-H with a zone reaches the address on that interface."""
    s = simulator.Simulator(bind="::1").start()
    try:
        s.set_fault("instance_view")
        rc, out, _, _ = run_plugin(["--instance-view", "-H", host, "-p",
                                    s.port, "-i", INSTANCE, "-T", TENANT])
    finally:
        s.stop()
    line = assert_state(rc, out, "OK")
    assert ("instance view [::1%%lo]:%d: HTTP 200" % s.port) in line, line
    assert_perfdata(line)


@pytest.mark.parametrize("args,option_re", [
    (["--interface=lo"], r"--interface needs --instance-view"),
    (["--instance-view", "--interface=lo", "-H", "::1"],
     r"--interface with -H"),
    (["--instance-view", "--interface=nm-nosuch0"],
     r"--interface: no interface nm-nosuch0 here"),
    (["--instance-view", "-4", "--interface=lo"], r"-4 with --interface"),
    (["--instance-view", "--forwarded-for=10.0.0.5"],
     r"--forwarded-for does not apply to --instance-view"),
    (["-H", "fe80::1%a/b"], r"-H/--hostname: .*a zone is an interface"),
    (["-H", "10.0.0.1%eth0"], r"-H/--hostname: not a host name"),
])
def test_option_errors(plugin, args, option_re):
    rc, out, _, _ = run_plugin(args + ["-i", INSTANCE, "-T", TENANT])
    assert_unknown_usage(rc, out, option_re)


def test_no_secret_allowed(plugin, secret_file):
    rc, out, _, _ = run_plugin(["--instance-view", "--secret-file",
                                secret_file, "-i", INSTANCE, "-T", TENANT])
    assert_unknown_usage(rc, out, r"--instance-view needs no secret")


def test_vendordata_in_the_instance_view(plugin, view):
    """A failed dynamic vendordata target, as the instance sees it."""
    view.vendor_data2["join"] = {}
    rc, out, _, _ = run_plugin(_args(view, "--vendordata-target=join"))
    line = assert_state(rc, out, "CRITICAL", r"vendordata target join is "
                        r"\{\}")
    assert line.startswith("NOVA METADATA CRITICAL - " + _subject(view)), line
    assert list(parse_perfdata(line)) == ["time", "size", "vendordata_time"]
