#include "store/encoding.hpp"

#include "store/error.hpp"

#include <stdexcept>

namespace mfigw::store {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;
constexpr size_t kMaxVarintBytes = 10;  // ceil(64 / 7)

void appendFixed(std::string& out, uint64_t v, size_t width) {
  for (size_t i = width; i-- > 0;) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
}

}  // namespace

// ---- Encoder ----

Encoder& Encoder::version(uint8_t v) {
  if (v == 0) {
    // 0 is reserved so that an all-zero or empty value is never mistaken for a record.
    throw std::invalid_argument("store: record format version 0 is reserved");
  }
  return u8(v);
}

Encoder& Encoder::u8(uint8_t v) {
  appendFixed(out_, v, 1);
  return *this;
}
Encoder& Encoder::u16(uint16_t v) {
  appendFixed(out_, v, 2);
  return *this;
}
Encoder& Encoder::u32(uint32_t v) {
  appendFixed(out_, v, 4);
  return *this;
}
Encoder& Encoder::u64(uint64_t v) {
  appendFixed(out_, v, 8);
  return *this;
}
Encoder& Encoder::i64(int64_t v) {
  return u64(static_cast<uint64_t>(v) ^ kSignBit);
}

Encoder& Encoder::varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
  return *this;
}

Encoder& Encoder::boolean(bool v) {
  return u8(v ? 1 : 0);
}

Encoder& Encoder::str(std::string_view s) {
  varint(s.size());
  out_.append(s);
  return *this;
}

Encoder& Encoder::bytes(std::span<const std::byte> b) {
  return str(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

Encoder& Encoder::raw(std::string_view s) {
  out_.append(s);
  return *this;
}

// ---- Key ----

Key& Key::u8(uint8_t v) {
  appendFixed(out_, v, 1);
  return *this;
}
Key& Key::u16(uint16_t v) {
  appendFixed(out_, v, 2);
  return *this;
}
Key& Key::u32(uint32_t v) {
  appendFixed(out_, v, 4);
  return *this;
}
Key& Key::u64(uint64_t v) {
  appendFixed(out_, v, 8);
  return *this;
}
Key& Key::i64(int64_t v) {
  return u64(static_cast<uint64_t>(v) ^ kSignBit);
}

Key& Key::str(std::string_view s) {
  // 0x00 inside the string becomes 0x00 0xFF and the string ends with 0x00 0x01: the
  // terminator sorts below any continuation, so "ab" < "ab\0" < "abc" byte-wise too.
  for (char c : s) {
    out_.push_back(c);
    if (c == '\0') {
      out_.push_back(static_cast<char>(0xFF));
    }
  }
  out_.push_back('\0');
  out_.push_back('\x01');
  return *this;
}

Key& Key::raw(std::string_view s) {
  out_.append(s);
  return *this;
}

// ---- Decoder ----

std::string_view Decoder::take(size_t n) {
  if (n > remaining()) {
    throw DecodeError("record truncated: need " + std::to_string(n) + " byte(s) at offset " +
                      std::to_string(pos_) + ", have " + std::to_string(remaining()));
  }
  std::string_view out = in_.substr(pos_, n);
  pos_ += n;
  return out;
}

uint64_t Decoder::fixed(size_t width) {
  std::string_view b = take(width);
  uint64_t v = 0;
  for (char c : b) {
    v = (v << 8) | static_cast<unsigned char>(c);
  }
  return v;
}

uint8_t Decoder::version(uint8_t maxKnown) {
  const uint8_t v = u8();
  if (v == 0 || v > maxKnown) {
    throw DecodeError("unknown record format version " + std::to_string(v) +
                      " (this build reads 1.." + std::to_string(maxKnown) + ")");
  }
  return v;
}

uint8_t Decoder::u8() {
  return static_cast<uint8_t>(fixed(1));
}
uint16_t Decoder::u16() {
  return static_cast<uint16_t>(fixed(2));
}
uint32_t Decoder::u32() {
  return static_cast<uint32_t>(fixed(4));
}
uint64_t Decoder::u64() {
  return fixed(8);
}
int64_t Decoder::i64() {
  return static_cast<int64_t>(fixed(8) ^ kSignBit);
}

uint64_t Decoder::varint() {
  uint64_t v = 0;
  for (size_t i = 0; i < kMaxVarintBytes; ++i) {
    const auto byte = static_cast<unsigned char>(take(1)[0]);
    const uint64_t bits = byte & 0x7F;
    // The 10th byte may only carry the top bit of a 64-bit value.
    if (i == kMaxVarintBytes - 1 && bits > 1) {
      throw DecodeError("varint overflows 64 bits at offset " + std::to_string(pos_ - 1));
    }
    v |= bits << (7 * i);
    if ((byte & 0x80) == 0) {
      return v;
    }
  }
  throw DecodeError("varint longer than 10 bytes at offset " + std::to_string(pos_));
}

bool Decoder::boolean() {
  const uint8_t v = u8();
  if (v > 1) {
    throw DecodeError("bool field holds " + std::to_string(v) + " at offset " +
                      std::to_string(pos_ - 1));
  }
  return v == 1;
}

std::string_view Decoder::strView() {
  const uint64_t n = varint();
  if (n > remaining()) {
    throw DecodeError("string length " + std::to_string(n) + " exceeds the " +
                      std::to_string(remaining()) + " byte(s) left");
  }
  return take(static_cast<size_t>(n));
}

std::string Decoder::str() {
  return std::string(strView());
}

std::string Decoder::keyStr() {
  std::string out;
  for (;;) {
    const char c = static_cast<char>(u8());
    if (c != '\0') {
      out.push_back(c);
      continue;
    }
    const auto marker = u8();
    if (marker == 0x01) {
      return out;
    }
    if (marker != 0xFF) {
      throw DecodeError("bad escape in key string at offset " + std::to_string(pos_ - 1));
    }
    out.push_back('\0');
  }
}

std::string_view Decoder::rest() noexcept {
  std::string_view out = in_.substr(pos_);
  pos_ = in_.size();
  return out;
}

void Decoder::expectEnd() const {
  if (!atEnd()) {
    throw DecodeError(std::to_string(remaining()) + " unexpected trailing byte(s) in record");
  }
}

}  // namespace mfigw::store
