"""--cloud-init=ec2 (cloud-init's Ec2 datasource) against Nova's real
metadata handler, request by request.

What Nova answers is pinned first (test_server_*): the instance-id the
datasource waits on, a 404 for every version it probes, a 404 for the
user-data of an instance without any and the bytes of one with some.
Then the plugin's requests are held against a walk of Nova's own tree
done here as cloud-init's MetadataMaterializer does it.
"""

import base64
import re

import pytest

from nova_helpers import PROJECT, SECRET, UUID
from test_nova_openstack import args, expect

EC2_LABELS = ["time", "size", "requests", "user_data_time", "ec2_time"]
WAIT = "/2009-04-04/meta-data/instance-id"
PROBED = ["2021-03-23", "2018-09-24", "2016-09-02"]
USER_DATA = b"#cloud-config\nruncmd: [true]\n"


@pytest.fixture(scope="module")
def nova_user_data(nova_factory):
    """Nova whose canary was booted with user data."""
    return nova_factory("nova-userdata", "--secret", SECRET,
                        "--instance-uuid", UUID, "--project-id", PROJECT,
                        "--user-data",
                        base64.b64encode(USER_DATA).decode())


def materialize(nova, base):
    """The paths cloud-init's crawl requests under base, in its order:
    the directories first, then the leaves; "N=name" is N/openssh-key."""
    status, _, body = nova.get(base)
    assert status == 200, base
    dirs, leaves = [], []
    for line in body.decode().splitlines():
        line = line.strip()
        if not line:
            continue
        if line.endswith("/"):
            dirs.append(line)
        elif re.match(r"^\d+=", line):
            leaves.append(line.split("=", 1)[0] + "/openssh-key")
        else:
            leaves.append(line)
    paths = []
    for d in dirs:
        paths.append(base + d)
        paths.extend(materialize(nova, base + d))
    return paths + [base + leaf for leaf in leaves]


def gets(res):
    return re.findall(r"GET http://[^/]+(\S+) ", res.stderr)


# ---- what Nova serves ---------------------------------------------------
def test_server_serves_the_instance_id_waited_on(nova):
    status, _, body = nova.get(WAIT)
    assert status == 200 and body.startswith(b"i-")


@pytest.mark.parametrize("version", PROBED)
def test_server_probed_versions_are_404(nova, version):
    status, _, _ = nova.get("/%s/meta-data/instance-id" % version)
    assert status == 404


def test_server_no_user_data_is_404(nova):
    status, _, _ = nova.get("/2009-04-04/user-data")
    assert status == 404


def test_server_user_data_is_served_raw(nova_user_data):
    status, _, body = nova_user_data.get("/2009-04-04/user-data")
    assert status == 200 and body == USER_DATA


# ---- the plugin ----------------------------------------------------------
def test_plugin_ec2_profile_ok(plugin, nova, secret_file):
    res = plugin.run(*args(nova, secret_file, "--cloud-init=ec2", "-vvv"))
    expect(res, 0, "OK", r"cloud-init Ec2 profile, version 2009-04-04, "
           r"user-data none, \d+ EC2 values, \d+ requests, \d+\.\d{3} s")
    assert [p["label"] for p in res.perfdata] == EC2_LABELS, str(res)
    tree = materialize(nova, "/2009-04-04/meta-data/")
    want = ([WAIT] + ["/%s/meta-data/instance-id" % v for v in PROBED] +
            ["/2009-04-04/user-data", "/2009-04-04/meta-data/"] + tree)
    assert gets(res) == want, str(res)
    assert int(res.perf("requests")["value"]) == len(want)
    assert "user-data: not served (HTTP 404)" in res.stdout
    # Nova's tree has the keys: public-keys/ only with a key pair.
    assert "/2009-04-04/meta-data/instance-id" in tree
    assert len(re.findall(r"Connected to", res.stderr)) == 1


def test_plugin_ec2_profile_user_data(plugin, nova_user_data, secret_file):
    res = plugin.run(*args(nova_user_data, secret_file, "--cloud-init=ec2",
                           "-e", "local-ipv4=192.0.2.10"))
    expect(res, 0, "OK", r"user-data read, ")
    assert "user-data: HTTP 200, %d bytes" % len(USER_DATA) in res.stdout
    assert "local-ipv4 is '192.0.2.10' as expected" in res.stdout


def test_plugin_bare_cloud_init_is_the_openstack_profile(plugin, nova,
                                                         secret_file):
    bare = plugin.run(*args(nova, secret_file, "--cloud-init"))
    named = plugin.run(*args(nova, secret_file, "--cloud-init=openstack"))
    assert bare.rc == named.rc == 0
    assert (re.sub(r"\d+\.\d+", "N", bare.stdout) ==
            re.sub(r"\d+\.\d+", "N", named.stdout))


def test_plugin_ec2_profile_wrong_secret(plugin, nova, wrong_secret_file):
    res = plugin.run(*args(nova, wrong_secret_file, "--cloud-init=ec2"))
    # The datasource's wait gets 403 and gives up: no metadata at all.
    expect(res, 2, "CRITICAL", r": HTTP 403 signature rejected for "
           r"/2009-04-04/meta-data/instance-id, cloud-init Ec2 profile, no "
           r"version chosen, ", r"HTTP 403 for /2009-04-04/meta-data/"
           r"instance-id: signature rejected")
    assert int(res.perf("requests")["value"]) == 1


def test_plugin_ec2_profile_deleted_canary(plugin, deleted_canary,
                                           secret_file):
    res = plugin.run(*args(deleted_canary, secret_file, "--cloud-init=ec2"))
    expect(res, 2, "CRITICAL", r": HTTP 404 canary unknown for "
           r"/2009-04-04/meta-data/instance-id, ", r"HTTP 404 for "
           r"/2009-04-04/meta-data/instance-id: canary unknown")


def test_plugin_ec2_profile_broken_db(plugin, broken_db, secret_file):
    res = plugin.run(*args(broken_db, secret_file, "--cloud-init=ec2"))
    expect(res, 2, "CRITICAL", r": HTTP 500 server error for "
           r"/2009-04-04/meta-data/instance-id, ", r"HTTP 500 for "
           r"/2009-04-04/meta-data/instance-id")
