"""Icinga 2's own distributed engine: the master schedules a service
whose command_endpoint is the agent endpoint, the agent endpoint runs
it, the master records the result and its perfdata."""

import pytest

from icinga2_cluster import AGENT, MASTER

# Both nodes define it (as a global zone would sync it); the text names
# the node whose definition ran, from that node's own NodeName constant.
SH_COMMAND = """object CheckCommand "nm-from-node" {
	command = [ "/bin/sh", "-c" ]
	arguments = { "" = {
		value = "echo 'OK - from " + NodeName + " as '$$(id -un)'|x=1;2;3;0;'"
		skip_key = true
	} }
}
"""

SERVICES = """object Host "network-node-1" {
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.0.1"
}
template Service "on-agent" {
	command_endpoint = "%(agent)s"
	check_interval = 5m   // forced by the test, not by the schedule
	retry_interval = 5m
}
object Service "sh-on-agent" {
	import "on-agent"
	host_name = "network-node-1"
	check_command = "nm-from-node"
}
object Service "dummy-on-agent" {
	import "on-agent"
	host_name = "network-node-1"
	check_command = "dummy"
	vars.dummy_state = 1
	vars.dummy_text = "WARNING - dummy on " + NodeName + "|y=2s;1;3"
}
object Service "sh-on-master" {
	host_name = "network-node-1"
	check_command = "nm-from-node"
	check_interval = 5m
}
""" % {"agent": AGENT}


@pytest.fixture(scope="module")
def cluster(icinga2_cluster):
    return icinga2_cluster(SH_COMMAND, SERVICES)


def test_both_nodes_validate(cluster):
    for node in (cluster.master, cluster.agent):
        out = node.validation.stdout.decode(errors="replace")
        assert "Finished validating the configuration" in out, out
        assert "warning/" not in out, out


def test_service_runs_on_the_agent_endpoint(cluster):
    attrs = cluster.check_now("network-node-1", "sh-on-agent")
    cr = attrs["last_check_result"]
    assert attrs["command_endpoint"] == AGENT and attrs["zone"] == MASTER
    assert cr["check_source"] == AGENT, cr
    assert (cr["exit_status"], cr["state"]) == (0, 0), cr
    # the agent's CheckCommand ran: its NodeName is in the text
    assert cr["output"] == "OK - from %s as %s" % (
        AGENT, cluster.account.name), cr
    assert cr["performance_data"] == ["x=1;2;3;0;"], cr
    assert cr["command"][:2] == ["/bin/sh", "-c"], cr


def test_dummy_runs_on_the_agent_endpoint(cluster):
    attrs = cluster.check_now("network-node-1", "dummy-on-agent")
    cr = attrs["last_check_result"]
    assert cr["check_source"] == AGENT, cr
    assert (cr["exit_status"], cr["state"]) == (1, 1), cr
    # the text is the master's macro value, the agent ran the check
    assert cr["output"] == "WARNING - dummy on %s" % MASTER, cr
    assert cr["performance_data"] == ["y=2s;1;3"], cr


def test_local_service_runs_on_the_master(cluster):
    """The contrast: without command_endpoint the master runs it."""
    attrs = cluster.check_now("network-node-1", "sh-on-master")
    cr = attrs["last_check_result"]
    assert attrs["command_endpoint"] == ""
    assert cr["check_source"] == MASTER, cr
    assert cr["output"].startswith("OK - from %s as " % MASTER), cr
    assert cr["performance_data"] == ["x=1;2;3;0;"], cr
