#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check monitoring-plugin output against the Monitoring Plugins
Development Guidelines (the status line and its performance data).

usage: perfdata.py STATUS_EXIT < output
Reads a plugin's stdout; STATUS_EXIT is the exit status it returned.  The
first line must be "STATUS: text" or "STATUS: text | perfdata" with STATUS
the word for the exit status (OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3); the
perfdata a space-separated list of 'label'=value[UOM];[warn];[crit];[min];[max]
(label quoted with single quotes, a quote doubled, quotes required when the
label holds a space, '=' or a quote; value, min and max in [-0-9.] or the
value U; UOM one of s ms us % B KB MB TB GB c or none; warn and crit in the
range format [@][start:][end] with ~ for minus infinity; trailing empty
fields may be dropped).  In the long text after the first line (up to the
next sample's status line), the first '|' starts more perfdata running to
its end (Nagios' plugin API): it must parse too, without repeating a label, so a '|' that a name
brought into the text fails here.  Prints the metrics as JSON, one object:
{"status": ..., "summary": ..., "metrics": {label: {value, uom, warn, crit,
min, max}}}, or exits 1 naming the first violation.
"""
import json
import re
import sys

WORDS = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}
NUM = r"-?[0-9]+(?:\.[0-9]+)?"
RANGE = re.compile(r"^@?(?:(?:~|%s)?:)?(?:%s)?$" % (NUM, NUM))
VALUE = re.compile(r"^(U|%s)(s|ms|us|%%|B|KB|MB|TB|GB|c)?$" % NUM)
UOMS = {None, "s", "ms", "us", "%", "B", "KB", "MB", "TB", "GB", "c"}


def die(msg):
    print("perfdata: " + msg, file=sys.stderr)
    sys.exit(1)


def parse_label(s, i):
    """The label at s[i:], quoted or bare; returns (label, index of '=')."""
    if s[i] == "'":
        out, i = [], i + 1
        while True:
            if i >= len(s):
                die("unterminated quoted label in %r" % s)
            if s[i] == "'":
                if i + 1 < len(s) and s[i + 1] == "'":
                    out.append("'")
                    i += 2
                    continue
                return "".join(out), i + 1
            out.append(s[i])
            i += 1
    j = i
    while j < len(s) and s[j] not in " ='":
        j += 1
    return s[i:j], j


def parse_perfdata(s):
    metrics, i = {}, 0
    while i < len(s):
        label, i = parse_label(s, i)
        if not label:
            die("empty label at %r" % s[i:])
        if i >= len(s) or s[i] != "=":
            die("label %r not followed by '='" % label)
        j = s.find(" ", i)
        fields = (s[i + 1:] if j < 0 else s[i + 1:j]).split(";")
        i = len(s) if j < 0 else j + 1
        if len(fields) > 5:
            die("%r: more than value;warn;crit;min;max" % label)
        fields += [""] * (5 - len(fields))
        m = VALUE.match(fields[0])
        if not m:
            die("%r: value %r is not [-0-9.]+[UOM] or U" % (label, fields[0]))
        if m.group(1) == "U" and m.group(2):
            die("%r: U with a unit" % label)
        for k, name in ((1, "warn"), (2, "crit")):
            if fields[k] and not RANGE.match(fields[k]):
                die("%r: %s %r is not a range" % (label, name, fields[k]))
        for k, name in ((3, "min"), (4, "max")):
            if fields[k] and not re.match("^%s$" % NUM, fields[k]):
                die("%r: %s %r is not a number" % (label, name, fields[k]))
        if label in metrics:
            die("label %r twice" % label)
        metrics[label] = {"value": m.group(1), "uom": m.group(2) or "",
                          "warn": fields[1], "crit": fields[2],
                          "min": fields[3], "max": fields[4]}
    return metrics


def main():
    rc = int(sys.argv[1])
    text = sys.stdin.read()
    if not text:
        die("no output on stdout")
    first = text.split("\n", 1)[0]
    word = WORDS.get(rc)
    if word is None:
        die("exit status %d is not a plugin status" % rc)
    if not first.startswith(word + ": "):
        die("first line %r does not start with %r for exit %d" % (first, word + ": ", rc))
    if first.count("|") > 1:
        die("more than one '|' on the status line: %r" % first)
    summary, _, perf = first.partition(" | ")
    if "|" in summary:
        die("'|' in the summary (not ' | '): %r" % first)
    if perf.startswith(" ") or perf.endswith(" ") or "  " in perf:
        die("stray spaces in the perfdata %r" % perf)
    metrics = parse_perfdata(perf) if perf else {}
    # The long text runs to the end, or to the next sample's status line
    # (-i and replays print one plugin output per sample).
    lines = text.split("\n")[1:]
    for k, line in enumerate(lines):
        if re.match(r"^(OK|WARNING|CRITICAL|UNKNOWN): ", line):
            lines = lines[:k]
            break
    rest = "\n".join(lines)
    if "|" in rest:
        more = " ".join(rest.split("|", 1)[1].split())
        for label, m in (parse_perfdata(more) if more else {}).items():
            if label in metrics:
                die("label %r twice (status line and long text)" % label)
            metrics[label] = m
    print(json.dumps({"status": word, "summary": summary[len(word) + 2:], "metrics": metrics}))


if __name__ == "__main__":
    main()
