#include "export/buffered_writer.h"

#include <zlib.h>

#include <algorithm>

namespace gpuscope::exporters {

void BufferedWriter::flush() {
  if (buf_.empty()) return;
  if (status_.ok()) status_ = sink_->write(buf_);
  flushed_ += buf_.size();
  buf_.clear();
}

Status BufferedWriter::finish() {
  flush();
  if (status_.ok()) status_ = sink_->finish();
  return status_;
}

StatusOr<std::unique_ptr<GzipSink>> GzipSink::create(ByteSink* next, std::string name, int level) {
  std::unique_ptr<GzipSink> sink(new GzipSink(next, std::move(name)));
  auto* zs = new z_stream{};
  // windowBits 15 + 16: a gzip header and trailer rather than raw zlib.
  if (deflateInit2(zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    delete zs;
    return InternalError(sink->name_ + ": zlib deflateInit2 failed");
  }
  sink->stream_ = zs;
  sink->out_.resize(size_t{1} << 18);
  return sink;
}

GzipSink::~GzipSink() {
  if (stream_ != nullptr) {
    auto* zs = static_cast<z_stream*>(stream_);
    deflateEnd(zs);
    delete zs;
  }
}

Status GzipSink::deflateChunk(std::string_view bytes, bool final) {
  auto* zs = static_cast<z_stream*>(stream_);
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs->avail_in = static_cast<uInt>(bytes.size());
  for (;;) {
    zs->next_out = reinterpret_cast<Bytef*>(out_.data());
    zs->avail_out = static_cast<uInt>(out_.size());
    int rc = deflate(zs, final ? Z_FINISH : Z_NO_FLUSH);
    if (rc == Z_STREAM_ERROR) return InternalError(name_ + ": zlib deflate failed");
    size_t produced = out_.size() - zs->avail_out;
    if (produced > 0) GS_RETURN_IF_ERROR(next_->write(std::string_view(out_.data(), produced)));
    if (final ? rc == Z_STREAM_END : (zs->avail_in == 0 && zs->avail_out != 0)) break;
  }
  return OkStatus();
}

Status GzipSink::write(std::string_view bytes) {
  // zlib counts input in uInt; split anything larger than 1 GiB.
  while (!bytes.empty()) {
    size_t n = std::min<size_t>(bytes.size(), size_t{1} << 30);
    GS_RETURN_IF_ERROR(deflateChunk(bytes.substr(0, n), false));
    bytes.remove_prefix(n);
  }
  return OkStatus();
}

Status GzipSink::finish() {
  GS_RETURN_IF_ERROR(deflateChunk({}, true));
  return next_->finish();
}

}  // namespace gpuscope::exporters
