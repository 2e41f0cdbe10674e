"""The installed chain example (nova-metadata-chain.conf): Icinga 2
validates it with hosts for the three vantage points, and its apply rules
make the services and the dependencies it promises, so that one broken
hop raises one alert."""

import os
import subprocess

import pytest

from conftest import Icinga2, PROJECT, UUID, clean_env, free_port

MASTER = "nm-chain-master"
ENDPOINTS = ("nm-satellite", "network-node-1", "canary-vm")

CONF = """const NodeName = "{master}"
const ZoneName = "{master}"
const PluginDir = "/usr/lib/nagios/plugins"
const ManubulonPluginDir = PluginDir
const PluginContribDir = "{contrib_dir}"

include <itl>
include <plugins>
include "{icinga2_conf}"

object Endpoint NodeName {{ }}
object Zone ZoneName {{ endpoints = [ NodeName ] }}
{children}
include_zones "nm-chain", "{zones_dir}"
"""

CHILD = """object Endpoint "{name}" {{ }}
object Zone "{name}" {{ endpoints = [ "{name}" ]; parent = ZoneName }}
"""

HOSTS = """object Host "nova-api-1" {{
	check_command = "dummy"
	address = "192.0.2.21"
	vars.nova_metadata_chain = "nova"
	vars.nova_metadata_endpoint = "nm-satellite"
	vars.nova_metadata_instance = "{uuid}"
	vars.nova_metadata_tenant = "{project}"
	vars.nova_metadata_secret_file = "/etc/icinga2/nova-metadata.secret"
}}
object Host "network-node-1" {{
	check_command = "dummy"
	address = "192.0.2.31"
	vars.nova_metadata_chain = "agent"
	vars.nova_metadata_nova_host = "nova-api-1"
	vars.nova_metadata_instance = "{uuid}"
	vars.nova_metadata_tenant = "{project}"
	vars.nova_metadata_agent_socket = "/var/lib/neutron/metadata_proxy"
	vars.nova_metadata_forwarded_for = "10.0.0.5"
	vars.nova_metadata_network_id = "3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01"
}}
object Host "canary-vm" {{
	check_command = "dummy"
	address = "203.0.113.10"
	vars.nova_metadata_chain = "instance"
	vars.nova_metadata_nova_host = "nova-api-1"
	vars.nova_metadata_network_node = "network-node-1"
	vars.nova_metadata_instance = "{uuid}"
	vars.nova_metadata_tenant = "{project}"
	vars.nova_metadata_canary_interface = "eth0"
}}
"""


def _find(root, name):
    for dirpath, _, files in os.walk(root):
        if name in files:
            return os.path.join(dirpath, name)
    raise AssertionError("%s not installed under %s" % (name, root))


@pytest.fixture(scope="module")
def chain_icinga2(workdir, account, installed):
    """icinga2 daemon -C over the installed example and the hosts above;
    the objects it instantiated, from `icinga2 object list`."""
    example = _find(installed["destdir"], "nova-metadata-chain.conf")
    root = os.path.join(workdir, "icinga2-chain")
    zones = os.path.join(root, "etc", "zones.d", MASTER)
    for sub in ("lib", "log", "cache", "spool", "run"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    os.makedirs(zones)
    os.symlink(example, os.path.join(zones, os.path.basename(example)))
    # Beside the services example, as the header says: its rules must
    # leave the chain's hosts alone (no second, signed check there).
    services = installed["icinga2_services"]
    os.symlink(services, os.path.join(zones, os.path.basename(services)))
    with open(os.path.join(zones, "hosts.conf"), "w") as f:
        f.write(HOSTS.format(uuid=UUID, project=PROJECT))
    daemon = Icinga2(root, account, free_port())
    with open(daemon.conf, "w") as f:
        f.write(CONF.format(
            master=MASTER, contrib_dir=os.path.dirname(installed["plugin"]),
            icinga2_conf=installed["icinga2"],
            zones_dir=os.path.join(root, "etc", "zones.d"),
            children="".join(CHILD.format(name=n) for n in ENDPOINTS)))
    for dirpath, _, files in os.walk(root):
        account.own(dirpath)
        for name in files:
            account.own(os.path.join(dirpath, name))
    validation = daemon.validate()
    listing = subprocess.run(
        ["icinga2", "object", "list", "--type", "Dependency"] +
        daemon.defines, capture_output=True, timeout=120, env=clean_env(),
        stdin=subprocess.DEVNULL, preexec_fn=account.preexec)
    services = subprocess.run(
        ["icinga2", "object", "list", "--type", "Service"] +
        daemon.defines, capture_output=True, timeout=120, env=clean_env(),
        stdin=subprocess.DEVNULL, preexec_fn=account.preexec)
    return validation, listing.stdout.decode(errors="replace"), \
        services.stdout.decode(errors="replace")


def test_chain_example_validates(chain_icinga2):
    validation, _, _ = chain_icinga2
    out = validation.stdout.decode(errors="replace")
    assert validation.returncode == 0, out
    assert "Finished validating the configuration" in out, out
    # The services example's rules match none of the chain's hosts (so
    # Icinga warns that they match nowhere); nothing else may warn.
    warnings = [l for l in out.splitlines() if "warning/" in l and not (
        "nova-metadata-services.conf" in l and
        "does not match anywhere" in l)]
    assert not warnings, out
    assert "Instantiated 4 Services" in out, out
    assert "Instantiated 5 Dependencies" in out, out


def test_chain_example_services(chain_icinga2):
    _, _, services = chain_icinga2
    for name in ("nova-api-1!nova-metadata-nova",
                 "network-node-1!nova-metadata-agent",
                 "canary-vm!nova-metadata-instance",
                 "canary-vm!nova-metadata-instance-ipv6"):
        assert "Object '%s' of type 'Service'" % name in services, services


@pytest.mark.parametrize("child,parent", [
    ("network-node-1!nova-metadata-agent", "nova-api-1"),
    ("canary-vm!nova-metadata-instance", "nova-api-1"),
    ("canary-vm!nova-metadata-instance", "network-node-1"),
    ("canary-vm!nova-metadata-instance-ipv6", "network-node-1"),
])
def test_one_broken_hop_one_alert(chain_icinga2, child, parent):
    """Each service further from Nova depends on the hop behind it, with
    notifications off while that hop is broken."""
    _, deps, _ = chain_icinga2
    blocks = deps.split("Object '")
    hits = [b for b in blocks if b.startswith(child + "!")
            and '* parent_host_name = "%s"' % parent in b]
    assert len(hits) == 1, deps
    assert "* disable_notifications = true" in hits[0], hits[0]
