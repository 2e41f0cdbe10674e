"""The outside audit's findings (one hostile peer, pasted secrets, local
limits, closed descriptors, signals from outside, hostile files, huge
results): each case failed before its fix."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import simulator
from conftest import (INSTANCE, PLUGIN, SECRET, TENANT, assert_state,
                      run_plugin)


@pytest.fixture(scope="module")
def trio_server():
    f = simulator.Fleet(3)
    f.start()
    yield f
    f.stop()


@pytest.fixture
def trio(trio_server, plugin):
    trio_server.reset()
    yield trio_server
    trio_server.reset()


@pytest.fixture
def args(secret_file):
    return ["-i", INSTANCE, "-T", TENANT, "--secret-file", secret_file]


def _hosts(fleet, which):
    out = []
    for i in which:
        out += ["-H", fleet.name(i)]
    return out


# ---- 1. one hostile peer ---------------------------------------------
@pytest.mark.parametrize("mode", [[], ["-O"], ["--cloud-init"]])
def test_header_too_large_is_the_peers_critical(trio, args, mode):
    """A header line past libcurl's 100 KiB is the peer's fault: CRITICAL
    for it, not UNKNOWN 'out of memory' for the monitoring host."""
    trio.sims[0].set_fault("bigheader")
    rc, out, _, _ = run_plugin(_hosts(trio, [0]) + args + mode)
    assert_state(rc, out, "CRITICAL", r"header too large")
    assert "out of memory" not in out


def test_header_too_large_leaves_the_others(trio, args):
    trio.sims[1].set_fault("bigheader")
    rc, out, _, _ = run_plugin(_hosts(trio, [0, 1, 2]) + args)
    assert_state(rc, out, "CRITICAL", r"32d0524b: 2/3 backends OK, %s header "
                 r"too large $" % re.escape(trio.name(1)))
    assert "out of memory" not in out


# ---- 2. the secret echoed when pasted ----------------------------------
@pytest.fixture
def one(trio):
    return trio.sims[0]


def _env_args(sim):
    return ["-H", "127.0.0.1", "-p", sim.port, "-i", INSTANCE, "-T", TENANT]


def test_unknown_long_option_not_repeated(one):
    pasted = "deadbeef2eb84d8d"
    rc, out, err, _ = run_plugin(_env_args(one) + ["--" + pasted])
    assert_state(rc, out, "UNKNOWN", r"unknown option")
    assert pasted not in out + err


@pytest.mark.parametrize("verbosity", [[], ["-vvv"]])
@pytest.mark.parametrize("length", [101, 160, 400])
def test_long_secret_pasted_into_expect_is_cut_and_starred(plugin, length,
                                                           verbosity):
    """A secret longer than the quote length: the shortened copy in the
    'expected' text is starred out too."""
    secret = ("Lk7-" * 200)[:length]
    with simulator.Simulator(secret=secret) as sim:
        rc, out, err, _ = run_plugin(
            _env_args(sim) + ["-e", "instance-id=" + secret] + verbosity,
            env={"NOVA_METADATA_SECRET": secret})
    assert_state(rc, out, "CRITICAL", r"instance-id")
    for n in (30, 60, 100):
        assert secret[:n] not in out + err, "%d bytes of it printed" % n


@pytest.mark.parametrize("verbosity", [[], ["-vv"], ["-vvv"]])
def test_secret_in_the_environment_starred_in_instance_view(one, verbosity):
    """--instance-view loads no secret to sign, but one in the environment
    is still searched for, so a copy pasted into -e is starred out."""
    secret = "Pz4-instance-view-s3cr3t"
    one.set_fault("instance_view")
    rc, out, err, _ = run_plugin(
        ["--instance-view", "-H", "127.0.0.1", "-p", one.port, "-i",
         INSTANCE, "-e", "hostname=" + secret] + verbosity,
        env={"NOVA_METADATA_SECRET": secret})
    assert rc == 2, out
    assert secret not in out + err
    assert "*" * len(secret) in out


# ---- 3. a local limit is the monitoring host's --------------------------
@pytest.fixture(scope="module")
def sixteen():
    f = simulator.Fleet(16)
    f.start()
    yield f
    f.stop()


# A sanitizer's runtime needs descriptors and a thread of its own at exit
# (LeakSanitizer's tracer): under these limits it would fail itself.
SANITIZED = os.environ.get("ENABLE_SANITIZERS") == "yes" or \
    os.environ.get("ENABLE_TSAN") == "yes"


@pytest.mark.skipif(not shutil.which("prlimit"), reason="needs prlimit")
@pytest.mark.skipif(SANITIZED, reason="a sanitizer's runtime needs more")
@pytest.mark.parametrize("nofile", [8, 12, 16, 20])
def test_out_of_descriptors_is_unknown_naming_the_limit(plugin, sixteen,
                                                        nofile):
    """16 healthy backends, too few descriptors: UNKNOWN naming the
    limit, never CRITICAL against a backend."""
    args = _hosts(sixteen, range(16)) + ["-i", INSTANCE, "-T", TENANT]
    rc, out, _, _ = run_plugin(args, prefix=["prlimit",
                                             "--nofile=%d" % nofile],
                               env={"NOVA_METADATA_SECRET": SECRET})
    assert rc == 3, out
    assert_state(rc, out, "UNKNOWN", r"limit of open files of this "
                 r"process \(ulimit -n\)")
    assert "Couldn't connect" not in out


# A uid no one else uses, this run's own: the kernel counts a user's
# processes across every namespace and chroot, so two runs of the suite
# at once (a release's root beside the host) must not share one.
LIMITED_UID = 60000 + os.getpid() % 5000


def _can_limit_processes():
    return os.geteuid() == 0 and shutil.which("setpriv") and \
        shutil.which("prlimit")


@pytest.mark.skipif(not _can_limit_processes(),
                    reason="needs root, setpriv and prlimit")
@pytest.mark.skipif(SANITIZED, reason="a sanitizer's runtime needs more")
@pytest.mark.parametrize("nproc,backends", [(1, 1), (2, 1), (2, 2)])
def test_out_of_threads_is_unknown_naming_the_limit(plugin, one, nproc,
                                                    backends):
    """Under a process limit (a uid of its own, so that only this run
    counts): no signal thread (1), no resolver thread for the one backend
    the main thread visits itself (2, one backend), no thread for a
    second backend (2, two) is the monitoring host's limit, not
    'getaddrinfo() thread failed to start' against the backend."""
    hosts = ["-H", "canary.invalid:%d" % one.port]
    if backends == 2:
        hosts = ["-H", "127.0.0.1:%d" % one.port] + hosts
    # A copy the other uid can reach: the build tree may be under a
    # directory only root may enter (/root/src in a fresh root), and so
    # is pytest's tmp_path.
    where = tempfile.mkdtemp(prefix="nm-limit-")
    os.chmod(where, 0o755)
    copy = os.path.join(where, "check_nova_metadata")
    shutil.copy(plugin, copy)
    os.chmod(copy, 0o755)
    try:
        rc, out, _, _ = _limited_run(hosts, copy, nproc)
    finally:
        shutil.rmtree(where)
    assert_state(rc, out, "UNKNOWN", r"limit of processes and threads "
                 r"\(ulimit -u\)")


def _limited_run(hosts, copy, nproc):
    return run_plugin(
        hosts + ["-i", INSTANCE, "-T", TENANT], plugin=copy,
        prefix=["setpriv", "--reuid=%d" % LIMITED_UID,
                "--regid=%d" % LIMITED_UID,
                "--clear-groups", "prlimit", "--nproc=%d" % nproc],
        env={"NOVA_METADATA_SECRET": SECRET})


# ---- 4. closed standard descriptors --------------------------------------
@pytest.mark.parametrize("closed", ["<&- >&- 2>&-", "2>&-", ">&- 2>&-"])
def test_closed_standard_descriptors(one, secret_file, closed):
    """With 0-2 closed, -vvv must not write its log into the HTTP
    connection (a socket would take fd 2): a healthy Nova is OK."""
    args = ["-H", "127.0.0.1", "-p", str(one.port), "-i", INSTANCE, "-T",
            TENANT, "--secret-file", secret_file, "-vvv"]
    proc = subprocess.run(
        ["sh", "-c", 'exec "$@" %s' % closed, "sh", PLUGIN] + args,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, timeout=30)
    assert proc.returncode == 0
    assert [r["path"] for r in one.requests] == ["/latest/meta-data/"]



# ---- 5. SIGPIPE before parsing -------------------------------------------
@pytest.mark.parametrize("argv", [["-h"], ["-V"], ["--bogus"], ["-w"],
                                  ["-i", INSTANCE, "-T", TENANT, "-p", "1",
                                   "-H", "127.0.0.1"]])
def test_closed_pipe_exits_with_a_plugin_code(plugin, argv):
    """Output into a pipe whose reader is gone: exit 3 (or the check's
    state), never 141 (death by SIGPIPE)."""
    r, w = os.pipe()
    os.close(r)
    try:
        proc = subprocess.run([PLUGIN] + argv, stdin=subprocess.DEVNULL,
                              stdout=w, stderr=subprocess.DEVNULL,
                              env={"LC_ALL": "C",
                                   "NOVA_METADATA_SECRET": SECRET},
                              timeout=30)
    finally:
        os.close(w)
    assert proc.returncode in (0, 1, 2, 3), proc.returncode


# ---- 6. usage errors name the option given --------------------------------
@pytest.mark.parametrize("argv,name", [
    (["--ssl", "-Zq"], "-Z"),
    (["-xa"], "-x"),
    (["-v", "-Zq"], "-Z"),
    (["--ssl", "-vZ"], "-Z"),
])
def test_unknown_short_option_named_as_given(one, secret_file, argv, name):
    rc, out, _, _ = run_plugin(_env_args(one) + ["--secret-file",
                                                 secret_file] + argv)
    line = assert_state(rc, out, "UNKNOWN", r"unknown option '%s'" % name)
    assert "--ssl" not in line
    assert "extra-opts" not in line


def test_unknown_first_word_not_from_extra_opts(plugin):
    """-xa as the first word: no extra-opts file was given."""
    rc, out, _, _ = run_plugin(["-xa", "-i", INSTANCE, "-T", TENANT])
    line = assert_state(rc, out, "UNKNOWN", r"unknown option '-x'")
    assert "extra-opts" not in line


def test_unknown_short_option_from_a_file_says_so(one, tmp_path):
    ini = tmp_path / "x.ini"
    ini.write_text("[check_nova_metadata]\nssl=\n")
    rc, out, _, _ = run_plugin(_env_args(one) + ["--extra-opts=@%s" % ini,
                                                 "-Zq"],
                               env={"NOVA_METADATA_SECRET": SECRET})
    line = assert_state(rc, out, "UNKNOWN", r"unknown option '-Z'")
    assert "extra-opts" not in line


# ---- 7. a SIGALRM from outside -------------------------------------------
def test_sigalrm_from_outside_is_not_the_limit(one, secret_file):
    """The whole-run limit is the plugin's own alarm; a SIGALRM that
    someone else sends 0.3 s into a 10 s run is a signal, said so."""
    one.set_fault("hang")
    p = subprocess.Popen(
        [PLUGIN, "-H", "127.0.0.1", "-p", str(one.port), "-i", INSTANCE,
         "-T", TENANT, "--secret-file", secret_file, "-t", "10"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while not one.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        assert one.requests, "the plugin never asked"
        p.send_signal(signal.SIGALRM)
        out, _ = p.communicate(timeout=5)
    finally:
        if p.returncode is None:
            p.kill()
            p.communicate()
    out = out.decode()
    assert "timed out" not in out and "whole-run limit" not in out, out
    assert_state(p.returncode, out, "UNKNOWN", r"signal")


# ---- 8. file errors name the file once it has opened ---------------------
def _hostile(tmp_path, kind):
    path = tmp_path / ("hostile-" + kind)
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(str(path))
    elif kind == "nul":
        path.write_bytes(b"abc\0def\n")
    elif kind == "huge":
        with open(str(path), "wb") as f:
            f.truncate(9 * 1024 * 1024)
    return str(path)


@pytest.mark.parametrize("kind", ["directory", "fifo", "nul", "huge"])
@pytest.mark.parametrize("option", ["--secret-file", "--nova-conf",
                                    "--extra-opts"])
def test_opened_file_is_named(one, tmp_path, kind, option):
    path = _hostile(tmp_path, kind)
    good = tmp_path / "good.conf"
    good.write_text("[neutron]\nmetadata_proxy_shared_secret = %s\n"
                    % SECRET)
    extra = ["--nova-conf", str(good)] if option == "--nova-conf" else []
    value = ("@" + path) if option == "--extra-opts" else path
    rc, out, _, _ = run_plugin(_env_args(one) + extra +
                               ["%s=%s" % (option, value)],
                               env={"NOVA_METADATA_SECRET": SECRET})
    line = assert_state(rc, out, "UNKNOWN", re.escape(option))
    assert path in line, line
    assert "file it names" not in line


def test_file_that_did_not_open_is_not_named(one, tmp_path):
    path = str(tmp_path / "Zq9-pasted-secret")
    rc, out, _, _ = run_plugin(_env_args(one) + ["--secret-file", path])
    line = assert_state(rc, out, "UNKNOWN", r"--secret-file: the file it "
                        r"names: cannot open")
    assert "Zq9-pasted-secret" not in out


@pytest.mark.parametrize("source", ["--secret-file", "--nova-conf", "env"])
def test_secret_not_utf8_is_unknown(one, tmp_path, source):
    """oslo.config reads nova.conf as text: a secret that is no UTF-8
    cannot be Nova's. UNKNOWN saying so, not CRITICAL 'secret differs'."""
    raw = b"\xff\xfeNova-s3cr3t\xc3"
    env = {}
    if source == "--secret-file":
        path = tmp_path / "secret"
        path.write_bytes(raw + b"\n")
        extra = ["--secret-file", str(path)]
    elif source == "--nova-conf":
        path = tmp_path / "nova.conf"
        path.write_bytes(b"[neutron]\nmetadata_proxy_shared_secret = " +
                         raw + b"\n")
        extra = ["--nova-conf", str(path)]
    else:
        extra = []
        env = {"NOVA_METADATA_SECRET": raw.decode("utf-8",
                                                  "surrogateescape")}
    rc, out, _, _ = run_plugin(_env_args(one) + extra, env=env)
    assert_state(rc, out, "UNKNOWN", r"not valid UTF-8")
    assert one.requests == []


# ---- 9. a result over 64 KiB is cut, its state kept ------------------------
def _many(option, n):
    out = []
    for i in range(n):
        out += [option, "missing-%d" % i]
    return out


@pytest.mark.parametrize("option,n", [("-k", 20000),
                                      ("--vendordata-target", 5000)])
def test_huge_result_is_cut_keeping_its_state(one, secret_file, option, n):
    rc, out, _, _ = run_plugin(_env_args(one) + ["--secret-file",
                                                 secret_file] +
                               _many(option, n))
    line = assert_state(rc, out, "CRITICAL")
    # The first line names a few causes and counts the rest (it once
    # listed them all, cut at 64 KiB with "..."); the long output has
    # each.
    assert re.search(r" and \d+ more", line), line[:500]
    assert len(line) <= 1024, line[:500]


def test_huge_result_from_an_ini_file_is_cut(one, secret_file, tmp_path):
    ini = tmp_path / "keys.ini"
    ini.write_text("[check_nova_metadata]\n" + "".join(
        "key=missing-%d\n" % i for i in range(100000)))
    # -t 60: a sanitizer's build takes more than the default 10 s to
    # hold 100 000 keys against the listing
    rc, out, _, _ = run_plugin(_env_args(one) + ["--secret-file",
                                                 secret_file,
                                                 "--extra-opts=@%s" % ini,
                                                 "-t", "60"], timeout=120)
    # The first line names the first key missing, the long output
    # them all, cut with "...".
    line = assert_state(rc, out, "CRITICAL", r": missing-0 and 99999 more "
                        r"keys missing, HTTP 200, 0/100000 keys, ")
    assert re.search(r"0/100000 keys listed, missing-0, missing-1, .*\.\.\.",
                     out), out[:300]
    assert "could not be allocated" not in out
