"""Offline check of a candidate for issue #8 (not in gpuscope): scale user replay's
throughput percentages by (user replay's elapsed cycles / the one-pass kernel replay's),
i.e. the same work over the time the kernel takes under ncu's conditions. Reads the CSVs
device call L recorded (csv/), prints each value against ncu's and the count within 2 %.
Run: python3 rescale_offline.py (from this folder)."""
import csv


def load(path):
    out = {}
    for r in csv.reader(l for l in open(path) if l.startswith('"')):
        if r[0] == "ID" or r[14] in ("", "n/a"):
            continue
        out[(int(r[0]), r[12])] = float(r[14].replace(",", ""))
    return out


ncu, user, kr = load("csv/ncu_sol.csv"), load("csv/user_sol.csv"), load("csv/kr.csv")
pcts = ["Compute (SM) Throughput", "Memory Throughput", "DRAM Throughput", "L1/TEX Cache Throughput",
        "L2 Cache Throughput"]
within_user = within_scaled = n = 0
for k in range(10):
    f = user[(k, "Elapsed Cycles")] / kr[(k, "gpc__cycles_elapsed.max")]
    for m in pcts:
        a, u = ncu.get((k, m)), user[(k, m)]
        if not a:
            continue
        s = u * f
        eu, es = (u - a) / a * 100, (s - a) / a * 100
        n += 1
        within_user += abs(eu) <= 2
        within_scaled += abs(es) <= 2
        print(f"k{k} {m:26s} ncu={a:7.2f} user={u:7.2f} ({eu:+6.1f}%) scaled={s:7.2f} ({es:+6.1f}%) factor={f:.3f}")
print(f"within 2 %: user replay {within_user}, scaled {within_scaled}, of {n}")
