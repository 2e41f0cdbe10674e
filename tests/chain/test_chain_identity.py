"""Through the chain the agent, not the plugin, chooses the instance: the
answer must prove to be the canary's. Here the router namespace serves a
network on which the canary's fixed IP is another instance's port (the
agent suite's NET_OTHER), so the real agent signs for that instance and
Nova answers with its metadata.

The EC2 case relies on the proof that the answer is the canary's in every
mode (meta_data.json's uuid = -i, project_id = -T), which the agent hop
brings for every target that is not Nova; until it is in, that case
fails (which is the bug it guards against: an OK for another instance).
"""

from conftest import OTHER_UUID, UUID, _agent

NET_OTHER = _agent.NET_OTHER
LABEL = "NOVA METADATA "


def _assert_other(r):
    assert r.rc == 2, r
    assert r.first.startswith(LABEL + "CRITICAL - canary %s, instance view "
                              % UUID[:8]), r
    assert OTHER_UUID in r.stdout and UUID in r.stdout, r
    assert [p["label"] for p in r.perfdata][:2] == ["time", "size"], r


def test_other_instance_openstack(canary, haproxy_factory, agent):
    haproxy_factory(agent.socket, network_id=NET_OTHER)
    r = canary.run("-O")
    _assert_other(r)
    assert "uuid" in r.summary, r


def test_other_instance_ec2(canary, haproxy_factory, agent):
    haproxy_factory(agent.socket, network_id=NET_OTHER)
    _assert_other(canary.run())
