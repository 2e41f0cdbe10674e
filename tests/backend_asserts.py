"""Assertions on a several-backend first line, shared by the black-box and
the Nova suites (tests/blackbox, tests/nova).

The contract fixes what a run over several backends must say: the worst
state, every backend that is not OK named with its cause, then
`N/M backends OK`, and perfdata with one stable, unique label set per
backend. It leaves the exact label format to the plugin, so these helpers
assert only what the contract and the monitoring-plugins guidelines fix:

  * every label is unique and legal (no `=`, no `'` inside, quoted when it
    holds a space), every value is a number with a known UOM;
  * one response-time series per backend: a label with UOM `s` that is
    not a TLS handshake time, and whose text contains that backend's
    address or port (not as part of a longer number; `_` for `.` and `:`
    is accepted).

Should the plugin's label format need another reading, time_labels() is
the one place to change.
"""

import re

# Units of measure the guidelines list, plus the time units check_curl uses.
UOMS = ("", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c")
_VALUE_RE = re.compile(r"^([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
                       r"([a-zA-Z%]*)$")


def _split_label(perf, pos):
    """(label, quoted, position after '=') of the item at pos."""
    if perf[pos] == "'":
        end = pos + 1
        while True:
            close = perf.find("'", end)
            assert close >= 0, "unterminated quoted label in %r" % perf
            if perf.startswith("''", close):
                end = close + 2
                continue
            break
        label = perf[pos + 1:close]
        assert perf[close + 1:close + 2] == "=", \
            "quoted label not followed by '=' in %r" % perf[pos:]
        return label, True, close + 2
    eq = perf.find("=", pos)
    assert eq > pos, "perfdata item without '=' at %r" % perf[pos:]
    label = perf[pos:eq]
    assert " " not in label, "unquoted label with a space: %r" % label
    return label, False, eq + 1


def perfdata_items(line):
    """The first line's perfdata in order: a list of
    (label, value, uom, [warn, crit, min, max]); duplicates are kept."""
    if "|" not in line:
        return []
    perf = line.split("|", 1)[1].strip()
    items = []
    pos = 0
    while pos < len(perf):
        if perf[pos] == " ":
            pos += 1
            continue
        label, quoted, pos = _split_label(perf, pos)
        end = perf.find(" ", pos)
        end = len(perf) if end < 0 else end
        fields = perf[pos:end].split(";")
        m = _VALUE_RE.match(fields[0])
        assert m, "perfdata %r: value %r is not a number" % (label,
                                                            fields[0])
        assert len(fields) <= 5, "perfdata %r: too many fields" % label
        _assert_legal(label, m.group(2), quoted)
        items.append((label, float(m.group(1)), m.group(2),
                      (fields[1:] + [""] * 4)[:4]))
        pos = end
    return items


def _assert_legal(label, uom, quoted):
    assert label, "empty perfdata label"
    assert "=" not in label, "'=' in perfdata label %r" % label
    # The guidelines allow '' inside a quoted label; the contract does not.
    assert "'" not in label, "quote in perfdata label %r" % label
    assert not quoted or label.strip() == label, \
        "perfdata label %r has blanks at an end" % label
    assert uom in UOMS, "perfdata %r: unit %r" % (label, uom)


def time_labels(items):
    """Labels of the response-time series: UOM s, not a TLS handshake."""
    return [label for label, _, uom, _ in items
            if uom == "s" and "tls" not in label.lower()]


def _names(label, key):
    """Whether label holds key, as it is or with '.' and ':' made '_' (as
    Graphite-minded labels write 127_0_0_1), and not as a piece of a
    longer number (port 877 is not in 8775, 127.0.0.1 not in 127.0.0.12)."""
    for form in (key, re.sub(r"[.:]", "_", key)):
        if re.search(r"(?<![0-9])%s(?![0-9])" % re.escape(form), label):
            return True
    return False


def assert_backend_perfdata(line, keys):
    """One unique, legal label set; exactly one time series per backend,
    each naming its backend by keys[i] (an address or a port)."""
    items = perfdata_items(line)
    labels = [item[0] for item in items]
    dupes = sorted({label for label in labels if labels.count(label) > 1})
    assert not dupes, "duplicate perfdata labels %r in %r" % (dupes, line)
    times = time_labels(items)
    assert len(times) == len(keys), \
        "%d time series for %d backends: %r" % (len(times), len(keys), line)
    for key in keys:
        mine = [label for label in times if _names(label, str(key))]
        assert len(mine) == 1, \
            "backend %s: time series %r in %r" % (key, mine, line)
    for label, value, _, _ in items:
        if label in times:
            assert value >= 0, "negative time %r in %r" % (label, line)
    return items


def summary_of(line):
    return line.split("|", 1)[0]


def assert_backends_ok_count(line, ok, total):
    """The summary ends its backend list with `N/M backends OK`."""
    summary = summary_of(line)
    assert re.search(r"(?<![0-9])%d/%d backends OK\b" % (ok, total),
                     summary), "no '%d/%d backends OK' in %r" % (
                         ok, total, summary)
    return summary


def assert_names(line, *words):
    """Each of words (a backend, a cause) appears in the summary, in any
    case."""
    summary = summary_of(line)
    for word in words:
        assert word.lower() in summary.lower(), \
            "%r not named in the summary %r" % (word, summary)
    return summary
