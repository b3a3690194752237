#!/usr/bin/env python3
"""Pools the per-process samples of several overhead_ab2.sh runs to compare two variants.

Each argument is RUN=PATH:A_NAME=A_LABEL,B_NAME=B_LABEL, e.g.
  O=tests/gpu/evidence/.../overhead_ab2.txt:api_ids=ids,default=kinds
Every sample becomes a ratio to its own run's untraced median (for empty_launch: a difference,
in us), so runs whose untraced baselines moved can be pooled; torch.profiler is pooled the same
way. Prints, per workload, the number of samples and the median of each label; then "paired":
each sample against the untraced sample of its own round (the values of a row are in round
order; a run whose row has fewer samples than its untraced row is left out of the paired
median), which also cancels the drift between rounds.
"""
import re
import statistics
import sys


def parse(path, names):
    samples, workload = {}, None
    for line in open(path):
        m = re.match(r'^(\w+?)_(us|ms) ', line)
        if m:
            workload = m.group(1)
            continue
        if not line.strip() or line.startswith('round-1'):
            workload = None
            continue
        f = line.split()
        if workload and len(f) > 6 and (f[0] in ('untraced', 'profiler') or f[0] in names):
            label = names.get(f[0], f[0])
            samples[(workload, label)] = [float(x) for x in f[6:]]
    return samples


def main(args):
    if not args:
        sys.exit(__doc__)
    runs, labels = [], []
    for a in args:
        run, _, rest = a.partition('=')
        path, _, spec = rest.rpartition(':')
        names = dict(kv.split('=', 1) for kv in spec.split(','))
        runs.append(parse(path, names))
        for label in names.values():
            if label not in labels:
                labels.append(label)
    def rel(workload, v, b):
        return (v - b) if workload == 'empty_launch' else v / b

    def fmt(workload, med):
        return f"{med:+.3f} us" if workload == 'empty_launch' else f"{med:.3f}x"

    for workload in ['empty_launch', 'small', 'resnet', 'gemm']:
        cells, paired_cells = [], []
        for label in labels + ['profiler']:
            vals, paired = [], []
            for s in runs:
                u, x = s.get((workload, 'untraced')), s.get((workload, label))
                if not u or not x:
                    continue
                mu = statistics.median(u)
                vals += [rel(workload, v, mu) for v in x]
                if len(x) == len(u):
                    paired += [rel(workload, v, b) for v, b in zip(x, u)]
            if vals:
                cells.append(f"{label}: n={len(vals)} median {fmt(workload, statistics.median(vals))}")
            if paired:
                paired_cells.append(f"{label}: n={len(paired)} median {fmt(workload, statistics.median(paired))}")
        if cells:
            print(f"{workload:13s}", '; '.join(cells))
        if paired_cells:
            print(f"{'  paired':13s}", '; '.join(paired_cells))


if __name__ == '__main__':
    main(sys.argv[1:])
