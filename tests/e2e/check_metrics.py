#!/usr/bin/env python3
"""Lints a /metrics scrape with the Prometheus client library's own parser.

usage: check_metrics.py SCRAPE_FILE EXPECTATIONS_JSON
EXPECTATIONS_JSON: {"families": {name: type}, "samples": [[name, {labels}, value]]}
Exits 1 with every problem found on stderr.
"""
import json
import math
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

text = open(sys.argv[1]).read()
want = json.loads(sys.argv[2])
problems = []

families = {f.name: f for f in text_string_to_metric_families(text)}
for name, kind in want["families"].items():
    # The parser names a counter family without its _total suffix.
    f = families.get(name[: -len("_total")] if kind == "counter" else name)
    if f is None:
        problems.append(f"family {name} missing")
    elif f.type != kind:
        problems.append(f"family {name}: type {f.type}, want {kind}")

name_ok = re.compile(r"^hpsearch_[a-z_]+$")
for f in families.values():
    if not name_ok.match(f.name):
        problems.append(f"family {f.name}: not hpsearch_snake_case")
    if not f.documentation:
        problems.append(f"family {f.name}: no HELP")
    for s in f.samples:
        for label in s.labels:
            if label in ("trial", "trial_id", "sweep", "sweep_id", "index", "id"):
                problems.append(f"{s.name}: unbounded label {label}")
        if math.isnan(s.value):
            problems.append(f"{s.name}{s.labels}: NaN")
    if f.type == "histogram":
        buckets = [s for s in f.samples if s.name.endswith("_bucket")]
        counts = [s.value for s in buckets]
        if counts != sorted(counts):
            problems.append(f"{f.name}: buckets not cumulative: {counts}")
        inf = [s.value for s in buckets if s.labels.get("le") == "+Inf"]
        count = [s.value for s in f.samples if s.name == f.name + "_count"]
        if not inf or not count or inf[0] != count[0]:
            problems.append(f"{f.name}: +Inf bucket {inf} != count {count}")

samples = {}
for f in families.values():
    for s in f.samples:
        samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
for name, labels, value in want["samples"]:
    got = samples.get((name, tuple(sorted(labels.items()))))
    if value == ">0":
        if got is None or not got > 0:
            problems.append(f"{name}{labels}: {got}, want > 0")
    elif got != value:
        problems.append(f"{name}{labels}: {got}, want {value}")

for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
