"""--extra-opts as monitoring-plugins reads it: explicit files and
sections, every place the search looks (through MP_CONFIG_FILE and
NAGIOS_CONFIG_PATH), the command line winning, and errors naming the
file or the section."""

import os

import pytest

from conftest import (INSTANCE, TENANT, assert_no_perfdata, assert_perfdata,
                      assert_state, assert_unknown_usage, free_port,
                      run_plugin)

PLUGIN_SECTION = "check_nova_metadata"
NAMES = ["monitoring-plugins.ini", "plugins.ini", "nagios-plugins.ini"]


def _section(name, sim, secret_file, **extra):
    lines = ["[%s]" % name, "hostname = 127.0.0.1", "port=%s" % sim.port,
             "instance = " + INSTANCE, "  tenant = " + TENANT,
             "secret-file = " + secret_file]
    lines += ["%s = %s" % (k.replace("_", "-"), v) for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


@pytest.fixture
def no_search_env():
    """An environment in which only what a test sets is searched."""
    return {"MP_CONFIG_FILE": None, "NAGIOS_CONFIG_PATH": None}


def _ok(rc, out):
    return assert_perfdata(assert_state(rc, out, "OK", r"HTTP 200"))


def test_explicit_file_default_section(plugin, sim, secret_file, tmp_path,
                                       no_search_env):
    ini = _write(tmp_path / "x.ini", "# comment\n; comment\n[other]\nport=1\n"
                 + _section(PLUGIN_SECTION, sim, secret_file))
    rc, out, _, _ = run_plugin(["--extra-opts=@" + ini], env=no_search_env)
    _ok(rc, out)


def test_named_section_separate_word(plugin, sim, secret_file, tmp_path,
                                     no_search_env):
    ini = _write(tmp_path / "x.ini", _section("canary", sim, secret_file))
    rc, out, _, _ = run_plugin(["--extra-opts", "canary@" + ini, "-v"],
                               env=no_search_env)
    _ok(rc, out)


def test_command_line_wins(plugin, sim, secret_file, wrong_secret_file,
                           tmp_path, no_search_env):
    ini = _write(tmp_path / "x.ini", "[%s]\nhostname=127.0.0.1\nport=%d\n"
                 "instance=%s\ntenant=%s\nsecret-file=%s\n"
                 % (PLUGIN_SECTION, free_port(), INSTANCE, TENANT,
                    wrong_secret_file))
    rc, out, _, _ = run_plugin(["-p", sim.port, "--extra-opts=@" + ini,
                                "--secret-file", secret_file],
                               env=no_search_env)
    _ok(rc, out)


def test_options_without_value(plugin, sim, secret_file, tmp_path,
                               no_search_env):
    ini = _write(tmp_path / "x.ini", _section(PLUGIN_SECTION, sim, secret_file)
                 + "verbose\nv=\n")
    rc, out, err, _ = run_plugin(["--extra-opts=@" + ini], env=no_search_env)
    _ok(rc, out)
    assert "canary %s, tenant" % INSTANCE in err     # -vv from the file


def test_mp_config_file(plugin, sim, secret_file, tmp_path):
    ini = _write(tmp_path / "anywhere.conf",
                 _section(PLUGIN_SECTION, sim, secret_file))
    rc, out, _, _ = run_plugin(["--extra-opts"], env={
        "MP_CONFIG_FILE": ini, "NAGIOS_CONFIG_PATH": str(tmp_path)})
    _ok(rc, out)


def test_mp_config_file_beats_config_path(plugin, sim, secret_file, tmp_path):
    good = _write(tmp_path / "a" / "good.ini",
                  _section(PLUGIN_SECTION, sim, secret_file))
    _write(tmp_path / "b" / "plugins.ini", "[%s]\nport=1\n" % PLUGIN_SECTION)
    rc, out, _, _ = run_plugin(["--extra-opts="], env={
        "MP_CONFIG_FILE": good, "NAGIOS_CONFIG_PATH": str(tmp_path / "b")})
    _ok(rc, out)


@pytest.mark.parametrize("name", NAMES)
def test_config_path_each_name(plugin, sim, secret_file, tmp_path, name):
    _write(tmp_path / "d" / name, _section(PLUGIN_SECTION, sim, secret_file))
    rc, out, _, _ = run_plugin(["--extra-opts"], env={
        "MP_CONFIG_FILE": None, "NAGIOS_CONFIG_PATH": str(tmp_path / "d")})
    _ok(rc, out)


def test_config_path_directories_in_order(plugin, sim, secret_file, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    _write(tmp_path / "first" / "nagios-plugins.ini",
           _section(PLUGIN_SECTION, sim, secret_file))
    _write(tmp_path / "second" / "monitoring-plugins.ini",
           "[%s]\nport=1\n" % PLUGIN_SECTION)
    path = ":%s::%s:%s" % (empty, tmp_path / "first", tmp_path / "second")
    rc, out, _, _ = run_plugin(["--extra-opts"], env={
        "MP_CONFIG_FILE": None, "NAGIOS_CONFIG_PATH": path})
    _ok(rc, out)


def test_section_in_searched_file(plugin, sim, secret_file, tmp_path):
    _write(tmp_path / "plugins.ini", "[%s]\nport=1\n" % PLUGIN_SECTION +
           _section("canary2", sim, secret_file))
    rc, out, _, _ = run_plugin(["--extra-opts=canary2"], env={
        "MP_CONFIG_FILE": None, "NAGIOS_CONFIG_PATH": str(tmp_path)})
    _ok(rc, out)


def test_nova_conf_through_extra_opts(plugin, sim, tmp_path, no_search_env):
    from conftest import SECRET
    nova = _write(tmp_path / "nova.conf",
                  "[neutron]\nmetadata_proxy_shared_secret = %s\n" % SECRET)
    os.chmod(nova, 0o600)
    ini = _write(tmp_path / "x.ini", "[%s]\nport=%s\ninstance=%s\ntenant=%s\n"
                 "nova-conf=%s\n" % (PLUGIN_SECTION, sim.port, INSTANCE,
                                     TENANT, nova))
    rc, out, _, _ = run_plugin(["--extra-opts=@" + ini], env=no_search_env)
    _ok(rc, out)


def test_missing_section(plugin, sim, secret_file, tmp_path, no_search_env):
    ini = _write(tmp_path / "x.ini", _section("other", sim, secret_file))
    rc, out, _, _ = run_plugin(["--extra-opts=nosuch@" + ini],
                               env=no_search_env)
    # A section named on the command line is not repeated (it may be a
    # secret pasted there); the file, which opened, is.
    line = assert_unknown_usage(
        rc, out, r"no section \(the section --extra-opts names\)")
    assert ini in line and "nosuch" not in line
    assert_no_perfdata(line)
    assert sim.request_count == 0


def test_missing_default_section(plugin, sim, secret_file, tmp_path):
    _write(tmp_path / "plugins.ini", _section("other", sim, secret_file))
    rc, out, _, _ = run_plugin(["--extra-opts"], env={
        "MP_CONFIG_FILE": None, "NAGIOS_CONFIG_PATH": str(tmp_path)})
    line = assert_unknown_usage(rc, out, r"\[%s\]" % PLUGIN_SECTION)
    assert str(tmp_path / "plugins.ini") in line


def test_missing_file(plugin, tmp_path, no_search_env):
    path = str(tmp_path / "none.ini")
    rc, out, _, _ = run_plugin(["--extra-opts=@" + path], env=no_search_env)
    line = assert_unknown_usage(
        rc, out, r"--extra-opts: the file it names: cannot open: No such "
        r"file or directory")
    assert "none.ini" not in line


def test_mp_config_file_missing(plugin, tmp_path):
    path = str(tmp_path / "none.ini")
    rc, out, _, _ = run_plugin(["--extra-opts"], env={
        "MP_CONFIG_FILE": path, "NAGIOS_CONFIG_PATH": None})
    assert path in assert_unknown_usage(rc, out, r"none\.ini")


def test_nothing_found(plugin, tmp_path):
    import extraopts_paths
    if extraopts_paths.any_default_exists():
        pytest.skip("a standard ini file exists on this host")
    rc, out, _, _ = run_plugin(["--extra-opts"], env={
        "MP_CONFIG_FILE": None, "NAGIOS_CONFIG_PATH": str(tmp_path)})
    assert_unknown_usage(rc, out, r"MP_CONFIG_FILE.*NAGIOS_CONFIG_PATH")


def test_bad_value_names_option(plugin, sim, secret_file, tmp_path,
                                no_search_env):
    ini = _write(tmp_path / "x.ini", _section(PLUGIN_SECTION, sim, secret_file,
                                             warning="nonsense"))
    rc, out, _, _ = run_plugin(["--extra-opts=@" + ini], env=no_search_env)
    assert_unknown_usage(rc, out, r"-w/--warning")


@pytest.mark.parametrize("line", [
    "metadata_proxy_shared_secret = %s", "secret=%s", "no_such_option = %s"])
def test_unknown_key_never_shows_value(plugin, sim, secret_file, tmp_path,
                                       no_search_env, line):
    """A key that is no option (a secret put into the plugin's section) is
    refused naming file, section and line; never the key (it may be the
    secret too) or its value."""
    from conftest import SECRET
    ini = _write(tmp_path / "x.ini", _section(PLUGIN_SECTION, sim, secret_file)
                 + line % SECRET + "\n")
    key = line.split("=")[0].strip()
    rc, out, err, _ = run_plugin(["--extra-opts=@" + ini, "-vvv"],
                                 env=no_search_env)
    summary = assert_unknown_usage(rc, out, r"\[%s\] line 7: the key \(not "
                                   r"shown\) is not an option" % PLUGIN_SECTION)
    assert ini in summary and "'%s'" % key not in summary
    assert sim.request_count == 0
    # run_plugin has checked that SECRET is in neither stream.


def test_bare_word_not_shown(plugin, sim, secret_file, tmp_path,
                             no_search_env):
    from conftest import SECRET
    ini = _write(tmp_path / "x.ini", _section(PLUGIN_SECTION, sim, secret_file)
                 + SECRET + "\n")
    rc, out, _, _ = run_plugin(["--extra-opts=@" + ini], env=no_search_env)
    assert ini in assert_unknown_usage(rc, out, r"line 7: the key \(not shown\)")


def test_empty_value_does_not_take_next_option(plugin, sim, secret_file,
                                               tmp_path, no_search_env):
    ini = _write(tmp_path / "x.ini", "[%s]\nport =\nhostname = 127.0.0.1\n"
                 % PLUGIN_SECTION)
    rc, out, _, _ = run_plugin(["--extra-opts=@" + ini, "-i", INSTANCE, "-T",
                                TENANT, "--secret-file", secret_file],
                               env=no_search_env)
    assert ini in assert_unknown_usage(rc, out, r"line 2: 'port' needs a value")


@pytest.mark.parametrize("source", ["--nova-conf", "--secret-file"])
def test_command_line_secret_source_replaces_files(plugin, sim, secret_file,
                                                   wrong_secret_file, tmp_path,
                                                   no_search_env, source):
    """Secret sources on the command line replace all of the ini file's:
    its secret-file would otherwise beat the command line's --nova-conf."""
    from conftest import SECRET, WRONG_SECRET
    wrong_conf = _write(tmp_path / "wrong.conf", "[neutron]\n"
                        "metadata_proxy_shared_secret = %s\n" % WRONG_SECRET)
    good_conf = _write(tmp_path / "good.conf", "[neutron]\n"
                       "metadata_proxy_shared_secret = %s\n" % SECRET)
    for p in (wrong_conf, good_conf):
        os.chmod(p, 0o600)
    ini = _write(tmp_path / "x.ini", "[%s]\nport=%s\ninstance=%s\ntenant=%s\n"
                 "secret-file=%s\nnova-conf=%s\n"
                 % (PLUGIN_SECTION, sim.port, INSTANCE, TENANT,
                    wrong_secret_file, wrong_conf))
    good = good_conf if source == "--nova-conf" else secret_file
    rc, out, _, _ = run_plugin(["--extra-opts=@" + ini, source, good],
                               env=no_search_env)
    _ok(rc, out)


def test_symbolic_link_followed(plugin, sim, secret_file, tmp_path,
                                no_search_env):
    real = _write(tmp_path / "real" / "x.ini",
                  _section(PLUGIN_SECTION, sim, secret_file))
    os.symlink(real, str(tmp_path / "plugins.ini"))
    rc, out, _, _ = run_plugin(["--extra-opts"], env={
        "MP_CONFIG_FILE": None, "NAGIOS_CONFIG_PATH": str(tmp_path)})
    _ok(rc, out)
