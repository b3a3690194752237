"""Checks a .gpuscope trace of tests/gpu/trace_completeness.cu against the
"expect NAME VALUE" lines the program printed (independent of the tracer:
the program counts what it did). Also checks correlation and one clock:
every kernel has its launching API call in the same process, starting
before it. Usage: check_trace.py TRACE EXPECT_FILE EXIT_CODE graph|node
Prints one line per check and exits 1 if any failed."""
import sqlite3
import sys

trace, expect_file, exit_code, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
db = sqlite3.connect(f"file:{trace}?mode=ro", uri=True)  # never create an empty file
q = lambda sql, *a: db.execute(sql, a).fetchall()
one = lambda sql, *a: q(sql, *a)[0][0]

expected = {}
for line in open(expect_file):
    parts = line.split()
    if len(parts) == 3 and parts[0] == "expect":
        expected[parts[1]] = parts[2]
if mode == "node":
    expected["kernels.graph_k1"] = "5"
    expected["kernels.graph_k2"] = "10"
    expected["graph_launches"] = "0"

HTOD, DTOH, PAGEABLE, PINNED = 1, 2, 0, 1  # model enums (nsys numbering)


def actual(name):
    if name == "exit_code":
        return exit_code
    if name == "processes":
        return one("SELECT count(*) FROM processes")
    if name.startswith("kernels."):
        return one("SELECT count(*) FROM kernels_named WHERE short_name = ?", name.split(".", 1)[1])
    if name == "graph_launches":
        return one("SELECT count(*) FROM graph_launches")
    if name == "streams_with_add_one":
        return one("SELECT count(DISTINCT stream_id) FROM kernels_named WHERE short_name = 'add_one'")
    if name == "memcpys":
        return one("SELECT count(*) FROM memcpys")
    if name.startswith("memcpy_bytes."):
        _, kind, mem = name.split(".")
        ck = HTOD if kind == "HtoD" else DTOH
        side = "src_kind" if ck == HTOD else "dst_kind"
        mk = PAGEABLE if mem == "pageable" else PINNED
        return one(f"SELECT coalesce(sum(bytes), 0) FROM memcpys WHERE copy_kind = ? AND {side} = ?", ck, mk)
    if name.startswith("syncs."):  # model SyncType: CUPTI's numbering
        t = {"event": 1, "stream_wait": 2, "stream": 3, "context": 4}[name.split(".")[1]]
        return one("SELECT count(*) FROM syncs WHERE sync_type = ?", t)
    if name == "memsets":
        return one("SELECT count(*) FROM memsets")
    if name == "memset_bytes":
        return one("SELECT coalesce(sum(bytes), 0) FROM memsets")
    if name == "nvtx.marks":
        return one("SELECT count(*) FROM nvtx WHERE kind = 2")
    if name == "nvtx.pushpop":
        return one("SELECT count(*) FROM nvtx WHERE kind = 0")
    if name == "nvtx.startend":
        return one("SELECT count(*) FROM nvtx WHERE kind = 1")
    field, text = name.split(".")[1], name.split(".", 2)[2]
    col = {"depth": "depth", "color": "color", "category": "category", "domain": "domain"}[field]
    rows = q(f"SELECT {col} FROM nvtx_named WHERE text = ?", text)
    return rows[0][0] if rows else None


failures = 0
def check(name, want, got):
    global failures
    ok = str(want) == str(got)
    failures += not ok
    print(f"{'PASS' if ok else 'FAIL'} {name}: expected {want}, got {got}")


for name, want in expected.items():
    check(name, want, actual(name))

# Correlation and one clock: each kernel's launch call exists and starts first.
rows = q("""SELECT k.short_name, a.name, k.start - a.start FROM kernels_named k
            LEFT JOIN api_calls_named a ON a.pid = k.pid AND a.correlation_id = k.correlation_id
            AND a.api_kind = 0""")
check("kernels_with_runtime_launch_call", len(rows), sum(1 for r in rows if r[1] is not None))
check("kernels_start_after_their_launch_call", len(rows), sum(1 for r in rows if r[2] is not None and r[2] >= 0))
launchers = {(r[0], r[1]) for r in rows}
want_launchers = {("add_one", "cudaLaunchKernel"), ("scale", "cudaLaunchKernel"), ("child_kernel", "cudaLaunchKernel")}
if mode == "node":
    want_launchers |= {("graph_k1", "cudaGraphLaunch"), ("graph_k2", "cudaGraphLaunch")}
check("launching_api_names", sorted(want_launchers), sorted(launchers))
if mode == "graph":
    check("graph_launches_with_cudaGraphLaunch", 5, one(
        """SELECT count(*) FROM graph_launches g JOIN api_calls_named a ON a.pid = g.pid
           AND a.correlation_id = g.correlation_id WHERE a.name = 'cudaGraphLaunch'"""))
else:
    # Graph kernels map (through the clone's node id) to the capture-time range.
    got = q("""SELECT k.short_name, n.nvtx_text, count(*) FROM kernels_named k JOIN graph_nodes_named n
               ON n.pid = k.pid AND n.node_id = k.graph_node_id
               WHERE k.graph_node_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2""")
    check("graph_node_nvtx_attribution", [("graph_k1", "g_layer1", 5), ("graph_k2", "g_layer2", 10)], got)
# NVTX: the 10 stream-A add_one launches happened inside inner_a on the same thread.
check("add_one_launches_inside_inner_a", 16, one(
    """SELECT count(*) FROM kernels_named k JOIN api_calls a ON a.pid = k.pid AND a.correlation_id = k.correlation_id
       JOIN nvtx_named n ON n.pid = a.pid AND n.tid = a.tid AND n.text = 'inner_a'
       WHERE k.short_name = 'add_one' AND a.start >= n.start AND a."end" <= n."end" """))
# Synchronizations: each belongs to the API call with its correlation id,
# named for its type, on that call's thread and inside its interval (1 us of
# slack: the two are timed by different hooks of the same call); the waited
# event and the synchronized event are one id; the wait and the stream
# synchronize name stream A (the stream of the 10 add_one kernels).
sync_api = {1: "cudaEventSynchronize", 2: "cudaStreamWaitEvent", 3: "cudaStreamSynchronize",
            4: "cudaDeviceSynchronize"}
rows = q("""SELECT s.sync_type, a.name, s.tid = a.tid, s.start >= a.start - 1000 AND s."end" <= a."end" + 1000
            FROM syncs s LEFT JOIN api_calls_named a ON a.pid = s.pid AND a.correlation_id = s.correlation_id""")
check("syncs_named_for_their_api_call", len(rows), sum(1 for r in rows if r[1] == sync_api.get(r[0])))
check("syncs_on_their_call_thread_and_interval", len(rows), sum(1 for r in rows if r[2] == 1 and r[3] == 1))
check("sync_event_ids", 1, one("SELECT count(DISTINCT event_id) FROM syncs WHERE sync_type IN (1, 2)"))
stream_a = q("""SELECT stream_id FROM kernels_named WHERE short_name = 'add_one'
                GROUP BY stream_id HAVING count(*) = 10""")
check("sync_streams_are_stream_a", [(stream_a[0][0] if stream_a else None,)],
      q("SELECT DISTINCT stream_id FROM syncs WHERE sync_type IN (2, 3)"))
check("child_process_distinct", 2, one("SELECT count(DISTINCT pid) FROM kernels"))
check("diagnostics_data_loss", [], q("SELECT name, count FROM diagnostics WHERE severity != 'info'"))
sys.exit(1 if failures else 0)
