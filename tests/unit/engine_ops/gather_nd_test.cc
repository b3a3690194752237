// GatherND through inferShapes (folding) and runNodeOnCpu. The first five
// cases are the examples of the ONNX operator docs (GatherND, opset 13); all
// expected values are worked out by hand in the comments.
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "unit/engine_ops/op_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using I = std::vector<int64_t>;

std::vector<int64_t> ints(const HostTensor& t) { return t.toInts(); }
HostTensor i32(Shape shape, std::vector<int64_t> values) {
  return HostTensor::fromInts(DType::kInt32, std::move(shape), values);
}
// data of the examples 3..5: [[[0,1],[2,3]],[[4,5],[6,7]]]
HostTensor cube() { return i64({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7}); }
Attributes batchDims(int64_t b) { return attrs({{"batch_dims", b}}); }

void expectGather(const OpResult& r, const Shape& shape, const I& values) {
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.descs[0].shape, shape);
  EXPECT_EQ(r.outputs[0].shape(), shape);
  EXPECT_EQ(ints(r.outputs[0]), values);
}

TEST(GatherND, OnnxExample1ElementTuples) {
  // data [[0,1],[2,3]], indices [[0,0],[1,1]] -> [data[0][0], data[1][1]] = [0, 3]
  OpResult r = runOp("GatherND", {OpInput{i64({2, 2}, {0, 1, 2, 3})}, OpInput{i64({2, 2}, {0, 0, 1, 1})}});
  expectGather(r, {2}, {0, 3});
  EXPECT_TRUE(r.folded);
}

TEST(GatherND, OnnxExample2RowTuples) {
  // indices [[1],[0]] pick rows: [[2,3],[0,1]]
  expectGather(runOp("GatherND", {OpInput{i64({2, 2}, {0, 1, 2, 3})}, OpInput{i64({2, 1}, {1, 0})}}), {2, 2},
               {2, 3, 0, 1});
}

TEST(GatherND, OnnxExample3PairsIntoRank3) {
  // indices [[0,1],[1,0]] -> [data[0][1], data[1][0]] = [[2,3],[4,5]]
  expectGather(runOp("GatherND", {OpInput{cube()}, OpInput{i64({2, 2}, {0, 1, 1, 0})}}), {2, 2}, {2, 3, 4, 5});
}

TEST(GatherND, OnnxExample4Rank3Indices) {
  // indices [[[0,1]],[[1,0]]] (shape 2x1x2) -> [[[2,3]],[[4,5]]] (shape 2x1x2)
  expectGather(runOp("GatherND", {OpInput{cube()}, OpInput{i64({2, 1, 2}, {0, 1, 1, 0})}}), {2, 1, 2},
               {2, 3, 4, 5});
}

TEST(GatherND, OnnxExample5BatchDims1) {
  // batch_dims 1, indices [[1],[0]]: batch 0 takes data[0][1] = [2,3], batch 1 takes data[1][0] = [4,5]
  expectGather(runOp("GatherND", {OpInput{cube()}, OpInput{i64({2, 1}, {1, 0})}}, batchDims(1)), {2, 2},
               {2, 3, 4, 5});
}

TEST(GatherND, RuntimeInputsInt32AndNegativeIndices) {
  // Runtime data (not folded), int32 indices, -1 wraps to the last index:
  // [[-1,-2],[0,-1]] on the cube -> [data[1][0], data[0][1]] = [[4,5],[2,3]]
  OpResult r = runOp("GatherND", {rt(cube()), OpInput{i32({2, 2}, {-1, -2, 0, -1})}});
  expectGather(r, {2, 2}, {4, 5, 2, 3});
  EXPECT_FALSE(r.folded);
  // Full-rank tuples of fp16 data: element gather. x = [[1.5,2.5,3.5],[4.5,5.5,6.5]] fp16,
  // tuples (1,2), (0,-3)=(0,0), (-1,1)=(1,1) -> [6.5, 1.5, 5.5]
  OpResult h = runOp("GatherND", {rt(f16({2, 3}, {1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f})),
                                  rt(i64({3, 2}, {1, 2, 0, -3, -1, 1}))});
  ASSERT_TRUE(h.status.ok()) << h.status.message();
  EXPECT_EQ(h.descs[0], (TensorDesc{DType::kFloat16, {3}}));
  EXPECT_EQ(h.outputs[0].toFloats(), (std::vector<float>{6.5f, 1.5f, 5.5f}));
}

TEST(GatherND, BatchDims2WithSliceAndIndexGrid) {
  // data [2,2,3,2] = 0..23, batch_dims 2, indices [2,2,2,1]: per (i,j) batch two
  // tuples of length 1 along dim 2, each taking a slice of 2 elements.
  // Batch (i,j) starts at 6*(2i+j); row k of it is 6*(2i+j) + 2k, 6*(2i+j) + 2k + 1.
  // Tuples: (0,0): [2,0]  (0,1): [1,-1=2]  (1,0): [0,0]  (1,1): [-3=0,1]
  //   (0,0) base 0:  rows 2,0 -> 4,5, 0,1
  //   (0,1) base 6:  rows 1,2 -> 8,9, 10,11
  //   (1,0) base 12: rows 0,0 -> 12,13, 12,13
  //   (1,1) base 18: rows 0,1 -> 18,19, 20,21
  I data(24);
  for (int64_t i = 0; i < 24; ++i) data[size_t(i)] = i;
  OpResult r = runOp("GatherND", {OpInput{i64({2, 2, 3, 2}, data)},
                                  OpInput{i64({2, 2, 2, 1}, {2, 0, 1, -1, 0, 0, -3, 1})}},
                     batchDims(2));
  expectGather(r, {2, 2, 2, 2}, {4, 5, 0, 1, 8, 9, 10, 11, 12, 13, 12, 13, 18, 19, 20, 21});
}

TEST(GatherND, ShapeInferenceErrors) {
  auto msg = [](const OpResult& r) { return std::string(r.status.message()); };
  // tuple longer than data rank
  OpResult longer = runOp("GatherND", {OpInput{i64({2, 2}, {0, 1, 2, 3})}, OpInput{i64({1, 3}, {0, 0, 0})}});
  ASSERT_FALSE(longer.status.ok());
  EXPECT_NE(msg(longer).find("node 'n0' (GatherND): index tuples of length 3"), std::string::npos) << msg(longer);
  // batch_dims must be < min(rank data, rank indices)
  EXPECT_FALSE(runOp("GatherND", {OpInput{cube()}, OpInput{i64({2, 1}, {0, 0})}}, batchDims(2)).status.ok());
  EXPECT_FALSE(runOp("GatherND", {OpInput{cube()}, OpInput{i64({2, 1}, {0, 0})}}, batchDims(-1)).status.ok());
  // batch dims of data (2) and indices (3) differ
  OpResult batch = runOp("GatherND", {OpInput{cube()}, OpInput{i64({3, 1}, {0, 0, 0})}}, batchDims(1));
  ASSERT_FALSE(batch.status.ok());
  EXPECT_NE(msg(batch).find("batch dim 0 differs"), std::string::npos) << msg(batch);
  // float indices are rejected
  EXPECT_FALSE(runOp("GatherND", {OpInput{cube()}, OpInput{f32({1, 1}, {0})}}).status.ok());
}

TEST(GatherND, OutOfRangeIndexIsInvalidInput) {
  // dim 0 has size 2: 2 and -3 are out of range (on both the folding and the runtime path)
  for (int64_t bad : {2, -3}) {
    OpResult folded = runOp("GatherND", {OpInput{cube()}, OpInput{i64({1, 2}, {bad, 0})}});
    ASSERT_FALSE(folded.status.ok());
    EXPECT_EQ(folded.status.code(), StatusCode::kInvalidInput);
    EXPECT_NE(std::string(folded.status.message()).find("index " + std::to_string(bad) + " (tuple 0, position 0)"),
              std::string::npos)
        << folded.status.message();
    OpResult runtime = runOp("GatherND", {rt(cube()), rt(i64({1, 2}, {0, bad}))});
    EXPECT_FALSE(runtime.status.ok());
  }
  // With batch_dims 1 the tuple indexes dim 1 (size 2): 2 is out of range there.
  EXPECT_FALSE(runOp("GatherND", {OpInput{cube()}, OpInput{i64({2, 1}, {0, 2})}}, batchDims(1)).status.ok());
}

}  // namespace
}  // namespace gpuscope::engine::testing
