"""Fixtures: neutron's real metadata agent (agentserver.py) on a UNIX
socket, chained to Nova's real metadata handler (the Nova suite's
novaserver.py), and two Icinga 2 nodes (icinga2_cluster.py).

Run with Debian's interpreter, the one python3-neutron and python3-nova
import under:
    /usr/bin/python3 -m pytest tests/agent
The Nova server, the plugin helpers and the canary's identity come from
the Nova suite (tests/nova/conftest.py, loaded by path as a module of its
own). When Nova or neutron cannot be imported every test here is SKIPPED
(tests/agent.test runs under .ci/run's --no-skip, so CI fails then).
One Nova, one ML2/OVS agent and one OVN agent per session; the cases
that change an agent's configuration restore it (bounded waits, every
process reaped, every socket and temp dir removed).
"""

import http.client
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, "nova"))

from nova_helpers import PROJECT, SECRET, UUID, load_suite  # noqa: E402

_nova = load_suite("nova")
# The Nova suite's fixtures, re-exported: pytest finds fixtures by name.
nova_python = _nova.nova_python
nova_factory = _nova.nova_factory
plugin_path = _nova.plugin_path
plugin = _nova.plugin
clean_env = _nova.clean_env



@pytest.fixture(scope="session")
def foreign_plugin_dir(plugin_path):
    """A directory every user may enter, holding the plugin as
    check_nova_metadata, for the runs as another user (nobody, the
    icinga2 agent endpoint's account): the build tree may sit where only
    its owner can go (a home directory of mode 0700, /root)."""
    d = tempfile.mkdtemp(prefix="nm-agent-plugin-")
    os.chmod(d, 0o755)
    copy = os.path.join(d, "check_nova_metadata")
    shutil.copy(plugin_path, copy)
    os.chmod(copy, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


AGENTSERVER = os.path.join(HERE, "agentserver.py")
STOP_TIMEOUT = 10
AGENT_LIFETIME = 3600
REQUEST_TIMEOUT = 30

# The canary's network as Nova's network info cache holds it
# (novaserver.py's _network_info), and a router on it.
NETWORK = "3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01"
ROUTER = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
CANARY_IP = "192.0.2.10"
CANARY_PORT = "7d2e8f4a-1b3c-4d5e-9f60-718293a4b5c6"
# Another instance, made by novaserver.py --other-instance.
OTHER_UUID = "4c1f7a2e-93d6-4b8a-a5e0-6d2c9b3f1e74"
OTHER_PROJECT = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"
# Networks for the port-lookup cases: the canary's IP is on each.
NET_TWO_PORTS = "5b2c3d4e-0000-4a00-8000-00000000002b"
NET_OTHER = "6c3d4e5f-0000-4a00-8000-0000000000cf"
NO_PORT_IP = "192.0.2.99"


def _port(port_id, device_id, tenant, network, ip, mac,
          owner="compute:nova"):
    return {"id": port_id, "device_id": device_id, "device_owner": owner,
            "tenant_id": tenant, "network_id": network, "mac_address": mac,
            "fixed_ips": [{"ip_address": ip}]}


# What neutron-server (or the OVN southbound) knows, as the agent asks it.
PORTS = [
    _port(CANARY_PORT, UUID, PROJECT, NETWORK, CANARY_IP,
          "fa:16:3e:00:00:01"),
    # the router's interface on the canary's network: X-Neutron-Router-ID
    _port("0a0b0c0d-0000-4a00-8000-0000000000a1", ROUTER, PROJECT, NETWORK,
          "192.0.2.1", "fa:16:3e:00:00:a1",
          owner="network:router_interface"),
    # two ports holding one IP on one network (a stale port, a DB
    # inconsistency): both the canary's and a leftover
    _port("1a000000-0000-4a00-8000-000000000001", UUID, PROJECT,
          NET_TWO_PORTS, CANARY_IP, "fa:16:3e:00:00:b1"),
    _port("1a000000-0000-4a00-8000-000000000002", OTHER_UUID, OTHER_PROJECT,
          NET_TWO_PORTS, CANARY_IP, "fa:16:3e:00:00:b2"),
    # the canary's IP belongs to another instance's port on this network
    _port("2b000000-0000-4a00-8000-000000000001", OTHER_UUID, OTHER_PROJECT,
          NET_OTHER, CANARY_IP, "fa:16:3e:00:00:c1"),
]


# ------------------------------------------------------------- the nova --

@pytest.fixture(scope="session")
def neutron_python(nova_python):
    """Nova's interpreter, which must import neutron's agents too."""
    return _nova.skip_unless_importable(
        nova_python, "neutron", "import neutron.agent.metadata.agent, "
        "neutron.agent.ovn.metadata.server")


@pytest.fixture(scope="session")
def agent_nova(nova_factory):
    """Nova behind the agents: service_metadata_proxy on, the canary and
    another instance."""
    return nova_factory("nova-agent", "--secret", SECRET,
                        "--instance-uuid", UUID, "--project-id", PROJECT,
                        "--other-instance", OTHER_UUID,
                        "--other-project", OTHER_PROJECT)


def free_port():
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DelayProxy:
    """A TCP forwarder to Nova that waits `delay` seconds before it
    connects: a slow Nova (or a slow path to it) as the agent sees it."""

    def __init__(self, target_port, delay):
        self.target_port = target_port
        self.delay = delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        # close() does not wake a blocked accept(): poll the stop flag
        self.listener.settimeout(0.2)
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
            conn.settimeout(REQUEST_TIMEOUT)
            threading.Thread(target=self._serve, args=(conn,),
                             daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def _serve(self, conn):
        if self.stopping.wait(self.delay):
            conn.close()
            return
        with conn, socket.create_connection(("127.0.0.1", self.target_port),
                                            timeout=REQUEST_TIMEOUT) as up:
            back = threading.Thread(target=self._pump, args=(up, conn),
                                    daemon=True)
            back.start()
            self._pump(conn, up)
            back.join(REQUEST_TIMEOUT)

    def close(self):
        self.stopping.set()
        self.thread.join(STOP_TIMEOUT)
        self.listener.close()


# ------------------------------------------------------------ the agent --

class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over AF_UNIX, as haproxy talks to the agent."""

    def __init__(self, path, timeout=REQUEST_TIMEOUT):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class AgentServer(_nova.NovaServer):
    """agentserver.py as a child process, started, reaped and read like
    the Nova suite's servers; only its stdout lines differ."""

    READY_WORD = "SOCKET"

    def __init__(self, python, workdir, mode, nova_port):
        self.mode = mode
        self.socket = os.path.join(workdir, mode, "metadata_proxy")
        os.makedirs(os.path.dirname(self.socket), exist_ok=True)
        ports = os.path.join(workdir, mode + "-ports.json")
        with open(ports, "w", encoding="utf-8") as f:
            json.dump(PORTS, f)
        self.defaults = {"nova_metadata_host": "127.0.0.1",
                         "nova_metadata_port": nova_port,
                         "metadata_proxy_shared_secret": SECRET}
        super().__init__(python, workdir, "agent-" + mode, [])
        self.argv = [python, AGENTSERVER, "--mode", mode,
                     "--socket", self.socket, "--nova-port", str(nova_port),
                     "--secret", SECRET, "--ports", ports,
                     "--log-file", self.log_path,
                     "--lifetime", str(AGENT_LIFETIME)]
        self.listening = False

    def _ready(self):
        return self.listening

    def _line(self, word, rest):
        if word == "CONTROL":
            self.control_port = int(rest)
        self.listening = word == self.READY_WORD

    def set(self, **change):
        """Change the running agent's configuration (control API)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        req = urllib.request.Request(
            "http://127.0.0.1:%d/set" % self.control_port, method="POST",
            data=json.dumps(change).encode())
        with opener.open(req, timeout=REQUEST_TIMEOUT) as r:
            return json.loads(r.read())

    def reset(self):
        return self.set(ports=PORTS, **self.defaults)

    def request(self, path, forwarded_for=CANARY_IP, network=None,
                router=None, ovn_network=None, headers=None):
        """One request as haproxy in the namespace sends it; returns
        (status, headers, body, seconds)."""
        h = {"X-Forwarded-For": forwarded_for}
        for name, value in (("X-Neutron-Network-ID", network),
                            ("X-Neutron-Router-ID", router),
                            ("X-OVN-Network-ID", ovn_network)):
            if value is not None:
                h[name] = value
        h.update(headers or {})
        conn = UnixHTTPConnection(self.socket)
        t0 = time.monotonic()
        try:
            conn.request("GET", path, headers=h)
            r = conn.getresponse()
            body = r.read()
            return r.status, dict(r.getheaders()), body, \
                time.monotonic() - t0
        finally:
            conn.close()


@pytest.fixture(scope="session")
def agent_workdir():
    d = tempfile.mkdtemp(prefix="nm-agent-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _agent_fixture(mode, doc):
    @pytest.fixture(scope="session", name=mode + "_agent")
    def fixture(neutron_python, agent_workdir, agent_nova):
        agent = AgentServer(neutron_python, agent_workdir, mode,
                            agent_nova.port)
        try:
            agent.start()
        except RuntimeError as e:
            agent.stop()
            pytest.fail(str(e), pytrace=False)
        yield agent
        agent.stop()
        assert not os.path.exists(agent.socket), "socket left behind"
    fixture.__doc__ = doc
    return fixture


ml2_agent = _agent_fixture(
    "ml2", "neutron-metadata-agent (ML2/OVS) on its socket, chained to Nova.")
ovn_agent = _agent_fixture(
    "ovn", "neutron-ovn-metadata-agent's handler on its socket, chained "
    "to Nova.")


@pytest.fixture(params=["ml2", "ovn"])
def any_agent(request):
    """Each agent in turn, restored to its defaults afterwards."""
    agent = request.getfixturevalue(request.param + "_agent")
    yield agent
    agent.reset()


@pytest.fixture
def slow_nova(agent_nova):
    proxy = DelayProxy(agent_nova.port, delay=1.5)
    yield proxy
    proxy.close()


# ------------------------------------------------------ icinga2 cluster --

@pytest.fixture(scope="session")
def icinga2_cluster():
    """start(commands, services): a master and an agent endpoint
    (icinga2_cluster.py) running those snippets; one pair per distinct
    pair of snippets, all stopped and removed at session end."""
    import icinga2_cluster as ic
    if not shutil.which("icinga2"):
        pytest.fail("icinga2 not found: install icinga2-bin")
    account = ic.Account()
    workdir = tempfile.mkdtemp(prefix="nm-cluster-")
    os.chmod(workdir, 0o755)
    running = {}

    def start(commands, services):
        key = (commands, services)
        if key not in running:
            d = os.path.join(workdir, "c%d" % len(running))
            os.mkdir(d)
            os.chmod(d, 0o755)
            cluster = ic.Cluster(d, account, commands, services)
            running[key] = cluster
            cluster.start()
        return running[key]

    try:
        yield start
    finally:
        for cluster in running.values():
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
