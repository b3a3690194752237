"""Offline check, on run R's CSVs, of session 5's candidate for issue #8's throughput percentages
(not in gpuscope): scale user replay's percentages by user replay's elapsed cycles over the
timing run's. basic_sync.csv is pair 1 under user replay alone (with the checkpoint wait, which
did not change saxpy's duration), gpuscope_basic.csv the committed code (timing run), from
another run of the program. Run: python3 rescale_offline.py (from this folder)."""
import csv


def load(path):
    out = {}
    for r in csv.reader(l for l in open(path) if l.startswith('"')):
        if r[0] == "ID" or len(r) < 15 or r[14] in ("", "n/a"):
            continue
        try:
            out[(int(r[0]), r[12])] = float(r[14].replace(",", ""))
        except ValueError:  # a rule row
            pass
    return out


ncu, user, main = load("ncu_basic.csv"), load("basic_sync.csv"), load("gpuscope_basic.csv")
pcts = ["Compute (SM) Throughput", "Memory Throughput", "DRAM Throughput", "L1/TEX Cache Throughput",
        "L2 Cache Throughput"]
wu = ws = wm = n = 0
for k in range(10):
    f = user[(k, "Elapsed Cycles")] / main[(k, "Elapsed Cycles")]
    for m in pcts:
        a, u, c = ncu.get((k, m)), user[(k, m)], main[(k, m)]
        if not a:
            continue
        s = u * f
        n += 1
        wu += abs(u - a) / a <= .02
        ws += abs(s - a) / a <= .02
        wm += abs(c - a) / a <= .02
        print(f"k{k} {m[:22]:22s} ncu={a:6.2f} user={u:6.2f} ({(u - a) / a * 100:+6.1f}%) "
              f"scaled={s:6.2f} ({(s - a) / a * 100:+6.1f}%) committed={c:6.2f} ({(c - a) / a * 100:+6.1f}%) f={f:.3f}")
print(f"within 2 %: user replay {wu}, scaled {ws}, committed code {wm}, of {n}")
