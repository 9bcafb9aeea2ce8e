#!/usr/bin/env python3
"""Generates tests/integration/file_passthrough/{in.json,expected.json,expected_err_count.json}.

1000 JSON records with keys in random order, nested objects, arrays, unicode and escapes, plus
malformed lines spread through the file, and the string "exit" as the last line. expected.json
is the compact sorted-keys rendering of each record (what the json-sorted codec must write).
Deterministic: a fixed seed. Run it from the repository root.
"""
import json
import random

rng = random.Random(20261121)
words = ["alpha", "beta", "gamma", "délta", "ε", "zeta", "eta \"quoted\"", "line\nbreak", "tab\t", "日本"]
malformed = ['{"a": 1', "not json", '{"b": tru}', "[1, 2,, 3]", '{"c": "unterminated}', "{}}", "nul"]

def record(i):
    keys = [f"k{j}" for j in rng.sample(range(20), rng.randint(2, 8))]
    r = {"id": i}
    for k in keys:
        kind = rng.randint(0, 5)
        if kind == 0:
            r[k] = rng.randint(-10**12, 10**12)
        elif kind == 1:
            r[k] = rng.choice([0.5, 1.25, -3.75, 1024.125, 0.0625])
        elif kind == 2:
            r[k] = rng.choice(words)
        elif kind == 3:
            r[k] = [rng.randint(0, 9) for _ in range(rng.randint(0, 4))]
        elif kind == 4:
            r[k] = {"z": rng.choice([True, False, None]), "a": rng.choice(words), "m": {"y": 1, "b": [None]}}
        else:
            r[k] = None
    items = list(r.items())
    rng.shuffle(items)
    return dict(items)

lines, expected = [], []
bad = 0
for i in range(1000):
    rec = record(i)
    lines.append(json.dumps(rec, ensure_ascii=False, separators=(", ", ": ")))
    expected.append(json.dumps(rec, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    if i % 150 == 75:
        lines.append(malformed[bad % len(malformed)])
        bad += 1
lines.append('"exit"')
base = "tests/integration/file_passthrough/"
open(base + "in.json", "w", encoding="utf-8").write("\n".join(lines) + "\n")
open(base + "expected.json", "w", encoding="utf-8").write("\n".join(expected) + "\n")
open(base + "expected_err_count.json", "w").write('{"counted":"error"}\n' * bad)
print(f"{len(expected)} records, {bad} malformed lines")
