"""Icinga 2 runs the installed CheckCommand, service templates and apply
rules against Nova's own handler; we assert what it recorded."""

import os
import re
import subprocess

from conftest import EXPECTED_SERVICES, NODE, OWN_SERVICES, Result, SECRET


def recorded(icinga2, name):
    """The check result Icinga recorded, with its perfdata parsed as the
    plugin's own tests parse it."""
    cr = icinga2.results[name]["last_check_result"]
    # Icinga 2.13's API gives performance_data as the plugin's strings.
    assert all(isinstance(p, str) for p in cr["performance_data"]), cr
    parsed = Result(cr["command"], int(cr["exit_status"]),
                    cr["output"].split("\n", 1)[0] + " | "
                    + " ".join(cr["performance_data"]), "", 0)
    return cr, parsed


def argv_has(cr, *words):
    cmd = cr["command"]
    for i in range(len(cmd) - len(words) + 1):
        if tuple(cmd[i:i + len(words)]) == words:
            return True
    return False


def test_icinga2_validates_installed_contrib(icinga2):
    out = icinga2.validation.stdout.decode(errors="replace")
    assert icinga2.validation.returncode == 0, out
    assert "Finished validating the configuration" in out
    assert "warning/" not in out, out


def test_apply_rules_make_the_expected_services(icinga2, installed):
    # exactly these: no rule applies where it should not
    assert set(icinga2.results) == set(EXPECTED_SERVICES)
    for name in EXPECTED_SERVICES:
        cr = icinga2.results[name]["last_check_result"]
        # the installed plugin, found through PluginContribDir
        assert cr["command"][0] == installed["plugin"], cr


def test_normal_host_ok(icinga2, nova):
    cr, r = recorded(icinga2, "nova-v4!nova-metadata")
    assert r.rc == 0 and cr["state"] == 0, cr
    assert r.first.startswith(
        "NOVA METADATA OK - canary 32d0524b on 127.0.0.1:%d" % nova.port), cr
    assert argv_has(cr, "-H", "127.0.0.1") and argv_has(cr, "-p",
                                                        str(nova.port)), cr
    # the template's thresholds reach the plugin and come back in perfdata
    assert argv_has(cr, "-w", "0.5") and argv_has(cr, "-c", "2"), cr
    assert [p["label"] for p in r.perfdata][:2] == ["time", "size"], cr
    time_ = r.perf("time")
    assert time_["uom"] == "s" and 0 < time_["value"] < 2, cr
    assert (time_["warn"], time_["crit"]) == ("0.5", "2"), cr
    size = r.perf("size")
    assert size["uom"] == "B" and size["value"] == 210, cr
    assert not argv_has(cr, "--cloud-init") and not any(
        a.startswith("--openstack") for a in cr["command"]), cr


def test_command_endpoint_from_host_variable(icinga2):
    """The examples' rules set command_endpoint from the host's variable
    (here the node itself) and keep the zone they were put in."""
    for name, attrs in icinga2.results.items():
        assert attrs["zone"] == NODE, (name, attrs["zone"])
        by_shipped_rule = name not in OWN_SERVICES
        want = NODE if (name.startswith("nova-v4!") or name.startswith(
            "network-node!")) and by_shipped_rule else ""
        assert attrs["command_endpoint"] == want, (name, attrs)
    cr, r = recorded(icinga2, "nova-v4!nova-metadata")
    assert r.rc == 0 and cr["state"] == 0, cr


def test_agent_hop_from_the_examples(icinga2):
    """The examples' agent rule turns the host's dictionary into the
    agent's options, and nothing else reaches the command line."""
    cr, r = recorded(icinga2, "network-node!nova-metadata-agent")
    path = "/nonexistent/neutron/metadata_proxy"
    assert "--agent-socket=" + path in cr["command"], cr
    assert argv_has(cr, "--forwarded-for", "192.0.2.10") and argv_has(
        cr, "--network-id", "3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01"), cr
    for absent in ("-H", "-T", "--router-id", "--ovn-network-id",
                   "--secret-file"):
        assert absent not in cr["command"], cr
    assert r.rc == 2 and cr["state"] == 2, cr
    assert cr["output"].split("\n")[0] == (
        "NOVA METADATA CRITICAL - canary 32d0524b via agent %s: not "
        "serving" % path), cr
    assert ("the agent is not serving on %s (No such file or directory)"
            % path) in cr["output"], cr
    assert cr["performance_data"] == [], cr


def test_ipv6_only_host_ok(icinga2, nova_v6):
    cr, r = recorded(icinga2, "nova-v6!nova-metadata")
    assert argv_has(cr, "-H", "::1"), cr
    assert r.rc == 0, cr
    assert r.first.startswith(
        "NOVA METADATA OK - canary 32d0524b on [::1]:%d" % nova_v6.port), cr
    assert r.perf("time")["uom"] == "s" and r.perf("size")["value"] == 210


def test_dual_stack_host_prefers_ipv6_when_asked(icinga2, nova_v6):
    cr, r = recorded(icinga2, "nova-dual!nova-metadata")
    assert argv_has(cr, "-H", "::1") and "-6" in cr["command"], cr
    assert "-4" not in cr["command"], cr
    assert r.rc == 0, cr
    assert r.first.startswith(
        "NOVA METADATA OK - canary 32d0524b on [::1]:%d" % nova_v6.port), cr


# An option's own line in --help: " -H, --hostname=ADDRESS" or
# "     --ca-cert=FILE"; its description follows, indented further.
OPTION_LINE = re.compile(r"^ (?:(-\w)(?:\[\w+\])?, |    )(--[a-z0-9-]+)")


def _help_options(plugin):
    """The options --help lists, each as the set of its spellings."""
    out = subprocess.run([plugin, "--help"], capture_output=True,
                         stdin=subprocess.DEVNULL, timeout=20).stdout
    options = []
    for line in out.decode().splitlines():
        m = OPTION_LINE.match(line)
        if m:
            options.append({w for w in m.groups() if w})
    return options


def test_a_variable_for_every_option(icinga2, installed):
    """Every option of the plugin's --help is an argument of the
    CheckCommand, and every argument has a description."""
    cmd = icinga2.api("/v1/objects/checkcommands/nova_metadata"
                      "?attrs=arguments")["results"][0]["attrs"]
    args = cmd["arguments"]
    keys = {k.split("=")[0] for k in args}
    options = _help_options(installed["plugin"])
    assert len(options) > 20, options
    missing = [o for o in options if not o & keys
               and not o & {"-h", "--help", "-V", "--version"}]
    assert missing == [], missing
    for key, spec in args.items():
        assert isinstance(spec, dict) and spec.get("description"), key


def test_wrong_secret_critical_403(icinga2):
    cr, r = recorded(icinga2, "nova-wrong-secret!nova-metadata")
    assert r.rc == 2 and cr["state"] == 2, cr
    assert r.first.startswith("NOVA METADATA CRITICAL - "), cr
    assert "403" in r.first, cr
    assert r.perf("time")["uom"] == "s", cr


def test_host_from_extra_opts(icinga2, nova):
    cr, r = recorded(icinga2, "nova-extra-opts!nova-metadata")
    assert "-H" not in cr["command"] and "-p" not in cr["command"], cr
    assert any(a.startswith("nm_test@") for a in cr["command"]), cr
    assert r.rc == 0, cr
    assert r.first.startswith(
        "NOVA METADATA OK - canary 32d0524b on 127.0.0.1:%d" % nova.port), cr


def test_cloud_init_template(icinga2):
    cr, r = recorded(icinga2, "nova-v4!nova-metadata-cloud-init")
    assert argv_has(cr, "--cloud-init"), cr
    assert argv_has(cr, "-w", "5") and argv_has(cr, "-c", "15"), cr
    assert argv_has(cr, "-t", "30"), cr
    assert r.rc == 0, cr
    assert r.first.startswith("NOVA METADATA OK - "), cr
    assert "28 requests" in r.first, cr
    labels = [p["label"] for p in r.perfdata]
    assert labels[:3] == ["time", "size", "requests"], cr
    assert r.perf("requests")["value"] == 28
    assert (r.perf("time")["warn"], r.perf("time")["crit"]) == ("5", "15")
    assert "ec2_time" in labels and "meta_data_time" in labels, cr


def test_cloud_init_ec2_datasource(icinga2):
    """nova_metadata_cloud_init = "ec2": --cloud-init=ec2, never the
    bare --cloud-init (the OpenStack datasource's) beside it."""
    cr, r = recorded(icinga2, "nova-v4!nova-metadata-cloud-init-ec2")
    assert "--cloud-init=ec2" in cr["command"], cr
    assert "--cloud-init" not in cr["command"], cr
    assert r.rc == 0, cr
    assert r.first.startswith("NOVA METADATA OK - "), cr
    assert "cloud-init Ec2 profile" in r.first, cr


def test_openstack_template_with_version(icinga2):
    cr, r = recorded(icinga2, "nova-v4!nova-metadata-openstack")
    assert "--openstack=2018-08-27" in cr["command"], cr
    assert "--openstack" not in cr["command"], cr
    assert r.rc == 0, cr
    assert r.first.startswith("NOVA METADATA OK - "), cr


def test_openstack_template_latest(icinga2):
    cr, r = recorded(icinga2, "nova-v4!nova-metadata-openstack-latest")
    assert argv_has(cr, "--openstack"), cr
    assert not any(a.startswith("--openstack=") for a in cr["command"]), cr
    assert r.rc == 0, cr
    assert r.first.startswith("NOVA METADATA OK - "), cr
    assert r.perf("size")["uom"] == "B", cr


def test_secret_from_environment(icinga2, nova):
    """The examples' nova_metadata_env: the secret reaches the plugin
    through its environment, not its argv; and, as the examples warn,
    Icinga's API shows it to whoever may read host variables."""
    cr, r = recorded(icinga2, "nova-env!nova-metadata")
    assert r.rc == 0, cr
    assert r.first.startswith(
        "NOVA METADATA OK - canary 32d0524b on 127.0.0.1:%d" % nova.port), cr
    assert not any(a.startswith("--secret-file") or a == "--nova-conf"
                   for a in cr["command"]), cr
    host = icinga2.api("/v1/objects/hosts/nova-env?attrs=vars")["results"]
    assert host[0]["attrs"]["vars"]["nova_metadata_secret"] == SECRET


# Where the secret of the environment alternative sits by design, as the
# examples file says: Icinga's configuration, its object cache, and the
# API's copy of the zone's configuration. And the neutron agent's own
# directory: its configuration holds the secret, as neutron's does.
BY_DESIGN = ("icinga2/etc/", "icinga2/cache/icinga2.debug",
             "icinga2/lib/api/zones/", "agent/")


def test_secret_never_recorded(icinga2, workdir):
    """Not on a command line, in an output, nor in any other file Icinga,
    carbon or the plugin wrote (logs, state, perfdata, whisper)."""
    for name, attrs in icinga2.results.items():
        cr = attrs["last_check_result"]
        assert SECRET not in " ".join(cr["command"]), name
        assert SECRET not in cr["output"], name
    leaks = []
    for dirpath, _, files in os.walk(workdir):
        for f in files:
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, workdir)
            if (f.endswith(".secret") or os.path.islink(path)
                    or not os.path.isfile(path)
                    or rel.startswith(BY_DESIGN)):
                continue
            with open(path, "rb") as fh:
                if SECRET.encode() in fh.read():
                    leaks.append(path)
    assert leaks == [], leaks
