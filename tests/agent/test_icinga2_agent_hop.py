"""The plugin's agent-hop service from contrib, on Icinga 2's own
distributed engine: the master schedules it with command_endpoint, the
agent endpoint runs the plugin against neutron's real agent on its
socket, the master records the result and its perfdata."""

import os
import shutil
import tempfile

import pytest

from conftest import (AgentServer, CANARY_IP, NETWORK, NET_TWO_PORTS,
                      PROJECT, UUID)
from icinga2_cluster import AGENT, MASTER
import release

CONTRIB = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "contrib", "icinga2")


def _read(name):
    with open(os.path.join(CONTRIB, name), encoding="utf-8") as f:
        return f.read()


@pytest.fixture(scope="module")
def open_agent(neutron_python, agent_nova):
    """An ML2/OVS agent whose socket Icinga's user may connect to (Zed:
    metadata_proxy_socket_mode = all; Epoxy: the agent's umask), as when
    the check runs in the agent's group on a network node."""
    d = tempfile.mkdtemp(prefix="nm-agent-icinga-")
    os.chmod(d, 0o755)
    agent = AgentServer(neutron_python, d, "ml2", agent_nova.port)
    agent.argv += release.agent_socket_for_everyone()
    try:
        agent.start()
        yield agent
    finally:
        agent.stop()
        shutil.rmtree(d, ignore_errors=True)


def _host(name, network, socket):
    """A network node as the examples describe it; the socket is this
    test's agent's, not the default path."""
    return """object Host "%s" {
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.0.1"
	vars.nova_metadata_agent = {
		endpoint = "%s"
		instance = "%s"
		tenant = "%s"
		forwarded_for = "%s"
		network_id = "%s"
		socket = "%s"
	}
}
""" % (name, AGENT, UUID, PROJECT, CANARY_IP, network, socket)


@pytest.fixture(scope="module")
def cluster(icinga2_cluster, foreign_plugin_dir, open_agent):
    # The contrib files as they are: the CheckCommand and templates on
    # both nodes, the examples' apply rules and the hosts on the master;
    # the plugin where the endpoint's account may run it.
    commands = ("include <plugins>\nconst PluginContribDir = \"%s\"\n"
                % foreign_plugin_dir) + _read("nova-metadata.conf")
    services = (_read("nova-metadata-services.conf")
                + _host("network-node-1", NETWORK, open_agent.socket)
                + _host("network-node-2", NET_TWO_PORTS, open_agent.socket))
    return icinga2_cluster(commands, services)


def test_agent_hop_runs_on_the_agent_endpoint(cluster, open_agent):
    attrs = cluster.check_now("network-node-1", "nova-metadata-agent")
    cr = attrs["last_check_result"]
    assert attrs["command_endpoint"] == AGENT and attrs["zone"] == MASTER
    assert cr["check_source"] == AGENT, cr
    assert (cr["exit_status"], cr["state"]) == (0, 0), (cr["output"], cr["command"])
    assert cr["output"].startswith(
        "NOVA METADATA OK - canary %s via agent %s: HTTP 200, 2/2 keys, "
        % (UUID[:8], open_agent.socket)), cr
    assert "--agent-socket=" + open_agent.socket in cr["command"], cr
    assert "-H" not in cr["command"], cr
    perf = cr["performance_data"]
    assert [p.split("=")[0] for p in perf] == ["time", "size"], cr
    assert perf[0].endswith("s;1;3;0;10"), cr


def test_agent_hop_failure_recorded(cluster, open_agent):
    """Two ports hold the canary's IP on that network: CRITICAL, with
    the agent's port lookup named, recorded by the master."""
    attrs = cluster.check_now("network-node-2", "nova-metadata-agent")
    cr = attrs["last_check_result"]
    assert cr["check_source"] == AGENT, cr
    assert (cr["exit_status"], cr["state"]) == (2, 2), cr
    assert cr["output"].startswith(
        "NOVA METADATA CRITICAL - canary %s via agent %s: HTTP 404 no port "
        "for the address, "
        % (UUID[:8], open_agent.socket)), cr
    assert "the agent found no port for %s on network %s" % (
        CANARY_IP, NET_TWO_PORTS) in cr["output"], cr
    assert [p.split("=")[0] for p in cr["performance_data"]] == \
        ["time", "size"], cr
