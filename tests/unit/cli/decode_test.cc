// gpuscope decode: the seed's Myelin kernel name reads back as its fused ops.
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace gpuscope::testing {
namespace {

TEST(DecodeCli, MyelinLayerNormChain) {
  // From the seed (SEED-NOTES.md): two Mea mark a LayerNorm.
  CliResult r = runGpuscope({"decode", "__myl_bb0_8_ResTraCasAddMeaSubMulMeaAddSqrDivMulMulAddRes_com_vec"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("LayerNorm"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Transpose"), std::string::npos) << r.out;
  EXPECT_EQ(runGpuscope({"decode"}).exit_code, 2);
}

}  // namespace
}  // namespace gpuscope::testing
