// CUPTI record structs -> model rows, through the real decoder.
#include <gtest/gtest.h>

#include "tracer/kernel_names.h"
#include "unit/tracer/fake_cupti_buffer.h"

namespace gpuscope::tracer {
namespace {

using testing::FakeCuptiBuffer;
using testing::fakeApiName;

struct Decoded {
  Recording rec;
  RecordDecoder decoder{&rec, 100, fakeApiName};
  std::string_view str(model::StringId id) const { return rec.rows.str(id); }
};

TEST(RecordDecoderTest, KernelFieldsAndDemangledName) {
  FakeCuptiBuffer b;
  auto& k = b.addKernel(1000, 1500, 42, 13, "_ZN2ns6squareIfEEvPT_i");
  k.gridX = 128; k.gridY = 2; k.gridZ = 1; k.blockX = 256; k.blockY = 1; k.blockZ = 1;
  k.registersPerThread = 32; k.staticSharedMemory = 1024; k.dynamicSharedMemory = 4096;
  k.localMemoryPerThread = 16; k.launchType = 1; k.deviceId = 3; k.contextId = 9;
  Decoded d;
  b.decodeInto(d.decoder);
  const model::KernelTable& t = d.rec.rows.kernels;
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.start[0], 1000);
  EXPECT_EQ(t.end[0], 1500);
  EXPECT_EQ(t.pid[0], 100);
  EXPECT_EQ(t.correlation_id[0], 42);
  EXPECT_EQ(t.stream_id[0], 13);
  EXPECT_EQ(t.device_id[0], 3);
  EXPECT_EQ(t.context_id[0], 9);
  EXPECT_EQ(d.str(t.name[0]), "void ns::square<float>(float*, int)");
  EXPECT_EQ(d.str(t.short_name[0]), "square");
  EXPECT_EQ(d.str(t.mangled_name[0]), "_ZN2ns6squareIfEEvPT_i");
  EXPECT_EQ(t.grid_x[0], 128); EXPECT_EQ(t.grid_y[0], 2); EXPECT_EQ(t.block_x[0], 256);
  EXPECT_EQ(t.registers_per_thread[0], 32);
  EXPECT_EQ(t.static_shared_memory[0], 1024);
  EXPECT_EQ(t.dynamic_shared_memory[0], 4096);
  EXPECT_EQ(t.local_memory_per_thread[0], 16);
  EXPECT_EQ(t.launch_type[0], 1);
  // Not from a graph: CUPTI's 0 becomes unknown, not graph 0.
  EXPECT_EQ(t.graph_id[0], model::kNullI64);
  EXPECT_EQ(t.graph_node_id[0], model::kNullI64);
}

TEST(RecordDecoderTest, GraphKernelKeepsGraphIds) {
  FakeCuptiBuffer b;
  auto& k = b.addKernel(10, 20, 5, 7);
  k.graphId = 2; k.graphNodeId = (uint64_t(2) << 32) | 3;
  Decoded d;
  b.decodeInto(d.decoder);
  EXPECT_EQ(d.rec.rows.kernels.graph_id[0], 2);
  EXPECT_EQ(d.rec.rows.kernels.graph_node_id[0], (int64_t(2) << 32) | 3);
}

TEST(RecordDecoderTest, KernelWithoutTimestampsIsCountedNotStored) {
  FakeCuptiBuffer b;
  b.addKernel(0, 0, 1, 7);
  b.addKernel(5, 6, 2, 7);
  Decoded d;
  b.decodeInto(d.decoder);
  EXPECT_EQ(d.rec.rows.kernels.size(), 1u);
  EXPECT_EQ(d.rec.rows.diagnostics.count("kernel_timestamp_missing"), 1);
}

TEST(RecordDecoderTest, SameNamePointerIsDemangledOnceAndStaysCorrect) {
  FakeCuptiBuffer b;
  static char name[] = "_Z3fooi";
  b.addKernel(1, 2, 1, 7, name);
  Decoded d;
  b.decodeInto(d.decoder);
  std::strcpy(name, "_Z3bari");  // CUPTI reusing the pointer for another name
  FakeCuptiBuffer b2;
  b2.addKernel(3, 4, 2, 7, name);
  b2.decodeInto(d.decoder);
  EXPECT_EQ(d.str(d.rec.rows.kernels.name[0]), "foo(int)");
  EXPECT_EQ(d.str(d.rec.rows.kernels.name[1]), "bar(int)");
}

TEST(RecordDecoderTest, MemcpyKindsBytesAndRuntimeCorrelationFallback) {
  FakeCuptiBuffer b;
  b.addMemcpy(100, 200, 11, 4096, CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE,
              CUPTI_ACTIVITY_MEMORY_KIND_DEVICE);
  auto& m = b.addMemcpy(300, 400, 0, 1 << 20, CUPTI_ACTIVITY_MEMCPY_KIND_DTOH, CUPTI_ACTIVITY_MEMORY_KIND_DEVICE,
                        CUPTI_ACTIVITY_MEMORY_KIND_PINNED);
  m.runtimeCorrelationId = 12;
  Decoded d;
  b.decodeInto(d.decoder);
  const model::MemcpyTable& t = d.rec.rows.memcpys;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.bytes[0], 4096);
  EXPECT_EQ(t.copy_kind[0], int32_t(model::CopyKind::kHtoD));
  EXPECT_EQ(t.src_kind[0], int32_t(model::MemKind::kPageable));
  EXPECT_EQ(t.dst_kind[0], int32_t(model::MemKind::kDevice));
  EXPECT_EQ(t.correlation_id[0], 11);
  EXPECT_EQ(t.copy_kind[1], int32_t(model::CopyKind::kDtoH));
  EXPECT_EQ(t.dst_kind[1], int32_t(model::MemKind::kPinned));
  EXPECT_EQ(t.correlation_id[1], 12);
  EXPECT_EQ(t.stream_id[1], 7);
}

TEST(RecordDecoderTest, PeerCopyAndMemset) {
  FakeCuptiBuffer b;
  auto& p = b.add<CUpti_ActivityMemcpyPtoP4>(CUPTI_ACTIVITY_KIND_MEMCPY2);
  p.start = 1; p.end = 2; p.bytes = 64; p.copyKind = CUPTI_ACTIVITY_MEMCPY_KIND_PTOP;
  p.srcDeviceId = 0; p.dstDeviceId = 1; p.deviceId = 0; p.correlationId = 3;
  p.srcKind = CUPTI_ACTIVITY_MEMORY_KIND_UNKNOWN; p.dstKind = CUPTI_ACTIVITY_MEMORY_KIND_MANAGED_STATIC;
  auto& s = b.add<CUpti_ActivityMemset4>(CUPTI_ACTIVITY_KIND_MEMSET);
  s.start = 5; s.end = 9; s.bytes = 1000; s.value = 255; s.memoryKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
  s.correlationId = 4; s.streamId = 0xFFFFFFFFu;
  Decoded d;
  b.decodeInto(d.decoder);
  ASSERT_EQ(d.rec.rows.memcpys.size(), 1u);
  EXPECT_EQ(d.rec.rows.memcpys.src_device_id[0], 0);
  EXPECT_EQ(d.rec.rows.memcpys.dst_device_id[0], 1);
  EXPECT_EQ(d.rec.rows.memcpys.copy_kind[0], int32_t(model::CopyKind::kPtoP));
  // CUPTI counts memory kinds from UNKNOWN = 0, the model from PAGEABLE = 0.
  EXPECT_EQ(d.rec.rows.memcpys.src_kind[0], int32_t(model::MemKind::kUnknown));
  EXPECT_EQ(d.rec.rows.memcpys.dst_kind[0], int32_t(model::MemKind::kManagedStatic));
  ASSERT_EQ(d.rec.rows.memsets.size(), 1u);
  EXPECT_EQ(d.rec.rows.memsets.bytes[0], 1000);
  EXPECT_EQ(d.rec.rows.memsets.value[0], 255);
  EXPECT_EQ(d.rec.rows.memsets.mem_kind[0], int32_t(model::MemKind::kDevice));
  EXPECT_EQ(d.rec.rows.memsets.stream_id[0], model::kNullI64);
}

TEST(RecordDecoderTest, ApiCallsNamesWithoutVersionSuffix) {
  FakeCuptiBuffer b;
  auto& rt = b.addRuntime(10, 30, 42, 211, 555, 556);
  rt.returnValue = 0;
  auto& drv = b.addDriver(12, 28, 43, 307);
  drv.returnValue = 1;
  b.addRuntime(40, 41, 44, 99999);  // id the name table does not know
  b.add<CUpti_ActivityAPI>(CUPTI_ACTIVITY_KIND_INTERNAL_LAUNCH_API).correlationId = 45;
  Decoded d;
  b.decodeInto(d.decoder);
  const model::ApiCallTable& t = d.rec.rows.api_calls;
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(d.str(t.name[0]), "cudaLaunchKernel");
  EXPECT_EQ(t.api_kind[0], int32_t(model::ApiKind::kRuntime));
  EXPECT_EQ(t.pid[0], 555);
  EXPECT_EQ(t.tid[0], 556);
  EXPECT_EQ(t.correlation_id[0], 42);
  EXPECT_EQ(d.str(t.name[1]), "cuLaunchKernel");
  EXPECT_EQ(t.api_kind[1], int32_t(model::ApiKind::kDriver));
  EXPECT_EQ(t.return_code[1], 1);
  EXPECT_EQ(d.str(t.name[2]), "cuda_runtime_cbid_99999");
  EXPECT_EQ(d.str(t.name[3]), "[internal launch]");
  EXPECT_EQ(stripApiVersion("cudaMemcpy_v3020"), "cudaMemcpy");
  EXPECT_EQ(stripApiVersion("cuMemcpy_v2x"), "cuMemcpy_v2x");
  EXPECT_EQ(stripApiVersion("cuLaunchKernel"), "cuLaunchKernel");
}

TEST(RecordDecoderTest, SyncGraphLaunchDeviceContextStream) {
  FakeCuptiBuffer b;
  auto& s = b.add<CUpti_ActivitySynchronization2>(CUPTI_ACTIVITY_KIND_SYNCHRONIZATION);
  s.type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE; s.start = 5; s.end = 50;
  s.correlationId = 8; s.contextId = 1; s.streamId = 13; s.cudaEventId = 0xFFFFFFFFu;
  auto& g = b.add<CUpti_ActivityGraphTrace2>(CUPTI_ACTIVITY_KIND_GRAPH_TRACE);
  g.start = 60; g.end = 90; g.graphId = 2; g.correlationId = 9; g.streamId = 13; g.contextId = 1;
  auto& dev = b.add<CUpti_ActivityDevice5>(CUPTI_ACTIVITY_KIND_DEVICE);
  dev.id = 0; dev.name = "NVIDIA H200"; dev.computeCapabilityMajor = 9; dev.numMultiprocessors = 132;
  dev.globalMemoryBandwidth = 4800000000;  // KB/s
  dev.numThreadsPerWarp = 32; dev.maxWarpsPerMultiprocessor = 64;
  dev.uuid.bytes[0] = char(0xab);
  auto& ctx = b.add<CUpti_ActivityContext3>(CUPTI_ACTIVITY_KIND_CONTEXT);
  ctx.contextId = 1; ctx.deviceId = 0;
  auto& st = b.add<CUpti_ActivityStream>(CUPTI_ACTIVITY_KIND_STREAM);
  st.contextId = 1; st.streamId = 13; st.priority = uint32_t(-1);
  st.flag = CUPTI_ACTIVITY_STREAM_CREATE_FLAG_NON_BLOCKING;
  Decoded d;
  b.decodeInto(d.decoder);
  ASSERT_EQ(d.rec.rows.syncs.size(), 1u);
  EXPECT_EQ(d.rec.rows.syncs.sync_type[0], int32_t(model::SyncType::kStreamSynchronize));
  EXPECT_EQ(d.rec.rows.syncs.event_id[0], model::kNullI64);
  ASSERT_EQ(d.rec.rows.graph_launches.size(), 1u);
  EXPECT_EQ(d.rec.rows.graph_launches.graph_id[0], 2);
  EXPECT_EQ(d.rec.rows.graph_launches.correlation_id[0], 9);
  ASSERT_EQ(d.rec.rows.devices.size(), 1u);
  EXPECT_EQ(d.str(d.rec.rows.devices.name[0]), "NVIDIA H200");
  EXPECT_EQ(d.rec.rows.devices.sm_count[0], 132);
  EXPECT_EQ(d.rec.rows.devices.memory_bandwidth[0], 4800000000000);
  EXPECT_EQ(d.rec.rows.devices.max_threads_per_sm[0], 2048);
  EXPECT_EQ(d.str(d.rec.rows.devices.uuid[0]).substr(0, 6), "GPU-ab");
  EXPECT_EQ(d.rec.rows.contexts.size(), 1u);
  ASSERT_EQ(d.rec.rows.streams.size(), 1u);
  EXPECT_EQ(d.rec.rows.streams.priority[0], -1);
  EXPECT_EQ(d.rec.rows.streams.stream_type[0], 2);
}

TEST(RecordDecoderTest, MarkersBecomeRowsEndsAndData) {
  FakeCuptiBuffer b;
  b.addMarker(1, CUPTI_ACTIVITY_FLAG_MARKER_START, 100, 7, "outer", "mydomain");
  b.addMarker(1, CUPTI_ACTIVITY_FLAG_MARKER_END, 200, 7, nullptr, "mydomain");
  b.addMarker(2, CUPTI_ACTIVITY_FLAG_MARKER_INSTANTANEOUS, 150, 7, "tick");
  auto& md = b.add<CUpti_ActivityMarkerData2>(CUPTI_ACTIVITY_KIND_MARKER_DATA);
  md.id = 1; md.flags = CUPTI_ACTIVITY_FLAG_MARKER_COLOR_ARGB; md.color = 0xFF00FF00u; md.category = 5;
  b.addMarker(3, CUPTI_ACTIVITY_FLAG_MARKER_SYNC_ACQUIRE, 160, 7, "sync");
  Decoded d;
  b.decodeInto(d.decoder);
  const model::NvtxTable& t = d.rec.rows.nvtx;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(d.str(t.text[0]), "outer");
  EXPECT_EQ(d.str(t.domain[0]), "mydomain");
  EXPECT_EQ(t.end[0], model::kNullI64);  // paired later
  EXPECT_EQ(t.tid[0], 7);
  EXPECT_EQ(t.kind[1], int32_t(model::NvtxKind::kMark));
  ASSERT_EQ(d.rec.nvtx_ends.size(), 1u);
  EXPECT_EQ(d.rec.nvtx_ends[0].time, 200);
  ASSERT_EQ(d.rec.marker_data.size(), 1u);
  EXPECT_EQ(d.rec.marker_data[0].color, 0xFF00FF00);
  EXPECT_EQ(d.rec.marker_data[0].category, 5);
  EXPECT_EQ(d.rec.rows.diagnostics.count("nvtx_sync_marker_ignored"), 1);
}

TEST(RecordDecoderTest, ThreadAndStreamNamesExternalIdsUnknownKindsDropped) {
  FakeCuptiBuffer b;
  auto& n = b.add<CUpti_ActivityName>(CUPTI_ACTIVITY_KIND_NAME);
  n.objectKind = CUPTI_ACTIVITY_OBJECT_THREAD; n.objectId.pt.threadId = 77; n.name = "loader";
  auto& sn = b.add<CUpti_ActivityName>(CUPTI_ACTIVITY_KIND_NAME);
  sn.objectKind = CUPTI_ACTIVITY_OBJECT_STREAM; sn.objectId.dcs.streamId = 13; sn.objectId.dcs.contextId = 1;
  sn.name = "copy stream";
  auto& x = b.add<CUpti_ActivityExternalCorrelation>(CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION);
  x.correlationId = 42; x.externalId = 9000;
  b.add<CUpti_ActivityOverhead3>(CUPTI_ACTIVITY_KIND_OVERHEAD);
  Decoded d;
  b.decodeInto(d.decoder);
  d.decoder.addDroppedRecords(17);
  d.decoder.addDroppedRecords(0);
  d.decoder.addDroppedRecords(3);
  ASSERT_EQ(d.rec.rows.threads.size(), 1u);
  EXPECT_EQ(d.rec.rows.threads.tid[0], 77);
  EXPECT_EQ(d.str(d.rec.rows.threads.name[0]), "loader");
  ASSERT_EQ(d.rec.rows.streams.size(), 1u);
  EXPECT_EQ(d.str(d.rec.rows.streams.name[0]), "copy stream");
  ASSERT_EQ(d.rec.external.size(), 1u);
  EXPECT_EQ(d.rec.external[0].external_id, 9000);
  EXPECT_EQ(d.rec.rows.diagnostics.count("cupti_record_kind_unhandled"), 1);
  EXPECT_EQ(d.rec.rows.diagnostics.count("cupti_dropped_records"), 20);
}

TEST(KernelNamesTest, DemangleAndShortName) {
  EXPECT_EQ(demangleKernelName("_Z6squarePfi"), "square(float*, int)");
  EXPECT_EQ(demangleKernelName("sm90_xmma_gemm_f16f16"), "sm90_xmma_gemm_f16f16");
  EXPECT_EQ(demangleKernelName("_Zbroken"), "_Zbroken");
  EXPECT_EQ(kernelShortName("square(float*, int)"), "square");
  EXPECT_EQ(kernelShortName("void at::native::vectorized_elementwise_kernel<4, at::native::Fn<float>>(int, float*)"),
            "vectorized_elementwise_kernel");
  EXPECT_EQ(kernelShortName("void at::(anonymous namespace)::bar<int>(int)"), "bar");
  EXPECT_EQ(kernelShortName("sm90_xmma_gemm_f16f16"), "sm90_xmma_gemm_f16f16");
}

}  // namespace
}  // namespace gpuscope::tracer
