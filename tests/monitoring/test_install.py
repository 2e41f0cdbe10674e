"""What `make install` puts on the machine: one executable, the plugin, in
the directory configure's --libexecdir names, dynamically linked (as
Debian's policy and lintian want a packaged program)."""

import os
import subprocess


def _make_variable(name):
    """A variable of the build's Makefile, as make expands it."""
    p = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", os.environ["BUILDDIR"],
         "-f", "Makefile", "-f", "-", "nm-print"],
        input=("nm-print:\n\t@echo '$(%s)'\n" % name).encode(),
        capture_output=True, timeout=60,
        env={k: v for k, v in os.environ.items()
             if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")})
    assert p.returncode == 0, p.stderr
    return p.stdout.decode().strip()


def test_one_executable_in_libexecdir(installed):
    dest = installed["destdir"]
    executables = []
    for dirpath, _, files in os.walk(dest):
        for f in files:
            path = os.path.join(dirpath, f)
            if not os.path.islink(path) and os.access(path, os.X_OK):
                executables.append(path)
    libexecdir = _make_variable("libexecdir")
    assert libexecdir.startswith("/"), libexecdir
    assert executables == [dest + libexecdir + "/check_nova_metadata"], \
        executables
    assert installed["plugin"] == executables[0]


def test_installed_plugin_is_dynamically_linked(installed):
    out = subprocess.run(["file", "-b", installed["plugin"]],
                         capture_output=True, check=True,
                         timeout=60).stdout.decode()
    assert "ELF" in out and "dynamically linked" in out, out
    assert "statically linked" not in out, out
