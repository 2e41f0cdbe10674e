"""What neutron's real metadata agent (Zed or Epoxy) answers, chained to
Nova's real handler: the answers the plugin's --agent-socket mode must
map.

Requests go over the agent's UNIX socket with the headers haproxy adds
in the router, DHCP or ovnmeta namespace, and no Accept header (Zed's
bodies are then webob's text/plain pages; tests/agent/README.md). The
answers that differ between releases come from release.agent_answer.
"""

import json
import os
import stat

import pytest

import release
from conftest import (NETWORK, NET_OTHER, NET_TWO_PORTS,
                      NO_PORT_IP, OTHER_PROJECT, OTHER_UUID, PROJECT,
                      ROUTER, UUID, free_port)

LISTING = "/latest/meta-data/"
META_DATA = "/openstack/latest/meta_data.json"



def lookup(agent, network=NETWORK):
    """The haproxy header naming the canary's network, per agent kind."""
    if agent.mode == "ovn":
        return {"ovn_network": network}
    return {"network": network}


def assert_listing(status, headers, body):
    assert status == 200, (status, body)
    assert headers["Content-Type"] == "text/plain; charset=UTF-8"
    keys = body.decode().split("\n")
    assert len(keys) == 15 and len(body) == 210, body
    assert "instance-id" in keys and "local-ipv4" in keys, keys


def meta_data(status, body):
    assert status == 200, (status, body)
    return json.loads(body)


def test_ml2_ok_by_network_id(ml2_agent):
    status, headers, body, _ = ml2_agent.request(LISTING, network=NETWORK)
    assert_listing(status, headers, body)
    md = meta_data(*ml2_agent.request(META_DATA, network=NETWORK)[::2])
    assert (md["uuid"], md["project_id"]) == (UUID, PROJECT), md


def test_ml2_ok_by_router_id(ml2_agent):
    """The router's interfaces give the networks, the IP gives the port."""
    status, headers, body, _ = ml2_agent.request(LISTING, router=ROUTER)
    assert_listing(status, headers, body)
    md = meta_data(*ml2_agent.request(META_DATA, router=ROUTER)[::2])
    assert (md["uuid"], md["project_id"]) == (UUID, PROJECT), md


def test_ovn_ok(ovn_agent):
    status, headers, body, _ = ovn_agent.request(LISTING,
                                                 ovn_network=NETWORK)
    assert_listing(status, headers, body)
    md = meta_data(*ovn_agent.request(META_DATA, ovn_network=NETWORK)[::2])
    assert (md["uuid"], md["project_id"]) == (UUID, PROJECT), md


def test_ec2_instance_id_through_agent(any_agent, agent_nova):
    status, _, body, _ = any_agent.request(LISTING + "instance-id",
                                           **lookup(any_agent))
    assert (status, body.decode()) == (
        200, agent_nova.info["ec2_instance_id"])


def test_agent_secret_differs(any_agent):
    """Nova rejects the agent's signature; Zed's agent passes a 403 of its
    own on (not Nova's text), Epoxy's passes Nova's page through."""
    any_agent.set(metadata_proxy_shared_secret="0ddba11c0ffee123")
    status, headers, body, _ = any_agent.request(LISTING,
                                                 **lookup(any_agent))
    assert (status, body) == release.agent_answer("secret")
    if release.IS_EPOXY:
        assert headers["Content-Type"] == "text/html; charset=UTF-8"
        return
    assert headers["Content-Type"] == "text/plain; charset=UTF-8"
    # curl's default Accept: */* gets the same page as HTML
    status, headers, body, _ = any_agent.request(
        LISTING, headers={"Accept": "*/*"}, **lookup(any_agent))
    assert status == 403
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    assert b"<title>403 Forbidden</title>" in body
    assert b"Access was denied to this resource.<br /><br />" in body


def test_nova_unreachable(any_agent):
    """Nothing listens where the agent looks for Nova (stopped, or a typo
    in nova_metadata_port): Zed answers 500, "An unknown error"; Epoxy
    503, "The remote metadata server is temporarily unavailable"."""
    any_agent.set(nova_metadata_port=free_port())
    status, _, body, _ = any_agent.request(LISTING, **lookup(any_agent))
    assert (status, body) == release.agent_answer("nova-down")


def test_no_port_for_the_ip(any_agent):
    """Zed: webob's 404, the same as Nova's; Epoxy: a 404 of the agent's
    own naming the network."""
    status, _, body, _ = any_agent.request(LISTING, forwarded_for=NO_PORT_IP,
                                           **lookup(any_agent))
    assert (status, body) == release.agent_answer("no-port", NETWORK)


def test_no_port_on_that_network(any_agent):
    """The right IP, another network: the lookup finds nothing."""
    other = "7d000000-0000-4a00-8000-0000000000ff"
    status, _, body, _ = any_agent.request(LISTING,
                                           **lookup(any_agent, other))
    assert (status, body) == release.agent_answer("no-port", other)


def test_two_ports_for_one_ip(any_agent):
    """Both releases answer only when exactly one port matches: two give
    the same 404 as none."""
    status, _, body, _ = any_agent.request(
        LISTING, **lookup(any_agent, NET_TWO_PORTS))
    assert (status, body) == release.agent_answer("no-port", NET_TWO_PORTS)


def test_ml2_both_ids_given(ml2_agent):
    """Both X-Neutron-Network-ID and X-Neutron-Router-ID: the agent drops
    the request as possibly spoofed; Zed answers 404, Epoxy 400 naming
    both."""
    status, _, body, _ = ml2_agent.request(LISTING, network=NETWORK,
                                           router=ROUTER)
    assert (status, body) == release.agent_answer("both-ids", NETWORK,
                                                  ROUTER)


def test_slow_nova(any_agent, slow_nova):
    """A delay in front of Nova: the agent waits, the answer is whole."""
    any_agent.set(nova_metadata_port=slow_nova.port)
    status, headers, body, seconds = any_agent.request(LISTING,
                                                       **lookup(any_agent))
    assert_listing(status, headers, body)
    assert seconds >= slow_nova.delay, seconds


def test_agent_answers_for_another_instance(any_agent):
    """The canary's IP is another instance's port on that network: the
    agent signs for that instance and Nova serves it, 200."""
    md = meta_data(*any_agent.request(
        META_DATA, **lookup(any_agent, NET_OTHER))[::2])
    assert (md["uuid"], md["project_id"]) == (OTHER_UUID, OTHER_PROJECT)
    assert md["uuid"] != UUID


def test_agent_restored_after_each_case(any_agent):
    """The fixture's reset gives back the working agent (order of the
    cases does not matter)."""
    any_agent.set(metadata_proxy_shared_secret="x", nova_metadata_port=1)
    any_agent.reset()
    md = meta_data(*any_agent.request(META_DATA, **lookup(any_agent))[::2])
    assert md["uuid"] == UUID


@pytest.mark.parametrize("name,value", [("nova_metadata_protocol", "https"),
                                        ("debug", False)])
def test_control_refuses_other_options(ml2_agent, name, value):
    with pytest.raises(Exception) as e:
        ml2_agent.set(**{name: value})
    assert "400" in str(e.value)



def test_socket_mode_as_the_agent_deduces_it(any_agent):
    """metadata_proxy_socket_mode = deduce, no metadata_proxy_user: the
    agent's user alone may connect, as on a network node where the
    plugin must run as root or the agent's user. Zed chmods the socket
    to 0644; Epoxy ignores the option and creates it from the umask
    (0755 under the usual 022): only the owner may write, i.e. connect."""
    st = os.stat(any_agent.socket)
    assert stat.S_ISSOCK(st.st_mode)
    if release.AGENT_SOCKET_MODE_FROM_UMASK:
        umask = os.umask(0)
        os.umask(umask)
        assert stat.S_IMODE(st.st_mode) == 0o777 & ~umask, oct(st.st_mode)
    else:
        assert stat.S_IMODE(st.st_mode) == 0o644, oct(st.st_mode)
    assert st.st_uid == os.geteuid()
