"""--agent-socket against a stand-in agent on a UNIX socket: what it is
sent, the answers Zed's agent cannot give (400, 503, 429) and the usage
errors. The real agent's cases are in tests/agent."""

import json
import os
import re
import socketserver
import threading
from http.server import BaseHTTPRequestHandler

import pytest

from conftest import (INSTANCE, assert_perfdata, assert_state,
                      assert_unknown_usage, first_line, parse_perfdata,
                      run_plugin)

NETWORK = "3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01"
ROUTER = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
IP = "192.0.2.10"
PROJECT = "6f70656e737461636b20697320636f6f"
OTHER = "4c1f7a2e-93d6-4b8a-a5e0-6d2c9b3f1e74"
LISTING = b"instance-id\nlocal-ipv4\nhostname"


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class StandIn:
    """An HTTP server on a UNIX socket answering as an agent would:
    `answer` is (status, body) for every path, or None for the canary's
    listing and meta_data.json; every request's headers are kept."""

    def __init__(self, path):
        self.path = path
        self.answer = None
        self.uuid = INSTANCE
        self.vendor_data2 = None    # None: Nova without vendordata
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append((self.path, dict(self.headers)))
                status, body = outer.respond(self.path)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = _Server(path, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()

    def respond(self, path):
        if self.answer is not None:
            return self.answer
        if path == "/latest/meta-data/":
            return 200, LISTING
        if path == "/openstack/latest/meta_data.json":
            return 200, json.dumps({"uuid": self.uuid,
                                    "project_id": PROJECT,
                                    "hostname": "canary"}).encode()
        if path == "/openstack/latest/vendor_data2.json" and \
                self.vendor_data2 is not None:
            return 200, json.dumps(self.vendor_data2).encode()
        return 404, b"404 Not Found\n\nThe resource could not be found.\n"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)
        os.unlink(self.path)


@pytest.fixture
def agent(tmp_path):
    a = StandIn(str(tmp_path / "metadata_proxy"))
    yield a
    a.close()


def agent_args(agent, *extra):
    return ["-i", INSTANCE, "--agent-socket=" + agent.path,
            "--forwarded-for", IP] + list(extra)


def test_sends_what_haproxy_sends(plugin, agent):
    rc, out, _, _ = run_plugin(agent_args(agent, "--router-id", ROUTER))
    line = assert_state(rc, out, "OK", r"^NOVA METADATA OK - canary "
                        r"%s via agent %s: HTTP 200, 2/2 keys, "
                        % (INSTANCE[:8], agent.path))
    assert_perfdata(line)
    paths = [p for p, _ in agent.requests]
    assert paths == ["/latest/meta-data/",
                     "/openstack/latest/meta_data.json"], paths
    for _, h in agent.requests:
        assert h["X-Forwarded-For"] == IP and h["X-Neutron-Router-ID"] == \
            ROUTER, h
        assert h["Host"] == "169.254.169.254", h
        for absent in ("X-Instance-ID", "X-Tenant-ID",
                       "X-Instance-ID-Signature", "X-Neutron-Network-ID",
                       "X-OVN-Network-ID"):
            assert absent not in h, h


@pytest.mark.parametrize("opt,header", [
    ("--network-id", "X-Neutron-Network-ID"),
    ("--ovn-network-id", "X-OVN-Network-ID")])
def test_network_header(plugin, agent, opt, header):
    rc, out, _, _ = run_plugin(agent_args(agent, opt, NETWORK.upper()))
    assert_state(rc, out, "OK")
    assert all(h[header] == NETWORK for _, h in agent.requests)


@pytest.mark.parametrize("status,body,cause,words", [
    (400, b"400 Bad Request\n\nBoth network and router IDs given.\n",
     "bad request", "the agent refused the request as malformed"),
    (503, b"503 Service Unavailable\n\nNova is unreachable.\n",
     "agent cannot reach Nova", "the agent cannot reach Nova or failed"),
    (429, b"429 Too Many Requests\n\nRate limited.\n",
     "rate limited", r"rate limited \(\[metadata_rate_limiting\]\)"),
])
def test_answers_zed_cannot_give(plugin, agent, status, body, cause, words):
    agent.answer = (status, body)
    rc, out, _, _ = run_plugin(agent_args(agent, "--network-id", NETWORK))
    line = assert_state(rc, out, "CRITICAL", r"via agent %s: HTTP %d %s, "
                        r"[0-9.]+ s $" % (agent.path, status, cause))
    assert re.search(r"HTTP %d for /latest/meta-data/: %s" % (status, words),
                     out), out
    assert_perfdata(line)


def test_another_instance(plugin, agent):
    agent.uuid = OTHER
    rc, out, _, _ = run_plugin(agent_args(agent, "--network-id", NETWORK,
                                          "-T", PROJECT))
    line = assert_state(rc, out, "CRITICAL", r"meta_data.json is another "
                        r"instance's: uuid '%s', expected the canary %s"
                        % (OTHER, INSTANCE))
    assert set(parse_perfdata(line)) == {"time", "size"}


def test_another_project(plugin, agent):
    rc, out, _, _ = run_plugin(agent_args(agent, "--network-id", NETWORK,
                                          "-T", "0f0f0f0f"))
    assert_state(rc, out, "CRITICAL", r"project_id '%s', expected the "
                 r"tenant 0f0f0f0f" % PROJECT)


def test_secret_source_means_nova_too(plugin, agent, tmp_path):
    """A secret source beside --agent-socket means Nova is checked
    directly too, which needs -T."""
    rc, out, _, _ = run_plugin(agent_args(agent, "--network-id", NETWORK,
                                          "--secret-file",
                                          str(tmp_path / "absent")))
    assert_unknown_usage(rc, out, r"-T/--tenant is required to check Nova "
                         r"directly beside the agent")


@pytest.mark.parametrize("args,words", [
    (["--agent-socket", "--network-id", NETWORK],
     r"--agent-socket needs --forwarded-for"),
    (["--agent-socket", "--forwarded-for", IP],
     r"--agent-socket needs one of --network-id, --router-id \(ML2/OVS\) "
     r"or --ovn-network-id \(OVN\)"),
    (["--agent-socket", "--forwarded-for", IP, "--network-id", NETWORK,
      "--ovn-network-id", NETWORK],
     r"--network-id, --router-id and --ovn-network-id exclude each other"),
    (["--agent-socket", "--forwarded-for", IP, "--router-id", "r1"],
     r"--router-id: not a UUID"),
    (["-T", PROJECT, "--network-id", NETWORK],
     r"--network-id, --router-id and --ovn-network-id need --agent-socket"),
    (["--agent-socket=", "--forwarded-for", IP, "--network-id", NETWORK],
     r"--agent-socket: a socket path is 1..107 bytes"),
    (["--agent-socket", "--forwarded-for", "192.0.2", "--network-id",
      NETWORK], r"--forwarded-for: not an IPv4 or IPv6 address"),
    (["--agent-socket", "--forwarded-for", IP, "--network-id", NETWORK,
      "-H", "192.0.2.21"],
     r"-H with --agent-socket checks Nova directly beside the agent, "
     r"which needs a secret source"),
    (["--agent-socket", "--forwarded-for", IP, "--network-id", NETWORK,
      "--instance-view"],
     r"--instance-view and --agent-socket exclude each other"),
])
def test_usage(plugin, args, words):
    rc, out, _, _ = run_plugin(["-i", INSTANCE] + args)
    assert_unknown_usage(rc, out, words)


def test_default_socket_named(plugin):
    """Without a value the agent's default path; on a machine without an
    agent it is absent or refuses: CRITICAL, naming the path."""
    if os.path.exists("/var/lib/neutron/metadata_proxy"):
        pytest.fail("this machine runs a neutron metadata agent")
    rc, out, _, _ = run_plugin(["-i", INSTANCE, "--agent-socket",
                                "--forwarded-for", "2001:db8::10",
                                "--network-id", NETWORK])
    line = assert_state(rc, out, "CRITICAL", r"^NOVA METADATA CRITICAL - "
                        r"canary %s via agent /var/lib/neutron/"
                        r"metadata_proxy: not serving$" % INSTANCE[:8])
    assert re.search(r"the agent is not serving on /var/lib/neutron/"
                     r"metadata_proxy \(No such file or directory\)$", out,
                     re.M), out
    assert "|" not in first_line(out), line


def test_vendordata_through_the_agent(plugin, agent):
    """What Nova hides is judged through the agent too: a failed target
    served as {} is CRITICAL, and nothing unsigned is probed."""
    agent.vendor_data2 = {"static": {}, "join": {}}
    rc, out, _, _ = run_plugin(agent_args(agent, "--network-id", NETWORK,
                                          "--vendordata-target=join"))
    line = assert_state(rc, out, "CRITICAL", r"via agent %s: .*vendordata "
                        r"target join is \{\}" % agent.path)
    assert list(parse_perfdata(line)) == ["time", "size", "vendordata_time"]
    assert [p for p, _ in agent.requests] == [
        "/latest/meta-data/", "/openstack/latest/meta_data.json",
        "/openstack/latest/vendor_data2.json"]
    agent.vendor_data2 = {"static": {}, "join": {"token": "t"}}
    agent.requests.clear()
    rc, out, _, _ = run_plugin(agent_args(agent, "--network-id", NETWORK,
                                          "--vendordata-target=join"))
    assert_state(rc, out, "OK", r"1/1 vendordata targets")


def test_404_through_the_agent_is_not_probed(plugin, agent):
    agent.answer = (404, b"404 Not Found\n\nThe resource could not be "
                    b"found.\n")
    rc, out, _, _ = run_plugin(agent_args(agent, "--network-id", NETWORK))
    assert_state(rc, out, "CRITICAL", r": HTTP 404 no port for the address, ")
    assert len(agent.requests) == 1, agent.requests
    assert "X-Instance-ID-Signature" not in agent.requests[0][1]
