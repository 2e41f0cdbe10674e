"""The manual: --help and check_nova_metadata(1) come from one description
of the options, and the man page is clean roff (make check and make
distcheck run this)."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import PLUGIN, TOP_SRCDIR, run_plugin

# --help's option lines: " -H, --hostname=ADDRESS", "     --insecure".
OPTION_LINE = re.compile(r"^ (?:-(\w)(?:\[\w+\])?, |    )--([a-z0-9-]+)(\[?=)?(\S*)")


def help_options(text):
    """{long name: (short letter or None, takes a value)} from --help."""
    opts = {}
    for line in text.splitlines():
        m = OPTION_LINE.match(line)
        if m:
            opts[m.group(2)] = (m.group(1), m.group(3) is not None)
    return opts


def man_page():
    """The built page: next to the plugin's build tree, else the source's."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(PLUGIN)))
    for top in (build, TOP_SRCDIR):
        path = os.path.join(top, "doc", "check_nova_metadata.1")
        if os.path.isfile(path):
            return path
    pytest.fail("doc/check_nova_metadata.1 was not built")


def render(path):
    proc = subprocess.run(["groff", "-man", "-Tutf8", "-P", "-cbou", path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=dict(os.environ, LC_ALL="C.UTF-8"))
    assert proc.returncode == 0, proc.stderr
    # groff writes U+2010/U+2212 for hyphens and minus signs
    text = proc.stdout.decode("utf-8")
    return text.replace("\u2010", "-").replace("\u2212", "-")


@pytest.fixture(scope="module")
def help_text(plugin):
    rc, out, err, _ = run_plugin(["--help"])
    assert rc == 3, "--help exits UNKNOWN"
    assert err == ""
    return out


@pytest.fixture
def groff():
    """groff is in bootstrap's packages: its absence fails, never skips."""
    if shutil.which("groff") is None:
        pytest.fail("groff not installed (Debian: groff-base, bootstrap --deps)")


def test_man_page_has_no_roff_warnings(plugin, groff):
    proc = subprocess.run(["groff", "-man", "-ww", "-z", man_page()],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr


def test_man_page_documents_every_option_of_help(help_text, groff):
    opts = help_options(help_text)
    assert len(opts) >= 25, opts
    page = render(man_page())
    options = page.split("OPTIONS", 1)[1].split("OUTPUT", 1)[0]
    for name, (short, takes_value) in opts.items():
        tag = "--" + name
        assert re.search(r"^\s+(-\w(\[\w+\])?, )?%s\b" % re.escape(tag),
                         options, re.M), "%s missing from the man page" % tag
        if short:
            assert re.search(r"^\s+-%s(\[\w+\])?, %s" % (short, tag),
                             options, re.M), tag


def test_man_page_carries_the_contract(plugin, groff):
    page = render(man_page())
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "OUTPUT",
                    "PERFORMANCE DATA", "STATES", "EXIT STATUS",
                    "ENVIRONMENT", "FILES", "EXAMPLES"):
        assert re.search(r"^%s$" % section, page, re.M), section
    for needle in ("NOVA_METADATA_SECRET", "time=0.012138s;0.5;2;0;10",
                   "WARNING", "CRITICAL", "UNKNOWN", "mp-test-json",
                   "summary-only", "icingaweb2", "one-line"):
        assert needle in page, needle


def test_help_follows_monitoring_plugins_layout(help_text):
    lines = help_text.splitlines()
    assert re.match(r"^check_nova_metadata \d+\.\d+\.\d+$", lines[0])
    assert lines[1].startswith("Copyright")
    order = [help_text.index(h) for h in
             ("\nUsage:\n", "\nOptions:\n", "\nExamples:\n", "\nStates:\n",
              "ABSOLUTELY NO WARRANTY", "GNU General Public License")]
    assert order == sorted(order), "sections out of order"
    states = help_text.split("\nStates:\n", 1)[1]
    for state in ("OK", "WARNING", "CRITICAL", "UNKNOWN"):
        assert re.search(r"^ %s$" % state, states, re.M), state
    assert max(len(line) for line in lines) <= 79


def test_help_lists_the_conventions(help_text):
    opts = help_options(help_text)
    assert opts["use-ipv4"] == ("4", False)
    assert opts["use-ipv6"] == ("6", False)
    assert opts["timeout"] == ("t", True)
    assert "-t, --timeout=SECONDS[:STATE]" in help_text
    for name in ("one-line", "icingaweb2", "summary-only", "mp-test-json"):
        assert name in help_text


def test_nothing_points_outside_the_project():
    """README, man page template and sources carry the contract."""
    bad = re.compile(r"shared/|SPEC\.md|\bSPEC\b|steering")
    checked = 0
    for root, dirs, files in os.walk(TOP_SRCDIR):
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and d not in ("autom4te.cache", "__pycache__")]
        for name in files:
            if not name.endswith((".c", ".h", ".def", ".in", ".py", ".am",
                                  ".ac", ".md", ".conf", ".cfg")) \
                    and name not in ("README", "bootstrap", "run"):
                continue
            path = os.path.join(root, name)
            if path == os.path.abspath(__file__):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                m = bad.search(f.read())
            assert m is None, "%s points outside the project: %r" % (
                path, m.group(0))
            checked += 1
    assert checked > 20


def synopsis_words(text):
    """The synopsis as words, brackets and all, whatever the wrapping."""
    return text.split()


def test_synopsis_names_every_option(help_text, groff):
    """--help's Usage and the man page's SYNOPSIS come from the one table:
    the same words, and every option but -h and -V in them."""
    usage = help_text.split("\nUsage:\n", 1)[1].split("\nOptions:\n", 1)[0]
    page = render(man_page())
    synopsis = page.split("\nSYNOPSIS\n", 1)[1].split("\nDESCRIPTION\n", 1)[0]
    assert synopsis_words(usage) == synopsis_words(synopsis)
    words = " ".join(synopsis_words(usage))
    for name, (short, _) in help_options(help_text).items():
        spelled = "-" + short if short else "--" + name
        found = re.search(r"(^|[\s\[|])%s([\s\[\]=.]|$)" % re.escape(spelled),
                          words)
        if name in ("help", "version"):
            assert found is None, spelled
        else:
            assert found, "%s missing from the synopsis" % spelled


def test_output_formats_credit_monitoring_plugins_rightly(help_text, groff):
    """Released monitoring-plugins 3.x parses multi-line and mp-test-json
    only; the other names are this plugin's own, and say so."""
    text = " ".join(help_text.split())
    options = text.split(" Options: ", 1)[1]
    entry = options.split("--output-format=FORMAT", 1)[1].split(" -O,", 1)[0]
    theirs, ours = entry.split("This plugin's own:", 1)
    assert "monitoring-plugins 3.x" in theirs
    for name in ("multi-line", "mp-test-json"):
        assert name in theirs and name not in ours.replace(
            "another name for multi-line", ""), name
    for name in ("classic", "one-line", "summary-only", "icingaweb2"):
        assert name in ours and name not in theirs, name
    page = " ".join(render(man_page()).split())
    assert "Two are monitoring-plugins 3.x's" in page
    assert "The others are this plugin's own" in page
