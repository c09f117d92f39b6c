#include "smpp/framer.hpp"

#include "smpp/pdu.hpp"

namespace mfigw::smpp {

std::string toString(const FramingError& error) {
  return "bad command_length " + std::to_string(error.commandLength);
}

Framer::Framer(std::size_t maxPduSize)
    : maxPduSize_(maxPduSize < kHeaderSize ? kHeaderSize : maxPduSize) {}

FramerOutput Framer::feed(std::string_view chunk) {
  FramerOutput out;
  if (error_) {
    out.error = error_;
    return out;
  }
  buffer_.append(chunk);
  std::size_t pos = 0;
  // Cut PDUs at an offset and erase once at the end, so many small PDUs in one chunk
  // cost one copy, not one per PDU.
  while (buffer_.size() - pos >= 4) {
    const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + pos);
    const std::uint32_t length = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                                 (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
    if (length < kHeaderSize || length > maxPduSize_) {
      error_ = FramingError{length};
      out.error = error_;
      buffer_.clear();  // nothing after a bad length can be trusted
      return out;
    }
    if (buffer_.size() - pos < length) break;
    out.pdus.emplace_back(buffer_, pos, length);
    pos += length;
  }
  buffer_.erase(0, pos);
  return out;
}

}  // namespace mfigw::smpp
