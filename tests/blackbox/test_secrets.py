"""The shared secret: --nova-conf as real nova.conf files are written, the
order of sources, empty secrets, line ends, the -v warning on files others
can read, and the secret never printed, whatever goes wrong."""

import os
import shutil
import subprocess
import tempfile

import pytest

import simulator
from conftest import (INSTANCE, SECRET, TENANT, WRONG_SECRET,
                      assert_no_perfdata, assert_perfdata, assert_state,
                      assert_unknown_usage, run_plugin)

KEY = "[neutron] metadata_proxy_shared_secret"
LEGACY = "[DEFAULT] neutron_metadata_proxy_shared_secret"


@pytest.fixture
def conf(tmp_path):
    counter = [0]

    def write(text, mode=0o600):
        counter[0] += 1
        path = tmp_path / ("nova%d.conf" % counter[0])
        path.write_text(text)
        os.chmod(str(path), mode)
        return str(path)
    return write


def _args(sim, *extra):
    return ["-H", "127.0.0.1", "-p", sim.port, "-i", INSTANCE, "-T", TENANT
            ] + list(extra)


def _ok(rc, out):
    return assert_perfdata(assert_state(rc, out, "OK", r"HTTP 200"))


REAL_NOVA_CONF = """\
[DEFAULT]
# The metadata API listens here
metadata_listen = 0.0.0.0
metadata_listen_port = 8775
;transport_url = rabbit://old
transport_url = rabbit://openstack:pass@controller
enabled_apis=osapi_compute,metadata

[api]
auth_strategy = keystone

[neutron]
# metadata_proxy_shared_secret = not-this-one
url = http://controller:9696
service_metadata_proxy = true
metadata_proxy_shared_secret   =   {secret}
"""


def test_real_nova_conf(plugin, sim, conf):
    rc, out, err, _ = run_plugin(_args(sim, "--nova-conf",
                                       conf(REAL_NOVA_CONF.format(
                                           secret=SECRET)), "-vvv"))
    _ok(rc, out)
    assert "--nova-conf" in err and KEY in err


def test_value_with_spaces_kept(plugin, conf):
    secret = "two words ; and # more"
    with simulator.Simulator(secret=secret) as s:
        rc, out, _, _ = run_plugin(_args(s, "--nova-conf", conf(
            "[neutron]\nmetadata_proxy_shared_secret = %s  \n" % secret)))
    _ok(rc, out)


def test_legacy_key(plugin, sim, conf):
    rc, out, err, _ = run_plugin(_args(sim, "--nova-conf", conf(
        "[DEFAULT]\nneutron_metadata_proxy_shared_secret=%s\n" % SECRET),
        "-v"))
    _ok(rc, out)
    assert LEGACY in err


def test_duplicate_key_last_wins(plugin, sim, conf):
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", conf(
        "[neutron]\nmetadata_proxy_shared_secret = %s\n"
        "metadata_proxy_shared_secret = %s\n" % (WRONG_SECRET, SECRET))))
    _ok(rc, out)


def test_later_file_overrides(plugin, sim, conf):
    right = conf("[neutron]\nmetadata_proxy_shared_secret = %s\n" % SECRET)
    wrong = conf("[neutron]\nmetadata_proxy_shared_secret = %s\n"
                 % WRONG_SECRET)
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", wrong,
                                     "--nova-conf", right))
    _ok(rc, out)
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", right,
                                     "--nova-conf", wrong, "-vvv"))
    assert_perfdata(assert_state(rc, out, "CRITICAL", r"signature rejected"))


def test_file_without_key_does_not_override(plugin, sim, conf):
    right = conf("[neutron]\nmetadata_proxy_shared_secret = %s\n" % SECRET)
    other = conf("[DEFAULT]\ndebug = true\n")
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", right,
                                     "--nova-conf", other))
    _ok(rc, out)


def test_no_key(plugin, sim, conf):
    path = conf("[DEFAULT]\ndebug = true\n[neutron]\nurl = http://x\n")
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", path))
    line = assert_unknown_usage(rc, out, r"no shared secret")
    assert path in line and KEY in line and LEGACY in line
    assert sim.request_count == 0


def test_missing_file(plugin, sim, tmp_path):
    path = str(tmp_path / "missing.conf")
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", path))
    line = assert_unknown_usage(
        rc, out, r"--nova-conf: a file it names: cannot open: No such file "
        r"or directory")
    assert "missing.conf" not in line


def test_unreadable_directory(plugin, sim, tmp_path):
    # Tests run as root, who reads mode-000 files: a directory cannot be.
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", str(tmp_path)))
    line = assert_unknown_usage(rc, out, r"is a directory")
    # It opened: named, so that of several --nova-conf the one is known.
    assert "'%s' is a directory" % tmp_path in line


def test_unreadable_when_not_root(plugin, sim, conf):
    # Root reads mode-000 files, so as root the plugin runs as nobody.
    prefix, plugin_copy, where = (), None, None
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root reads mode-000 files and setpriv is missing")
        prefix = (setpriv, "--reuid=65534", "--regid=65534",
                  "--clear-groups")
        # nobody may not enter a build tree under /root: a copy of the
        # plugin where it may.
        where = tempfile.mkdtemp(prefix="nm-nobody-")
        os.chmod(where, 0o755)
        plugin_copy = os.path.join(where, "check_nova_metadata")
        shutil.copy(plugin, plugin_copy)
        os.chmod(plugin_copy, 0o755)
    try:
        path = conf("[neutron]\nmetadata_proxy_shared_secret = x\n",
                    mode=0)
        rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", path),
                                   prefix=prefix, plugin=plugin_copy)
    finally:
        if where is not None:
            shutil.rmtree(where, ignore_errors=True)
    assert_unknown_usage(rc, out, r"--nova-conf: .*cannot open: "
                         r"Permission denied")


def test_bad_line_never_shows_secret(plugin, sim, conf):
    path = conf("[neutron]\nmetadata_proxy_shared_secret = %s\n"
                "%s without equals\n" % (SECRET, SECRET))
    rc, out, err, _ = run_plugin(_args(sim, "--nova-conf", path, "-vvv"))
    assert_unknown_usage(rc, out, r"line 3 is not")
    # run_plugin has already checked that SECRET is in neither stream.


def test_very_long_lines(plugin, sim, conf):
    text = ("[filter_scheduler]\nenabled_filters = " + "F," * 20000 +
            "X\n" + REAL_NOVA_CONF.format(secret=SECRET))
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", conf(text)))
    _ok(rc, out)


def test_long_secret_read_whole(plugin, conf):
    secret = "L" * 3000 + "=tail"
    with simulator.Simulator(secret=secret) as s:
        rc, out, err, _ = run_plugin(_args(s, "--nova-conf", conf(
            "[neutron]\nmetadata_proxy_shared_secret = %s\n" % secret),
            "-vvv"))
    assert secret[:100] not in out + err
    _ok(rc, out)


def test_empty_value(plugin, sim, conf):
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", conf(
        "[neutron]\nmetadata_proxy_shared_secret =\n")))
    assert_unknown_usage(rc, out, r"shared secret from --nova-conf .* empty")


def test_empty_secret_file(plugin, sim, make_secret_file):
    rc, out, _, _ = run_plugin(_args(sim, "--secret-file",
                                     make_secret_file("\n")))
    assert_unknown_usage(rc, out, r"empty")
    assert sim.request_count == 0


def test_empty_env(plugin, sim):
    rc, out, _, _ = run_plugin(_args(sim), env={"NOVA_METADATA_SECRET": ""})
    assert_unknown_usage(rc, out, r"empty")


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r", ""])
def test_line_end_not_part_of_secret(plugin, sim, make_secret_file, ending):
    rc, out, _, _ = run_plugin(_args(sim, "--secret-file",
                                     make_secret_file(SECRET + ending)))
    _ok(rc, out)


def test_order_secret_file_first(plugin, sim, conf, wrong_secret_file):
    right = conf("[neutron]\nmetadata_proxy_shared_secret = %s\n" % SECRET)
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", right,
                                     "--secret-file", wrong_secret_file),
                               env={"NOVA_METADATA_SECRET": SECRET})
    assert_perfdata(assert_state(rc, out, "CRITICAL", r"signature rejected"))


def test_order_nova_conf_before_env(plugin, sim, conf):
    right = conf("[neutron]\nmetadata_proxy_shared_secret = %s\n" % SECRET)
    rc, out, err, _ = run_plugin(_args(sim, "--nova-conf", right, "-v"),
                                 env={"NOVA_METADATA_SECRET": WRONG_SECRET})
    _ok(rc, out)
    assert "from --nova-conf" in err


def test_env_last(plugin, sim):
    rc, out, err, _ = run_plugin(_args(sim, "-v"),
                                 env={"NOVA_METADATA_SECRET": SECRET})
    _ok(rc, out)
    assert "environment NOVA_METADATA_SECRET" in err


def test_wrong_secret_never_printed(plugin, sim, wrong_secret_file):
    rc, out, err, _ = run_plugin(_args(sim, "--secret-file",
                                       wrong_secret_file, "-vvv"))
    assert_perfdata(assert_state(rc, out, "CRITICAL", r"signature rejected"))
    assert "X-Instance-ID-Signature" in err      # -vvv did show headers


def test_readable_secret_file_warns(plugin, sim, make_secret_file):
    path = make_secret_file(SECRET + "\n")
    os.chmod(path, 0o644)
    rc, out, err, _ = run_plugin(_args(sim, "--secret-file", path, "-v"))
    _ok(rc, out)
    assert "readable by others" in err and path in err
    rc, out, err, _ = run_plugin(_args(sim, "--secret-file", path))
    _ok(rc, out)
    assert err == ""


def test_readable_nova_conf_warns(plugin, sim, conf):
    path = conf("[neutron]\nmetadata_proxy_shared_secret = %s\n" % SECRET,
                mode=0o644)
    rc, out, err, _ = run_plugin(_args(sim, "--nova-conf", path, "-v"))
    _ok(rc, out)
    assert "readable by others" in err and path in err
    os.chmod(path, 0o640)
    rc, out, err, _ = run_plugin(_args(sim, "--nova-conf", path, "-v"))
    _ok(rc, out)
    assert "readable by others" not in err


def test_valgrind_nova_conf(plugin, sim, conf):
    if os.environ.get("ENABLE_SANITIZERS") == "yes" or \
            os.environ.get("ENABLE_TSAN") == "yes":
        pytest.skip("sanitizer build")
    if shutil.which("valgrind") is None:
        pytest.skip("no valgrind")
    path = conf(REAL_NOVA_CONF.format(secret=SECRET) + "x = " + "y" * 5000)
    rc, out, err, _ = run_plugin(
        _args(sim, "--nova-conf", path, "--nova-conf", path, "-vvv"),
        prefix=("valgrind", "-q", "--leak-check=full", "--error-exitcode=99",
                "--errors-for-leak-kinds=definite"), timeout=120)
    assert rc == 0, err
    _ok(rc, out)


def _k8s_mount(tmp_path, name, data, mode=0o600):
    """A file as Kubernetes mounts a ConfigMap or Secret: name ->
    ..data/name, ..data -> ..<timestamp>/, both symbolic links."""
    real = tmp_path / "..2024_01_01_00_00_00.000000001"
    real.mkdir(exist_ok=True)
    (real / name).write_bytes(data)
    os.chmod(str(real / name), mode)
    link = tmp_path / "..data"
    if not link.is_symlink():
        os.symlink(real.name, str(link))
    os.symlink(os.path.join("..data", name), str(tmp_path / name))
    return str(tmp_path / name)


def test_symbolic_links_followed(plugin, sim, tmp_path):
    """ConfigMap/Secret mounts and /etc/alternatives are links; oslo.config
    and monitoring-plugins follow them, and so does the plugin."""
    nova = _k8s_mount(tmp_path, "nova.conf",
                      ("[neutron]\nmetadata_proxy_shared_secret = %s\n"
                       % SECRET).encode())
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", nova))
    _ok(rc, out)
    secret = _k8s_mount(tmp_path, "secret", (SECRET + "\n").encode())
    rc, out, _, _ = run_plugin(_args(sim, "--secret-file", secret))
    _ok(rc, out)


def test_secret_file_bom_stripped(plugin, sim, tmp_path):
    path = tmp_path / "bom"
    path.write_bytes(b"\xef\xbb\xbf" + SECRET.encode() + b"\r\n")
    os.chmod(str(path), 0o600)
    rc, out, err, _ = run_plugin(_args(sim, "--secret-file", str(path), "-v"))
    _ok(rc, out)
    assert "byte order mark" in err and str(path) in err


def test_secret_white_space_kept_and_warned(plugin, make_secret_file):
    secret = " two words\t"
    with simulator.Simulator(secret=secret) as s:
        rc, out, err, _ = run_plugin(_args(s, "--secret-file",
                                           make_secret_file(secret + "\n"),
                                           "-v"))
        _ok(rc, out)
        assert "secret has leading/trailing white space" in err
        assert "two words" not in out + err
        rc, out, err, _ = run_plugin(_args(s, "--secret-file",
                                           make_secret_file(secret + "\n")))
        _ok(rc, out)
        assert err == ""


def test_nova_conf_indented_comment_continues(plugin, conf):
    """oslo.config reads an indented '#' line after the secret as part of
    it (its value: 'abc\\n# def')."""
    with simulator.Simulator(secret="abc\n# def") as s:
        rc, out, _, _ = run_plugin(_args(s, "--nova-conf", conf(
            "[neutron]\nmetadata_proxy_shared_secret = abc\n  # def\n")))
    _ok(rc, out)


def test_nova_conf_lone_quote_is_empty(plugin, sim, conf):
    """oslo.config takes a lone '"' for a pair of quotes: an empty value."""
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", conf(
        "[neutron]\nmetadata_proxy_shared_secret = \"\n")))
    assert_unknown_usage(rc, out, r"shared secret from --nova-conf .* empty")
    assert sim.request_count == 0


def test_nova_conf_stray_indented_line(plugin, sim, conf):
    path = conf("[neutron]\nmetadata_proxy_shared_secret = %s\n\n  x\n"
                % SECRET)
    rc, out, _, _ = run_plugin(_args(sim, "--nova-conf", path))
    assert path in assert_unknown_usage(rc, out, r"line 4 is indented")
