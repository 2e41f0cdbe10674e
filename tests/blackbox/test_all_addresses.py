"""--all-addresses: every address of a name is a backend of its own.

A network namespace, made and removed here, stands for DNS round robin or
a Kubernetes headless Service: its hosts file (`ip netns exec` bind-mounts
/etc/netns/NAME/hosts over /etc/hosts) gives nova-metadata.test three
addresses, 127.0.0.1, 127.0.0.2 and ::1, all on the namespace's own
loopback, with a simulator on each at port 8775 (the plugin's default),
and the plugin runs inside the namespace too.

Needs root and iproute2's `ip` (CI runs as root); SKIPPED otherwise, with
the reason. The test_all_addresses_fixture_* cases prove the namespace,
its hosts file and the simulators with a single-backend run; the others
pin the contract's "Several backends, one run" (select them with
`-k several_backends or all_addresses`).
"""

import json
import os
import select
import shutil
import subprocess
import sys

import pytest

from conftest import (INSTANCE, TENANT, WRONG_SECRET, assert_state,
                      run_plugin)

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from backend_asserts import (assert_backend_perfdata,  # noqa: E402
                             assert_backends_ok_count, assert_names)

NAME = "nova-metadata.test"
ADDRESSES = ("127.0.0.1", "127.0.0.2", "::1")
PORT = 8775
HERE = os.path.dirname(os.path.abspath(__file__))
BACKENDS = os.path.join(HERE, "netns_backends.py")
PYTHON = os.environ.get("TEST_PYTHON") or sys.executable
IP_TIMEOUT = 30
LINE_TIMEOUT = 30      # seconds for netns_backends.py to answer


def _ip(*args, check=True):
    return subprocess.run(["ip"] + list(args), capture_output=True,
                          text=True, timeout=IP_TIMEOUT, check=check,
                          stdin=subprocess.DEVNULL)


def _remove_netns(ns, etc_dir):
    _ip("netns", "delete", ns, check=False)
    shutil.rmtree(etc_dir, ignore_errors=True)
    try:
        os.rmdir(os.path.dirname(etc_dir))   # /etc/netns, when now empty
    except OSError:
        pass


def _setup_netns(ns, etc_dir):
    os.makedirs(etc_dir)
    with open(os.path.join(etc_dir, "hosts"), "w") as f:
        f.write("127.0.0.1 localhost\n::1 localhost ip6-localhost\n")
        for addr in ADDRESSES:
            f.write("%s %s\n" % (addr, NAME))
    _ip("netns", "add", ns)
    _ip("netns", "exec", ns, "ip", "link", "set", "lo", "up")
    lo6 = _ip("netns", "exec", ns, "ip", "-6", "addr", "show", "dev", "lo")
    return "::1/128" in lo6.stdout


@pytest.fixture(scope="module")
def netns(plugin):
    """The namespace's name; namespace and /etc/netns/NAME go on every
    path, a failed setup included."""
    if os.geteuid() != 0:
        pytest.skip("--all-addresses tests need root for a network "
                    "namespace (CI runs them as root)")
    if shutil.which("ip") is None:
        pytest.skip("--all-addresses tests need iproute2's ip command")
    ns = "cnm-test-%d" % os.getpid()
    etc_dir = os.path.join("/etc/netns", ns)
    _remove_netns(ns, etc_dir)   # a leftover of a killed run with our pid
    try:
        if not _setup_netns(ns, etc_dir):
            pytest.skip("no IPv6 loopback (::1) in a network namespace")
        yield ns
    finally:
        _remove_netns(ns, etc_dir)


class Backends:
    """netns_backends.py inside the namespace; close() always reaps it."""

    def __init__(self, ns, addresses, secrets, faults):
        self.ns = ns
        argv = ["ip", "netns", "exec", ns, PYTHON, BACKENDS,
                "--port", str(PORT)]
        for addr, secret in secrets.items():
            argv += ["--secret", "%s=%s" % (addr, secret)]
        for addr, fault in faults.items():
            argv += ["--fault", "%s=%s" % (addr, fault)]
        self.proc = subprocess.Popen(argv + list(addresses),
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        ready = self._line()
        if ready.strip() != "READY":
            err = self.close()
            pytest.fail("simulators in %s did not start: %r %s"
                        % (ns, ready, err))

    def _line(self):
        """The next line it prints; '' when none comes within the limit."""
        readable, _, _ = select.select([self.proc.stdout], [], [],
                                       LINE_TIMEOUT)
        return self.proc.stdout.readline() if readable else ""

    def requests(self):
        self.proc.stdin.write("requests\n")
        self.proc.stdin.flush()
        line = self._line()
        assert line, "netns_backends.py did not list its requests"
        return json.loads(line)

    def close(self):
        """Stop it (end of input), reap it; returns what it said on
        stderr."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(LINE_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return err


@pytest.fixture
def backends(netns):
    """start(down=(), secrets={}, faults={}): simulators on every address
    but the down ones, each with the default secret unless secrets says
    other, and the fault ("delay=2") that faults gives it."""
    started = []

    def start(down=(), secrets=None, faults=None):
        up = [a for a in ADDRESSES if a not in down]
        b = Backends(netns, up, secrets or {}, faults or {})
        started.append(b)
        return b

    yield start
    for b in started:
        b.close()


def run_in(netns, secret_file, *args):
    rc, out, err, _ = run_plugin(
        ["-i", INSTANCE, "-T", TENANT, "--secret-file", secret_file,
         "-t", "10"] + list(args),
        prefix=("ip", "netns", "exec", netns))
    assert rc in (0, 1, 2, 3), "exit %d: %r %r" % (rc, out, err)
    assert out.strip(), "no output (stderr %r)" % err
    return rc, out


def host_names(requests):
    """The Host header's name part, per request."""
    names = []
    for r in requests:
        host = r["host"] or ""
        name, sep, port = host.rpartition(":")
        names.append(name if sep and port.isdigit() else host)
    return names


# ------------------------------------------------ the fixtures themselves --

def test_all_addresses_fixture_hosts_file(netns):
    """Inside the namespace the name has all three addresses."""
    p = subprocess.run(["ip", "netns", "exec", netns, "getent", "ahosts",
                        NAME], capture_output=True, text=True,
                       timeout=IP_TIMEOUT)
    assert p.returncode == 0, p.stderr
    found = {line.split()[0] for line in p.stdout.splitlines()}
    assert found == set(ADDRESSES), p.stdout


def test_all_addresses_fixture_fault(backends, secret_file):
    """A fault reaches the simulator of its address only."""
    b = backends(faults={"127.0.0.2": "status=500"})
    rc, out = run_in(b.ns, secret_file, "-H", "127.0.0.2", "-p", PORT)
    assert_state(rc, out, "CRITICAL", "500")
    rc, out = run_in(b.ns, secret_file, "-H", "127.0.0.1", "-p", PORT)
    assert_state(rc, out, "OK")


def test_all_addresses_fixture_down(backends, secret_file):
    """An address without its simulator refuses connections."""
    b = backends(down=("127.0.0.2",))
    rc, out = run_in(b.ns, secret_file, "-H", "127.0.0.2", "-p", PORT)
    assert_state(rc, out, "CRITICAL", "(?i)refused")


@pytest.mark.parametrize("addr", ADDRESSES)
def test_all_addresses_fixture_each_backend(backends, secret_file, addr):
    """One backend by its address: served by the simulator there alone."""
    b = backends()
    rc, out = run_in(b.ns, secret_file,
                     "-H", addr, "-p", PORT)
    assert_state(rc, out, "OK")
    seen = b.requests()
    assert [a for a in ADDRESSES if seen[a]] == [addr], seen


def test_all_addresses_fixture_name_single(backends, secret_file):
    """The name without --all-addresses: one backend, Host is the name."""
    b = backends()
    rc, out = run_in(b.ns, secret_file, "-H", NAME)
    assert_state(rc, out, "OK")
    seen = b.requests()
    reqs = [r for a in ADDRESSES for r in seen[a]]
    assert reqs and set(host_names(reqs)) == {NAME}, seen


def test_all_addresses_fixture_other_secret(backends, secret_file):
    b = backends(secrets={"::1": WRONG_SECRET})
    rc, out = run_in(b.ns, secret_file, "-H", "::1")
    assert_state(rc, out, "CRITICAL", "403")


# ----------------------------------------------------------- the contract --

def test_all_addresses_all_ok(backends, secret_file):
    b = backends()
    rc, out = run_in(b.ns, secret_file, "-H", NAME,
                     "--all-addresses")
    line = assert_state(rc, out, "OK")
    assert_backends_ok_count(line, 3, 3)
    assert_backend_perfdata(line, ADDRESSES)
    seen = b.requests()
    for addr in ADDRESSES:
        assert seen[addr], "no request reached %s: %r" % (addr, seen)
        # The name stays the HTTP Host, whichever address was dialled.
        assert set(host_names(seen[addr])) == {NAME}, seen[addr]


def test_all_addresses_explicit_port(backends, secret_file):
    b = backends()
    rc, out = run_in(b.ns, secret_file, "-H", NAME, "-p", PORT,
                     "--all-addresses")
    line = assert_state(rc, out, "OK")
    assert_backends_ok_count(line, 3, 3)


def test_all_addresses_one_other_secret(backends, secret_file):
    b = backends(secrets={"::1": WRONG_SECRET})
    rc, out = run_in(b.ns, secret_file, "-H", NAME,
                     "--all-addresses")
    line = assert_state(rc, out, "CRITICAL")
    assert_names(line, "::1", "403")
    assert_backends_ok_count(line, 2, 3)
    assert_backend_perfdata(line, ADDRESSES)


def test_all_addresses_one_down(backends, secret_file):
    b = backends(down=("127.0.0.2",))
    rc, out = run_in(b.ns, secret_file, "-H", NAME,
                     "--all-addresses")
    line = assert_state(rc, out, "CRITICAL")
    assert_names(line, "127.0.0.2", "refused")
    assert_backends_ok_count(line, 2, 3)
    seen = b.requests()
    for addr in ("127.0.0.1", "::1"):
        assert seen[addr], "no request reached %s: %r" % (addr, seen)
        assert set(host_names(seen[addr])) == {NAME}, seen[addr]


def test_all_addresses_one_slow(backends, secret_file):
    """Each backend's time is held against -w/-c: only the slow one warns.
    (2 s against 0.8 s: the others answer in milliseconds.)"""
    b = backends(faults={"127.0.0.2": "delay=2"})
    rc, out = run_in(b.ns, secret_file, "-H", NAME, "--all-addresses",
                     "-w", "0.8", "-c", "8")
    line = assert_state(rc, out, "WARNING")
    assert_names(line, "127.0.0.2")
    assert_backends_ok_count(line, 2, 3)
    assert_backend_perfdata(line, ADDRESSES)


@pytest.mark.parametrize("hosts", [
    ("127.0.0.1", "127.0.0.2:%d" % PORT, "[::1]:%d" % PORT),
    ("127.0.0.1:%d" % PORT, "127.0.0.2", "[::1]"),
], ids=["host-hostport-ipv6port", "hostport-host-ipv6"])
def test_several_backends_literal_forms(backends, secret_file, hosts):
    """HOST and [IPV6] (port from -p), HOST:PORT and [IPV6]:PORT."""
    b = backends()
    args = ["-p", PORT]
    for host in hosts:
        args += ["-H", host]
    rc, out = run_in(b.ns, secret_file, *args)
    line = assert_state(rc, out, "OK")
    assert_backends_ok_count(line, 3, 3)
    assert_backend_perfdata(line, ADDRESSES)
    seen = b.requests()
    assert all(seen[a] for a in ADDRESSES), seen
