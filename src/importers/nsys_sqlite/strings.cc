#include "importers/nsys_sqlite/strings.h"

#include <algorithm>

namespace gpuscope::importers::nsys_sqlite {

std::string_view stripApiVersionSuffix(std::string_view name) {
  if (name.size() >= 6 && name[name.size() - 6] == '_' && name[name.size() - 5] == 'v') {
    return name.substr(0, name.size() - 6);
  }
  return name;
}

Status NsysStrings::load(const Database& db) {
  if (!db.hasTable("StringIds")) return OkStatus();
  const int64_t n = rowCountHint(db, "StringIds");
  // One scan: collect (id, offset) pairs, then index them by id.
  std::vector<std::pair<int64_t, uint64_t>> ids;
  std::vector<uint64_t> lengths;
  ids.reserve(static_cast<size_t>(n));
  lengths.reserve(static_cast<size_t>(n));
  GS_ASSIGN_OR_RETURN(TableCursor c, TableCursor::open(db, "StringIds", {"id", "value"}));
  int64_t max_id = -1;
  while (true) {
    GS_ASSIGN_OR_RETURN(bool more, c.next());
    if (!more) break;
    if (c.isNull(0)) continue;  // id is the INTEGER PRIMARY KEY: never NULL
    int64_t id = c.i64(0);
    std::string_view v = c.text(1);
    ids.emplace_back(id, arena_.size());
    lengths.push_back(v.size());
    arena_.append(v);
    max_id = std::max(max_id, id);
  }
  count_ = ids.size();
  bool negative = std::any_of(ids.begin(), ids.end(), [](const auto& p) { return p.first < 0; });
  dense_ = !negative && max_id < static_cast<int64_t>(4 * ids.size() + 1024);
  size_t slots = dense_ ? static_cast<size_t>(max_id + 1) : ids.size();
  begin_.assign(slots, 0);
  ends_.assign(slots, 0);
  present_.assign(slots, 0);
  for (size_t i = 0; i < ids.size(); ++i) {
    size_t s = dense_ ? static_cast<size_t>(ids[i].first) : i;
    if (!dense_) sparse_[ids[i].first] = static_cast<int64_t>(s);
    begin_[s] = ids[i].second;
    ends_[s] = ids[i].second + lengths[i];
    present_[s] = 1;
  }
  plain_.assign(slots, kUnset);
  stripped_.assign(slots, kUnset);
  return OkStatus();
}

int64_t NsysStrings::slot(int64_t nsys_id) const {
  if (dense_) {
    if (nsys_id < 0 || nsys_id >= static_cast<int64_t>(present_.size())) return -1;
    return present_[static_cast<size_t>(nsys_id)] ? nsys_id : -1;
  }
  auto it = sparse_.find(nsys_id);
  return it == sparse_.end() ? -1 : it->second;
}

bool NsysStrings::has(int64_t nsys_id) const { return slot(nsys_id) >= 0; }

std::string_view NsysStrings::value(int64_t nsys_id) const {
  int64_t s = slot(nsys_id);
  if (s < 0) return {};
  auto i = static_cast<size_t>(s);
  return std::string_view(arena_).substr(begin_[i], ends_[i] - begin_[i]);
}

model::StringId NsysStrings::intern(int64_t nsys_id, model::StringTable& table) {
  int64_t s = slot(nsys_id);
  if (s < 0) return model::kEmptyString;
  model::StringId& cached = plain_[static_cast<size_t>(s)];
  if (cached == kUnset) cached = table.intern(value(nsys_id));
  return cached;
}

model::StringId NsysStrings::internApiName(int64_t nsys_id, model::StringTable& table) {
  int64_t s = slot(nsys_id);
  if (s < 0) return model::kEmptyString;
  model::StringId& cached = stripped_[static_cast<size_t>(s)];
  if (cached == kUnset) cached = table.intern(stripApiVersionSuffix(value(nsys_id)));
  return cached;
}

}  // namespace gpuscope::importers::nsys_sqlite
