// Application replay (--replay-mode application, ncu's mode of that name):
// the program runs once per pass, and each profiled kernel's range profiler
// state travels from one run to the next in a file of its own, in the
// folder the parent names (GPUSCOPE_PROFILER_APP_STATE). CUPTI's contract
// (cupti_profiler_target.h, SetConfig): for application replay, pass the
// counter data image and the passIndex / targetNestingLevel that the
// previous run's Stop returned.
//
// The file, little-endian as written by this machine:
//   "GSAPP1\n"            magic and version
//   u64 pass_index        the pass the next run collects
//   u64 target_level      the nesting level it collects
//   u64 config_hash       FNV-1a of the config image: every run must use
//                         the same configuration
//   u64 key size, key     the launch ("mangled name (grid)x(block)"): every
//                         run must profile the same kernel at this ordinal
//   u64 image size, image the counter data image
//
// Header-only and free of CUDA so that the CPU tests read and write it
// (tests/unit/profiler/app_pass_file_test.cc).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace gpuscope::profiler::inject {

inline constexpr std::string_view kAppPassMagic = "GSAPP1\n";

struct AppPassState {
  uint64_t pass_index = 0;
  uint64_t target_level = 1;
  uint64_t config_hash = 0;
  std::string key;
  std::vector<uint8_t> image;
};

inline uint64_t fnv1a(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

inline std::string encodeAppPass(const AppPassState& s) {
  std::string out(kAppPassMagic);
  auto u64 = [&out](uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  u64(s.pass_index);
  u64(s.target_level);
  u64(s.config_hash);
  u64(s.key.size());
  out += s.key;
  u64(s.image.size());
  out.append(reinterpret_cast<const char*>(s.image.data()), s.image.size());
  return out;
}

// Empty on success, else why `bytes` is not an application replay file
// (naming the byte offset where it stops making sense).
inline std::string decodeAppPass(std::string_view bytes, AppPassState& s) {
  if (bytes.substr(0, kAppPassMagic.size()) != kAppPassMagic) return "not an application replay state file (byte 0)";
  size_t at = kAppPassMagic.size();
  auto u64 = [&](uint64_t& v) {
    if (bytes.size() - at < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[at + i])) << (8 * i);
    at += 8;
    return true;
  };
  auto truncated = [&] { return "truncated at byte " + std::to_string(at) + " of " + std::to_string(bytes.size()); };
  uint64_t key_size = 0, image_size = 0;
  if (!u64(s.pass_index) || !u64(s.target_level) || !u64(s.config_hash) || !u64(key_size)) return truncated();
  if (key_size > bytes.size() - at) return truncated();
  s.key.assign(bytes.substr(at, key_size));
  at += key_size;
  if (!u64(image_size)) return truncated();
  if (image_size != bytes.size() - at)
    return "image of " + std::to_string(image_size) + " bytes at byte " + std::to_string(at) + " but " +
           std::to_string(bytes.size() - at) + " bytes follow";
  s.image.resize(image_size);
  if (image_size) std::memcpy(s.image.data(), bytes.data() + at, image_size);
  return "";
}

}  // namespace gpuscope::profiler::inject
