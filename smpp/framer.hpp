// framer.hpp: cuts a TCP byte stream into whole SMPP PDUs.
//
// Purpose:   bytes in (any chunking), whole PDUs out as byte strings, by the 4-octet
//            big-endian command_length that starts every PDU (SMPP 3.4 section 3.2).
// Threading: one Framer per connection, used from that connection's strand.
// Errors:    a command_length below 16 or above maxPduSize is a framing error value: the
//            stream cannot be resynchronised, so the session closes the link. The error is
//            sticky: every later feed() returns it again and no more PDUs.
// Ownership: returns copies; keeps at most one partial PDU between calls, so it never holds
//            more than maxPduSize plus the chunk being fed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::smpp {

inline constexpr std::size_t kDefaultMaxPduSize = 64 * 1024;

struct FramingError {
  std::uint32_t commandLength = 0;  // the length read from the wire
  bool operator==(const FramingError&) const = default;
};
std::string toString(const FramingError& error);

struct FramerOutput {
  std::vector<std::string> pdus;      // whole PDUs in arrival order, header included
  std::optional<FramingError> error;  // set when the stream is broken (after those PDUs)
};

class Framer {
 public:
  explicit Framer(std::size_t maxPduSize = kDefaultMaxPduSize);

  // Appends a chunk and returns every PDU it completes.
  FramerOutput feed(std::string_view chunk);

  std::size_t bufferedBytes() const { return buffer_.size(); }
  std::size_t maxPduSize() const { return maxPduSize_; }
  const std::optional<FramingError>& error() const { return error_; }

 private:
  std::size_t maxPduSize_;
  std::string buffer_;  // the start of at most one PDU
  std::optional<FramingError> error_;
};

}  // namespace mfigw::smpp
