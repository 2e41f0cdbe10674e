"""The whole chain, one broken hop at a time: the plugin in the canary
namespace with --instance-view, through haproxy (neutron's own
configuration) in the router namespace, the real neutron metadata agent
and Nova's real handler. Each case asserts the exit code, the first line
naming the hop, and the perfdata."""

import os

import pytest

import release

from conftest import (CANARY_IF, METADATA_IP, METADATA_IP6, UUID,
                      free_port)

SUBJECT4 = "canary %s, instance view %s:80: " % (UUID[:8], METADATA_IP)
SUBJECT6 = "canary %s, instance view [%s%%%s]:80: " % (
    UUID[:8], METADATA_IP6, CANARY_IF)
LABEL = "NOVA METADATA "


def assert_perfdata(r):
    """time in seconds with min 0 and max -t, size in bytes."""
    labels = [p["label"] for p in r.perfdata]
    assert labels == ["time", "size"], r
    t, s = r.perf("time"), r.perf("size")
    assert t["uom"] == "s" and t["min"] == "0" and t["max"] == "10", r
    assert 0 <= t["value"] < 10, r
    assert s["uom"] == "B" and s["min"] == "0", r
    assert s["value"] > 0, r


def assert_state(r, rc, state, subject, *words, explained=()):
    """words in the first line (the plugin's short cause), explained in
    the long output (each hop's own words)."""
    assert r.rc == rc, r
    assert r.first.startswith(LABEL + state + " - " + subject), r
    for w in words:
        assert w in r.summary, "%r not in %r\n%s" % (w, r.summary, r)
    rest = r.stdout.split("\n", 1)[1] if "\n" in r.stdout else ""
    for w in explained:
        assert w in rest, "%r not in the long output\n%s" % (w, r)


def test_ok_ipv4(canary, haproxy):
    r = canary.run()
    assert_state(r, 0, "OK", SUBJECT4, "HTTP 200, 2/2 keys")
    assert_perfdata(r)


def test_ok_every_mode(canary, haproxy):
    for mode, words in (("-O", "HTTP 200"),
                        ("--cloud-init", "cloud-init profile")):
        r = canary.run(mode)
        assert_state(r, 0, "OK", SUBJECT4, words)
        assert r.perf("time")["uom"] == "s", r
        assert r.perf("size")["value"] > 0, r


def test_ok_ipv6_link_local(canary, haproxy):
    """fe80::a9fe:a9fe%eth0, as cloud-init tries it: the agent finds the
    port by the MAC in the caller's link-local address."""
    r = canary.run("--interface", CANARY_IF)
    assert_state(r, 0, "OK", SUBJECT6, "HTTP 200, 2/2 keys")
    assert_perfdata(r)
    r = canary.run("-6")
    assert_state(r, 0, "OK", SUBJECT6, "HTTP 200, 2/2 keys")


def test_haproxy_down(canary, agent):
    r = canary.run()
    assert_state(r, 2, "CRITICAL", SUBJECT4, "refused",
                 explained=["the metadata proxy (haproxy) is down"])
    assert r.summary.rstrip() == LABEL + "CRITICAL - " + SUBJECT4 + \
        "refused", r
    assert release.curl_refused(r.stdout), r
    # No answer, nothing measured: no perfdata, as for any connection
    # the plugin could not make.
    assert "|" not in r.first and r.perfdata == [], r


def test_agent_down(canary, haproxy_factory, agent_workdir):
    """haproxy up, nothing serving the agent's socket: haproxy's own 503."""
    r_socket = os.path.join(agent_workdir, "no-agent", "metadata_proxy")
    haproxy_factory(r_socket)
    r = canary.run()
    assert_state(r, 2, "CRITICAL", SUBJECT4,
                 "HTTP 503 no agent behind haproxy",
                 explained=["the metadata proxy (haproxy) has no server",
                            "the neutron metadata agent is not serving its "
                            "socket"])
    assert "Nova" not in r.summary, r
    assert_perfdata(r)


def test_agent_secret_wrong(canary, haproxy, agent):
    agent.set(metadata_proxy_shared_secret="not-novas-secret")
    r = canary.run()
    assert_state(r, 2, "CRITICAL", SUBJECT4, "HTTP 403 signature rejected",
                 explained=["Nova rejected the neutron metadata agent's "
                            "signature", "the agent's "
                            "metadata_proxy_shared_secret differs"])
    assert_perfdata(r)


def test_nova_down(canary, haproxy, agent):
    """The agent's own page, named as the agent's on both releases: Zed's
    500 "An unknown error", Epoxy's 503 "The remote metadata server is
    temporarily unavailable" (never "Nova says")."""
    agent.set(nova_metadata_port=free_port())
    r = canary.run()
    if release.IS_EPOXY:
        assert_state(r, 2, "CRITICAL", SUBJECT4,
                     "HTTP 503 agent cannot reach Nova",
                     explained=["the neutron metadata agent cannot reach "
                                "Nova", "The remote metadata server is "
                                "temporarily unavailable"])
    else:
        assert_state(r, 2, "CRITICAL", SUBJECT4,
                     "HTTP 500 agent cannot reach Nova",
                     explained=["the neutron metadata agent failed to "
                                "forward the request to Nova",
                                "An unknown error has occurred"])
    assert "Nova says" not in r.stdout, r
    assert_perfdata(r)


def test_rate_limit(canary, haproxy_factory, agent):
    """[metadata_rate_limiting]: one run's two requests per window pass
    (the listing, and meta_data.json proving whose it is), the next run's
    first is the proxy's 429."""
    haproxy_factory(agent.socket, rate_limit=2)
    r = canary.run()
    assert_state(r, 0, "OK", SUBJECT4, "HTTP 200")
    r = canary.run()
    assert_state(r, 2, "CRITICAL", SUBJECT4, "HTTP 429 rate limited",
                 explained=["rate limited by the metadata proxy "
                            "([metadata_rate_limiting])"])
    assert_perfdata(r)


def test_no_port_for_ip(canary, haproxy, agent):
    """The agent's port lookup finds nothing for the canary's address.
    Zed's 404 is the same page as Nova's, so both causes stay named;
    Epoxy's agent says it is its own."""
    agent.set(ports=[])
    r = canary.run()
    if release.IS_EPOXY:
        assert_state(r, 2, "CRITICAL", SUBJECT4,
                     "HTTP 404 no port for the address",
                     explained=["no port for this address (the neutron "
                                "metadata agent's own 404"])
        assert "unknown to Nova" not in r.stdout, r
    else:
        assert_state(r, 2, "CRITICAL", SUBJECT4,
                     "HTTP 404 no port for the address",
                     explained=["no port for this address (the agent's "
                                "port lookup", "or the instance is unknown "
                                "to Nova"])
    assert_perfdata(r)
