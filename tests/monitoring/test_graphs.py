"""The graphs end to end: Icinga 2's GraphiteWriter into carbon-cache, the
series read back with whisper; its InfluxdbWriter into a real InfluxDB, the
points queried back; and the installed Grafana dashboards and PNP4Nagios
template addressing those very series, for every label the plugin prints
(from Icinga's runs) or can print (from its source)."""

import fnmatch
import glob
import json
import os
import re
import shutil
import subprocess
import time

import whisper

from test_icinga2 import recorded

# Services whose graphs we follow: an EC2 check, a cloud-init profile,
# three backends with one down, the agent's hop and Nova's.
GRAPHED = ("nova-v4!nova-metadata", "nova-v4!nova-metadata-cloud-init",
           "nova-v4!nova-metadata-backends", "nova-v4!nova-metadata-hops")
WHISPER_WAIT = 30   # seconds for carbon or InfluxDB to hold what Icinga sent
SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "plugins", "check_nova_metadata.d")

# What each writer keeps as it is: Icinga 2's GraphiteWriter makes a
# label's '.' a level of the path, '::' a '.', and ' ', '\\', '/' '_';
# Graphite reads '[', ']', '{', '}', '*', '?' as globs; PNP4Nagios makes
# ' ', ':', '/', '\\', '&' '_' in its file names.
WORD = re.compile(r"^[A-Za-z0-9_-]+$")


def whisper_path(carbon, metric):
    return os.path.join(carbon.whisper_dir, *metric.split(".")) + ".wsp"


def stored_value(carbon, metric, ts):
    """The value whisper holds for metric at second ts, once written."""
    path = whisper_path(carbon, metric)
    deadline = time.monotonic() + WHISPER_WAIT
    while True:
        try:
            (start, _, step), values = whisper.fetch(path, ts - 1, ts + 1)
        except (OSError, whisper.CorruptWhisperFile):
            values = []   # not there yet, or carbon is still creating it
        for i, v in enumerate(values):
            if start + i * step == ts and v is not None:
                return v
        if time.monotonic() >= deadline:
            raise AssertionError("%s: nothing at %d within %d s (files: %s)"
                                 % (path, ts, WHISPER_WAIT,
                                    glob.glob(os.path.dirname(path) + "/*")))
        time.sleep(0.25)


def graphite_targets(installed):
    with open(installed["grafana_graphite"]) as f:
        dash = json.load(f)
    out = []
    for panel in dash["panels"]:
        for t in panel["targets"]:
            m = re.search(r"icinga2\.[^,()\s]+", t["target"])
            assert m, t
            out.append(m.group(0))
    return dash, out


def dashboard_metric(targets, host, service, label):
    """The metric of label as the dashboard's target that selects it
    (a glob such as time_* for every target's time)."""
    for t in targets:
        if fnmatch.fnmatchcase(label, t.split(".")[-2]):
            return (t.replace("$hostname", host)
                    .replace("$service", service)
                    .rsplit(".", 2)[0] + "." + label + ".value")
    raise AssertionError("no dashboard target for %r in %s" % (label,
                                                               targets))


def printed_labels(icinga2):
    printed = set()
    for name in GRAPHED + ("nova-v4!nova-metadata-openstack",):
        _, r = recorded(icinga2, name)
        printed |= {p["label"] for p in r.perfdata}
    return printed


def test_graphed_runs_print_what_they_should(icinga2, nova, nova_v6):
    """The runs the graphs follow: each target's series, the down one's
    too, and the counts, in words every writer keeps."""
    _, r = recorded(icinga2, "nova-v4!nova-metadata-backends")
    assert r.rc == 2 and "2/3 backends OK" in r.first, r
    labels = [p["label"] for p in r.perfdata]
    up = ["127_0_0_1_%d" % nova.port, "__1_%d" % nova_v6.port]
    assert labels[0] == "backends_ok" and len(labels) == 1 + 3 * 3, labels
    assert labels[1:7] == ["time_" + up[0], "size_" + up[0], "ok_" + up[0],
                           "time_" + up[1], "size_" + up[1], "ok_" + up[1]]
    assert r.perf("backends_ok")["value"] == 2, r
    assert r.perf(labels[-1])["value"] == 0 and labels[-1].startswith("ok_")
    _, r = recorded(icinga2, "nova-v4!nova-metadata-hops")
    assert r.rc == 0, r
    assert [p["label"] for p in r.perfdata][:4] == [
        "hops_ok", "time_agent", "size_agent", "ok_agent"], r
    for name in GRAPHED:
        _, r = recorded(icinga2, name)
        for p in r.perfdata:
            assert WORD.match(p["label"]), (name, p)


def test_graphite_series_equal_printed_perfdata(icinga2, carbon, installed):
    _, targets = graphite_targets(installed)
    for name in GRAPHED:
        host, service = name.split("!")
        cr, r = recorded(icinga2, name)
        ts = int(cr["execution_end"])
        for p in r.perfdata:
            metric = dashboard_metric(targets, host, service, p["label"])
            # the label is one level of the path, as printed
            assert metric.split(".")[-2] == p["label"], (metric, p)
            assert stored_value(carbon, metric, ts) == p["value"], (
                name, p, metric)
            if p["warn"] != "":
                base = metric[:-len("value")]
                assert stored_value(carbon, base + "warn", ts) == \
                    float(p["warn"]), (name, p)
                assert stored_value(carbon, base + "crit", ts) == \
                    float(p["crit"]), (name, p)


def test_graphite_dashboard_variables_find_the_hosts(icinga2, carbon,
                                                     installed):
    dash, _ = graphite_targets(installed)
    queries = {v["name"]: v["query"] for v in dash["templating"]["list"]
               if v["type"] == "query"}
    # Graphite's glob is the shell's for these patterns.
    hosts = [os.path.basename(p) for p in glob.glob(
        whisper_path(carbon, queries["hostname"])[:-len(".wsp")])]
    assert "nova-v4" in hosts, hosts
    services = [os.path.basename(p) for p in glob.glob(
        whisper_path(carbon, queries["service"].replace(
            "$hostname", "nova-v4"))[:-len(".wsp")])]
    assert set(services) >= {"nova-metadata", "nova-metadata-cloud-init",
                             "nova-metadata-backends", "nova-metadata-hops"}


def influx_selectors(installed):
    """(measurement, metric or None, regex or None) of each query."""
    with open(installed["grafana_influxdb"]) as f:
        dash = json.load(f)
    out = []
    for q in [t["query"] for p in dash["panels"] for t in p["targets"]]:
        assert 'mean("value")' in q, q
        assert '"hostname" =~ /^$hostname$/' in q, q
        assert '"service" =~ /^$service$/' in q, q
        m = re.search(r'FROM "([^"]+)" WHERE .*"metric" (?:= \'([^\']+)\''
                      r'|=~ /([^/]+)/)', q)
        assert m, q
        if m.group(3):
            # a target's every series: grouped by the metric, named by it
            assert '"metric" fill' in q, q
        out.append((m.group(1), m.group(2), m.group(3)))
    return dash, out


def influx_selects(selectors, label):
    """The measurement of the query that selects label."""
    for meas, exact, regex in selectors:
        if exact == label or (regex and re.search(regex, label)):
            return meas
    raise AssertionError("no InfluxDB query selects %r" % label)


def test_influxdb_holds_every_label(icinga2, influx, installed):
    """Each label of each graphed run is a point in InfluxDB as Icinga's
    InfluxdbWriter stored it (measurement, hostname, service, metric =
    the label as printed), where the dashboard's query looks for it."""
    _, selectors = influx_selectors(installed)
    for name in GRAPHED:
        host, service = name.split("!")
        cr, r = recorded(icinga2, name)
        ts = int(cr["execution_end"])
        for p in r.perfdata:
            meas = influx_selects(selectors, p["label"])
            deadline = time.monotonic() + WHISPER_WAIT
            while True:
                got = [pt for pt in influx.points(
                    meas, hostname=host, service=service, metric=p["label"])
                    if pt["time"] == ts]
                if got or time.monotonic() >= deadline:
                    break
                time.sleep(0.25)
            assert len(got) == 1, (name, p, influx.points(
                meas, hostname=host, service=service))
            assert got[0]["value"] == p["value"], (name, p, got)


def pnp_labels(installed):
    with open(installed["pnp4nagios"]) as f:
        text = f.read()
    labels = []
    for block in re.findall(r"'labels'\s*=>\s*array\(([^)]*)\)", text):
        labels += re.findall(r"'([a-z0-9_]+)'", block)
    return labels


def template_bases(installed):
    """The plugin's labels each template addresses, and those it also
    addresses with a target's word after them (LABEL_WORD)."""
    _, targets = graphite_targets(installed)
    _, selectors = influx_selectors(installed)
    graphite = [t.split(".")[-2] for t in targets]
    influx = [exact or regex for _, exact, regex in selectors]
    return {
        "graphite": ({n for n in graphite if "*" not in n},
                     {n[:-2] for n in graphite if n.endswith("_*")}),
        "influxdb": ({n for n in influx if not n.startswith("^")},
                     {n[1:-1] for n in influx if n.startswith("^")}),
    }


def source_labels():
    """Every perfdata label the plugin's source can print: the literals
    given to mp_perfdata_make, nm_mode_cloudinit_add_time and add_count,
    and the cloud-init documents' table."""
    found = set()
    for path in glob.glob(os.path.join(SOURCE, "*.c")):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        found |= set(re.findall(
            r'(?:mp_perfdata_make|nm_mode_cloudinit_add_time|add_count)'
            r'\(\s*(?:sc,\s*|first,\s*)?"([a-z0-9_]+)"', text))
        found |= set(re.findall(r'\{ "[^"]+", "([a-z0-9_]+_time)"', text))
    return found


def test_source_labels_are_known():
    """The enumeration finds what README lists (a label added another
    way must be added here and to the templates)."""
    assert source_labels() == {
        "time", "size", "tls_time", "requests", "meta_data_time",
        "user_data_time", "vendor_data_time", "vendor_data2_time",
        "network_data_time", "ec2_time", "vendordata_time", "ok",
        "backends_ok", "hops_ok"}


def test_templates_cover_every_label_of_the_source(installed):
    """Each template addresses every label the plugin can print, alone
    and with a target's word (the counts and ok come only one way)."""
    labels = source_labels()
    whole = labels - {"ok"}
    per_target = labels - {"backends_ok", "hops_ok"}
    pnp = set(pnp_labels(installed))
    assert pnp == labels, labels ^ pnp
    for name, (exact, suffixed) in template_bases(installed).items():
        assert exact == whole, (name, exact ^ whole)
        assert suffixed == per_target, (name, suffixed ^ per_target)


def test_templates_cover_the_printed_labels(icinga2, installed):
    printed = printed_labels(icinga2)
    _, targets = graphite_targets(installed)
    _, selectors = influx_selectors(installed)
    for label in printed:
        dashboard_metric(targets, "h", "s", label)
        influx_selects(selectors, label)
    # tls_time needs -S, which this suite does not run; all else is seen
    # as itself or with a target's word.
    seen = {lb for lb in source_labels()
            if lb in printed or any(p.startswith(lb + "_") for p in printed)}
    assert source_labels() - seen <= {"tls_time", "vendordata_time"}, seen


PNP_HARNESS = r"""<?php
// PNP4Nagios' side of a template, enough to run one: the rrd helpers
// as strings, the data sources in $this->DS.
class rrd {
	static function def($v, $f, $ds, $cf) { return "DEF:$v=$f:$ds:$cf "; }
	static function area($v, $c, $t = "") { return "AREA:$v$c:$t "; }
	static function line1($v, $c, $t = "") { return "LINE1:$v$c:$t "; }
	static function gprint($v, $a, $f) { return "GPRINT:$v "; }
	static function hrule($v, $c, $t = "") { return "HRULE:$v$c "; }
	static function cut($s, $n) { return $s; }
}
class Graph {
	public $DS = array();
	public $MACRO = array('DISP_HOSTNAME' => 'h', 'DISP_SERVICEDESC' => 's');
	function run($template) {
		$def = array();
		include $template;
		return $def;
	}
}
$g = new Graph();
$g->DS = json_decode(file_get_contents("php://stdin"), true);
echo json_encode(array_values($g->run($argv[1])));
"""


def test_pnp_template_draws_every_printed_label(icinga2, installed,
                                                workdir):
    """The PNP4Nagios template, run by PHP over the data sources of each
    graphed run, draws every one of them."""
    php = shutil.which("php")
    assert php, "php not found: install php-cli"
    harness = os.path.join(workdir, "pnp-harness.php")
    with open(harness, "w") as f:
        f.write(PNP_HARNESS)
    for name in GRAPHED:
        _, r = recorded(icinga2, name)
        ds = [{"LABEL": p["label"], "RRDFILE": "/rrd/%s.rrd" % p["label"],
               "DS": 1, "WARN": p["warn"], "CRIT": p["crit"]}
              for p in r.perfdata]
        out = subprocess.run([php, harness, installed["pnp4nagios"]],
                             input=json.dumps(ds).encode(),
                             capture_output=True, timeout=60)
        assert out.returncode == 0, out.stderr.decode(errors="replace")
        drawn = " ".join(json.loads(out.stdout))
        for p in r.perfdata:
            assert "=/rrd/%s.rrd:" % p["label"] in drawn, (name, p, drawn)
