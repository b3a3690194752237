#include "export/flow_index.h"

namespace gpuscope::exporters {
namespace {

constexpr uint32_t kMaxProcesses = 1u << 20;  // keeps ids below 2^53

}  // namespace

void FlowIndex::KeySet::reserve(size_t n) {
  size_t capacity = 16;
  while (capacity < 2 * n) capacity *= 2;
  slots_.assign(capacity, kEmpty);
  mask_ = capacity - 1;
  size_ = 0;
}

void FlowIndex::KeySet::insert(uint64_t key) {
  if (2 * (size_ + 1) > slots_.size()) {
    // Grow and re-insert (only when the reserve() guess was short).
    std::vector<uint64_t> old;
    old.swap(slots_);
    reserve(old.size());
    for (uint64_t k : old) {
      if (k != kEmpty) insert(k);
    }
  }
  for (size_t i = slot(key);; i = (i + 1) & mask_) {
    if (slots_[i] == key) return;
    if (slots_[i] == kEmpty) {
      slots_[i] = key;
      ++size_;
      return;
    }
  }
}

bool FlowIndex::KeySet::contains(uint64_t key) const {
  if (slots_.empty()) return false;
  for (size_t i = slot(key);; i = (i + 1) & mask_) {
    if (slots_[i] == key) return true;
    if (slots_[i] == kEmpty) return false;
  }
}

uint64_t FlowIndex::key(int64_t pid, int64_t correlation) const {
  if (correlation < 0 || correlation > 0xFFFFFFFFll) return kNoKey;  // NULL is negative
  if (last_index_ < 0 || pid != last_pid_) {
    auto it = pid_index_.find(pid);
    if (it == pid_index_.end() || it->second >= kMaxProcesses) return kNoKey;
    last_pid_ = pid;
    last_index_ = it->second;
  }
  return (static_cast<uint64_t>(last_index_) << 32) | static_cast<uint64_t>(correlation);
}

uint64_t FlowIndex::keyAdding(int64_t pid, int64_t correlation) {
  if (correlation < 0 || correlation > 0xFFFFFFFFll) return kNoKey;
  auto [it, added] = pid_index_.try_emplace(pid, static_cast<uint32_t>(pid_index_.size()));
  if (it->second >= kMaxProcesses) return kNoKey;
  return (uint64_t{it->second} << 32) | static_cast<uint64_t>(correlation);
}

FlowIndex::FlowIndex(const model::Trace& trace) : trace_(trace) {
  const auto& api = trace.api_calls;
  api_keys_.reserve(api.size());
  for (size_t i = 0; i < api.size(); ++i) {
    uint64_t k = keyAdding(api.pid[i], api.correlation_id[i]);
    if (k != kNoKey) api_keys_.insert(k);
  }
  // GPU work only matters where an API call could match it.
  gpu_keys_.reserve(trace.kernels.size() + trace.memcpys.size() + trace.memsets.size());
  auto add = [&](const auto& table) {
    for (size_t i = 0; i < table.size(); ++i) {
      uint64_t k = key(table.pid[i], table.correlation_id[i]);
      if (k != kNoKey && api_keys_.contains(k)) gpu_keys_.insert(k);
    }
  };
  add(trace.kernels);
  add(trace.memcpys);
  add(trace.memsets);
  add(trace.graph_launches);
  add(trace.syncs);
}

uint64_t FlowIndex::apiFlow(size_t i) const {
  uint64_t k = key(trace_.api_calls.pid[i], trace_.api_calls.correlation_id[i]);
  return k != kNoKey && gpu_keys_.contains(k) ? k + 1 : 0;
}

uint64_t FlowIndex::gpuFlow(int64_t pid, int64_t correlation) const {
  uint64_t k = key(pid, correlation);
  return k != kNoKey && api_keys_.contains(k) ? k + 1 : 0;
}

}  // namespace gpuscope::exporters
