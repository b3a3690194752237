#include "export/chrome_rows.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>

#include "export/json_text.h"

namespace gpuscope::exporters {
namespace {

using model::kNullI32;
using model::kNullI64;

bool isNullId(int64_t v) { return v == kNullI64 || v == kNullI32; }

std::string idText(int64_t v) { return isNullId(v) ? std::string("(unknown)") : std::to_string(v); }

}  // namespace

size_t ChromeRows::RowKeyHash::operator()(const RowKey& k) const {
  uint64_t h = static_cast<uint64_t>(k.kind) * 0x9E3779B97F4A7C15ull;
  for (int64_t v : {k.a, k.b, k.c}) {
    h ^= static_cast<uint64_t>(v) + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  }
  return static_cast<size_t>(h);
}

uint32_t ChromeRows::rowFor(const RowKey& key, bool gpu, int64_t process_key) {
  auto it = row_index_.find(key);
  if (it != row_index_.end()) return it->second;
  auto& index = gpu ? gpu_process_index_ : host_process_index_;
  auto [pit, inserted] = index.try_emplace(process_key, static_cast<uint32_t>(processes_.size()));
  if (inserted) {
    Process p;
    p.gpu = gpu;
    p.key = process_key;
    processes_.push_back(std::move(p));
  }
  Row row;
  row.key = key;
  row.process = pit->second;
  row.open_ends.resize(1);
  rows_.push_back(std::move(row));
  uint32_t id = static_cast<uint32_t>(rows_.size() - 1);
  row_index_.emplace(key, id);
  return id;
}

uint32_t ChromeRows::hostThreadRow(int64_t pid, int64_t tid) {
  return rowFor(RowKey{RowKind::kHostThread, pid, tid, 0}, false, pid);
}

uint32_t ChromeRows::streamRow(int64_t device, int64_t pid, int64_t stream, bool sync_row) {
  RowKind kind = sync_row ? RowKind::kStreamSync : RowKind::kStream;
  return rowFor(RowKey{kind, device, pid, stream}, true, device);
}

uint8_t ChromeRows::assignLane(uint32_t row, int64_t start, int64_t end) {
  auto& lanes = rows_[row].open_ends;
  for (size_t lane = 0;; ++lane) {
    if (lane == lanes.size()) lanes.emplace_back();
    auto& open = lanes[lane];
    // Slices that ended by `start` enclose nothing from now on.
    while (!open.empty() && open.back() <= start) open.pop_back();
    if (open.empty() || end <= open.back() || lane + 1 == kMaxLanes) {
      open.push_back(end);
      return static_cast<uint8_t>(lane);
    }
  }
}

void ChromeRows::nameHostProcess(Process& p) const {
  const auto& t = trace_.processes;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.pid[i] == p.key && t.name[i] != model::kEmptyString) {
      p.name = std::string(trace_.str(t.name[i]));
      return;
    }
  }
  p.name = "Process " + idText(p.key);
}

void ChromeRows::nameGpuProcess(Process& p) const {
  p.name = isNullId(p.key) ? std::string("GPU (unknown device)") : "GPU " + std::to_string(p.key);
  const auto& d = trace_.devices;
  for (size_t i = 0; i < d.size(); ++i) {
    if (d.id[i] == p.key && d.name[i] != model::kEmptyString) {
      p.name += ": ";
      p.name += trace_.str(d.name[i]);
      return;
    }
  }
}

void ChromeRows::finishLayout() {
  // Hosts in pid order first, then GPUs in ordinal order (unknown last).
  std::vector<uint32_t> order(processes_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    const Process& a = processes_[x];
    const Process& b = processes_[y];
    return std::make_tuple(a.gpu, a.gpu && isNullId(a.key), a.key) <
           std::make_tuple(b.gpu, b.gpu && isNullId(b.key), b.key);
  });
  int64_t next_synthetic_pid = kSyntheticPidBase;
  int64_t gpu_rank = 0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    Process& p = processes_[order[rank]];
    p.sort_index = static_cast<int>(rank);
    if (p.gpu) {
      p.out_pid = kGpuPidBase + gpu_rank++;
      nameGpuProcess(p);
    } else {
      bool fits = p.key >= 0 && p.key < kGpuPidBase;
      p.out_pid = fits ? p.key : next_synthetic_pid++;
      nameHostProcess(p);
    }
  }
  layoutRows();
}

void ChromeRows::layoutRows() {
  // Names recorded in the trace, by key.
  std::map<std::pair<int64_t, int64_t>, std::string_view> thread_names;
  for (size_t i = 0; i < trace_.threads.size(); ++i) {
    if (trace_.threads.name[i] == model::kEmptyString) continue;
    thread_names.emplace(std::make_pair(trace_.threads.pid[i], trace_.threads.tid[i]),
                         trace_.str(trace_.threads.name[i]));
  }
  std::map<std::tuple<int64_t, int64_t, int64_t>, std::string_view> stream_names;
  for (size_t i = 0; i < trace_.streams.size(); ++i) {
    if (trace_.streams.name[i] == model::kEmptyString) continue;
    stream_names.emplace(std::make_tuple(int64_t{trace_.streams.device_id[i]},
                                         trace_.streams.pid[i], trace_.streams.stream_id[i]),
                         trace_.str(trace_.streams.name[i]));
  }
  // A stream id seen under more than one pid on a device is not unique
  // there: its rows get the pid in their name and synthetic tids.
  std::map<std::pair<int64_t, int64_t>, int> stream_users;
  for (const Row& r : rows_) {
    if (r.key.kind == RowKind::kStream) ++stream_users[{r.key.a, r.key.c}];
  }

  std::vector<std::vector<uint32_t>> by_process(processes_.size());
  for (uint32_t i = 0; i < rows_.size(); ++i) by_process[rows_[i].process].push_back(i);
  for (size_t p = 0; p < processes_.size(); ++p) {
    auto& ids = by_process[p];
    const Process& proc = processes_[p];
    // Host: main thread first, then by tid. GPU: by stream id, then pid,
    // then the stream's own row before its sync row; unknown ids last.
    std::sort(ids.begin(), ids.end(), [&](uint32_t x, uint32_t y) {
      const RowKey& a = rows_[x].key;
      const RowKey& b = rows_[y].key;
      if (!proc.gpu) {
        return std::make_tuple(isNullId(a.b), a.b != a.a, a.b) <
               std::make_tuple(isNullId(b.b), b.b != b.a, b.b);
      }
      return std::make_tuple(isNullId(a.c), a.c, a.b, a.kind) <
             std::make_tuple(isNullId(b.c), b.c, b.b, b.kind);
    });
    int64_t next_tid = kSyntheticTidBase;
    int sort_index = 0;
    for (uint32_t id : ids) {
      Row& r = rows_[id];
      int64_t natural;
      bool usable;
      if (!proc.gpu) {
        natural = r.key.b;
        usable = true;
        auto it = thread_names.find({r.key.a, r.key.b});
        r.name = it != thread_names.end() ? std::string(it->second) : "Thread " + idText(r.key.b);
      } else {
        natural = r.key.c;
        bool shared = stream_users[{r.key.a, r.key.c}] > 1;
        usable = r.key.kind == RowKind::kStream && !shared;
        r.name = "Stream " + idText(r.key.c);
        auto it = stream_names.find({r.key.a, r.key.b, r.key.c});
        if (it != stream_names.end()) r.name += ": " + std::string(it->second);
        if (shared) r.name += " (pid " + idText(r.key.b) + ")";
        if (r.key.kind == RowKind::kStreamSync) r.name += " syncs";
      }
      usable = usable && natural >= 0 && natural < kSyntheticTidBase;
      size_t lanes = r.open_ends.size();
      r.lane_tids.resize(lanes);
      r.lane_sort.resize(lanes);
      for (size_t lane = 0; lane < lanes; ++lane) {
        r.lane_tids[lane] = (lane == 0 && usable) ? natural : next_tid++;
        r.lane_sort[lane] = sort_index++;
      }
      r.open_ends.clear();
      r.open_ends.shrink_to_fit();
      r.open_ends.resize(lanes);  // keeps the lane count for writeMetadata()
    }
  }
}

uint64_t ChromeRows::writeMetadata(BufferedWriter& w, bool* first) const {
  std::string& b = w.buffer();
  uint64_t count = 0;
  auto meta = [&](std::string_view what, int64_t pid, int64_t tid, auto&& write_value) {
    if (!*first) b.append(",\n");
    *first = false;
    b.append("{\"ph\":\"M\",\"name\":\"");
    b.append(what);
    b.append("\",\"pid\":");
    b.append(std::to_string(pid));
    b.append(",\"tid\":");
    b.append(std::to_string(tid));
    b.append(",\"ts\":0,\"args\":{");
    write_value();
    b.append("}}");
    ++count;
    w.maybeFlush();
  };
  for (const Process& p : processes_) {
    meta("process_name", p.out_pid, 0, [&] {
      b.append("\"name\":");
      appendJsonString(b, p.name);
    });
    meta("process_sort_index", p.out_pid, 0,
         [&] { b.append("\"sort_index\":" + std::to_string(p.sort_index)); });
  }
  for (const Row& r : rows_) {
    int64_t pid = processes_[r.process].out_pid;
    for (size_t lane = 0; lane < r.lane_tids.size(); ++lane) {
      std::string name = lane == 0 ? r.name : r.name + " (overlap " + std::to_string(lane) + ")";
      meta("thread_name", pid, r.lane_tids[lane], [&] {
        b.append("\"name\":");
        appendJsonString(b, name);
      });
      meta("thread_sort_index", pid, r.lane_tids[lane],
           [&] { b.append("\"sort_index\":" + std::to_string(r.lane_sort[lane])); });
    }
  }
  return count;
}

}  // namespace gpuscope::exporters
