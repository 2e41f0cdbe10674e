"""Probes a process as another process of the same user would.

    procprobe.py CMD [ARG...]

Starts CMD as its own child (so that Yama's ptrace_scope=1, which lets a
process trace only its descendants, does not decide the outcome), prints
"pid N", waits for a line on stdin (the caller's "it is waiting now"),
then tries what a debugger or a snoop of the same user would: attach
with ptrace, open /proc/PID/mem, read /proc/PID/{environ,maps,auxv,
cmdline}, list /proc/PID/fd and read its cwd and exe links. Prints one
JSON object, probe -> "ok" or the errno name, kills CMD and exits 0.
"""

import ctypes
import errno
import json
import os
import signal
import subprocess
import sys

PTRACE_ATTACH = 16
PTRACE_DETACH = 17
WALL = 0x40000000  # waitpid's __WALL, which os does not name


def _ptrace_attach(pid):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.restype = ctypes.c_long
    libc.ptrace.argtypes = (ctypes.c_long, ctypes.c_long, ctypes.c_void_p,
                            ctypes.c_void_p)
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) != 0:
        return errno.errorcode.get(ctypes.get_errno(), "E?")
    # Attached: wait for the stop, then let it go as it was.
    os.waitpid(pid, WALL)
    libc.ptrace(PTRACE_DETACH, pid, None, None)
    return "ok"


def _try(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, "E?")


def _read(path):
    with open(path, "rb") as f:
        f.read(4096)


def probe(pid):
    base = "/proc/%d/" % pid
    return {
        "ptrace_attach": _ptrace_attach(pid),
        "mem": _try(lambda: os.close(os.open(base + "mem", os.O_RDONLY))),
        "environ": _try(lambda: _read(base + "environ")),
        "maps": _try(lambda: _read(base + "maps")),
        "auxv": _try(lambda: _read(base + "auxv")),
        "fd": _try(lambda: os.listdir(base + "fd")),
        "cwd": _try(lambda: os.readlink(base + "cwd")),
        "exe": _try(lambda: os.readlink(base + "exe")),
        "cmdline": _try(lambda: _read(base + "cmdline")),
    }


def main(argv):
    child = subprocess.Popen(argv[1:], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL)
    print("pid %d" % child.pid, flush=True)
    try:
        sys.stdin.readline()
        result = probe(child.pid)
        result["alive"] = child.poll() is None
        print(json.dumps(result), flush=True)
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
