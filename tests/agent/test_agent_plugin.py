"""The plugin's --agent-socket mode through neutron's real metadata agent
(Zed or Epoxy, ML2/OVS and OVN), chained to Nova's real handler: each
failure an operator meets, by exit code, first line and perfdata. What
the releases answer differently comes from release.py.

The agent's answers themselves are pinned in test_agent_server.py.
"""

import os
import re
import shutil
import socket
import stat
import subprocess
import threading

import pytest

import release
from conftest import (CANARY_IP, NETWORK, NET_OTHER, NET_TWO_PORTS,
                      NO_PORT_IP, OTHER_UUID, PORTS, PROJECT, ROUTER, SECRET,
                      UUID, AgentServer, free_port)

SHORT = UUID[:8]


@pytest.fixture
def ml2(ml2_agent):
    """The ML2/OVS agent, restored to its defaults afterwards."""
    yield ml2_agent
    ml2_agent.reset()


@pytest.fixture
def ovn(ovn_agent):
    yield ovn_agent
    ovn_agent.reset()


def lookup_args(agent, network=NETWORK):
    if agent.mode == "ovn":
        return ["--ovn-network-id", network]
    return ["--network-id", network]


def via_agent(plugin, agent, *extra, ip=CANARY_IP, lookup=None, env=None):
    args = ["-i", UUID, "--agent-socket=" + agent.socket,
            "--forwarded-for", ip]
    args += lookup if lookup is not None else lookup_args(agent)
    return plugin.run(*(args + list(extra)), env=env)


def both_hops(plugin, agent, nova, *extra, **kw):
    """The agent's hop and Nova directly: a secret source makes it so."""
    return via_agent(plugin, agent, "-H", "127.0.0.1:%d" % nova.port,
                     "-T", PROJECT, *extra,
                     env={"NOVA_METADATA_SECRET": SECRET}, **kw)


def norm(r):
    """The first line without its perfdata, each time as "T s"."""
    return re.sub(r"\b[0-9]+\.[0-9]{3} s\b", "T s", r.summary).rstrip()


def explained(r):
    """The long output: the agent's words and the advice, once."""
    return r.stdout.split("\n", 1)[1] if "\n" in r.stdout else ""


PERF_ITEM = re.compile(r"(?:'([^']+)'|([^\s'=]+))=([-0-9.]+)([a-zA-Z]*)"
                       r"((?:;[^;\s]*){0,4})")


def perf_items(r):
    """Perfdata as (label, value, uom, [warn, crit, min, max]); labels
    with spaces come quoted, so the split is the quotes' not the
    spaces'."""
    out = []
    for m in PERF_ITEM.finditer(r.first.partition("|")[2]):
        label = m.group(1) or m.group(2)
        rest = (m.group(5)[1:].split(";") + [""] * 4)[:4]
        out.append((label, float(m.group(3)), m.group(4), rest))
    return out


def subject(agent):
    return "canary %s via agent %s" % (SHORT, agent.socket)


def assert_agent_perfdata(r, timeout=10):
    t = r.perf("time")
    assert t["uom"] == "s" and t["min"] == "0" and t["max"] == str(timeout)
    size = r.perf("size")
    assert size["uom"] == "B" and size["value"] > 0, r
    assert [p["label"] for p in r.perfdata] == ["time", "size"], r


# ------------------------------------------------------------ OK, each way --

def test_ok_by_network_id(plugin, ml2):
    r = via_agent(plugin, ml2)
    assert r.rc == 0, r
    assert norm(r).startswith("NOVA METADATA OK - %s: HTTP 200, 2/2 keys, "
                                % subject(ml2)), r
    assert "uuid is the canary %s" % UUID in r.stdout, r
    assert "project_id" not in r.stdout, r    # no -T: not checked
    assert_agent_perfdata(r)


def test_ok_by_router_id(plugin, ml2):
    r = via_agent(plugin, ml2, "-T", PROJECT, lookup=["--router-id", ROUTER])
    assert r.rc == 0, r
    assert norm(r).startswith("NOVA METADATA OK - %s: HTTP 200, 2/2 keys"
                                % subject(ml2)), r
    assert "project_id is the tenant %s" % PROJECT in r.stdout, r
    assert_agent_perfdata(r)


def test_ok_via_ovn(plugin, ovn):
    r = via_agent(plugin, ovn, "-T", PROJECT)
    assert r.rc == 0, r
    assert norm(r).startswith("NOVA METADATA OK - %s: HTTP 200, 2/2 keys"
                                % subject(ovn)), r
    assert_agent_perfdata(r)


@pytest.mark.parametrize("mode", ["-O", "--cloud-init"])
def test_ok_in_other_modes(plugin, ml2, mode):
    r = via_agent(plugin, ml2, mode, "-T", PROJECT)
    assert r.rc == 0, r
    assert norm(r).startswith("NOVA METADATA OK - %s: " % subject(ml2)), r
    assert "uuid is the canary %s" % UUID in r.stdout, r
    assert r.perf("time")["uom"] == "s", r


# Runs of the whole --cloud-init profile (28 requests) in a row: Epoxy's
# agent closes each connection after one answer without saying so, and
# before the plugin stopped reusing them, runs failed with "Connection
# reset by peer" (1 in 30 to 2 in 10 against the agent as Epoxy runs it,
# every run against one monkey-patched by eventlet).
CONNECTION_RUNS = 8


def _runs_all_ok(plugin, agent):
    for _ in range(CONNECTION_RUNS):
        r = via_agent(plugin, agent, "--cloud-init", "-T", PROJECT)
        assert r.rc == 0, str(r)
        assert r.perf("requests")["value"] == 28.0, r


class OneAnswerProxy:
    """Nova behind a TCP proxy that, as Epoxy's agent does, answers one
    request per connection and then closes it, without "Connection:
    close": the plugin talking to Nova directly (-H) must not fail for
    the connections it would reuse."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,),
                             daemon=True).start()

    def _one(self, conn):
        """One request (the plugin's fit in one read), the whole answer
        (Content-Length), then close, whatever else the client sent."""
        with conn, socket.create_connection(
                ("127.0.0.1", self.target_port), timeout=10) as up:
            conn.settimeout(10)
            up.sendall(conn.recv(65536))
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = up.recv(65536)
                if not chunk:
                    break
                answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            m = re.search(rb"(?i)\r\ncontent-length: *([0-9]+)", head)
            want = int(m.group(1)) if m else 0
            while len(body) < want:
                chunk = up.recv(65536)
                if not chunk:
                    break
                body += chunk
            conn.sendall(head + b"\r\n\r\n" + body)

    def close(self):
        self.stopping.set()
        self.thread.join(10)
        self.listener.close()


@pytest.fixture
def one_answer_nova(agent_nova):
    proxy = OneAnswerProxy(agent_nova.port)
    yield proxy
    proxy.close()


def test_cloud_init_runs_against_a_server_that_closes(plugin, one_answer_nova):
    """Towards any server: once it has closed a connection between two
    requests, the rest of the run gets connections of its own."""
    for _ in range(CONNECTION_RUNS):
        r = plugin.run("-i", UUID, "-T", PROJECT, "--cloud-init",
                       "-H", "127.0.0.1:%d" % one_answer_nova.port,
                       env={"NOVA_METADATA_SECRET": SECRET})
        assert r.rc == 0, str(r)
        assert r.perf("requests")["value"] == 28.0, r


def test_cloud_init_runs_over_one_answer_connections(plugin, any_agent):
    """Every request over the agent's socket on a connection of its own:
    no run fails for a connection the agent closed."""
    _runs_all_ok(plugin, any_agent)


# ------------------------------------------------------ what breaks, alone --

def test_agent_secret_differs(plugin, ml2):
    ml2.set(metadata_proxy_shared_secret="0ddba11c0ffee123")
    r = via_agent(plugin, ml2)
    assert r.rc == 2, r
    assert norm(r) == ("NOVA METADATA CRITICAL - %s: HTTP 403 signature "
                       "rejected, T s" % subject(ml2)), r
    assert ("Nova rejected the agent's signature: the agent's "
            "metadata_proxy_shared_secret differs from Nova's") \
        in explained(r), r
    assert_agent_perfdata(r)


def test_nova_stopped(plugin, any_agent):
    """Zed's agent answers 500 "An unknown error"; Epoxy's its own 503,
    which says what failed."""
    any_agent.set(nova_metadata_port=free_port())
    r = via_agent(plugin, any_agent)
    assert r.rc == 2, r
    if release.IS_EPOXY:
        status, expected = 503, ("the agent cannot reach Nova (%s):"
                                 % release.EPOXY_NOVA_UNAVAILABLE)
    else:
        status, expected = 500, ("the agent cannot reach Nova or failed "
                                 "(An unknown error has occurred.")
    assert norm(r) == ("NOVA METADATA CRITICAL - %s: HTTP %d agent cannot "
                       "reach Nova, T s" % (subject(any_agent), status)), r
    assert expected in explained(r), r
    assert "nova_metadata_port" in explained(r), r
    assert_agent_perfdata(r)


def test_no_port_for_the_ip(plugin, any_agent):
    """Epoxy's agent names the network in a 404 of its own: the lookup,
    not Nova. Zed's 404 is the same page as Nova's: both stay named."""
    r = via_agent(plugin, any_agent, ip=NO_PORT_IP)
    assert r.rc == 2, r
    kind = "OVN network" if any_agent.mode == "ovn" else "network"
    assert norm(r) == ("NOVA METADATA CRITICAL - %s: HTTP 404 no port for the "
                       "address, T s" % subject(any_agent)), r
    assert ("the agent found no port for %s on %s %s" % (
        NO_PORT_IP, kind, NETWORK)) in explained(r), r
    if release.IS_EPOXY:
        assert "(its own 404," in explained(r), r
        assert "Nova does not know the canary" not in explained(r), r
    else:
        assert re.search(r"or Nova does not know the canary$",
                         explained(r), re.M), r


def test_nova_does_not_know_the_canary(plugin, any_agent):
    """The canary's port, another instance UUID in it: the agent signs for
    an instance Nova does not have, and Nova's 404 comes back. Zed's
    agent shows it as its own 404, so both causes are named; Epoxy's
    passes Nova's page, and its own 404 would have named the network,
    so the plugin does not blame the lookup alone."""
    ports = [dict(p, device_id="9f9f9f9f-0000-4a00-8000-000000000000")
             if p["fixed_ips"][0]["ip_address"] == CANARY_IP and
             p["network_id"] == NETWORK else p for p in PORTS]
    any_agent.set(ports=ports)
    r = via_agent(plugin, any_agent)
    assert r.rc == 2, r
    assert "HTTP 404 no port for the address" in norm(r), r
    assert "(its own 404," not in explained(r), r
    assert "or Nova does not know the canary" in explained(r), r
    assert_agent_perfdata(r)


def test_two_ports_for_one_ip(plugin, ml2):
    r = via_agent(plugin, ml2, lookup=["--network-id", NET_TWO_PORTS])
    assert r.rc == 2, r
    assert "HTTP 404 no port for the address, T s" in norm(r), r
    assert ("the agent found no port for %s on network %s"
            % (CANARY_IP, NET_TWO_PORTS)) in explained(r), r
    assert "two ports for the IP answer the same" in explained(r), r


def test_slow_nova_thresholds(plugin, ml2, slow_nova):
    ml2.set(nova_metadata_port=slow_nova.port)
    r = via_agent(plugin, ml2, "-w", "1", "-c", "30")
    assert r.rc == 1, r
    assert norm(r) == ("NOVA METADATA WARNING - %s: T s exceeds warning 1 s, "
                       "HTTP 200, 2/2 keys" % subject(ml2)), r
    t = r.perf("time")
    assert t["value"] >= slow_nova.delay and t["warn"] == "1" \
        and t["crit"] == "30", r


@pytest.mark.parametrize("mode", [[], ["-O"], ["--cloud-init"]])
def test_agent_answers_for_another_instance(plugin, any_agent, mode):
    r = via_agent(plugin, any_agent, *mode,
                  lookup=lookup_args(any_agent, NET_OTHER))
    assert r.rc == 2, r
    assert norm(r).startswith("NOVA METADATA CRITICAL - %s: "
                              % subject(any_agent)), r
    assert ("meta_data.json is another instance's: uuid '%s', expected the "
            "canary %s" % (OTHER_UUID, UUID)) in norm(r), r


def test_socket_absent(plugin, ml2, tmp_path):
    path = str(tmp_path / "metadata_proxy")
    r = plugin.run("-i", UUID, "--agent-socket=" + path, "--forwarded-for",
                   CANARY_IP, "--network-id", NETWORK)
    assert r.rc == 2, r
    assert r.first == ("NOVA METADATA CRITICAL - canary %s via agent %s: not "
                       "serving" % (SHORT, path)), r
    assert ("the agent is not serving on %s (No such file or directory)"
            % path) in explained(r), r


def test_socket_refusing(plugin, tmp_path):
    """A socket file left behind by an agent that died."""
    import socket
    path = str(tmp_path / "metadata_proxy")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()
    r = plugin.run("-i", UUID, "--agent-socket=" + path, "--forwarded-for",
                   CANARY_IP, "--network-id", NETWORK)
    assert r.rc == 2, r
    assert r.first == ("NOVA METADATA CRITICAL - canary %s via agent %s: not "
                       "serving" % (SHORT, path)), r
    assert ("the agent is not serving on %s (Connection refused)" % path) \
        in explained(r), r


@pytest.fixture
def unprivileged_copy(foreign_plugin_dir):
    """The command to run the plugin as `nobody`."""
    if os.geteuid() != 0:
        pytest.fail("the EACCES case needs root to run as nobody")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv not found (util-linux)")
    return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            os.path.join(foreign_plugin_dir, "check_nova_metadata")]


def test_socket_not_accessible(ml2, unprivileged_copy):
    """The agent's socket is 0644 (Zed, deduce) or 0755 (Epoxy, from the
    umask): nobody else may connect."""
    mode = stat.S_IMODE(os.stat(ml2.socket).st_mode)
    assert mode & 0o022 == 0, oct(mode)
    p = subprocess.run(unprivileged_copy + [
        "-i", UUID, "--agent-socket=" + ml2.socket, "--forwarded-for",
        CANARY_IP, "--network-id", NETWORK], capture_output=True,
        stdin=subprocess.DEVNULL, timeout=30, env={"PATH": "/usr/bin:/bin"})
    out = p.stdout.decode()
    assert p.returncode == 3, out
    first, rest = out.split("\n", 1)
    assert first == ("NOVA METADATA UNKNOWN - canary %s via agent %s: socket "
                     "not permitted" % (SHORT, ml2.socket)), out
    assert ("nobody (uid 65534) may not connect to the agent's socket %s "
            "(mode %04o, owner root, group root): run the check as root or "
            "the agent's user" % (ml2.socket, mode)) in rest, out
    assert "metadata_proxy_socket_mode" in rest and "umask" in rest, out


# ------------------------------------------------------------- both hops --

def hop_labels(nova):
    """hops_ok, then each hop's labels suffixed with its word: "agent",
    Nova's address and port with "_" for "." and ":"."""
    name = "127_0_0_1_%d" % nova.port
    return ["hops_ok", "time_agent", "size_agent", "ok_agent",
            "time_" + name, "size_" + name, "ok_" + name]


def hop_values(r):
    return {p[0]: p[1] for p in perf_items(r)}


def test_both_hops_ok(plugin, ml2, agent_nova):
    r = both_hops(plugin, ml2, agent_nova)
    assert r.rc == 0, r
    assert r.first.startswith(
        "NOVA METADATA OK - canary %s via agent %s and Nova 127.0.0.1:%d: "
        "2/2 hops OK" % (SHORT, ml2.socket, agent_nova.port)), r
    assert [p[0] for p in perf_items(r)] == hop_labels(agent_nova), r
    v = hop_values(r)
    assert v["hops_ok"] == 2 and v["ok_agent"] == 1, r


def test_both_hops_agent_secret_differs(plugin, ml2, agent_nova):
    ml2.set(metadata_proxy_shared_secret="0ddba11c0ffee123")
    r = both_hops(plugin, ml2, agent_nova)
    assert r.rc == 2, r
    assert norm(r) == (
        "NOVA METADATA CRITICAL - canary %s via agent %s and Nova "
        "127.0.0.1:%d: 1/2 hops OK, the agent's secret differs from Nova's "
        "(HTTP 403 through the agent while Nova accepts our signature), "
        "agent HTTP 403 signature rejected" % (SHORT, ml2.socket,
                                               agent_nova.port)), r
    assert [p[0] for p in perf_items(r)] == hop_labels(agent_nova), r
    v = hop_values(r)
    assert v["hops_ok"] == 1 and v["ok_agent"] == 0, r


def test_both_hops_agent_cannot_reach_nova(plugin, any_agent, agent_nova):
    any_agent.set(nova_metadata_port=free_port())
    r = both_hops(plugin, any_agent, agent_nova)
    assert r.rc == 2, r
    assert ("127.0.0.1:%d: 1/2 hops OK, the agent cannot reach Nova (HTTP %d "
            "from the agent while Nova answers us directly), agent HTTP %d "
            "agent cannot reach Nova"
            % (agent_nova.port, release.AGENT_NOVA_UNREACHABLE_STATUS,
               release.AGENT_NOVA_UNREACHABLE_STATUS)) in norm(r), r


def test_both_hops_no_port(plugin, ovn, agent_nova):
    r = both_hops(plugin, ovn, agent_nova,
                  lookup=["--ovn-network-id", NET_TWO_PORTS])
    assert r.rc == 2, r
    assert ("no port for %s on OVN network %s: the agent's port lookup "
            "(neutron-server RPC or OVN southbound) fails while Nova "
            "answers for the canary" % (CANARY_IP, NET_TWO_PORTS)) \
        in norm(r), r


def test_both_hops_nova_itself(plugin, ml2, agent_nova):
    """Nova rejects both signatures: Nova (its secret) is what changed."""
    ml2.set(metadata_proxy_shared_secret="0ddba11c0ffee123")
    r = via_agent(plugin, ml2, "-H", "127.0.0.1:%d" % agent_nova.port,
                  "-T", PROJECT,
                  env={"NOVA_METADATA_SECRET": "0ddba11c0ffee456"})
    assert r.rc == 2, r
    assert norm(r).endswith(
        "127.0.0.1:%d: 0/2 hops OK, Nova itself: both hops get HTTP 403, "
        "agent HTTP 403 signature rejected, 127.0.0.1:%d HTTP 403 signature "
        "rejected" % (agent_nova.port, agent_nova.port)), r
    assert "0ddba11c0ffee456" not in r.stdout + r.stderr


def test_both_hops_agent_not_serving(plugin, agent_nova, tmp_path):
    path = str(tmp_path / "metadata_proxy")
    r = plugin.run("-i", UUID, "-T", PROJECT, "--agent-socket=" + path,
                   "--forwarded-for", CANARY_IP, "--network-id", NETWORK,
                   "-H", "127.0.0.1:%d" % agent_nova.port,
                   env={"NOVA_METADATA_SECRET": SECRET})
    assert r.rc == 2, r
    assert norm(r).endswith("127.0.0.1:%d: 1/2 hops OK, agent not serving"
                            % agent_nova.port), r
    assert "the agent is not serving on %s" % path in explained(r), r
    # both hops keep their series: the one that did not answer with no
    # bytes and ok 0
    assert [p[0] for p in perf_items(r)] == hop_labels(agent_nova), r
    v = hop_values(r)
    assert (v["hops_ok"], v["ok_agent"], v["size_agent"]) == (1, 0, 0), r
