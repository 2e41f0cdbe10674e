"""Fixtures: Nova's real metadata API (novaserver.py) and the built plugin.

Run with Debian's interpreter, the one python3-nova imports under:
    /usr/bin/python3 -m pytest tests/nova
Environment:
    PLUGIN       path of the built check_nova_metadata (default
                 $BUILDDIR/plugins/check_nova_metadata)
    BUILDDIR     build directory (default: the repository root)
    NOVA_PYTHON  interpreter for novaserver.py (default /usr/bin/python3)
When Nova cannot be imported every test here is reported SKIPPED; when the
plugin is not built, the plugin tests are SKIPPED (a PLUGIN that is set but
not executable is an error) and the server's own contract tests still run.
"""

import ctypes
import json
import os
import queue
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from nova_helpers import PROJECT, SECRET, UUID, sign
import release
from vendordata_target import VendordataTarget


def pytest_report_header(config):
    """Which OpenStack release the fixtures run (release.py)."""
    return "OpenStack release: " + release.describe()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
NOVASERVER = os.path.join(HERE, "novaserver.py")

STARTUP_TIMEOUT = 60      # seconds for novaserver.py to print PORT
STOP_TIMEOUT = 10         # seconds after SIGTERM before SIGKILL
SERVER_LIFETIME = 3600    # novaserver.py exits by itself after this
PLUGIN_TIMEOUT = 20       # seconds for one plugin run

# Variables that would make libcurl or urllib go through a proxy, or hand
# the plugin a secret the test did not choose.
_SCRUBBED_ENV = ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
                 "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
                 "NOVA_METADATA_SECRET")


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env.update(extra or {})
    return env


# --------------------------------------------------------------- plugin --

class Result:
    """One plugin run, with its output taken apart."""

    PERF_RE = re.compile(r"'?([^'=]+)'?=([-0-9.eE]+)([a-zA-Z%]*)"
                         r"(?:;([^;]*))?(?:;([^;]*))?(?:;([^;]*))?"
                         r"(?:;([^;]*))?")

    def __init__(self, argv, rc, stdout, stderr, seconds):
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        lines = stdout.splitlines()
        self.first = lines[0] if lines else ""
        self.summary, _, perf = self.first.partition("|")
        self.perfdata = self._parse_perf(perf)

    @classmethod
    def _parse_perf(cls, text):
        out = []
        for item in text.split():
            m = cls.PERF_RE.fullmatch(item)
            if not m:
                out.append({"label": None, "raw": item})
                continue
            label, value, uom, warn, crit, lo, hi = m.groups()
            out.append({"label": label, "value": float(value), "uom": uom,
                        "warn": warn or "", "crit": crit or "",
                        "min": lo or "", "max": hi or "", "raw": item})
        return out

    def perf(self, label):
        for p in self.perfdata:
            if p["label"] == label:
                return p
        raise AssertionError("no perfdata %r in %r" % (label, self.first))

    def __str__(self):
        return ("argv: %s\nexit: %s\nstdout:\n%s\nstderr:\n%s"
                % (" ".join(self.argv), self.rc, self.stdout, self.stderr))


class Plugin:
    def __init__(self, path):
        self.path = path

    def run(self, *args, env=None, timeout=PLUGIN_TIMEOUT):
        argv = [self.path] + [str(a) for a in args]
        t0 = time.monotonic()
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout,
                           env=clean_env(env))
        return Result(argv, p.returncode,
                      p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"),
                      time.monotonic() - t0)


@pytest.fixture(scope="session")
def plugin_path():
    explicit = os.environ.get("PLUGIN")
    if explicit:
        if not os.access(explicit, os.X_OK):
            pytest.fail("PLUGIN=%s is not an executable file" % explicit)
        return os.path.abspath(explicit)
    builddir = os.environ.get("BUILDDIR", REPO)
    path = os.path.join(builddir, "plugins", "check_nova_metadata")
    if not os.access(path, os.X_OK):
        pytest.skip("plugin not built: %s (set PLUGIN or BUILDDIR)" % path)
    return path


@pytest.fixture(scope="session")
def plugin(plugin_path):
    return Plugin(plugin_path)


# ----------------------------------------------------------------- nova --

def _nova_python():
    return os.environ.get("NOVA_PYTHON") or (
        "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK)
        else sys.executable)


def skip_unless_importable(py, what, probe):
    """Skip (every test that needs it) when `py -c probe` fails."""
    try:
        p = subprocess.run([py, "-c", probe], capture_output=True,
                           timeout=120, env=clean_env(),
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip("%s not importable with %s: %s" % (what, py, e))
    if p.returncode != 0:
        tail = p.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        pytest.skip("%s not importable with %s: %s" % (what, py,
                                                       " ".join(tail)))
    return py


@pytest.fixture(scope="session")
def nova_python():
    """The interpreter Nova imports under; every test skips without it."""
    return skip_unless_importable(
        _nova_python(), "Nova", "import nova.api.metadata.handler, "
        "nova.wsgi, nova.db.migration, nova.objects")


@pytest.fixture(scope="session", autouse=True)
def _require_nova(nova_python):
    """Every test here needs Nova: skip for that reason before any other."""


def _die_with_parent():
    """In the child: SIGTERM when pytest dies, even by SIGKILL (Linux)."""
    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass   # not Linux: the finalizers and --lifetime still apply


class NovaServer:
    """novaserver.py as a child process; stop() always reaps it."""

    def __init__(self, python, workdir, name, args):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self.argv = [python, NOVASERVER, "--log-file", self.log_path,
                     "--port", "0", "--control-port", "0",
                     "--lifetime", str(SERVER_LIFETIME)] + list(args)
        self.proc = None
        self.info = None
        self.port = None
        self.control_port = None
        self.startup_seconds = None
        self.exit_code = None
        self.tls_context = None   # for get() on an HTTPS Nova
        self._reader_thread = None
        self._lines = queue.Queue()

    def _reader(self):
        for raw in self.proc.stdout:
            self._lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self._lines.put(None)

    def start(self):
        t0 = time.monotonic()
        with open(self.log_path + ".stderr", "wb") as err:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=err,
                                         env=clean_env(),
                                         preexec_fn=_die_with_parent)
        self._reader_thread = threading.Thread(target=self._reader,
                                               daemon=True)
        self._reader_thread.start()
        deadline = t0 + STARTUP_TIMEOUT
        while not self._ready():
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("%s: no %s line within %d s\n%s"
                                   % (self.name, self.READY_WORD,
                                      STARTUP_TIMEOUT, self.tail()))
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("%s exited before listening (rc %s)\n%s"
                                   % (self.name, self.proc.wait(),
                                      self.tail()))
            word, _, rest = line.partition(" ")
            self._line(word, rest)
        self.startup_seconds = time.monotonic() - t0
        return self

    # The child's stdout protocol; a server with other lines (the agent
    # suite's agentserver.py) overrides these three.
    READY_WORD = "PORT"

    def _ready(self):
        return self.port is not None

    def _line(self, word, rest):
        if word == "INFO":
            self.info = json.loads(rest)
        elif word == "CONTROL":
            self.control_port = int(rest)
        elif word == "PORT":
            self.port = int(rest)

    def terminate(self):
        """Ask it to stop (SIGTERM); stop() then waits for it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def stop(self):
        if self.proc is None:
            return
        self.terminate()
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        # The reader sees EOF once the child is gone; then the pipe can go.
        self._reader_thread.join(STOP_TIMEOUT)
        if not self._reader_thread.is_alive():
            self.proc.stdout.close()
        self.exit_code = self.proc.returncode

    def tail(self, n=40):
        chunks = []
        for path in (self.log_path + ".stderr", self.log_path):
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    chunks += f.read().splitlines()[-n:]
            except OSError:
                pass
        return "\n".join(chunks)

    # Direct HTTP(S), never through a proxy: a check of the server itself.
    _opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _url(self, port, path, scheme="http"):
        host = self.info["host"] if self.info else "127.0.0.1"
        if ":" in host:
            host = "[%s]" % host
        return "%s://%s:%d%s" % (scheme, host, port, path)

    def _http(self, url, method="GET", headers=None, context=None):
        req = urllib.request.Request(url, method=method,
                                     headers=headers or {})
        opener = self._opener
        if context is not None:
            opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({}),
                urllib.request.HTTPSHandler(context=context))
        try:
            with opener.open(req, timeout=20) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def get(self, path, instance=UUID, tenant=PROJECT, secret=SECRET,
            signature=None, headers=None):
        h = {}
        if instance is not None:
            h["X-Instance-ID"] = instance
            h["X-Instance-ID-Signature"] = signature or sign(secret, instance)
        if tenant is not None:
            h["X-Tenant-ID"] = tenant
        h.update(headers or {})
        return self._http(self._url(self.port, path, self.info["scheme"]),
                          headers=h, context=self.tls_context)

    def state(self):
        status, _, body = self._http(self._url(self.control_port, "/info"))
        if status != 200:
            raise RuntimeError("control info: %s %s" % (status, body))
        return json.loads(body)

    def control(self, action):
        status, _, body = self._http(self._url(self.control_port,
                                               "/" + action),
                                     method="POST")
        if status != 200:
            raise RuntimeError("control %s: %s %s" % (action, status, body))
        return json.loads(body)["result"]


_STARTED = []   # for the terminal summary


def pytest_terminal_summary(terminalreporter):
    times = ["%s %.1f s" % (s.name, s.startup_seconds)
             for s in _STARTED if s.startup_seconds is not None]
    if times:
        terminalreporter.write_line("Nova servers, start-up to PORT: "
                                    + ", ".join(times))


@pytest.fixture(scope="session")
def nova_factory(nova_python, tmp_path_factory):
    """Start novaserver.py instances; all are stopped at session end."""
    servers = []
    workdir = str(tmp_path_factory.mktemp("nova"))

    def start(name, *args):
        srv = NovaServer(nova_python, workdir, name, args)
        servers.append(srv)   # registered first: stopped even if start fails
        try:
            return srv.start()
        except RuntimeError as e:
            srv.stop()
            pytest.fail(str(e), pytrace=False)

    yield start
    _STARTED.extend(servers)
    for srv in servers:        # all at once: each takes ~0.7 s to wind down
        srv.terminate()
    for srv in servers:
        srv.stop()


@pytest.fixture(scope="session")
def nova(nova_factory):
    """Nova as deployed behind Neutron's agent: service_metadata_proxy on."""
    return nova_factory("nova-proxy", "--secret", SECRET,
                        "--instance-uuid", UUID, "--project-id", PROJECT,
                        "--service-metadata-proxy", "true")


@pytest.fixture(scope="session")
def nova_no_proxy(nova_factory):
    """Nova misconfigured for an agent: service_metadata_proxy off."""
    return nova_factory("nova-noproxy", "--secret", SECRET,
                        "--instance-uuid", UUID, "--project-id", PROJECT,
                        "--service-metadata-proxy", "false")


@pytest.fixture(scope="session")
def nova_scratch(nova_factory):
    """A Nova whose canary tests delete and whose database they break.

    Order does not matter: a broken database gives 500 whether or not the
    canary is deleted, and every break is repaired (see broken_db).
    """
    return nova_factory("nova-scratch", "--secret", SECRET,
                        "--instance-uuid", UUID, "--project-id", PROJECT)


@pytest.fixture(scope="session")
def deleted_canary(nova_scratch):
    """nova_scratch after its canary was deleted through Nova's objects."""
    if not nova_scratch.state()["deleted"]:
        status, _, body = nova_scratch.get("/latest/meta-data/")
        assert status == 200, "canary not served before deletion: %s %r" % (
            status, body)
        assert nova_scratch.control("delete") == "deleted"
    return nova_scratch


@pytest.fixture
def broken_db(nova_scratch):
    """nova_scratch with its cell database taken away, for one test."""
    assert nova_scratch.control("break-db") == "broken"
    try:
        yield nova_scratch
    finally:
        assert nova_scratch.control("repair-db") == "repaired"


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   capture_output=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A throwaway CA, a server certificate for 127.0.0.1/::1/localhost
    and a client certificate, made with the openssl command."""
    if not shutil.which("openssl"):
        pytest.skip("openssl command not found")
    d = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=check_nova_metadata test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    ext = {"server": "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n"
                     "extendedKeyUsage=serverAuth\n",
           "client": "extendedKeyUsage=clientAuth\n"}
    for who, text in ext.items():
        (d / (who + ".ext")).write_text(text)
        _openssl("req", *ec, "-keyout", who + ".key", "-out", who + ".csr",
                 "-subj", "/CN=" + who, cwd=d)
        _openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.pem",
                 "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                 "-out", who + ".pem", "-extfile", who + ".ext", cwd=d)
    return {name: str(d / name) for name in
            ("ca.pem", "server.pem", "server.key", "client.pem",
             "client.key")}


@pytest.fixture(scope="session")
def nova_tls(nova_factory, tls_files):
    """Nova serving HTTPS itself (enabled_ssl_apis = metadata) and asking
    for client certificates from the test CA ([wsgi] ssl_ca_file)."""
    srv = nova_factory("nova-tls", "--secret", SECRET,
                       "--instance-uuid", UUID, "--project-id", PROJECT,
                       "--ssl-cert", tls_files["server.pem"],
                       "--ssl-key", tls_files["server.key"],
                       "--ssl-ca", tls_files["ca.pem"])
    ctx = ssl.create_default_context(cafile=tls_files["ca.pem"])
    ctx.load_cert_chain(tls_files["client.pem"], tls_files["client.key"])
    srv.tls_context = ctx
    return srv


def _have_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def nova_v6(nova_factory):
    """Nova listening on the IPv6 loopback only."""
    if not _have_ipv6_loopback():
        pytest.skip("no IPv6 loopback (::1) here")
    return nova_factory("nova-v6", "--host", "::1", "--secret", SECRET,
                        "--instance-uuid", UUID, "--project-id", PROJECT)


@pytest.fixture(scope="session")
def secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("secret") / "secret"
    path.write_text(SECRET + "\n")
    path.chmod(0o600)
    return str(path)


@pytest.fixture(scope="session")
def wrong_secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("wrongsecret") / "secret"
    path.write_text("0ddba11c0ffee123\n")
    path.chmod(0o600)
    return str(path)


# ----------------------------------------------------- vendordata --

# Nova's read timeout for the targets: a `slow` target answering within it
# is served, one answering later is `{}`.  Nova's connect timeout stays at
# its default (5 s): on loopback a closed port refuses at once.
VENDORDATA_READ_TIMEOUT = 3
# What Nova sends as X-Auth-Token (keystoneauth's admin_token plugin, see
# novaserver.vendordata_conf): not a secret, a marker the targets record.
VENDORDATA_TOKEN = "vendordata-service-token"
VENDORDATA_ANSWERS = {
    "join": {"join_token": "c0ffee-join-token", "realm": "EXAMPLE.TEST"},
    "enrol": {"otp": "0ne-t1me-passw0rd", "domain": "ipa.example.test"},
}


class VendordataNova:
    """A Nova handler whose DynamicJSON targets are VendordataTargets.

    `.nova` is the NovaServer, `.targets` maps each target's NAME (as in
    vendor_data2.json) to its server, `.answers` NAME to the object it
    answers; `.read_timeout` and `.token` are what Nova was given.
    reset() puts every target back to answering at once, with no records.
    """

    PATH = "/openstack/latest/vendor_data2.json"

    def __init__(self, nova, targets, read_timeout):
        self.nova = nova
        self.targets = targets
        self.answers = {name: dict(t.default_answer)
                        for name, t in targets.items()}
        self.read_timeout = read_timeout
        self.token = VENDORDATA_TOKEN

    def reset(self):
        for target in self.targets.values():
            target.reset()

    def fetch(self, **kwargs):
        """GET vendor_data2.json, signed for the canary: (status, headers,
        body, seconds); the body parsed as JSON when the status is 200."""
        t0 = time.monotonic()
        status, headers, body = self.nova.get(self.PATH, **kwargs)
        seconds = time.monotonic() - t0
        if status == 200:
            body = json.loads(body)
        return status, headers, body, seconds

    def logged_errors(self, name):
        """How many times Nova's log says target name failed."""
        needle = "Error from dynamic vendordata service %s at %s" % (
            name, self.targets[name].url())
        with open(self.nova.log_path, encoding="utf-8",
                  errors="replace") as f:
            return sum(needle in line for line in f)

    def stop(self):
        self.nova.stop()
        for target in self.targets.values():
            target.stop()


def start_vendordata_nova(nova_factory, name, target_names, *extra):
    """Targets named target_names on loopback, then a Nova calling them
    (read timeout VENDORDATA_READ_TIMEOUT) with extra novaserver.py
    arguments."""
    targets = {}
    try:
        for tname in target_names:
            targets[tname] = VendordataTarget(
                answer=VENDORDATA_ANSWERS[tname]).start()
        args = ["--secret", SECRET, "--instance-uuid", UUID,
                "--project-id", PROJECT, "--vendordata-token",
                VENDORDATA_TOKEN, "--vendordata-read-timeout",
                str(VENDORDATA_READ_TIMEOUT)]
        for tname, target in targets.items():
            args += ["--vendordata-target", "%s@%s" % (tname, target.url())]
        return VendordataNova(nova_factory(name, *args, *extra), targets,
                              VENDORDATA_READ_TIMEOUT)
    except BaseException:
        for target in targets.values():
            target.stop()
        raise


@pytest.fixture(scope="module")
def nova_vendordata_module(nova_factory):
    """Nova with two DynamicJSON targets, join and enrol; stopped with the
    module (nova_factory's session end then finds it stopped)."""
    vd = start_vendordata_nova(
        nova_factory, "nova-vendordata", ["join", "enrol"])
    yield vd
    vd.stop()


def _reset_around(vd):
    vd.reset()
    yield vd
    vd.reset()       # releases a `slow` request still held by a target


@pytest.fixture
def nova_vendordata(nova_vendordata_module):
    """nova_vendordata_module, its targets answering, records cleared."""
    yield from _reset_around(nova_vendordata_module)


@pytest.fixture(scope="module")
def nova_vendordata_fatal_module(nova_factory):
    """Nova with vendordata_dynamic_failure_fatal = True and one target."""
    vd = start_vendordata_nova(
        nova_factory, "nova-vendordata-fatal", ["join"],
        "--vendordata-failure-fatal")
    yield vd
    vd.stop()


@pytest.fixture
def nova_vendordata_fatal(nova_vendordata_fatal_module):
    """nova_vendordata_fatal_module, its target answering, no records."""
    yield from _reset_around(nova_vendordata_fatal_module)
