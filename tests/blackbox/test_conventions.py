"""monitoring-plugins' conventions, and the defects found in review, each
with the run that showed it."""

import json
import re

import pytest

from conftest import (INSTANCE, TENANT, assert_perfdata, assert_state,
                      assert_unknown_usage, first_line, parse_perfdata,
                      run_plugin)

PLUGIN_SECTION = "check_nova_metadata"


# ---- -t SECONDS[:STATE] ------------------------------------------------
@pytest.mark.parametrize("suffix,rc,state", [
    (":UNKNOWN", 3, "UNKNOWN"), (":warning", 1, "WARNING"),
    (":0", 0, "OK"), ("", 2, "CRITICAL"),
])
def test_timeout_state_suffix(sim, base_args, suffix, rc, state):
    sim.set_fault("hang")
    got, out, _, elapsed = run_plugin(base_args + ["-t", "1" + suffix])
    assert got == rc, out
    assert first_line(out).startswith("NOVA METADATA %s - " % state), out
    assert elapsed < 5


def test_timeout_bad_state_is_usage_error(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-t", "5:SOMETIMES"])
    line = assert_unknown_usage(rc, out, r"-t/--timeout: the state after ':'")
    assert "SOMETIMES" not in line
    assert sim.request_count == 0


# ---- time perfdata: max is -t --------------------------------------------
@pytest.mark.parametrize("timeout", ["7", "7:UNKNOWN"])
def test_time_perfdata_max_is_the_limit(sim, base_args, timeout):
    rc, out, _, _ = run_plugin(base_args + ["-w", "0.5", "-c", "2",
                                            "-t", timeout])
    line = assert_state(rc, out, "OK")
    perf = assert_perfdata(line)
    assert perf["time"][2:] == ("0.5", "2", "0", "7"), line
    assert re.search(r"\| time=\d+\.\d{6}s;0\.5;2;0;7 size=\d+B;;;0;$",
                     line), line


# ---- --use-ipv4 / --use-ipv6 -----------------------------------------------
def test_use_ipv4(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--use-ipv4"])
    assert_perfdata(assert_state(rc, out, "OK"))


def test_use_ipv6_against_ipv4_literal(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--use-ipv6"])
    assert_unknown_usage(rc, out, r"-6 with -H 127\.0\.0\.1")
    assert sim.request_count == 0


# ---- output formats ------------------------------------------------------
@pytest.mark.parametrize("name", ["classic", "CLASSIC", "Classic"])
def test_classic_any_case(sim, base_args, name):
    rc, out, _, _ = run_plugin(base_args + ["--output-format=" + name])
    assert_perfdata(assert_state(rc, out, "OK"))


@pytest.mark.parametrize("name", ["summary-only", "SUMMARY-ONLY"])
def test_summary_only(sim, base_args, name):
    rc, out, _, _ = run_plugin(base_args + ["--output-format", name])
    assert rc == 0
    assert re.match(r"^OK: canary 32d0524b on 127\.0\.0\.1:%d: HTTP 200, "
                    r"2/2 keys, \d+\.\d{3} s\n$" % sim.port, out), out


def test_one_line(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--output-format=One-Line"])
    assert rc == 0 and out.count("\n") == 1, out
    assert out.startswith("OK: canary 32d0524b"), out
    assert " - [OK] signature accepted" in out
    assert_perfdata(out.rstrip("\n"))


@pytest.mark.parametrize("name,lead", [
    ("icingaweb2", ""), ("IcingaWeb2", ""), ("multi-line", "\t")])
def test_icingaweb2(sim, base_args, name, lead):
    """monitoring-plugins 3.x's multi-line puts a tab before each
    sub-check; icingaweb2 starts them at the margin."""
    rc, out, _, _ = run_plugin(base_args + ["--output-format=" + name])
    lines = out.rstrip("\n").split("\n")
    assert rc == 0
    assert lines[0].startswith("[OK] - canary 32d0524b"), out
    for line in lines[1:]:
        assert line.startswith(lead + "\\_[OK] - "), out
    assert "|" in lines[-1] and "|" not in "".join(lines[:-1])
    assert_perfdata(lines[-1])


def _depths(lines, indent):
    """Each line's level of nesting and its state and text, figures
    aside."""
    out = []
    for line in lines:
        depth = 0
        while line.startswith(indent):
            line = line[len(indent):]
            depth += 1
        assert line.startswith("\\_"), lines
        line = re.sub(r"^\\_ ?\[(\w+)\] (- )?", r"\1 ", line)
        out.append((depth, re.sub(r"[0-9.]+", "N", line)))   # figures
    return out


def test_icingaweb2_renders_as_classic(sim, secret_file):
    """Icinga Web 2 shows the first line and the long output each
    trimmed (monitoring module, helpers/PluginOutput.php): the long
    output's first line loses its leading white space. What remains of
    icingaweb2's long output nests as classic's does, the failing
    backend first, each backend at the same depth."""
    hosts = ["-H", "127.0.0.1:%s" % sim.port, "-H", "127.0.0.1:1"]
    args = ["-i", INSTANCE, "-T", TENANT, "--secret-file", secret_file]
    rc, classic, _, _ = run_plugin(args + hosts)
    assert rc == 2, classic
    rc, web, _, _ = run_plugin(args + hosts + ["--output-format=icingaweb2"])
    assert rc == 2, web
    long_output = web.split("\n", 1)[1].split("|", 1)[0].strip()
    shown = _depths(long_output.split("\n"), "\t")
    want = _depths(classic.rstrip("\n").split("\n")[1:], "    ")
    assert shown == want, (web, classic)
    assert [d for d, _ in shown if d == 0] == [0, 0], web
    assert shown[0][1].startswith("CRITICAL N:N"), web


def test_icingaweb2_critical_usage_error(plugin):
    rc, out, _, _ = run_plugin(["--output-format=icingaweb2", "-i", "x"])
    assert rc == 3
    assert out == ("[UNKNOWN] - -i/--instance: not a UUID (8-4-4-4-12 hex "
                   "digits, 1 characters given)\n"), out


def _json_reals(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from _json_reals(v)
    elif isinstance(node, list):
        for v in node:
            yield from _json_reals(v)


def test_json_numbers_short_and_exact(sim, base_args):
    sim.set_fault("delay", 0.013)
    rc, out, _, _ = run_plugin(base_args + ["--output-format=MP-TEST-JSON",
                                            "-w", "0.1", "-c", "2"])
    doc = json.loads(out)
    assert rc == 0 and doc["state"] == "OK"
    numbers = re.findall(r'"(?:value|min|max)":(-?[0-9.eE+-]+)', out)
    assert numbers, out
    for text in numbers:
        # Python's repr is the shortest text that reads back exactly
        assert text == repr(float(text)), "%s is not as short as exact" % text
    perf = doc["checks"][-1]["perfdata"][0]
    assert perf["label"] == "time" and perf["max"] == 10


# ---- defects found in review ------------------------------------------------
def test_extra_opts_output_format_applies_to_usage_errors(plugin, tmp_path):
    """--extra-opts set mp-test-json; a usage error still printed classic."""
    ini = tmp_path / "x.ini"
    ini.write_text("[%s]\noutput-format = mp-test-json\nport = 0\n"
                   % PLUGIN_SECTION)
    rc, out, _, _ = run_plugin(["--extra-opts=@%s" % ini, "-i", INSTANCE,
                                "-T", TENANT], env={"MP_CONFIG_FILE": None})
    assert rc == 3
    doc = json.loads(out)
    assert doc["state"] == "UNKNOWN"
    assert re.match(r"-p/--port: the value is out of range \(1\.\.65535\) "
                    r"\(from --extra-opts\)$", doc["summary"]), doc


def test_extra_opts_output_format_on_broken_ini(plugin, tmp_path):
    """The format of a file that itself fails cannot be known: classic."""
    rc, out, _, _ = run_plugin(["--extra-opts=@%s" % (tmp_path / "none"),
                                "--output-format=summary-only"])
    assert rc == 3
    assert out.startswith("UNKNOWN: --extra-opts: the file it names"), out


@pytest.mark.parametrize("value", ["0.000000000000000000001", "1e-300",
                                   "1e20"])
def test_threshold_that_would_need_an_exponent(sim, base_args, value):
    """-w 1e-21 wrote 9.9999999999999991e-22 into perfdata."""
    rc, out, _, _ = run_plugin(base_args + ["-w", value])
    line = assert_unknown_usage(rc, out, r"-w/--warning: a range end")
    assert not re.search(r"\d[eE][-+]?\d", line), line
    assert sim.request_count == 0


def test_threshold_of_a_microsecond_is_written_plainly(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-w", "0.000001:5",
                                            "-c", "~:1234567.5"])
    line = first_line(out)
    assert rc == 0, out
    perf = parse_perfdata(line)
    assert perf["time"][2:4] == ("0.000001:5", "~:1234567.5"), line
    assert "e-" not in line and "e+" not in line


@pytest.mark.parametrize("word,name", [
    ("--ssl=1", "--ssl"), ("--insecure=yes", "--insecure"),
    ("--instance-view=x", "--instance-view"), ("--use-ipv6=1", "--use-ipv6"),
])
def test_flag_with_a_value(sim, base_args, word, name):
    """--ssl=1 said "unknown option '--ssl'"."""
    rc, out, _, _ = run_plugin(base_args + [word])
    line = assert_unknown_usage(rc, out, r"option '%s' takes no value"
                                % re.escape(name))
    assert "unknown" not in line


@pytest.mark.parametrize("option", ["-i", "-T", "-p", "-H", "-u", "-k",
                                    "-e", "-w", "-c", "-t",
                                    "--forwarded-for", "--timeout-result",
                                    "--output-format"])
def test_usage_error_never_quotes_a_long_value(sim, base_args, option):
    """-p quoted a 10 000-character value whole."""
    value = "S3CRET?" + "x y" * 3333
    rc, out, _, _ = run_plugin(base_args + [option, value])
    line = assert_unknown_usage(rc, out, re.escape(option.lstrip("-")))
    assert "S3CRET" not in out and "x y" not in out
    assert len(line) < 200, line


@pytest.mark.parametrize("option", ["--secret-file", "--nova-conf",
                                    "--ca-cert", "--client-cert",
                                    "--private-key"])
def test_file_option_with_the_secret_pasted(sim, base_args, secret_file,
                                           option):
    """--secret-file S3CRET printed "--secret-file: 'S3CRET' cannot open"."""
    i = base_args.index("--secret-file")
    if option in ("--secret-file", "--nova-conf"):
        args = base_args[:i] + base_args[i + 2:]
    elif option == "--ca-cert":
        args = base_args + ["-S"]
    else:
        # the other half of the pair is a readable regular file
        other = "--private-key" if option == "--client-cert" else \
            "--client-cert"
        args = base_args + ["-S", other, secret_file]
    rc, out, _, _ = run_plugin(args + [option, "S3CRETpasted"])
    line = assert_unknown_usage(rc, out, re.escape(option))
    assert "S3CRETpasted" not in out
    assert re.search(r"(cannot open|cannot be read): No such file", line), \
        line


def test_extra_opts_value_never_quoted(plugin, tmp_path):
    """port = S3CRET through --extra-opts: the usage error never quotes it."""
    ini = tmp_path / "x.ini"
    ini.write_text("[%s]\nport = S3CRET\n" % PLUGIN_SECTION)
    rc, out, _, _ = run_plugin(["--extra-opts=@%s" % ini, "-i", INSTANCE,
                                "-T", TENANT])
    line = assert_unknown_usage(rc, out, r"-p/--port: the value is not a "
                                r"number \(1\.\.65535\) \(from --extra-opts\)")
    assert "S3CRET" not in line


def test_extra_opts_section_never_quoted(plugin, tmp_path):
    ini = tmp_path / "x.ini"
    ini.write_text("[other]\nport = 1\n")
    rc, out, _, _ = run_plugin(["--extra-opts=S3CRET@%s" % ini])
    line = assert_unknown_usage(rc, out, r"no section \(the section "
                                r"--extra-opts names\)")
    assert "S3CRET" not in line and str(ini) in line
