"""A real prometheus-node-exporter (Debian's, textfile collector only, on
a loopback port) serves what --output-format=prometheus wrote: no scrape
error, every series with the value written, HELP text included, and a
file replaced by rename (as contrib/prometheus' service does) is read
anew at the next scrape. The exporter is stopped after each test."""

import os
import re
import shutil
import subprocess
import urllib.request

import pytest

import simulator
from conftest import (INSTANCE, TENANT, parse_labels, free_port, parse,
                      run_plugin, samples, wait_until)

_SERIES = re.compile(r'^((?:nova_metadata|node_textfile)_[a-z_]+)'
                     r'(\{[^}]*\})? (\S+)$', re.M)


ERR = ("node_textfile_scrape_error", frozenset())


@pytest.fixture
def exporter(tmp_path):
    """(textfile directory, scrape()) of a running node_exporter."""
    binary = shutil.which("prometheus-node-exporter") or \
        shutil.which("node_exporter")
    if binary is None:
        pytest.skip("prometheus-node-exporter is not installed")
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    port = free_port()
    log = open(str(tmp_path / "node_exporter.log"), "wb")
    proc = subprocess.Popen(
        [binary, "--web.listen-address=127.0.0.1:%d" % port,
         "--collector.disable-defaults", "--collector.textfile",
         "--collector.textfile.directory=%s" % textfiles],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:%d/metrics" % port

    def scrape():
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200
            return r.read().decode()

    def up():
        if proc.poll() is not None:
            pytest.fail("node_exporter exited: %s" % open(
                str(tmp_path / "node_exporter.log")).read())
        try:
            scrape()
            return True
        except OSError:
            return False
    try:
        wait_until(up, 20, "node_exporter to listen on 127.0.0.1:%d" % port)
        yield textfiles, scrape
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _series(text):
    """{(name, labels): value} of the nova_metadata_* and node_textfile_*
    series; labels a frozenset of (name, value), in whatever order the
    exporter sorts them."""
    return {(m.group(1), frozenset(parse_labels((m.group(2) or "{}")[1:-1])
                                   .items())): float(m.group(3))
            for m in _SERIES.finditer(text)
            if not m.group(1).startswith("node_textfile_mtime")}


def _write_atomically(directory, name, text):
    tmp = directory / (name + ".tmp")
    tmp.write_text(text)
    os.rename(str(tmp), str(directory / name))


def _run(fleet, secret_file):
    return run_plugin(["--output-format=prometheus", "-i", INSTANCE, "-T",
                       TENANT, "--secret-file", secret_file] +
                      fleet.host_args())


def test_served_as_written(exporter, secret_file, check_metrics):
    textfiles, scrape = exporter
    fleet = simulator.Fleet(3).start()
    try:
        fleet.sims[1].set_fault("status", 500)
        fleet.sims[2].stop()    # refused
        rc, out = _run(fleet, secret_file)
        assert rc == 2
        check_metrics(out)
        _write_atomically(textfiles, "nova_metadata.prom", out)
        got = scrape()
    finally:
        fleet.stop()
    series = _series(got)
    assert series.pop(ERR) == 0, got
    written = _series(out)
    assert series == written, got
    assert len(written) == 3 + 5 * 3
    assert "# HELP nova_metadata_state The check's state" in got
    assert "# TYPE nova_metadata_up gauge" in got
    reasons = re.findall(r'nova_metadata_reason\{[^}]*reason="([a-z_]+)"',
                         got)
    assert sorted(reasons) == ["none", "refused", "server_error"], got


def test_replaced_file_is_read_anew(exporter, sim_server, secret_file):
    """The timer's next run renames a new file over the old one: the
    next scrape has its values, and the .tmp name is never read."""
    textfiles, scrape = exporter
    sim_server.reset()
    args = ["--output-format=prometheus", "-H", "127.0.0.1", "-p",
            sim_server.port, "-i", INSTANCE, "-T", TENANT, "--secret-file",
            secret_file]
    rc, out = run_plugin(args)
    assert rc == 0
    _write_atomically(textfiles, "nova_metadata.prom", out)
    first = _series(scrape())
    state = ("nova_metadata_state", frozenset({("canary", INSTANCE)}))
    assert first[state] == 0
    # a half-written file under the temporary name is not a .prom file
    (textfiles / "nova_metadata.prom.tmp").write_text("nova_metadata_up{")
    assert _series(scrape())[ERR] == 0
    sim_server.set_fault("status", 429)
    try:
        rc, out = run_plugin(args)
    finally:
        sim_server.reset()
    assert rc == 2
    _write_atomically(textfiles, "nova_metadata.prom", out)
    second = _series(scrape())
    assert second[ERR] == 0
    assert second[state] == 2
    want = _series(out)
    want[ERR] = 0
    assert second == want
    assert samples(parse(out), "nova_metadata_reason")[0][0]["reason"] == \
        "rate_limited"


def test_usage_error_file_is_served(exporter, plugin):
    """Even a usage error's output is a file the collector reads."""
    textfiles, scrape = exporter
    rc, out = run_plugin(["--output-format=prometheus", "-p", "x"])
    assert rc == 3
    _write_atomically(textfiles, "nova_metadata.prom", out)
    series = _series(scrape())
    assert series == {ERR: 0,
                      ("nova_metadata_state", frozenset()): 3}
