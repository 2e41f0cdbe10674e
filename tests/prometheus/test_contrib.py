"""contrib/prometheus as `make` builds it: systemd-analyze verify accepts
the service and timer (the plugin's path rewritten to this build's, the
manual page this build's), the service's own commands write the metrics
file atomically, and promtool checks and unit-tests the alerting rules."""

import configparser
import os
import re
import shlex
import shutil
import subprocess

import pytest

from conftest import (CONTRIB, INSTANCE, PLUGIN, REASONS, SECRET, TENANT,
                      TOP_SRCDIR, samples, state)

BUILDDIR = os.path.dirname(os.path.dirname(os.path.abspath(PLUGIN)))
UNIT = "nova-metadata-prometheus@"
ETC = "/etc/check_nova_metadata"
TEXTFILES = "/var/lib/prometheus/node-exporter"


def _built(name):
    """A file of contrib/prometheus as the build has it (the service is
    made from its .in), else the source's."""
    for top in (BUILDDIR, TOP_SRCDIR):
        path = os.path.join(top, "contrib", "prometheus", name)
        if os.path.exists(path):
            return path
    pytest.fail("contrib/prometheus/%s is not built (make)" % name)


def _service_text():
    text = open(_built(UNIT + ".service")).read()
    assert "@libexecdir@" not in text
    return text


def _manpath(tmp_path):
    """A MANPATH with this build's check_nova_metadata(1), for the
    units' Documentation= that verify looks up."""
    for top in (BUILDDIR, TOP_SRCDIR):
        page = os.path.join(top, "doc", "check_nova_metadata.1")
        if os.path.exists(page):
            (tmp_path / "man" / "man1").mkdir(parents=True, exist_ok=True)
            shutil.copy(page, str(tmp_path / "man" / "man1"))
            return str(tmp_path / "man")
    pytest.fail("doc/check_nova_metadata.1 is not built")


@pytest.fixture(scope="module")
def analyze():
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.skip("systemd-analyze is not installed (Debian: systemd)")
    return path


def _verify(analyze, tmp_path, service_text):
    units = tmp_path / "units"
    units.mkdir(exist_ok=True)
    service = units / (UNIT + "canary.service")
    timer = units / (UNIT + "canary.timer")
    service.write_text(service_text)
    shutil.copy(_built(UNIT + ".timer"), str(timer))
    env = dict(os.environ, MANPATH=_manpath(tmp_path), SYSTEMD_LOG_COLOR="0")
    # Documentation=man:... is checked by running man(1), which a
    # minimal Debian root lacks (man-db): there only the units are.
    man = [] if shutil.which("man") else ["--man=no"]
    proc = subprocess.run([analyze, "verify"] + man + [str(service),
                                                       str(timer)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          env=env, timeout=120)
    out = proc.stdout.decode()
    # the system's own units may warn; ours must not
    ours = [l for l in out.splitlines() if UNIT in l]
    return proc.returncode, ours, out


def _exec_start(text):
    (line,) = re.findall(r"^ExecStart=(.*)$", text, re.M)
    return line


def test_service_names_the_installed_plugin():
    """make puts the plugin's $(libexecdir) into ExecStart."""
    program = shlex.split(_exec_start(_service_text()))[0]
    assert program.endswith("/check_nova_metadata") and \
        os.path.isabs(program)
    makefile = os.path.join(BUILDDIR, "Makefile")
    libexecdir = re.search(r"^libexecdir = (.*)$", open(makefile).read(),
                           re.M).group(1)
    prefix = re.search(r"^prefix = (.*)$", open(makefile).read(),
                       re.M).group(1)
    exec_prefix = re.search(r"^exec_prefix = (.*)$", open(makefile).read(),
                            re.M).group(1).replace("${prefix}", prefix)
    assert program == os.path.join(libexecdir.replace(
        "${exec_prefix}", exec_prefix), "check_nova_metadata")


def test_systemd_analyze_verify(analyze, tmp_path):
    text = _service_text()
    program = shlex.split(_exec_start(text))[0]
    rc, ours, out = _verify(analyze, tmp_path, text.replace(program, PLUGIN))
    assert rc == 0 and not ours, out


def test_verify_would_see_a_missing_plugin(analyze, tmp_path):
    """The control: verify does check ExecStart's path, so the test
    above proves the unit runs what it names."""
    text = _service_text()
    program = shlex.split(_exec_start(text))[0]
    rc, ours, out = _verify(analyze, tmp_path, text.replace(
        program, str(tmp_path / "absent" / "check_nova_metadata")))
    assert rc != 0 and any("not executable" in l for l in ours), out


def _service_commands(tmp_path, sim_port):
    """The service's ExecStart, StandardOutput file and ExecStartPost as
    systemd would run them for instance "canary", with /etc, the
    credentials and the textfile directory under tmp_path."""
    etc, creds, textfiles = (tmp_path / "etc", tmp_path / "creds",
                             tmp_path / "textfile")
    for d in (etc, creds, textfiles):
        d.mkdir()
    ini = configparser.ConfigParser()
    ini.read(os.path.join(CONTRIB, "prometheus.ini"))
    ini["canary"]["hostname"] = "127.0.0.1"
    ini["canary"]["port"] = str(sim_port)
    with open(str(etc / "prometheus.ini"), "w") as f:
        ini.write(f)
    fd = os.open(str(creds / "secret"), os.O_WRONLY | os.O_CREAT, 0o400)
    os.write(fd, (SECRET + "\n").encode())
    os.close(fd)
    text = _service_text()
    program = shlex.split(_exec_start(text))[0]
    text = (text.replace(program, PLUGIN).replace("%i", "canary")
            .replace("${CREDENTIALS_DIRECTORY}", str(creds))
            .replace(ETC, str(etc)).replace(TEXTFILES, str(textfiles)))
    (out_path,) = re.findall(r"^StandardOutput=truncate:(.*)$", text, re.M)
    (post,) = re.findall(r"^ExecStartPost=\+(.*)$", text, re.M)
    (ok,) = re.findall(r"^SuccessExitStatus=(.*)$", text, re.M)
    return (shlex.split(_exec_start(text)), out_path, shlex.split(post),
            {0} | {int(c) for c in ok.split()}, textfiles)


@pytest.mark.parametrize("fault,code", [(None, 0), (("status", 500), 2)])
def test_service_writes_atomically(sim, tmp_path, check_metrics, fault,
                                   code):
    if fault:
        sim.set_fault(*fault)
    start, out_path, post, success, textfiles = _service_commands(
        tmp_path, sim.port)
    with open(out_path, "wb") as out:
        env = dict(os.environ, LC_ALL="C")
        env.pop("NOVA_METADATA_SECRET", None)
        proc = subprocess.run(start, stdout=out, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=30, env=env)
    assert proc.returncode == code and code in success, proc.stderr
    # until the rename, the collector (which reads *.prom) sees nothing
    assert [p.name for p in textfiles.iterdir()] == [
        "nova_metadata_canary.prom.tmp"]
    subprocess.run(post, check=True, timeout=30)
    assert [p.name for p in textfiles.iterdir()] == [
        "nova_metadata_canary.prom"]
    text = (textfiles / "nova_metadata_canary.prom").read_text()
    assert SECRET not in text
    fams = check_metrics(text)
    assert state(fams) == ({"canary": INSTANCE}, code)
    assert samples(fams, "nova_metadata_http_status")[0][1] == \
        (200 if code == 0 else 500)
    assert TENANT not in text


def test_rules_check(promtool):
    proc = subprocess.run([promtool, "check", "rules",
                           os.path.join(CONTRIB, "nova-metadata.rules.yml")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=60)
    out = proc.stdout.decode()
    assert proc.returncode == 0 and "SUCCESS: 4 rules found" in out, out


def test_rules_unit_tests(promtool):
    """The alerts page after three CRITICAL runs in a row, name the
    failing backend and its reason, and warn on WARNING, UNKNOWN and a
    stale file (nova-metadata.rules.test.yml)."""
    proc = subprocess.run([promtool, "test", "rules",
                           "nova-metadata.rules.test.yml"], cwd=CONTRIB,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=60)
    out = proc.stdout.decode()
    assert proc.returncode == 0 and "SUCCESS" in out, out


def test_rules_reason_words_are_the_plugins():
    """Every reason the rules' test file uses is one the plugin writes
    (README's list)."""
    text = open(os.path.join(CONTRIB, "nova-metadata.rules.test.yml")).read()
    used = set(re.findall(r'reason="([a-z_]+)"', text))
    assert used and used <= REASONS



def _readme_reasons():
    readme = open(os.path.join(TOP_SRCDIR, "README")).read()
    section = readme.split("\nWith Prometheus\n", 1)[1].split(
        "\nA run cut short", 1)[0]
    listing = section.split("`reason` is one of a fixed set", 1)[1]
    return set(re.findall(r"`([a-z_]+)`", listing))


def _man_reasons():
    page = open(os.path.join(TOP_SRCDIR, "doc",
                             "check_nova_metadata.1.in")).read()
    section = page.split(".SH WITH PROMETHEUS", 1)[1].split(".SH ", 1)[0]
    listing = section.split("is one of", 1)[1].split("(the README", 1)[0]
    return set(re.findall(r"^\.BR? (?:\\%)?([a-z_]+)", listing, re.M))


def test_reasons_documented_are_the_plugins():
    """README's and the man page's lists are the tokens the plugin's
    table of reasons holds (and 'none'), no more, no fewer."""
    source = open(os.path.join(TOP_SRCDIR, "plugins",
                               "check_nova_metadata.d",
                               "core_reason.c")).read()
    tokens = set(re.findall(r'\] = \{ "([a-z_]+)"', source)) | {"none"}
    assert len(tokens) > 20
    assert tokens == REASONS
    assert _readme_reasons() == REASONS
    assert _man_reasons() == REASONS
