"""Nagios 4 validates the installed command definitions and, in a short
run, records the plugin's result in status.dat."""

import os
import shutil
import subprocess

import pytest

from conftest import (Daemon, PROJECT, Result, SECRET, START_TIMEOUT, UUID,
                      clean_env, wait_for)

NAGIOS_CFG = """log_file={d}/nagios.log
cfg_file={d}/objects.cfg
cfg_file={commands}
resource_file={d}/resource.cfg
object_cache_file={d}/objects.cache
precached_object_file={d}/objects.precache
status_file={d}/status.dat
status_update_interval=1
temp_file={d}/nagios.tmp
temp_path={d}/tmp
lock_file={d}/nagios.lock
query_socket={d}/nagios.qh
check_result_path={d}/checkresults
check_result_reaper_frequency=1
nagios_user={user}
nagios_group={group}
check_external_commands=0
retain_state_information=0
use_syslog=0
enable_notifications=0
enable_flap_detection=0
execute_host_checks=0
interval_length=1
# "dumb": one second between the first checks, so that the two do not
# ask the same Nova at once
service_inter_check_delay_method=d
max_service_check_spread=1
service_check_timeout=60
illegal_macro_output_chars=`~$&|'"<>
"""

EXTRA_OPTS_INI = """[nm_test]
hostname = 127.0.0.1
port = {port}
instance = {uuid}
tenant = {project}
secret-file = {secret}
warning = 0.5
critical = 2
"""

# $USER1$ and $USER3$ as the command file's header asks of resource.cfg.
RESOURCE_CFG = """$USER1$={plugin_dir}
$USER3$={secret}
"""

OBJECTS_CFG = """define timeperiod {{
	timeperiod_name	always
	alias		always
	monday		00:00-24:00
	tuesday		00:00-24:00
	wednesday	00:00-24:00
	thursday	00:00-24:00
	friday		00:00-24:00
	saturday	00:00-24:00
	sunday		00:00-24:00
}}
define contact {{
	contact_name			nobody
	host_notifications_enabled	0
	service_notifications_enabled	0
	host_notification_period	always
	service_notification_period	always
	host_notification_options	n
	service_notification_options	n
	host_notification_commands	nm-noop
	service_notification_commands	nm-noop
}}
define command {{
	command_name	nm-noop
	command_line	/bin/true
}}
define host {{
	host_name		nova-api
	address			127.0.0.1
	max_check_attempts	1
	check_period		always
	contacts		nobody
	notification_period	always
	active_checks_enabled	0
}}
define service {{
	name			nm-service
	register		0
	host_name		nova-api
	max_check_attempts	1
	check_interval		3600
	retry_interval		3600
	notification_interval	0
	check_period		always
	contacts		nobody
	notification_period	always
}}
define service {{
	use			nm-service
	service_description	nova-metadata
	check_command		check_nova_metadata!{uuid}!{project}!{port}!0.5!2
}}
define service {{
	use			nm-service
	service_description	nova-metadata-cloud-init
	check_command		check_nova_metadata_cloud_init!{uuid}!{project}!{port}!5!15
}}
define service {{
	use			nm-service
	service_description	nova-metadata-openstack
	check_command		check_nova_metadata_openstack!{uuid}!{project}!{port}!0.5!2!--forwarded-for=192.0.2.10
}}
define service {{
	use			nm-service
	service_description	nova-metadata-extra-opts
	check_command		check_nova_metadata_extra_opts!nm_test@{ini}
}}
"""


def parse_status(path):
    """status.dat's servicestatus blocks, by service_description."""
    out = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return out
    for block in text.split("servicestatus {")[1:]:
        body = block.split("\n\t}", 1)[0]
        attrs = dict(line.strip().split("=", 1)
                     for line in body.splitlines() if "=" in line)
        out[attrs.get("service_description")] = attrs
    return out


@pytest.fixture(scope="module")
def nagios(workdir, account, installed, nova, monitoring_secret):
    exe = shutil.which("nagios4") or "/usr/sbin/nagios4"
    if not os.access(exe, os.X_OK):
        pytest.fail("nagios4 not found: install nagios4-core")
    d = os.path.join(workdir, "nagios4")
    ini = os.path.join(d, "nova-metadata.ini")
    for sub in ("tmp", "checkresults"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    files = {
        "nagios.cfg": NAGIOS_CFG.format(d=d, commands=installed["nagios"],
                                        user=account.name,
                                        group=account.group),
        "resource.cfg": RESOURCE_CFG.format(
            plugin_dir=os.path.dirname(installed["plugin"]),
            secret=monitoring_secret["right"]),
        "objects.cfg": OBJECTS_CFG.format(uuid=UUID, project=PROJECT,
                                          port=nova.port, ini=ini),
        "nova-metadata.ini": EXTRA_OPTS_INI.format(
            port=nova.port, uuid=UUID, project=PROJECT,
            secret=monitoring_secret["right"]),
    }
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    for dirpath, _, names in os.walk(d):
        account.own(dirpath)
        for name in names:
            account.own(os.path.join(dirpath, name))
    cfg = os.path.join(d, "nagios.cfg")
    validation = subprocess.run([exe, "-v", cfg], stdin=subprocess.DEVNULL,
                                capture_output=True, timeout=60,
                                env=clean_env(), preexec_fn=account.preexec)
    daemon = Daemon("nagios4", [exe, cfg], os.path.join(d, "console.log"),
                    account)
    daemon.validation = validation
    daemon.status_path = os.path.join(d, "status.dat")
    if validation.returncode == 0:
        daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


def test_nagios4_validates_installed_commands(nagios):
    out = nagios.validation.stdout.decode(errors="replace")
    assert nagios.validation.returncode == 0, out
    assert "Total Errors:   0" in out, out
    assert "Total Warnings: 0" in out, out
    # every command of the installed file was read
    assert "Checked 5 commands." in out, out


def _results(nagios):
    def checked():
        st = parse_status(nagios.status_path)
        want = ("nova-metadata", "nova-metadata-cloud-init",
                "nova-metadata-openstack", "nova-metadata-extra-opts")
        if all(st.get(w, {}).get("has_been_checked") == "1" for w in want):
            return st
        return None
    return wait_for("nagios4 recording every result in status.dat",
                    checked, START_TIMEOUT, interval=0.5, proc=nagios.proc,
                    log=os.path.join(os.path.dirname(nagios.status_path),
                                     "nagios.log"))


def recorded(nagios, service):
    """status.dat's record of service, its output parsed as the plugin's
    own tests parse it."""
    st = _results(nagios)[service]
    return st, Result([], int(st["current_state"]), st["plugin_output"]
                      + " | " + st["performance_data"], "", 0)


def test_nagios4_records_ok_in_status_dat(nagios, nova):
    st, r = recorded(nagios, "nova-metadata")
    assert r.rc == 0, st
    assert r.first.startswith(
        "NOVA METADATA OK - canary 32d0524b on 127.0.0.1:%d" % nova.port), st
    assert r.perf("time")["uom"] == "s", st
    assert (r.perf("time")["warn"], r.perf("time")["crit"]) == ("0.5", "2")
    assert r.perf("size")["value"] == 210, st
    assert SECRET not in st["plugin_output"] + st.get("long_plugin_output",
                                                      "")


def test_nagios4_cloud_init_command(nagios):
    st, r = recorded(nagios, "nova-metadata-cloud-init")
    assert r.rc == 0, st
    assert "28 requests" in r.first, st
    assert r.perf("requests")["value"] == 28, st
    assert (r.perf("time")["warn"], r.perf("time")["crit"]) == ("5", "15")


def test_nagios4_openstack_command_with_more_options(nagios):
    st, r = recorded(nagios, "nova-metadata-openstack")
    assert r.rc == 0, st
    assert r.first.startswith("NOVA METADATA OK - "), st
    assert r.perf("size")["uom"] == "B", st


def test_nagios4_everything_from_extra_opts(nagios, nova):
    st, r = recorded(nagios, "nova-metadata-extra-opts")
    assert r.rc == 0, st
    assert r.first.startswith(
        "NOVA METADATA OK - canary 32d0524b on 127.0.0.1:%d" % nova.port), st
    assert (r.perf("time")["warn"], r.perf("time")["crit"]) == ("0.5", "2")
