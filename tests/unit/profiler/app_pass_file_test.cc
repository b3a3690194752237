// The application replay state file (profiler/inject/app_pass_file.h): what
// one run of the program leaves for the next, and how the next run refuses
// a file that is not whole.
#include <gtest/gtest.h>

#include <string>

#include "profiler/inject/app_pass_file.h"

namespace gpuscope::profiler::inject {
namespace {

AppPassState sample() {
  AppPassState s;
  s.pass_index = 3;
  s.target_level = 1;
  s.config_hash = 0x0123456789abcdefull;
  s.key = "_Z5saxpyifPKfPf (65536, 1, 1)x(256, 1, 1)";
  s.image = {0, 1, 2, 255, 254, 0, 7};
  return s;
}

TEST(AppPassFile, RoundTrips) {
  const std::string bytes = encodeAppPass(sample());
  // magic 7 + 4 numbers of 8 + key + image size 8 + image.
  EXPECT_EQ(bytes.size(), 7u + 32u + sample().key.size() + 8u + 7u);
  AppPassState back;
  ASSERT_EQ(decodeAppPass(bytes, back), "");
  EXPECT_EQ(back.pass_index, 3u);
  EXPECT_EQ(back.target_level, 1u);
  EXPECT_EQ(back.config_hash, 0x0123456789abcdefull);
  EXPECT_EQ(back.key, sample().key);
  EXPECT_EQ(back.image, sample().image);
}

TEST(AppPassFile, LittleEndianNumbers) {
  const std::string bytes = encodeAppPass(sample());
  EXPECT_EQ(bytes.substr(0, 7), "GSAPP1\n");
  EXPECT_EQ(static_cast<unsigned char>(bytes[7]), 3u);  // pass_index, low byte first
  EXPECT_EQ(static_cast<unsigned char>(bytes[8]), 0u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[23]), 0xefu);  // config_hash's low byte
}

// Every prefix of a good file is refused with the byte where it stops, and
// never read past its end (ASan in the fuzz preset); so is a longer one.
TEST(AppPassFile, TruncatedOrPaddedFilesAreRefused) {
  const std::string bytes = encodeAppPass(sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    AppPassState s;
    const std::string why = decodeAppPass(std::string_view(bytes).substr(0, n), s);
    EXPECT_FALSE(why.empty()) << n;
    if (n >= 7) {
      EXPECT_NE(why.find("byte"), std::string::npos) << why;
    }
  }
  AppPassState s;
  EXPECT_EQ(decodeAppPass(bytes + "x", s), "image of 7 bytes at byte " + std::to_string(bytes.size() - 7) +
                                               " but 8 bytes follow");
  std::string other = bytes;
  other[5] = '2';  // "GSAPP2\n": another version
  EXPECT_EQ(decodeAppPass(other, s), "not an application replay state file (byte 0)");
}

// A key length beyond the file (a hostile or damaged file) is refused, not allocated.
TEST(AppPassFile, HugeKeyLengthIsTruncation) {
  std::string bytes = encodeAppPass(sample());
  for (int i = 0; i < 8; ++i) bytes[7 + 24 + i] = static_cast<char>(0xff);
  AppPassState s;
  EXPECT_EQ(decodeAppPass(bytes, s), "truncated at byte 39 of " + std::to_string(bytes.size()));
}

TEST(AppPassFile, ConfigHashSeesEveryByte) {
  std::vector<uint8_t> a = {1, 2, 3}, b = {1, 2, 4};
  EXPECT_NE(fnv1a(a.data(), a.size()), fnv1a(b.data(), b.size()));
  EXPECT_EQ(fnv1a(nullptr, 0), 1469598103934665603ull);
}

}  // namespace
}  // namespace gpuscope::profiler::inject
