"""Fixtures: the whole metadata chain an instance reads through, built
from real parts in network namespaces the tests create and remove.

    canary netns                router netns            root netns
    eth0 192.0.2.10  --veth-->  192.0.2.1,              agentserver.py (the
    fe80::f816:3eff:fe00:1      169.254.169.254/32,     real neutron agent)
    route 169.254.169.254       fe80::a9fe:a9fe         on a UNIX socket,
      via 192.0.2.1             haproxy (neutron's      -> Nova's real
    the plugin runs here        own configuration) ---> handler (tests/nova)

Run as root with Debian's interpreter (python3-neutron, python3-nova):
    /usr/bin/python3 -m pytest tests/chain
Without root, `ip` or haproxy every test is SKIPPED; tests/chain.test runs
under .ci/run's --no-skip, so CI fails then. The agent and Nova are the
agent suite's fixtures (tests/agent/conftest.py, loaded by path); the
haproxy configuration comes from neutron's HaproxyConfigurator
(haproxy_conf.py). Namespace names are unique per run; every namespace,
haproxy and temp dir is removed by fixture finalizers, on failure too.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, "nova"))

from nova_helpers import PROJECT, UUID, load_suite  # noqa: E402

_agent = load_suite("agent")
_nova = _agent._nova
# The agent suite's fixtures (and through it the Nova suite's),
# re-exported: pytest finds fixtures by name.
nova_python = _agent.nova_python
nova_factory = _agent.nova_factory
plugin_path = _agent.plugin_path
neutron_python = _agent.neutron_python
agent_nova = _agent.agent_nova
agent_workdir = _agent.agent_workdir
ml2_agent = _agent.ml2_agent

NETWORK = _agent.NETWORK
CANARY_IP = _agent.CANARY_IP
OTHER_UUID = _agent.OTHER_UUID
CANARY_MAC = "fa:16:3e:00:00:01"	# the canary's port in the agent's table
ROUTER_IP = "192.0.2.1"
METADATA_IP = "169.254.169.254"
METADATA_IP6 = "fe80::a9fe:a9fe"
CANARY_IF = "eth0"
ROUTER_IF = "tap-meta"
HAPROXY_CONF = os.path.join(HERE, "haproxy_conf.py")
CMD_TIMEOUT = 30
READY_TRIES = 100	# x 0.1 s: haproxy listening
PLUGIN_TIMEOUT = 60


def sh(*cmd, check=True):
    """One command, bounded; its output on failure."""
    p = subprocess.run(cmd, capture_output=True, timeout=CMD_TIMEOUT,
                       stdin=subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (
            " ".join(cmd), p.returncode,
            p.stderr.decode("utf-8", "replace").strip()))
    return p


def _require_tools():
    if os.geteuid() != 0:
        pytest.skip("the chain suite needs root (network namespaces)")
    for tool in ("ip", "haproxy", "ss"):
        if shutil.which(tool) is None:
            pytest.skip("the chain suite needs %s" % tool)


def _set_sysctl(ns, key, value):
    # /proc/sys/net is the namespace's own: written from inside it.
    sh("ip", "netns", "exec", ns, "sh", "-c",
       "echo %s > /proc/sys/%s" % (value, key.replace(".", "/")))


class Chain:
    """Two namespaces and the veth between them; haproxy comes later."""

    def __init__(self):
        tag = "%d%s" % (os.getpid() % 100000, uuid.uuid4().hex[:4])
        self.canary = "nm-canary-" + tag
        self.router = "nm-router-" + tag
        self._veth = ("nmc" + tag, "nmr" + tag)
        self.made = []

    def _netns(self, name):
        sh("ip", "netns", "add", name)
        self.made.append(name)
        # An address is usable at once, not after duplicate detection.
        for key in ("net.ipv6.conf.all.accept_dad",
                    "net.ipv6.conf.default.accept_dad"):
            _set_sysctl(name, key, 0)
        sh("ip", "-n", name, "link", "set", "lo", "up")

    def build(self):
        self._netns(self.canary)
        self._netns(self.router)
        c, r = self._veth
        sh("ip", "link", "add", c, "type", "veth", "peer", "name", r)
        sh("ip", "link", "set", c, "netns", self.canary)
        sh("ip", "link", "set", r, "netns", self.router)
        self._canary_side(c)
        self._router_side(r)

    def _canary_side(self, dev):
        ns = self.canary
        sh("ip", "-n", ns, "link", "set", dev, "name", CANARY_IF)
        # The port's MAC: the agent finds an IPv6 link-local caller by the
        # EUI-64 in its address.
        sh("ip", "-n", ns, "link", "set", CANARY_IF, "address", CANARY_MAC)
        sh("ip", "-n", ns, "addr", "add", CANARY_IP + "/24", "dev",
           CANARY_IF)
        sh("ip", "-n", ns, "link", "set", CANARY_IF, "up")
        # As neutron's DHCP host route (option 121) gives it.
        sh("ip", "-n", ns, "route", "add", METADATA_IP + "/32", "via",
           ROUTER_IP)

    def _router_side(self, dev):
        ns = self.router
        sh("ip", "-n", ns, "link", "set", dev, "name", ROUTER_IF)
        sh("ip", "-n", ns, "addr", "add", ROUTER_IP + "/24", "dev",
           ROUTER_IF)
        sh("ip", "-n", ns, "addr", "add", METADATA_IP + "/32", "dev",
           ROUTER_IF)
        sh("ip", "-n", ns, "addr", "add", METADATA_IP6 + "/64", "dev",
           ROUTER_IF, "nodad")
        sh("ip", "-n", ns, "link", "set", ROUTER_IF, "up")

    def remove(self):
        for ns in reversed(self.made):
            # Deleting a namespace deletes its end of the veth, and the
            # pair with it.
            sh("ip", "netns", "del", ns, check=False)
        self.made = []

    def gone(self):
        listed = sh("ip", "netns", "list").stdout.decode()
        return all(ns not in listed for ns in (self.canary, self.router))


@pytest.fixture(scope="session")
def chain():
    """The canary and router namespaces, linked; removed at the end."""
    _require_tools()
    c = Chain()
    try:
        c.build()
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        c.remove()
        pytest.fail("cannot build the namespaces: %s" % e, pytrace=False)
    yield c
    c.remove()
    assert c.gone(), "namespaces left behind"


class Haproxy:
    """Debian's haproxy in the router namespace, in the foreground,
    with the configuration neutron writes."""

    def __init__(self, chain, python, workdir, socket_path, rate_limit=None,
                 network_id=NETWORK):
        self.chain = chain
        self.dir = tempfile.mkdtemp(prefix="nm-haproxy-", dir=workdir)
        argv = [python, HAPROXY_CONF, "--state-dir", self.dir, "--socket",
                socket_path, "--network-id", network_id, "--interface",
                ROUTER_IF]
        if rate_limit is not None:
            argv += ["--rate-limit", str(rate_limit)]
        self.conf = sh(*argv).stdout.decode().strip()
        self.proc = None

    def _listening(self):
        out = sh("ss", "-N", self.chain.router, "-Hltn", "sport", "=",
                 ":80", check=False).stdout.decode()
        return out.count("LISTEN") >= 2	# 169.254.169.254 and fe80::

    def start(self):
        # -db: stay in the foreground (the template says daemon).
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.chain.router, "haproxy", "-db",
             "-f", self.conf], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(READY_TRIES):
            if self.proc.poll() is not None:
                raise RuntimeError("haproxy exited %d: %s" % (
                    self.proc.returncode,
                    self.proc.stderr.read().decode("utf-8", "replace")))
            if self._listening():
                return self
            time.sleep(0.1)
        raise RuntimeError("haproxy not listening after %.0f s"
                           % (READY_TRIES / 10))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(CMD_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(CMD_TIMEOUT)
        if self.proc is not None:
            self.proc.stderr.close()
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def haproxy_factory(chain, neutron_python, agent_workdir):
    """haproxy(socket_path, rate_limit=None, network_id=NETWORK): a
    started haproxy, stopped at the end of the test (only one at a time
    binds port 80)."""
    made = []

    def make(socket_path, rate_limit=None, network_id=NETWORK):
        h = Haproxy(chain, neutron_python, agent_workdir, socket_path,
                    rate_limit, network_id)
        made.append(h)
        try:
            return h.start()
        except RuntimeError as e:
            pytest.fail(str(e), pytrace=False)

    yield make
    for h in made:
        h.stop()


@pytest.fixture
def agent(ml2_agent):
    """The real ML2/OVS agent, restored to its defaults afterwards."""
    yield ml2_agent
    ml2_agent.reset()


@pytest.fixture
def haproxy(haproxy_factory, agent):
    """haproxy in front of the real agent, as neutron runs it."""
    return haproxy_factory(agent.socket)


class CanaryPlugin:
    """The plugin run inside the canary namespace."""

    def __init__(self, path, chain):
        self.path = path
        self.chain = chain

    def run(self, *args, timeout=PLUGIN_TIMEOUT):
        argv = ["ip", "netns", "exec", self.chain.canary, self.path,
                "--instance-view", "-i", UUID, "-T", PROJECT] + \
            [str(a) for a in args]
        t0 = time.monotonic()
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout,
                           env=_nova.clean_env())
        return _nova.Result(argv, p.returncode,
                            p.stdout.decode("utf-8", "replace"),
                            p.stderr.decode("utf-8", "replace"),
                            time.monotonic() - t0)


@pytest.fixture
def canary(plugin_path, chain):
    return CanaryPlugin(plugin_path, chain)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
