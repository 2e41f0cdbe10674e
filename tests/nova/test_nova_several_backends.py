"""Several backends in one run, against Nova's real handler.

nova-api-metadata usually runs as several processes behind a VIP, each
with its own copy of nova.conf. Here a second (and third) Nova handler
process serves the `nova` fixture's sqlite database (novaserver.py
--shared-db), so every handler serves the same canary, and each may be
given its own metadata_proxy_shared_secret: a drifted backend.

  * test_several_backends_peer_*: the peers themselves, by direct signed
    HTTP requests (no plugin): they prove the fixtures before the plugin
    is judged by them.
  * test_several_backends_plugin_*: the plugin with `-H` repeated, per the
    manual's "Several backends, one run". Select them all with
    `-k several_backends`.
"""

import json
import os
import sys

import pytest

from nova_helpers import PROJECT, SECRET, UUID, sign

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from backend_asserts import (assert_backend_perfdata,  # noqa: E402
                             assert_backends_ok_count, assert_names)

PEER_SECRET = "5eedc0ffee0ddba1"
STALE_HOSTNAME = "canary-stale"


def start_peer(nova_factory, nova, name, secret):
    """Another Nova handler process on nova's database, with secret."""
    return nova_factory(name, "--shared-db", nova.info["workdir"],
                        "--secret", secret, "--instance-uuid", UUID,
                        "--project-id", PROJECT)


@pytest.fixture(scope="module")
def peer_same(nova_factory, nova):
    """A second backend, configured exactly as the first."""
    return start_peer(nova_factory, nova, "nova-peer-same", SECRET)


@pytest.fixture(scope="module")
def peer_other(nova_factory, nova):
    """A second backend whose nova.conf has another shared secret."""
    return start_peer(nova_factory, nova, "nova-peer-other", PEER_SECRET)


@pytest.fixture(scope="module")
def peer_stale(nova_factory):
    """A backend with a database of its own that still holds the canary
    under an old hostname: what a stale cache or a drifted copy serves."""
    return nova_factory("nova-peer-stale", "--secret", SECRET,
                        "--instance-uuid", UUID, "--project-id", PROJECT,
                        "--hostname", STALE_HOSTNAME)


@pytest.fixture(scope="module")
def peer_stopped(nova_factory, nova):
    """A second backend that served, then was stopped: its port refuses."""
    srv = start_peer(nova_factory, nova, "nova-peer-stopped", SECRET)
    status, _, body = srv.get("/latest/meta-data/instance-id")
    assert status == 200, "peer did not serve before stopping: %r" % body
    srv.stop()
    return srv


def backend(server):
    return "127.0.0.1:%d" % server.port


def run_backends(plugin, secret_file, *servers, extra=()):
    args = ["-i", UUID, "-T", PROJECT, "--secret-file", secret_file]
    args += list(extra)
    for srv in servers:
        args += ["-H", backend(srv)]
    return plugin.run(*args)


def expect(res, rc, word):
    assert res.rc == rc, str(res)
    assert res.first.startswith("NOVA METADATA %s - " % word), str(res)


# ------------------------------------------------- the peers themselves --

@pytest.mark.parametrize("peer_name", ["peer_same", "peer_other"])
def test_several_backends_peer_serves_shared_canary(request, nova,
                                                    peer_name):
    """Each peer serves the first handler's canary (one database), signed
    with its own secret; the first handler's answer is the same."""
    peer = request.getfixturevalue(peer_name)
    secret = PEER_SECRET if peer_name == "peer_other" else SECRET
    assert peer.info["shared_db"] == nova.info["workdir"]
    assert peer.port != nova.port
    answers = []
    for srv, key in ((nova, SECRET), (peer, secret)):
        status, _, body = srv.get("/latest/meta-data/instance-id",
                                  secret=key)
        assert status == 200, (srv.name, body)
        answers.append(body.decode())
    assert answers[0] == answers[1] == nova.info["ec2_instance_id"]


def test_several_backends_peer_other_secret_refuses_first(nova, peer_other):
    """The drifted peer refuses the first handler's signature (403) and
    the first handler refuses the peer's: the two secrets differ."""
    status, _, body = peer_other.get("/latest/meta-data/", secret=SECRET)
    assert status == 403 and b"Invalid proxy request signature" in body
    status, _, body = nova.get("/latest/meta-data/", secret=PEER_SECRET)
    assert status == 403 and b"Invalid proxy request signature" in body
    assert sign(SECRET, UUID) != sign(PEER_SECRET, UUID)


def test_several_backends_peer_stale_serves_old_hostname(nova, peer_stale):
    """The stale peer serves the canary, with another hostname."""
    names = []
    for srv in (nova, peer_stale):
        status, _, body = srv.get("/openstack/latest/meta_data.json")
        assert status == 200, (srv.name, body)
        names.append(json.loads(body)["hostname"])
    assert names[1].split(".")[0] == STALE_HOSTNAME and names[0] != names[1]


def test_several_backends_peer_stopped_refuses(peer_stopped):
    """After stop() nothing listens on the peer's port any more."""
    assert peer_stopped.exit_code is not None
    with pytest.raises(OSError):
        peer_stopped.get("/latest/meta-data/")


# ------------------------------------------------------------ the plugin --

def test_several_backends_plugin_both_ok(plugin, nova, peer_same,
                                         secret_file):
    res = run_backends(plugin, secret_file, nova, peer_same)
    expect(res, 0, "OK")
    assert_backends_ok_count(res.first, 2, 2)
    assert_backend_perfdata(res.first, [nova.port, peer_same.port])


def test_several_backends_plugin_port_option_for_bare_host(
        plugin, nova, peer_same, secret_file):
    """`-p` is the port of each -H without one."""
    res = plugin.run("-i", UUID, "-T", PROJECT, "--secret-file", secret_file,
                     "-p", nova.port, "-H", "127.0.0.1",
                     "-H", backend(peer_same))
    expect(res, 0, "OK")
    assert_backends_ok_count(res.first, 2, 2)
    assert_backend_perfdata(res.first, [nova.port, peer_same.port])


def test_several_backends_plugin_other_secret_403(plugin, nova, peer_other,
                                                  secret_file):
    """The first's secret: the peer with another one is CRITICAL, named
    with its 403, and the first still counts as OK."""
    res = run_backends(plugin, secret_file, nova, peer_other)
    expect(res, 2, "CRITICAL")
    assert_names(res.first, backend(peer_other), "403")
    assert_backends_ok_count(res.first, 1, 2)
    assert_backend_perfdata(res.first, [nova.port, peer_other.port])


def test_several_backends_plugin_other_secret_listed_first(
        plugin, nova, peer_other, secret_file):
    """The order of -H does not change which backend is the odd one."""
    res = run_backends(plugin, secret_file, peer_other, nova)
    expect(res, 2, "CRITICAL")
    assert_names(res.first, backend(peer_other), "403")
    assert_backends_ok_count(res.first, 1, 2)


def test_several_backends_plugin_one_stopped(plugin, nova, peer_stopped,
                                             secret_file):
    res = run_backends(plugin, secret_file, nova, peer_stopped)
    expect(res, 2, "CRITICAL")
    assert_names(res.first, backend(peer_stopped), "refused")
    assert_backends_ok_count(res.first, 1, 2)
    # The stopped backend has no response: only the first one's time
    # series is certain to be there.
    perf = res.first.partition("|")[2]
    assert str(nova.port) in perf, str(res)


def test_several_backends_plugin_one_stale_openstack(plugin, nova, peer_same,
                                                     peer_stale, secret_file):
    """-O compares meta_data.json's checked keys (hostname among them):
    the backend with the old hostname is WARNING, named, though each
    backend passes on its own."""
    res = run_backends(plugin, secret_file, nova, peer_stale, peer_same,
                       extra=["-O"])
    expect(res, 1, "WARNING")
    assert "3/3 backends OK, backends disagree: %s differs" \
        % backend(peer_stale) in res.first, str(res)
    assert_backends_ok_count(res.first, 3, 3)
    assert_backend_perfdata(res.first, [nova.port, peer_stale.port,
                                        peer_same.port])


def test_several_backends_plugin_stale_ec2_without_values_ok(
        plugin, nova, peer_same, peer_stale, secret_file):
    """EC2 without -e compares the listings only, which the stale peer
    serves alike: the backends make no extra requests to compare."""
    res = run_backends(plugin, secret_file, nova, peer_stale, peer_same)
    expect(res, 0, "OK")
    assert_backends_ok_count(res.first, 3, 3)
