#include "gateway/upstream_gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <limits>

#include <fmt/format.h>

namespace mfigw::gateway {
namespace {

// 15 bits of window, plus 16: write and accept the gzip wrapper rather than raw zlib.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;
constexpr std::size_t kChunk = 16u << 10;
constexpr int kStreamSize = static_cast<int>(sizeof(z_stream));

// zlib counts in uInt; feed it at most this much at a time.
constexpr std::size_t kMaxZlibInput = std::numeric_limits<uInt>::max();

Bytef* input(std::string_view data) {
  // zlib's API is not const-correct; it never writes through next_in.
  return reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
}

}  // namespace

std::string gzip(std::string_view data, int level) {
  z_stream z{};
  // deflateInit2() is a macro with a C cast; this is what it expands to.
  if (deflateInit2_(&z, level, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY,
                    ZLIB_VERSION, kStreamSize) != Z_OK) {
    throw GzipError("gzip: cannot initialise zlib");
  }
  std::string out;
  out.reserve(data.size() / 4 + 64);
  std::array<char, kChunk> chunk{};
  std::string_view rest = data;
  int rc = Z_OK;
  do {
    const std::size_t take = std::min(rest.size(), kMaxZlibInput);
    z.next_in = input(rest);
    z.avail_in = static_cast<uInt>(take);
    rest.remove_prefix(take);
    const int flush = rest.empty() ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(chunk.data());
      z.avail_out = static_cast<uInt>(chunk.size());
      rc = deflate(&z, flush);
      if (rc == Z_STREAM_ERROR) {
        deflateEnd(&z);
        throw GzipError("gzip: zlib failed");
      }
      out.append(chunk.data(), chunk.size() - z.avail_out);
    } while (z.avail_out == 0);
  } while (!rest.empty());
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    throw GzipError("gzip: zlib did not finish the stream");
  }
  return out;
}

std::string gunzip(std::string_view data, std::size_t maxBytes) {
  z_stream z{};
  if (inflateInit2_(&z, kGzipWindowBits, ZLIB_VERSION, kStreamSize) != Z_OK) {
    throw GzipError("gunzip: cannot initialise zlib");
  }
  const auto fail = [&z](std::string message) {
    inflateEnd(&z);
    return GzipError("gzip body: " + message);
  };
  if (data.size() > kMaxZlibInput) {
    throw fail("too large");
  }
  z.next_in = input(data);
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  std::array<char, kChunk> chunk{};
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
      throw fail(z.msg != nullptr ? z.msg : "not valid gzip data");
    }
    const std::size_t produced = chunk.size() - z.avail_out;
    if (out.size() + produced > maxBytes) {
      throw fail(fmt::format("inflates to more than {} bytes", maxBytes));
    }
    out.append(chunk.data(), produced);
    if (rc == Z_BUF_ERROR || (rc == Z_OK && z.avail_in == 0 && produced == 0)) {
      // No progress possible: the input ended before the gzip trailer.
      throw fail("truncated");
    }
  }
  if (z.avail_in != 0) {
    throw fail(fmt::format("{} bytes after the end of the gzip stream", z.avail_in));
  }
  inflateEnd(&z);
  return out;
}

}  // namespace mfigw::gateway
