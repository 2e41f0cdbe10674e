"""check_nova_metadata against Nova's real metadata handler.

Two groups:
  * test_server_*: what Nova itself answers (no plugin needed).  They pin
    the behaviour the plugin is written against, and they prove the
    fixture is a faithful Nova before the plugin is judged by it.
  * test_plugin_*: the built plugin against that Nova: exit code, first
    line and perfdata, per the manual (README, check_nova_metadata(1)).
Error wording is the plugin authors'; only key phrases are asserted.
"""

import concurrent.futures
import json
import re
import subprocess
import time

import pytest

from nova_helpers import PROJECT, SECRET, UUID, sign
import release

OTHER_UUID = "0e4b6a1c-7d5f-4f1e-9a2b-3c4d5e6f7a8b"
OTHER_PROJECT = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
WRONG_SECRET = "0ddba11c0ffee123"

STATE_RE = r"^NOVA METADATA (OK|WARNING|CRITICAL|UNKNOWN) - "


def plugin_args(server, *extra, secret_file=None, instance=UUID,
                tenant=PROJECT):
    args = ["-i", instance, "-T", tenant, "-H", "127.0.0.1",
            "-p", server.port]
    if secret_file:
        args += ["--secret-file", secret_file]
    return args + list(extra)


def expect_state(res, rc, word):
    assert res.rc == rc, str(res)
    assert re.match(STATE_RE, res.first), str(res)
    assert res.first.startswith("NOVA METADATA %s - " % word), str(res)


def check_perfdata(res):
    """The manual: `time` (s, thresholds, min 0, max -t) then `size` (B, min 0)."""
    labels = [p["label"] for p in res.perfdata]
    assert labels[:2] == ["time", "size"], str(res)
    t, s = res.perf("time"), res.perf("size")
    assert t["uom"] == "s" and t["value"] >= 0, str(res)
    assert s["uom"] == "B" and s["value"] >= 0, str(res)
    assert t["min"] == "0" and s["min"] == "0", str(res)
    # the -t limit, whole seconds, as check_curl writes it
    assert re.match(r"^[1-9][0-9]*$", t["max"]), str(res)
    return t, s


def range_end(field):
    """Upper bound of a Nagios range as printed in perfdata."""
    return float(field.lstrip("@").split(":")[-1])


def ec2_instance_id(info):
    # Nova: nova/objects/ec2.py id_to_ec2_inst_id() -- 'i-%08x' of the
    # instance's row in instance_id_mappings, which instance_create() makes.
    return "i-%08x" % info["ec2_mapping_id"]


# ------------------------------------------------------ Nova itself --

def test_server_versions_need_no_headers(nova):
    status, headers, body = nova.get("/", instance=None, tenant=None)
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    lines = body.decode().split("\n")
    assert lines[0] == "1.0" and lines[-1] == "latest" and "2009-04-04" in lines


def test_server_listing(nova):
    status, headers, body = nova.get("/latest/meta-data/")
    assert status == 200, body
    assert headers["Content-Type"] == "text/plain; charset=UTF-8"
    keys = body.decode().split("\n")
    assert "instance-id" in keys and "local-ipv4" in keys
    assert "placement/" in keys        # sub-trees carry a trailing slash
    assert not body.endswith(b"\n")    # Nova joins with \n, no final one


def test_server_values(nova):
    info = nova.info
    assert ec2_instance_id(info) == info["ec2_instance_id"]
    expected = {"instance-id": ec2_instance_id(info),
                "local-ipv4": info["fixed_ip"],
                "hostname": info["served_hostname"],
                "security-groups": "default"}
    for key, value in expected.items():
        status, _, body = nova.get("/latest/meta-data/" + key)
        assert (status, body.decode()) == (200, value)


def test_server_openstack_json(nova):
    status, headers, body = nova.get("/openstack/latest/meta_data.json")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    doc = json.loads(body)
    assert doc["uuid"] == UUID and doc["project_id"] == PROJECT
    status, _, _ = nova.get("/openstack/latest/user_data")
    assert status == 404


def test_server_missing_header_400(nova):
    status, _, body = nova.get("/latest/meta-data/", tenant=None)
    assert status == 400
    assert b"X-Tenant-ID header is missing from request." in body


def test_server_wrong_signature_403(nova):
    status, _, body = nova.get("/latest/meta-data/", secret=WRONG_SECRET)
    assert status == 403
    assert b"Invalid proxy request signature." in body


@pytest.mark.parametrize("instance,tenant", [(UUID, OTHER_PROJECT),
                                             (OTHER_UUID, PROJECT)],
                         ids=["wrong-tenant", "unknown-uuid"])
def test_server_not_found_404(nova, instance, tenant):
    status, _, _ = nova.get("/latest/meta-data/", instance=instance,
                            tenant=tenant)
    assert status == 404


def test_server_no_proxy_404(nova_no_proxy):
    status, _, _ = nova_no_proxy.get("/latest/meta-data/")
    assert status == 404


def test_server_deleted_404(deleted_canary):
    status, _, _ = deleted_canary.get("/latest/meta-data/")
    assert status == 404


def test_server_db_gone_500(broken_db):
    status, _, body = broken_db.get("/latest/meta-data/")
    assert status == 500
    assert (b"An unknown error has occurred. Please try your request again."
            in body)


def test_server_db_repaired(nova_scratch):
    nova_scratch.control("break-db")
    nova_scratch.control("repair-db")
    status, _, _ = nova_scratch.get("/", instance=None, tenant=None)
    assert status == 200
    status, _, _ = nova_scratch.get("/latest/meta-data/")
    assert status in (200, 404)       # 404 once the canary was deleted


# ------------------------------------------------------------ plugin --

def test_plugin_ok_default_keys(plugin, nova, secret_file):
    res = plugin.run(*plugin_args(nova, secret_file=secret_file))
    expect_state(res, 0, "OK")
    assert "32d0524b" in res.summary, str(res)
    assert "127.0.0.1:%d" % nova.port in res.summary, str(res)
    assert "HTTP 200" in res.summary, str(res)
    assert re.search(r"\b2/2 keys\b", res.summary), str(res)
    t, s = check_perfdata(res)
    assert t["warn"] == "" and t["crit"] == "", str(res)
    _, _, body = nova.get("/latest/meta-data/")
    assert s["value"] == len(body), str(res)


def test_plugin_ok_expected_values(plugin, nova, secret_file):
    info = nova.info
    res = plugin.run(*plugin_args(
        nova, "--expect", "local-ipv4=%s" % info["fixed_ip"],
        "--expect", "hostname=%s" % info["served_hostname"],
        "--expect", "instance-id=%s" % ec2_instance_id(info),
        secret_file=secret_file))
    expect_state(res, 0, "OK")
    check_perfdata(res)


def test_plugin_ok_secret_from_env(plugin, nova):
    res = plugin.run(*plugin_args(nova),
                     env={"NOVA_METADATA_SECRET": SECRET})
    expect_state(res, 0, "OK")


def test_plugin_ok_secret_from_novas_own_conf(plugin, nova):
    # The very nova.conf this Nova runs with: [neutron]
    # metadata_proxy_shared_secret.
    conf = nova.info["workdir"] + "/nova.conf"
    res = plugin.run(*plugin_args(nova, "--nova-conf", conf))
    expect_state(res, 0, "OK")


def test_plugin_ok_older_ec2_version(plugin, nova, secret_file):
    res = plugin.run(*plugin_args(nova, "-u", "/2009-04-04/meta-data/",
                                  secret_file=secret_file))
    expect_state(res, 0, "OK")


def test_plugin_expected_value_differs(plugin, nova, secret_file):
    res = plugin.run(*plugin_args(nova, "--expect", "local-ipv4=192.0.2.99",
                                  secret_file=secret_file))
    expect_state(res, 2, "CRITICAL")
    assert "local-ipv4" in res.stdout, str(res)
    assert "192.0.2.99" in res.stdout, str(res)
    assert nova.info["fixed_ip"] in res.stdout, str(res)
    check_perfdata(res)


def test_plugin_key_not_listed(plugin, nova, secret_file):
    res = plugin.run(*plugin_args(nova, "-k", "no-such-key",
                                  secret_file=secret_file))
    expect_state(res, 2, "CRITICAL")
    assert "no-such-key" in res.stdout, str(res)


def test_plugin_wrong_secret_403(plugin, nova, wrong_secret_file):
    res = plugin.run(*plugin_args(nova, secret_file=wrong_secret_file))
    expect_state(res, 2, "CRITICAL")
    assert "403" in res.summary, str(res)
    assert re.search(r"signature|shared secret", res.stdout, re.I), str(res)


def test_plugin_wrong_tenant_404(plugin, nova, secret_file):
    res = plugin.run(*plugin_args(nova, secret_file=secret_file,
                                  tenant=OTHER_PROJECT))
    expect_state(res, 2, "CRITICAL")
    assert "404" in res.summary, str(res)


def test_plugin_unknown_uuid_404(plugin, nova, secret_file):
    res = plugin.run(*plugin_args(nova, secret_file=secret_file,
                                  instance=OTHER_UUID))
    expect_state(res, 2, "CRITICAL")
    assert "404" in res.summary, str(res)


def test_plugin_canary_deleted_404(plugin, deleted_canary, secret_file):
    res = plugin.run(*plugin_args(deleted_canary, secret_file=secret_file))
    expect_state(res, 2, "CRITICAL")
    assert "404" in res.summary, str(res)


def test_plugin_service_metadata_proxy_off_404(plugin, nova_no_proxy,
                                               secret_file):
    res = plugin.run(*plugin_args(nova_no_proxy, secret_file=secret_file))
    expect_state(res, 2, "CRITICAL")
    assert "404" in res.summary, str(res)
    assert "service_metadata_proxy" in res.stdout, str(res)


def test_plugin_nova_lookup_fails_500(plugin, broken_db, secret_file):
    res = plugin.run(*plugin_args(broken_db, secret_file=secret_file))
    expect_state(res, 2, "CRITICAL")
    assert "500" in res.summary, str(res)
    assert re.search(r"unknown error has occurred", res.stdout, re.I), \
        str(res)


def test_plugin_warning_threshold(plugin, nova, secret_file):
    res = plugin.run(*plugin_args(nova, "-w", "0:0.000001",
                                  secret_file=secret_file))
    expect_state(res, 1, "WARNING")
    t, _ = check_perfdata(res)
    assert range_end(t["warn"]) == pytest.approx(1e-6), str(res)
    assert t["crit"] == "", str(res)


def test_plugin_critical_threshold(plugin, nova, secret_file):
    res = plugin.run(*plugin_args(nova, "-w", "0:0.000001",
                                  "-c", "0:0.000001",
                                  secret_file=secret_file))
    expect_state(res, 2, "CRITICAL")
    t, _ = check_perfdata(res)
    assert range_end(t["warn"]) == pytest.approx(1e-6), str(res)
    assert range_end(t["crit"]) == pytest.approx(1e-6), str(res)


def test_plugin_thresholds_not_reached(plugin, nova, secret_file):
    res = plugin.run(*plugin_args(nova, "-w", "10", "-c", "15",
                                  secret_file=secret_file))
    expect_state(res, 0, "OK")
    t, _ = check_perfdata(res)
    assert range_end(t["warn"]) == 10 and range_end(t["crit"]) == 15, \
        str(res)


@pytest.mark.parametrize("which", ["right", "wrong"])
def test_plugin_secret_never_printed(plugin, nova, secret_file,
                                     wrong_secret_file, which):
    if which == "right":
        path, secret, rc = secret_file, SECRET, 0
    else:
        path, secret, rc = wrong_secret_file, WRONG_SECRET, 2
    res = plugin.run(*plugin_args(nova, "-vvv", secret_file=path))
    assert res.rc == rc, str(res)
    both = res.stdout + res.stderr
    assert secret not in both, str(res)
    # The manual: the signature is shown only shortened.
    assert sign(secret, UUID) not in both, str(res)


SEQUENTIAL_RUNS = 200
SEQUENTIAL_BUDGET = 300      # seconds for the whole loop
CONCURRENT_RUNS = 20


def test_plugin_sequential_runs(plugin, nova, secret_file):
    args = plugin_args(nova, secret_file=secret_file)
    deadline = time.monotonic() + SEQUENTIAL_BUDGET
    bad = []
    for i in range(SEQUENTIAL_RUNS):
        assert time.monotonic() < deadline, \
            "only %d runs in %d s" % (i, SEQUENTIAL_BUDGET)
        res = plugin.run(*args)
        if res.rc != 0:
            bad.append("run %d: %s" % (i, res))
    assert not bad, "%d of %d failed; first:\n%s" % (
        len(bad), SEQUENTIAL_RUNS, bad[0])


def test_plugin_concurrent_runs(plugin, nova, secret_file):
    args = plugin_args(nova, secret_file=secret_file)
    with concurrent.futures.ThreadPoolExecutor(CONCURRENT_RUNS) as pool:
        results = list(pool.map(lambda _: plugin.run(*args),
                                range(CONCURRENT_RUNS)))
    bad = [r for r in results if r.rc != 0]
    assert not bad, "%d of %d failed; first:\n%s" % (
        len(bad), CONCURRENT_RUNS, bad[0])
    for r in results:
        expect_state(r, 0, "OK")


# ------------------------------------------- TLS and IPv6, Nova's own --
# Nova's own WSGI server does the TLS here, as nova-api-metadata does with
# enabled_ssl_apis = metadata; this Nova asks for client certificates.

def test_server_tls_listing(nova_tls):
    status, _, body = nova_tls.get("/latest/meta-data/local-ipv4")
    assert (status, body.decode()) == (200, nova_tls.info["fixed_ip"])


def test_plugin_tls_verified_with_client_cert(plugin, nova_tls, tls_files,
                                              secret_file):
    res = plugin.run(*plugin_args(
        nova_tls, "-S", "--ca-cert", tls_files["ca.pem"],
        "-J", tls_files["client.pem"], "-K", tls_files["client.key"],
        secret_file=secret_file))
    expect_state(res, 0, "OK")
    check_perfdata(res)


def test_plugin_tls_insecure(plugin, nova_tls, tls_files, secret_file):
    res = plugin.run(*plugin_args(
        nova_tls, "-S", "--insecure",
        "-J", tls_files["client.pem"], "-K", tls_files["client.key"],
        secret_file=secret_file))
    expect_state(res, 0, "OK")


def test_plugin_tls_untrusted_server(plugin, nova_tls, tls_files,
                                     secret_file):
    # No --ca-cert: the system store does not know the test CA.
    res = plugin.run(*plugin_args(
        nova_tls, "-S",
        "-J", tls_files["client.pem"], "-K", tls_files["client.key"],
        secret_file=secret_file))
    expect_state(res, 2, "CRITICAL")
    assert re.search(r"certificate|SSL|TLS", res.first, re.I), str(res)


def test_plugin_tls_without_client_cert(plugin, nova_tls, tls_files,
                                        secret_file):
    """Nova asks for client certificates; the plugin sends none. Zed's
    Nova refuses the handshake; Epoxy's never demands one (release.py)."""
    res = plugin.run(*plugin_args(nova_tls, "-S", "--ca-cert",
                                  tls_files["ca.pem"],
                                  secret_file=secret_file))
    if release.NOVA_TLS_DEMANDS_CLIENT_CERT:
        expect_state(res, 2, "CRITICAL")
    else:
        expect_state(res, 0, "OK")


def test_plugin_plain_http_to_tls_port(plugin, nova_tls, secret_file):
    res = plugin.run(*plugin_args(nova_tls, secret_file=secret_file))
    expect_state(res, 2, "CRITICAL")


@pytest.mark.parametrize("family", [[], ["-6"]], ids=["any", "ipv6-only"])
def test_plugin_ipv6_loopback(plugin, nova_v6, secret_file, family):
    args = ["-i", UUID, "-T", PROJECT, "-H", "::1", "-p", nova_v6.port,
            "--secret-file", secret_file] + family
    res = plugin.run(*args)
    expect_state(res, 0, "OK")
    assert "::1" in res.summary, str(res)
    check_perfdata(res)


# ----------------------------- --nova-conf read the way Nova reads it --
# Each case is a nova.conf (or several, later overriding earlier, as
# --nova-conf repeated and as oslo.config's --config-file do).  Nova's own
# option parsing says which secret Nova would use; the plugin must sign
# with the same one: OK when that is the secret the running Nova has, 403
# otherwise.  Nova 26 no longer reads the legacy [DEFAULT]
# neutron_metadata_proxy_shared_secret, so no case relies on it alone.

WRONG = "not-the-secret"
NOVA_CONF_CASES = {
    "plain": ["[neutron]\nmetadata_proxy_shared_secret = {S}\n"],
    "blanks-around-value": [
        "[neutron]\nmetadata_proxy_shared_secret\t=   {S} \t\n"],
    "double-quoted": ['[neutron]\nmetadata_proxy_shared_secret = "{S}"\n'],
    "single-quoted": ["[neutron]\nmetadata_proxy_shared_secret = '{S}'\n"],
    "crlf": ["[neutron]\r\nmetadata_proxy_shared_secret = {S}\r\n"],
    "comments-and-other-sections": [
        "# nova.conf\n[DEFAULT]\ndebug = false\n; note\n[neutron]\n"
        "# metadata_proxy_shared_secret = " + WRONG + "\n"
        "service_metadata_proxy = true\n"
        "metadata_proxy_shared_secret = {S}\n[api]\ndhcp_domain = x\n"],
    "neutron-beats-legacy": [
        "[DEFAULT]\nneutron_metadata_proxy_shared_secret = " + WRONG + "\n"
        "[neutron]\nmetadata_proxy_shared_secret = {S}\n"],
    "last-duplicate-wins": [
        "[neutron]\nmetadata_proxy_shared_secret = " + WRONG + "\n"
        "metadata_proxy_shared_secret = {S}\n"],
    "first-duplicate-loses": [
        "[neutron]\nmetadata_proxy_shared_secret = {S}\n"
        "metadata_proxy_shared_secret = " + WRONG + "\n"],
    "inline-hash-is-part-of-value": [
        "[neutron]\nmetadata_proxy_shared_secret = {S} # rotated\n"],
    "later-file-wins": [
        "[neutron]\nmetadata_proxy_shared_secret = " + WRONG + "\n",
        "[neutron]\nmetadata_proxy_shared_secret = {S}\n"],
    "earlier-file-loses": [
        "[neutron]\nmetadata_proxy_shared_secret = {S}\n",
        "[neutron]\nmetadata_proxy_shared_secret = " + WRONG + "\n"],
}

_ORACLE = """
import json, sys
import nova.conf
CONF = nova.conf.CONF
out = {}
for name, files in json.loads(sys.argv[1]).items():
    CONF(args=[], project="nova", default_config_files=files,
         default_config_dirs=[])
    out[name] = CONF.neutron.metadata_proxy_shared_secret
print(json.dumps(out))
"""


@pytest.fixture(scope="session")
def nova_conf_cases(nova_python, tmp_path_factory):
    """{case: (paths, the secret Nova itself reads from them)}"""
    d = tmp_path_factory.mktemp("novaconf")
    paths = {}
    for name, texts in NOVA_CONF_CASES.items():
        paths[name] = []
        for i, text in enumerate(texts):
            p = d / ("%s-%d.conf" % (name, i))
            p.write_bytes(text.replace("{S}", SECRET).encode())
            paths[name].append(str(p))
    out = subprocess.run([nova_python, "-c", _ORACLE, json.dumps(paths)],
                         capture_output=True, timeout=120, check=True,
                         stdin=subprocess.DEVNULL)
    secrets = json.loads(out.stdout)
    return {name: (paths[name], secrets[name]) for name in paths}


@pytest.mark.parametrize("case", sorted(NOVA_CONF_CASES))
def test_plugin_nova_conf_as_nova_reads_it(plugin, nova, nova_conf_cases,
                                           case):
    paths, novas_secret = nova_conf_cases[case]
    args = []
    for p in paths:
        args += ["--nova-conf", p]
    res = plugin.run(*plugin_args(nova, *args))
    if novas_secret == SECRET:
        expect_state(res, 0, "OK")
    else:
        # Nova would hold another secret than the one this Nova runs with.
        expect_state(res, 2, "CRITICAL")
        assert "403" in res.summary, "%s\nNova reads %r" % (res,
                                                              novas_secret)
