#!/usr/bin/env python3
"""Sums the GPUSCOPE_PROFILER_TIMING=1 lines of a profiler_ab.sh log.txt per
variant (the "== variant NAME" lines): milliseconds per phase of user replay,
in total and per pass. Usage: replay_timing.py LOG"""
import re
import sys

LINE = re.compile(r"gpuscope: timing ms: (.*) \((\d+) passes\)")


def main(path):
    totals = {}
    order = []
    variant = "-"
    for text in open(path, encoding="utf-8", errors="replace"):
        if text.startswith("== variant "):
            variant = text.split(None, 2)[2].strip()
            continue
        m = LINE.search(text)
        if not m:
            continue
        fields = m.group(1).split()
        t = totals.setdefault(variant, {"passes": 0, "launches": 0})
        if variant not in order:
            order.append(variant)
        for name, value in zip(fields[0::2], fields[1::2]):
            t[name] = t.get(name, 0.0) + float(value)
        t["passes"] += int(m.group(2))
        t["launches"] += 1
    if not totals:
        print("no GPUSCOPE_PROFILER_TIMING lines in " + path)
        return 1
    for v in order:
        t = totals[v]
        phases = [k for k in t if k not in ("passes", "launches")]
        total = sum(t[k] for k in phases)
        parts = " ".join(f"{k} {t[k]:.0f}" for k in phases)
        print(f"{v}: {t['launches']} launches, {t['passes']} passes, {total:.0f} ms "
              f"({total / max(t['passes'], 1):.2f} ms/pass): {parts}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
