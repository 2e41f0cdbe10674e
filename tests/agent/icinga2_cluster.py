"""Two Debian icinga2 daemons on loopback: a master and an agent endpoint.

Each node has its own directories (-D DataDir, LogDir, ...), its own API
port and a certificate from `icinga2 pki` (new-ca on the master's
DataDir, new-cert and sign-csr for both), and runs in the foreground as
the monitoring user (nagios when root), as tests/monitoring runs one.
zones.conf makes the agent's zone a child of the master's; the master
connects to the agent, which accepts commands (command_endpoint) and
holds no objects of its own beyond the CheckCommands.

The checks are a parameter: `commands` (CheckCommand definitions, given
to both nodes, as a global zone would) and `services` (Hosts and Services
for the master; `AGENT` is the agent endpoint's name).
"""

import os
import subprocess
import time

from nova_helpers import load_suite

_mon = load_suite("monitoring")
Account = _mon.Account
Icinga2 = _mon.Icinga2
free_port = _mon.free_port
wait_for = _mon.wait_for
clean_env = _mon.clean_env
write = _mon._write

MASTER, AGENT = "nm-master", "nm-agent"
START_TIMEOUT = 60
RESULT_TIMEOUT = 60

ZONES = """object Endpoint "{master}" {{ }}
object Endpoint "{agent}" {{
	host = "127.0.0.1"   // the master connects to the agent
	port = {agent_port}
}}
object Zone "{master}" {{ endpoints = [ "{master}" ] }}
object Zone "{agent}" {{
	endpoints = [ "{agent}" ]
	parent = "{master}"
}}
"""

NODE_CONF = """// One node of the agent suite's two-node cluster.
const NodeName = "{node}"
const ZoneName = "{node}"
const PluginDir = "/usr/lib/nagios/plugins"

include <itl>
include "zones.conf"
include "commands.conf"
{node_only}
object FileLogger "main-log" {{
	path = LogDir + "/icinga2.log"
	severity = "notice"
}}
object ApiListener "api" {{
	bind_host = "127.0.0.1"
	bind_port = {api_port}
	accept_commands = {accept_commands}
	accept_config = false
}}
object ApiUser "{api_user}" {{
	password = "{api_password}"
	permissions = [ "*" ]
}}
"""

# The services in the master's zone directory, as in production (a
# command_endpoint needs the checkable in a zone).
MASTER_ONLY = """object CheckerComponent "checker" { }
include_zones "nm-test", "zones.d"
"""


def _pki(account, *args, cwd):
    p = subprocess.run(["icinga2", "pki"] + list(args), cwd=cwd,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=120, env=clean_env(),
                       preexec_fn=account.preexec)
    assert p.returncode == 0, "icinga2 pki %s failed:\n%s" % (
        args[0], (p.stdout + p.stderr).decode(errors="replace")[-2000:])


def make_certs(account, master_data, nodes):
    """The master's CA (new-ca in its DataDir), then for each node a key
    and CSR (new-cert) signed by it (sign-csr), where the ApiListener
    looks: DataDir/certs/NODE.{key,crt} and ca.crt."""
    _pki(account, "new-ca", "-DDataDir=" + master_data, cwd=master_data)
    with open(os.path.join(master_data, "ca", "ca.crt"), "rb") as f:
        ca = f.read()
    for node, data in nodes.items():
        certs = os.path.join(data, "certs")
        _pki(account, "new-cert", "--cn", node, "--key", node + ".key",
             "--csr", node + ".csr", cwd=certs)
        _pki(account, "sign-csr", "--csr", node + ".csr", "--cert",
             node + ".crt", "-DDataDir=" + master_data, cwd=certs)
        with open(os.path.join(certs, "ca.crt"), "wb") as f:
            f.write(ca)


def _node(workdir, account, name):
    root = os.path.join(workdir, name)
    for sub in ("etc", "lib", "lib/certs", "log", "cache", "spool", "run"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
        account.own(os.path.join(root, sub))
    account.own(root)
    return Icinga2(root, account, free_port())


def _configure(daemon, node, zones, commands, services):
    etc = os.path.dirname(daemon.conf)
    master = node == MASTER
    files = {"zones.conf": zones, "commands.conf": commands}
    if master:
        os.makedirs(os.path.join(etc, "zones.d", MASTER))
        files[os.path.join("zones.d", MASTER, "services.conf")] = services
    files["icinga2.conf"] = NODE_CONF.format(
        node=node, api_port=daemon.api_port,
        node_only=MASTER_ONLY if master else "",
        accept_commands="false" if master else "true",
        api_user=_mon.API_USER, api_password=_mon.API_PASSWORD)
    for name, text in files.items():
        write(os.path.join(etc, name), text, daemon.account)
    for dirpath, _, names in os.walk(daemon.root):
        daemon.account.own(dirpath)
        for name in names:
            daemon.account.own(os.path.join(dirpath, name))
    daemon.validation = daemon.validate()
    assert daemon.validation.returncode == 0, "%s: %s" % (
        node, daemon.validation.stdout.decode(errors="replace")[-4000:])


class Cluster:
    """The running pair; stop() reaps both."""

    def __init__(self, workdir, account, commands, services):
        self.account = account
        self.master = _node(workdir, account, MASTER)
        self.agent = _node(workdir, account, AGENT)
        make_certs(account, self.master.dirs["DataDir"], {
            MASTER: self.master.dirs["DataDir"],
            AGENT: self.agent.dirs["DataDir"]})
        zones = ZONES.format(master=MASTER, agent=AGENT,
                             agent_port=self.agent.api_port)
        _configure(self.master, MASTER, zones, commands, services)
        _configure(self.agent, AGENT, zones, commands, "")

    def start(self):
        for d in (self.agent, self.master):
            d.start()
        for d in (self.agent, self.master):
            wait_for("icinga2 %s's API" % d.root, d.api_up, START_TIMEOUT,
                     interval=0.5, proc=d.proc, log=d.log_path)
        wait_for("the master connected to the agent endpoint",
                 self.agent_connected, START_TIMEOUT, interval=0.25,
                 proc=self.master.proc, log=self.log(self.master))
        return self

    def stop(self):
        for d in (self.master, self.agent):
            d.stop()

    @staticmethod
    def log(daemon):
        return os.path.join(daemon.dirs["LogDir"], "icinga2.log")

    def agent_connected(self):
        res = self.master.api("/v1/objects/endpoints?attrs=connected")
        return any(r["name"] == AGENT and r["attrs"]["connected"]
                   for r in res["results"])

    def check_now(self, host, service):
        """Force one check of host!service on the master and return the
        result it records (bounded wait)."""
        name = "%s!%s" % (host, service)
        t0 = time.time()
        self.master.api("/v1/actions/reschedule-check", "POST", {
            "type": "Service", "force": True,
            "filter": 'host.name == "%s" && service.name == "%s"'
                      % (host, service)})

        def fresh():
            res = self.master.api(
                "/v1/objects/services?attrs=last_check_result"
                "&attrs=command_endpoint&attrs=zone")["results"]
            attrs = {r["name"]: r["attrs"] for r in res}.get(name, {})
            cr = attrs.get("last_check_result")
            return cr and cr["schedule_start"] >= t0 - 1 and attrs

        return wait_for("a fresh result for %s" % name, fresh,
                        RESULT_TIMEOUT, interval=0.2,
                        proc=self.master.proc, log=self.log(self.master))
