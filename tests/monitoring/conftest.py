"""Fixtures: the contrib files as `make install` puts them, run by Debian's
icinga2 (with its GraphiteWriter into carbon-cache and its InfluxdbWriter
into influxd) and nagios4, against Nova's own metadata handler (and
through neutron's metadata agent).

Run with Debian's interpreter, from a configured build directory:
    BUILDDIR=. /usr/bin/python3 -m pytest tests/monitoring
The Nova servers, the plugin helpers and the canary's identity come from
the Nova suite (tests/nova/conftest.py, loaded by path as a module of its
own): one Nova, started the same way, for both suites.

Every daemon runs in the foreground as an unprivileged user ("nagios" when
run as root), with private configuration, state, log and run directories
under one temporary directory that is removed at the end, and talks only
to loopback. Waits are bounded; every process is reaped.
"""

import base64
import grp
import json
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
NOVA_TESTS = os.path.join(os.path.dirname(HERE), "nova")
sys.path.insert(0, NOVA_TESTS)


from nova_helpers import load_suite  # noqa: E402
import release  # noqa: E402

_nova = load_suite("nova")
# The Nova suite's fixtures, re-exported: pytest finds fixtures by name here.
nova_python = _nova.nova_python
_require_nova = _nova._require_nova
nova_factory = _nova.nova_factory
nova = _nova.nova
nova_v6 = _nova.nova_v6
clean_env = _nova.clean_env
Result = _nova.Result

from nova_helpers import PROJECT, SECRET, UUID  # noqa: E402

# neutron's metadata agent from the agent suite, loaded the same way.
_agent = load_suite("agent")
neutron_python = _agent.neutron_python

START_TIMEOUT = 60    # seconds for a daemon to come up
STOP_TIMEOUT = 15     # seconds after SIGTERM before SIGKILL
MAKE_TIMEOUT = 300


def free_port():
    """A port free now on loopback; the daemon binds it soon after."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, predicate, timeout, interval=0.25, proc=None, log=None):
    """Poll predicate() until it returns something true; bounded."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError("%s: the process exited (%s) first\n%s"
                                 % (what, proc.returncode, tail(log)))
        if time.monotonic() >= deadline:
            raise AssertionError("%s: not within %d s\n%s"
                                 % (what, timeout, tail(log)))
        time.sleep(interval)


def tail(path, n=60):
    if not path:
        return ""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "\n".join(f.read().splitlines()[-n:])
    except OSError as e:
        return "(%s)" % e


class Daemon:
    """A foreground daemon as the monitoring user; stop() always reaps."""

    def __init__(self, name, argv, log_path, account, env=None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.account = account
        self.env = env
        self.proc = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=clean_env(self.env),
                preexec_fn=self.account.preexec)
        return self

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT)


class Account:
    """Who the daemons run as: nagios when we are root, else ourselves."""

    def __init__(self):
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("nagios")
            except KeyError:
                pytest.fail("running as root but there is no 'nagios' user "
                            "(Debian's icinga2-bin and nagios4-core create it)")
        else:
            pw = pwd.getpwuid(os.geteuid())
        self.name, self.uid, self.gid = pw.pw_name, pw.pw_uid, pw.pw_gid
        self.group = grp.getgrgid(self.gid).gr_name
        self.switch = os.geteuid() == 0

    def preexec(self):
        if self.switch:
            os.setgroups([])
            os.setgid(self.gid)
            os.setuid(self.uid)
        # after setuid, which clears the parent-death signal
        _nova._die_with_parent()

    def own(self, path, mode=None):
        if self.switch:
            os.chown(path, self.uid, self.gid)
        if mode is not None:
            os.chmod(path, mode)


@pytest.fixture(scope="session")
def account():
    return Account()


@pytest.fixture(scope="session")
def workdir():
    """One directory for everything; the monitoring user must be able to
    walk into it, which pytest's own 0700 tmp_path is not."""
    d = tempfile.mkdtemp(prefix="nm-monitoring-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _find(root, name, parent=None):
    hits = []
    for dirpath, _, files in os.walk(root):
        if name in files and (parent is None
                              or os.path.basename(dirpath) == parent):
            hits.append(os.path.join(dirpath, name))
    assert len(hits) == 1, "%s installed %d times: %s" % (name, len(hits),
                                                          hits)
    return hits[0]


@pytest.fixture(scope="session")
def installed(workdir):
    """`make install DESTDIR=...` of the build, and where each file went."""
    builddir = os.environ.get("BUILDDIR")
    if not builddir:
        pytest.fail("BUILDDIR is not set (tests/monitoring.test sets it)")
    dest = os.path.join(workdir, "destdir")
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DESTDIR")}
    p = subprocess.run(["make", "-C", builddir, "install", "DESTDIR=" + dest],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=MAKE_TIMEOUT, env=env)
    assert p.returncode == 0, "make install failed:\n%s" % (
        p.stdout.decode(errors="replace")[-3000:]
        + p.stderr.decode(errors="replace")[-3000:])
    for dirpath, dirs, files in os.walk(dest):
        os.chmod(dirpath, 0o755)
    files = {
        "plugin": _find(dest, "check_nova_metadata"),
        "icinga2": _find(dest, "nova-metadata.conf", "plugins-contrib.d"),
        "icinga2_services": _find(dest, "nova-metadata-services.conf"),
        "nagios": _find(dest, "nova_metadata.cfg", "config"),
        "pnp4nagios": _find(dest, "check_nova_metadata.php", "pnp4nagios"),
        "grafana_graphite": _find(dest, "nova-metadata-graphite.json"),
        "grafana_influxdb": _find(dest, "nova-metadata-influxdb.json"),
    }
    assert os.access(files["plugin"], os.X_OK)
    files["destdir"] = dest
    return files


@pytest.fixture(scope="session")
def monitoring_secret(workdir, account):
    """The secret as the README says: mode 0600, owned by the monitoring
    user; and a wrong one for the 403 case."""
    paths = {}
    for name, value in (("right", SECRET), ("wrong", "0ddba11c0ffee123")):
        path = os.path.join(workdir, "nova-metadata-%s.secret" % name)
        with open(path, "w") as f:
            f.write(value + "\n")
        account.own(path, 0o600)
        paths[name] = path
    return paths


# ------------------------------------------------------------ carbon --

CARBON_CONF = """[cache]
STORAGE_DIR = {d}/storage/
LOCAL_DATA_DIR = {d}/storage/whisper/
WHITELISTS_DIR = {d}/storage/lists/
CONF_DIR = {d}/conf/
LOG_DIR = {d}/log/
PID_DIR = {d}/run/
USER =
DATABASE = whisper
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = {line}
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = {pickle}
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = {query}
CACHE_WRITE_STRATEGY = max
WHISPER_AUTOFLUSH = True
LOG_LISTENER_CONN_SUCCESS = False
"""

# One point a second for an hour: each check result keeps its own slot.
STORAGE_SCHEMAS = """[everything]
pattern = .*
retentions = 1s:1h
"""


def _accepts(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def carbon(workdir, account):
    """Debian's carbon-cache in the foreground on loopback ports."""
    exe = shutil.which("carbon-cache") or "/usr/bin/carbon-cache"
    if not os.access(exe, os.X_OK):
        pytest.fail("carbon-cache not found: install graphite-carbon")
    d = os.path.join(workdir, "carbon")
    for sub in ("conf", "storage", "storage/whisper", "storage/lists",
                "log", "run"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    ports = {"line": free_port(), "pickle": free_port(),
             "query": free_port()}
    conf = os.path.join(d, "conf", "carbon.conf")
    with open(conf, "w") as f:
        f.write(CARBON_CONF.format(d=d, **ports))
    with open(os.path.join(d, "conf", "storage-schemas.conf"), "w") as f:
        f.write(STORAGE_SCHEMAS)
    for dirpath, _, files in os.walk(d):
        account.own(dirpath)
        for name in files:
            account.own(os.path.join(dirpath, name))
    log = os.path.join(d, "log", "console.log")
    daemon = Daemon("carbon-cache",
                    [exe, "--config=" + conf, "--debug",
                     "--pidfile=" + os.path.join(d, "run", "carbon.pid"),
                     "start"], log, account)
    daemon.start()
    try:
        wait_for("carbon-cache listening on %d" % ports["line"],
                 lambda: _accepts(ports["line"]), START_TIMEOUT,
                 proc=daemon.proc, log=log)
        daemon.port = ports["line"]
        daemon.whisper_dir = os.path.join(d, "storage", "whisper")
        yield daemon
    finally:
        daemon.stop()


# ---------------------------------------------------------- influxdb --

INFLUXDB_CONF = """reporting-enabled = false
bind-address = "127.0.0.1:{rpc}"

[meta]
  dir = "{d}/meta"

[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"
  query-log-enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:{http}"
  log-enabled = false

[logging]
  suppress-logo = true
"""
INFLUX_DB = "icinga2"


class InfluxDB(Daemon):
    """Debian's influxd (1.x) in the foreground with a throw-away
    configuration and data directory, on loopback ports."""

    def query(self, q, method="GET"):
        """InfluxQL on the suite's database; the JSON results."""
        params = urllib.parse.urlencode({"db": INFLUX_DB, "q": q,
                                         "epoch": "s"})
        url = "http://127.0.0.1:%d/query?%s" % (self.port, params)
        req = urllib.request.Request(url, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=20) as r:
            return json.loads(r.read())["results"]

    def up(self):
        try:
            opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({}))
            with opener.open("http://127.0.0.1:%d/ping" % self.port,
                             timeout=2) as r:
                return r.status == 204
        except OSError:
            return False

    def points(self, measurement, **tags):
        """Every stored point of measurement whose tags are tags: a list
        of dicts (time, every tag and field)."""
        where = " AND ".join('"%s" = \'%s\'' % (k, v.replace("'", "\\'"))
                             for k, v in sorted(tags.items()))
        q = 'SELECT * FROM "%s"%s' % (measurement, (" WHERE " + where)
                                      if where else "")
        out = []
        for res in self.query(q):
            assert "error" not in res, (q, res)
            for series in res.get("series", []):
                cols = series["columns"]
                out += [dict(zip(cols, v)) for v in series["values"]]
        return out


@pytest.fixture(scope="session")
def influx(workdir, account):
    """InfluxDB as Debian ships it, with the database Icinga writes to."""
    exe = shutil.which("influxd") or "/usr/bin/influxd"
    if not os.access(exe, os.X_OK):
        pytest.fail("influxd not found: install influxdb")
    d = os.path.join(workdir, "influxdb")
    os.makedirs(d, exist_ok=True)
    ports = {"http": free_port(), "rpc": free_port()}
    conf = os.path.join(d, "influxdb.conf")
    with open(conf, "w") as f:
        f.write(INFLUXDB_CONF.format(d=d, **ports))
    account.own(d)
    account.own(conf)
    daemon = InfluxDB("influxd", [exe, "run", "-config", conf],
                      os.path.join(d, "influxd.log"), account)
    daemon.port = ports["http"]
    daemon.start()
    try:
        wait_for("influxd answering on %d" % daemon.port, daemon.up,
                 START_TIMEOUT, proc=daemon.proc, log=daemon.log_path)
        daemon.query("CREATE DATABASE %s" % INFLUX_DB, method="POST")
        yield daemon
    finally:
        daemon.stop()


# ------------------------------------------------------ neutron agent --

@pytest.fixture(scope="session")
def agent(workdir, neutron_python, nova):
    """neutron's real ML2/OVS metadata agent (the agent suite's
    agentserver.py) on a socket the monitoring user may connect to,
    chained to this suite's Nova: the agent's hop and Nova's in one
    service give the hop labels."""
    d = os.path.join(workdir, "agent")
    os.makedirs(d, exist_ok=True)
    a = _agent.AgentServer(neutron_python, d, "ml2", nova.port)
    a.argv += release.agent_socket_for_everyone()
    try:
        a.start()
    except RuntimeError as e:
        a.stop()
        pytest.fail(str(e), pytrace=False)
    yield a
    a.stop()


# ------------------------------------------------------------ icinga2 --

API_USER, API_PASSWORD = "nm-test", "nm-test-api-password"
NODE = "nm-monitoring-test"

ICINGA2_CONF = """// Private configuration of the monitoring suite.
const NodeName = "{node}"
const ZoneName = "{node}"
const PluginDir = "/usr/lib/nagios/plugins"
const ManubulonPluginDir = PluginDir
const PluginContribDir = "{contrib_dir}"

include <itl>
include <plugins>
// The CheckCommand and templates exactly as `make install` put them; the
// installed examples linked into the zone directory with the hosts, as
// the examples file says (command_endpoint needs a zone).
include "{icinga2_conf}"
include_zones "nm-test", "{zones_dir}"

object FileLogger "main-log" {{
	path = LogDir + "/icinga2.log"
	severity = "notice"
}}
object CheckerComponent "checker" {{ }}
object Endpoint NodeName {{ }}
object Zone ZoneName {{ endpoints = [ NodeName ] }}
object ApiListener "api" {{
	bind_host = "127.0.0.1"
	bind_port = {api_port}
}}
object ApiUser "{api_user}" {{
	password = "{api_password}"
	permissions = [ "*" ]
}}
object GraphiteWriter "graphite" {{
	host = "127.0.0.1"
	port = {graphite_port}
	enable_send_thresholds = true
	enable_ha = false   // one node: write at once, not after the HA vote
}}
object InfluxdbWriter "influxdb" {{
	host = "127.0.0.1"
	port = {influx_port}
	database = "icinga2"
	flush_threshold = 1
	flush_interval = 1s
	enable_send_thresholds = true
	enable_ha = false
}}
"""

HOSTS_CONF = """// The hosts, in zone {node}: the apply rules of the examples do the rest.
template Host "nm-test-host" {{
	check_command = "dummy"
	enable_active_checks = false
	vars.nova_metadata_instance = "{uuid}"
	vars.nova_metadata_tenant = "{project}"
}}

// A host with an IPv4 address, every profile of the shipped apply rules.
object Host "nova-v4" {{
	import "nm-test-host"
	address = "127.0.0.1"
	vars.nova_metadata_port = {port}
	vars.nova_metadata_secret_file = "{secret}"
	vars.nova_metadata_profiles = [ "cloud-init", "openstack" ]
	// command_endpoint, here the local node itself
	vars.nova_metadata_endpoint = "{node}"
}}

// IPv6 only: address6 and no address; Nova on ::1.
object Host "nova-v6" {{
	import "nm-test-host"
	address6 = "::1"
	vars.nova_metadata_port = {port6}
	vars.nova_metadata_secret_file = "{secret}"
}}

// Both families, IPv6 preferred: -H must be address6, with -6.
object Host "nova-dual" {{
	import "nm-test-host"
	address = "192.0.2.1"
	address6 = "::1"
	vars.nova_metadata_ipv6 = true
	vars.nova_metadata_port = {port6}
	vars.nova_metadata_secret_file = "{secret}"
}}

object Host "nova-wrong-secret" {{
	import "nm-test-host"
	address = "127.0.0.1"
	vars.nova_metadata_port = {port}
	vars.nova_metadata_secret_file = "{wrong_secret}"
}}

// The template alone: meta_data.json of the latest version.
object Service "nova-metadata-openstack-latest" {{
	host_name = "nova-v4"
	import "nova-metadata-openstack"
}}

// The template with cloud-init's EC2 datasource (a string, not true).
object Service "nova-metadata-cloud-init-ec2" {{
	host_name = "nova-v4"
	import "nova-metadata-cloud-init"
	vars.nova_metadata_cloud_init = "ec2"
}}

// The secret from the environment (the examples' nova_metadata_env).
object Host "nova-env" {{
	import "nm-test-host"
	address = "127.0.0.1"
	vars.nova_metadata_port = {port}
	vars.nova_metadata_secret = "{secret_value}"
}}

// A network node: the examples' agent-hop rule, run here (command_endpoint
// is the node itself) against a socket no agent serves on.
object Host "network-node" {{
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.0.1"
	vars.nova_metadata_agent = {{
		endpoint = "{node}"
		instance = "{uuid}"
		forwarded_for = "192.0.2.10"
		network_id = "3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01"
		socket = "/nonexistent/neutron/metadata_proxy"
	}}
}}

// Graphs: three backends, one down (nothing listens on its port), so
// every target keeps its series and the count has a total.
object Service "nova-metadata-backends" {{
	host_name = "nova-v4"
	import "nova-metadata-ec2"
	vars.nova_metadata_address = [ "127.0.0.1:{port}", "[::1]:{port6}",
	                               "127.0.0.1:{down_port}" ]
}}

// Graphs: the agent's hop and Nova's in one run (a secret source makes
// both), through neutron's real agent.
object Service "nova-metadata-hops" {{
	host_name = "nova-v4"
	import "nova-metadata-agent"
	vars.nova_metadata_address = "127.0.0.1:{port}"
	vars.nova_metadata_agent_socket = "{agent_socket}"
	vars.nova_metadata_forwarded_for = "{canary_ip}"
	vars.nova_metadata_network_id = "{network}"
}}

// No address at all: host, port and secret come from --extra-opts.
object Host "nova-extra-opts" {{
	import "nm-test-host"
	vars.nova_metadata_extra_opts = "nm_test@{ini}"
}}
"""

EXTRA_OPTS_INI = """[nm_test]
hostname = 127.0.0.1
port = {port}
secret-file = {secret}
"""

# host!service as the shipped apply rules make them from the hosts above.
EXPECTED_SERVICES = (
    "nova-v4!nova-metadata", "nova-v4!nova-metadata-cloud-init",
    "nova-v4!nova-metadata-openstack",
    "nova-v4!nova-metadata-openstack-latest",
    "nova-v4!nova-metadata-cloud-init-ec2", "nova-v6!nova-metadata",
    "nova-dual!nova-metadata",
    "nova-wrong-secret!nova-metadata", "nova-extra-opts!nova-metadata",
    "nova-env!nova-metadata",
    "network-node!nova-metadata-agent",
    "nova-v4!nova-metadata-backends", "nova-v4!nova-metadata-hops",
)
# Services of the hosts file itself, not of the shipped apply rules.
OWN_SERVICES = (
    "nova-v4!nova-metadata-openstack-latest",
    "nova-v4!nova-metadata-cloud-init-ec2",
    "nova-v4!nova-metadata-backends", "nova-v4!nova-metadata-hops",
)


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   capture_output=True, timeout=60, stdin=subprocess.DEVNULL)


def _api_certs(certs):
    """A throwaway CA and the node's certificate (CN = NodeName), where
    Icinga 2 looks for them: DataDir/certs/."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "2", "-subj", "/CN=nm-test-ca",
             "-addext", "basicConstraints=critical,CA:TRUE", cwd=certs)
    _openssl("req", *ec, "-keyout", NODE + ".key", "-out", NODE + ".csr",
             "-subj", "/CN=" + NODE, cwd=certs)
    with open(os.path.join(certs, "ext"), "w") as f:
        f.write("subjectAltName=DNS:%s,IP:127.0.0.1\n" % NODE)
    _openssl("x509", "-req", "-in", NODE + ".csr", "-CA", "ca.crt",
             "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
             "-out", NODE + ".crt", "-extfile", "ext", cwd=certs)


class Icinga2(Daemon):
    def __init__(self, root, account, api_port):
        self.root = root
        self.api_port = api_port
        self.conf = os.path.join(root, "etc", "icinga2.conf")
        self.dirs = {k: os.path.join(root, v) for k, v in (
            ("DataDir", "lib"), ("LogDir", "log"), ("CacheDir", "cache"),
            ("SpoolDir", "spool"), ("InitRunDir", "run"))}
        defines = ["-D%s=%s" % kv for kv in sorted(self.dirs.items())]
        defines += ["-DRunAsUser=" + account.name,
                    "-DRunAsGroup=" + account.group]
        self.defines = defines
        super().__init__("icinga2", ["icinga2", "daemon", "-c", self.conf]
                         + defines, os.path.join(root, "log", "console.log"),
                         account)

    def validate(self):
        return subprocess.run(release.ICINGA2_VALIDATE + ["-c", self.conf]
                              + self.defines, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=120,
                              env=clean_env(),
                              preexec_fn=self.account.preexec)

    def api(self, path, method="GET", body=None):
        ctx = release.relax_x509_strict(ssl.create_default_context(
            cafile=os.path.join(self.dirs["DataDir"], "certs", "ca.crt")))
        ctx.check_hostname = False
        auth = base64.b64encode(("%s:%s" % (API_USER, API_PASSWORD))
                                .encode()).decode()
        req = urllib.request.Request(
            "https://127.0.0.1:%d%s" % (self.api_port, path), method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "Basic " + auth,
                     "Accept": "application/json"})
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=ctx))
        with opener.open(req, timeout=20) as r:
            return json.loads(r.read())

    def api_up(self):
        try:
            return self.api("/v1/status/IcingaApplication")["results"]
        except OSError:
            return None

    def services(self):
        res = self.api("/v1/objects/services?attrs=last_check_result"
                       "&attrs=command_endpoint&attrs=zone")["results"]
        return {r["name"]: r["attrs"] for r in res}


def _write(path, text, account, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    account.own(path, mode)


@pytest.fixture(scope="session")
def icinga2(workdir, account, installed, nova, nova_v6, monitoring_secret,
            carbon, influx, agent):
    """Debian's icinga2 in the foreground with the installed contrib files,
    every service checked once (rescheduled through the REST API), and
    the results it recorded."""
    root = os.path.join(workdir, "icinga2")
    for sub in ("etc", "lib", "lib/certs", "log", "cache", "spool", "run"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    _api_certs(os.path.join(root, "lib", "certs"))
    ini = os.path.join(root, "etc", "nova-metadata.ini")
    _write(ini, EXTRA_OPTS_INI.format(port=nova.port,
                                      secret=monitoring_secret["right"]),
           account, 0o640)
    daemon = Icinga2(root, account, free_port())
    zones = os.path.join(root, "etc", "zones.d")
    os.makedirs(os.path.join(zones, NODE))
    os.symlink(installed["icinga2_services"], os.path.join(
        zones, NODE, os.path.basename(installed["icinga2_services"])))
    _write(daemon.conf, ICINGA2_CONF.format(
        node=NODE, contrib_dir=os.path.dirname(installed["plugin"]),
        icinga2_conf=installed["icinga2"], zones_dir=zones,
        api_port=daemon.api_port, api_user=API_USER,
        api_password=API_PASSWORD, graphite_port=carbon.port,
        influx_port=influx.port), account)
    _write(os.path.join(zones, NODE, "hosts.conf"), HOSTS_CONF.format(
        node=NODE, uuid=UUID, project=PROJECT, port=nova.port,
        port6=nova_v6.port, secret=monitoring_secret["right"],
        wrong_secret=monitoring_secret["wrong"], ini=ini,
        secret_value=SECRET, down_port=free_port(),
        agent_socket=agent.socket, canary_ip=_agent.CANARY_IP,
        network=_agent.NETWORK), account)
    for dirpath, _, files in os.walk(root):
        account.own(dirpath)
        for name in files:
            account.own(os.path.join(dirpath, name))
    daemon.validation = daemon.validate()
    assert daemon.validation.returncode == 0, (
        daemon.validation.stdout.decode(errors="replace")[-4000:])
    daemon.start()
    try:
        wait_for("icinga2's API on port %d" % daemon.api_port, daemon.api_up,
                 START_TIMEOUT, interval=0.5, proc=daemon.proc,
                 log=daemon.log_path)
        # A writer not yet connected drops what it is given.
        wait_for("GraphiteWriter connected to carbon", lambda: all(
            r["attrs"]["connected"] for r in daemon.api(
                "/v1/objects/graphitewriters?attrs=connected")["results"]),
            START_TIMEOUT, interval=0.25, proc=daemon.proc,
            log=daemon.log_path)
        daemon.results = _check_all_once(daemon)
        yield daemon
    finally:
        daemon.stop()


def _check_all_once(daemon):
    """Check each service once, one after the other, and return what
    Icinga recorded. One at a time: every check of this suite asks the
    same single-process Nova, and run all at once the EC2 checks took 10
    times their usual 15 ms; on a loaded machine that crossed the
    templates' 0.5 s warning. Icinga's own schedule is switched off
    first, so that nothing runs beside the check we asked for."""
    daemon.api("/v1/objects/icingaapplications/app", "POST",
               {"attrs": {"enable_service_checks": False}})
    for name in EXPECTED_SERVICES:
        host, service = name.split("!")
        t0 = time.time()
        daemon.api("/v1/actions/reschedule-check", "POST", {
            "type": "Service", "force": True,
            "filter": 'host.name == "%s" && service.name == "%s"'
                      % (host, service)})

        def fresh():
            cr = daemon.services().get(name, {}).get("last_check_result")
            return cr and cr["schedule_start"] >= t0 - 1

        wait_for("a fresh result for %s" % name, fresh, 90, interval=0.2,
                 proc=daemon.proc,
                 log=os.path.join(daemon.dirs["LogDir"], "icinga2.log"))
    return daemon.services()
