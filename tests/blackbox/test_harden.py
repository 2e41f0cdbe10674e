"""The process keeps its secret to itself: no core file, no debugger, no
readable /proc files for another process of the same user, while it
waits on a server with the secret loaded. Each case runs a control (an
ordinary process, `sleep`, treated exactly the same way) that must show
the probe working, so the test fails where the plugin is not hardened.

Cores: the kernel's core_pattern is machine-wide, so these tests never
change it. With a relative pattern (Debian's default "core") a core
lands in the crashing process's working directory, a fresh temporary
directory here; with an absolute path or a pipe to a crash collector,
the core cannot be looked for without changing the pattern, and the crash
test is skipped saying so.
"""

import json
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from conftest import INSTANCE, SECRET, TENANT, _clean_env

PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     "procprobe.py")
# Generous: the machine may be busy with other builds.
WAIT_SECONDS = 20


def _core_pattern():
    try:
        with open("/proc/sys/kernel/core_pattern") as f:
            return f.read().strip()
    except OSError:
        return None


def _core_hard_limit():
    """Root may lift the limit; another user only up to the hard one."""
    if os.geteuid() == 0:
        return resource.RLIM_INFINITY
    return resource.getrlimit(resource.RLIMIT_CORE)[1]


def _nobody():
    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return pw.pw_uid, pw.pw_gid


def _preexec(uid_gid=None):
    def setup():
        # Cores enabled, as an operator's shell or a crash-hunting
        # scheduler might have them: the plugin must turn them off itself.
        resource.setrlimit(resource.RLIMIT_CORE, (_core_hard_limit(),) * 2)
        if uid_gid is not None:
            os.setgroups([])
            os.setgid(uid_gid[1])
            os.setuid(uid_gid[0])
    return setup


def _plugin_cmd(plugin, sim):
    # The secret in the environment: the source /proc/PID/environ would
    # show. -t is long: the test ends the run, not the limit.
    return [plugin, "-H", "127.0.0.1", "-p", str(sim.port), "-i", INSTANCE,
            "-T", TENANT, "-t", "60"]


def _env():
    return _clean_env({"NOVA_METADATA_SECRET": SECRET})


def _wait_for_request(sim, proc=None):
    """Until the plugin, secret loaded and request signed, waits on sim."""
    deadline = time.monotonic() + WAIT_SECONDS
    while sim.request_count == 0:
        if proc is not None:
            assert proc.poll() is None, "the plugin ended before it asked"
        assert time.monotonic() < deadline, "no request within %d s" % \
            WAIT_SECONDS
        time.sleep(0.02)


@pytest.fixture
def hanging(sim):
    sim.set_fault("hang")
    return sim


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix="nm-harden-")
    os.chmod(path, 0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


# ---- a crash leaves no core ---------------------------------------------
def _crash(cmd, cwd, sig, env, ready):
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_preexec())
    try:
        ready(proc)
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=WAIT_SECONDS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out.decode("utf-8", "replace"), os.listdir(cwd)


def _settle(proc):
    # sleep has nothing to wait for; give it time to be exec'd.
    time.sleep(0.2)
    assert proc.poll() is None


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGABRT])
def test_crash_writes_no_core(plugin, hanging, workdir, sig):
    pattern = _core_pattern()
    if pattern is None or pattern.startswith(("|", "/")):
        pytest.skip("core_pattern %r does not write into the working "
                    "directory; the test does not change it (machine-wide)"
                    % pattern)
    if _core_hard_limit() == 0:
        pytest.skip("the hard core limit is 0: no process can dump here")
    # ASan handles SIGSEGV itself: a report, then its exitcode.
    asan_segv = os.environ.get("ENABLE_SANITIZERS") == "yes" and \
        sig == signal.SIGSEGV
    control_dir = os.path.join(workdir, "control")
    plugin_dir = os.path.join(workdir, "plugin")
    os.mkdir(control_dir)
    os.mkdir(plugin_dir)

    rc, _, files = _crash(["sleep", "60"], control_dir, sig, _env(), _settle)
    assert rc == -sig, "control: exit %d" % rc
    assert files, "control: an ordinary process wrote no core in %s " \
        "(core_pattern %r): this machine cannot show the difference" % \
        (control_dir, pattern)

    rc, out, files = _crash(_plugin_cmd(plugin, hanging), plugin_dir, sig,
                            _env(), lambda p: _wait_for_request(hanging, p))
    # Default action: no handler turns a crash into a status line.
    assert rc > 0 if asan_segv else rc == -sig, \
        "plugin: exit %d, stdout %r" % (rc, out)
    assert files == [], "plugin crash left %s" % files
    assert SECRET not in out


# ---- no debugger, no /proc snooping --------------------------------------
PROBES_DENIED = ("ptrace_attach", "mem", "environ", "maps", "auxv", "fd",
                 "cwd", "exe")


def _probe(cmd, cwd, ready):
    """procprobe.py runs cmd and probes it, both as the same user: nobody
    when the tests run as root (root may read and trace anything), else
    the tests' own user."""
    uid_gid = _nobody() if os.geteuid() == 0 else None
    if os.geteuid() == 0 and uid_gid is None:
        pytest.skip("running as root and there is no user 'nobody'")
    probe = os.path.join(cwd, os.path.basename(PROBE))
    proc = subprocess.Popen([sys.executable, probe] + cmd, cwd=cwd,
                            env=_env(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_preexec(uid_gid))
    try:
        first = proc.stdout.readline().decode()
        assert first.startswith("pid "), (first, proc.stderr.read())
        ready()
        proc.stdin.write(b"probe\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=WAIT_SECONDS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    return json.loads(out.decode().strip().splitlines()[-1])


def test_same_user_cannot_trace_or_read(plugin, hanging, workdir):
    # Copies where nobody may run them, wherever the tree is (/root is
    # 0700).
    plugin_copy = os.path.join(workdir, "check_nova_metadata")
    shutil.copy(plugin, plugin_copy)
    os.chmod(plugin_copy, 0o755)
    shutil.copy(PROBE, workdir)

    control = _probe(["sleep", "60"], workdir, lambda: time.sleep(0.2))
    assert control["alive"], control
    for name in PROBES_DENIED + ("cmdline",):
        assert control[name] == "ok", "control: %s %s" % (name, control)

    result = _probe(_plugin_cmd(plugin_copy, hanging), workdir,
                    lambda: _wait_for_request(hanging))
    assert result["alive"], result
    for name in PROBES_DENIED:
        assert result[name] in ("EPERM", "EACCES"), \
            "%s: %s (%s)" % (name, result[name], result)
    # The command line stays world-readable, as for every process: which
    # is why no secret is ever accepted there.
    assert result["cmdline"] == "ok", result



# ---- where the system refuses --------------------------------------------
# The audit architecture and prctl's system call number of the
# architectures the filter below knows, by uname and pointer size: the
# plugin is built for the same one as this Python.
SECCOMP_ARCH = {
    ("x86_64", 8): (0xC000003E, 157),   # AUDIT_ARCH_X86_64, __NR_prctl
    ("x86_64", 4): (0x40000003, 172),   # AUDIT_ARCH_I386 (32-bit userland)
    ("i686", 4): (0x40000003, 172),
    ("i386", 4): (0x40000003, 172),
}


def _seccomp_arch():
    import struct
    return SECCOMP_ARCH.get((os.uname().machine, struct.calcsize("P")))


def _refuse_set_dumpable():
    """A preexec_fn installing a seccomp filter under which
    prctl(PR_SET_DUMPABLE, ...) fails with EPERM, as under a container
    runtime's policy that forbids it (SECCOMP_ARCH: system call numbers
    and the audit architecture are the architecture's)."""
    import ctypes
    import struct
    audit_arch, nr_prctl = _seccomp_arch()

    def insn(code, jt, jf, k):
        return struct.pack("=HBBI", code, jt, jf, k)
    ld, jeq, ret = 0x20, 0x15, 0x06
    prog = b"".join([
        insn(ld, 0, 0, 4),             # arch
        insn(jeq, 0, 5, audit_arch),   # this architecture, else allow
        insn(ld, 0, 0, 0),             # syscall number
        insn(jeq, 0, 3, nr_prctl),     # prctl, else allow
        insn(ld, 0, 0, 16),            # args[0], low half
        insn(jeq, 0, 1, 4),            # PR_SET_DUMPABLE, else allow
        insn(ret, 0, 0, 0x00050000 | 1),   # SECCOMP_RET_ERRNO | EPERM
        insn(ret, 0, 0, 0x7FFF0000),   # SECCOMP_RET_ALLOW
    ])
    filt = ctypes.create_string_buffer(prog, len(prog))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    fprog = SockFprog(len(prog) // 8, ctypes.addressof(filt))
    libc = ctypes.CDLL(None, use_errno=True)

    def setup():
        # PR_SET_NO_NEW_PRIVS, then PR_SET_SECCOMP / SECCOMP_MODE_FILTER.
        if libc.prctl(38, 1, 0, 0, 0) != 0 or \
                libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) != 0:
            os._exit(99)
    setup.keep = (filt, fprog)
    return setup


def test_refused_hardening_warns_and_checks(plugin, sim):
    if _seccomp_arch() is None:
        pytest.skip("the seccomp filter knows x86_64 and i386 only")
    cmd = _plugin_cmd(plugin, sim) + ["-v"]
    proc = subprocess.run(cmd, env=_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=WAIT_SECONDS,
                          preexec_fn=_refuse_set_dumpable())
    out = proc.stdout.decode()
    err = proc.stderr.decode()
    assert proc.returncode != 99, "could not install the seccomp filter"
    # The check's result does not depend on the hardening: still OK.
    assert proc.returncode == 0, (out, err)
    assert out.startswith("NOVA METADATA OK - "), out
    assert "time=" in out.split("\n", 1)[0], out
    assert "warning: cannot make the process non-dumpable" in err, err
    assert SECRET not in out + err
    # Without -v the output is what it always is: no warning anywhere.
    proc = subprocess.run(cmd[:-1], env=_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=WAIT_SECONDS,
                          preexec_fn=_refuse_set_dumpable())
    assert proc.returncode == 0 and proc.stderr == b"", proc
