// The page's binary encoding: varints, zigzag, column layout, gzip and
// base64, checked against hand-computed bytes and RFC 4648 vectors, and
// decoded back by an independent decoder written here.
#include "report/columnar.h"

#include <gtest/gtest.h>

#include "base/gzip.h"

namespace gpuscope::report {
namespace {

std::vector<uint64_t> decodeVarints(std::string_view bytes, size_t* pos, size_t n) {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < n; ++i) {
    uint64_t v = 0;
    int shift = 0;
    unsigned char b;
    do {
      b = static_cast<unsigned char>(bytes.at((*pos)++));
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      shift += 7;
    } while (b & 0x80);
    out.push_back(v);
  }
  return out;
}

std::string base64Decode(std::string_view s) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<uint32_t>(val(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

TEST(Varint, HandComputedBytes) {
  std::string out;
  appendVarint(out, 0);
  appendVarint(out, 127);
  appendVarint(out, 128);
  appendVarint(out, 300);  // 300 = 0b10_0101100 -> 0xAC 0x02
  EXPECT_EQ(out, std::string("\x00\x7f\x80\x01\xac\x02", 6));
  out.clear();
  appendVarint(out, (uint64_t{1} << 53) - 1);  // largest exact double: 8 bytes of 7 bits
  EXPECT_EQ(out.size(), 8u);
}

TEST(Varint, Zigzag) {
  EXPECT_EQ(zigzag(0), 0u);
  EXPECT_EQ(zigzag(-1), 1u);
  EXPECT_EQ(zigzag(1), 2u);
  EXPECT_EQ(zigzag(-2), 3u);
  EXPECT_EQ(zigzag(INT64_MIN), UINT64_MAX);
}

TEST(ColumnSet, RoundTripColumnAfterColumn) {
  ColumnSet cols;
  size_t a = cols.addColumn("start", false), b = cols.addColumn("delta", true);
  std::vector<int64_t> av = {0, 5, 1'000'000'000'000, 129};
  std::vector<int64_t> bv = {-1, 0, 63, -64};
  for (size_t i = 0; i < av.size(); ++i) cols.put(a, av[i]), cols.put(b, bv[i]);
  EXPECT_EQ(cols.length(a), 4u);
  EXPECT_EQ(cols.name(b), "delta");
  std::string bytes = cols.bytes();
  size_t pos = 0;
  std::vector<uint64_t> ra = decodeVarints(bytes, &pos, 4);
  std::vector<uint64_t> rb = decodeVarints(bytes, &pos, 4);
  EXPECT_EQ(pos, bytes.size());
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(static_cast<int64_t>(ra[i]), av[i]);
    int64_t back = static_cast<int64_t>(rb[i] >> 1) ^ -static_cast<int64_t>(rb[i] & 1);
    EXPECT_EQ(back, bv[i]);
  }
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string enc = base64Encode(all);
  EXPECT_EQ(enc.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
            std::string::npos);
  EXPECT_EQ(base64Decode(enc), all);
}

TEST(Gzip, RoundTripThroughZlibInflate) {
  std::string data;
  for (int i = 0; i < 100000; ++i) appendVarint(data, static_cast<uint64_t>(i % 977) * 13);
  StatusOr<std::string> gz = gzipCompress(data);
  ASSERT_TRUE(gz.ok()) << gz.status().message();
  EXPECT_TRUE(isGzip(*gz));
  EXPECT_LT(gz->size(), data.size() / 2);
  StatusOr<std::string> back = gunzip(*gz, "test");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, data);
  StatusOr<std::string> empty = gzipCompress("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(isGzip(*empty));
}

}  // namespace
}  // namespace gpuscope::report
