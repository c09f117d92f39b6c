// gzip bodies for the upstream protocol (RFC 1952, through zlib).
//
// Purpose: the sync protocol compresses request and response bodies (Content-Encoding:
//   gzip). These two functions are the only place that calls zlib for it, so the bound on
//   inflated size (a small gzip body can inflate to gigabytes) is applied in one spot.
// Threading: pure functions; any thread.
// Errors: gunzip() throws GzipError for a body that is not gzip, is truncated, has trailing
//   garbage or inflates past `maxBytes`; the message says which. gzip() throws GzipError
//   only if zlib itself fails (out of memory).
// Ownership: values in, values out.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mfigw::gateway {

class GzipError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// zlib's default level: within a few percent of level 9 on JSON pages, at a third of the CPU.
inline constexpr int kGzipDefaultLevel = 6;

[[nodiscard]] std::string gzip(std::string_view data, int level = kGzipDefaultLevel);
[[nodiscard]] std::string gunzip(std::string_view data, std::size_t maxBytes);

}  // namespace mfigw::gateway
