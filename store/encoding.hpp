// store/encoding.hpp: explicit, versioned byte encoding of keys and records.
//
// Purpose:   Records are never raw structs: an Encoder appends fields one by one and a
//            Decoder reads them back in the same order. Values start with a format-version
//            byte (Encoder::version / Decoder::version) so a newer build can still read
//            older records. Keys are built by Key, whose byte order equals the numeric /
//            lexicographic order of its components, so LMDB's memcmp order is the order
//            we mean and a key prefix selects a range (e.g. all loans of one branch).
// Threading: Value types, no shared state.
// Errors:    Decoder throws DecodeError when a read would pass the end, a varint is too
//            long, a bool is not 0/1, or a version byte is unknown. It never reads out of
//            bounds.
// Ownership: Decoder views the caller's bytes and must not outlive them; strView()
//            results view the same bytes.
//
// Wire rules:
//   u8/u16/u32/u64   big-endian, fixed width
//   i64              big-endian with the sign bit flipped (so -1 < 0 < 1 byte-wise)
//   varint           unsigned LEB128, at most 10 bytes
//   str / bytes      varint length, then the bytes           (values)
//   Key::str         bytes with 0x00 escaped as 0x00 0xFF, then 0x00 0x01  (keys: keeps
//                    order and lets a string sit in the middle of a composite key)
//   bool             one byte, 0 or 1
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mfigw::store {

class Encoder {
 public:
  Encoder() = default;
  explicit Encoder(size_t reserve) { out_.reserve(reserve); }

  // The format-version byte every value starts with (1..255; 0 is never valid).
  Encoder& version(uint8_t v);
  Encoder& u8(uint8_t v);
  Encoder& u16(uint16_t v);
  Encoder& u32(uint32_t v);
  Encoder& u64(uint64_t v);
  Encoder& i64(int64_t v);
  Encoder& varint(uint64_t v);
  Encoder& boolean(bool v);
  Encoder& str(std::string_view s);
  Encoder& bytes(std::span<const std::byte> b);
  // Appends bytes with no length: only for a trailing field whose end is the record's.
  Encoder& raw(std::string_view s);

  const std::string& data() const& noexcept { return out_; }
  std::string take() noexcept { return std::move(out_); }  // leaves this empty
  size_t size() const noexcept { return out_.size(); }

 private:
  std::string out_;
};

// Composite keys: Key().u32(branch).u64(loanId).str(msisdn).take()
class Key {
 public:
  Key& u8(uint8_t v);
  Key& u16(uint16_t v);
  Key& u32(uint32_t v);
  Key& u64(uint64_t v);
  Key& i64(int64_t v);
  // Order-preserving and self-delimiting (see wire rules), so it may be followed by
  // more components.
  Key& str(std::string_view s);
  // Unescaped bytes: only as the last component (a prefix of one raw string is a
  // prefix of the key, which is what "all MSISDNs starting with 254" wants).
  Key& raw(std::string_view s);

  const std::string& data() const& noexcept { return out_; }
  std::string take() noexcept { return std::move(out_); }       // leaves this empty
  operator std::string_view() const& noexcept { return out_; }  // NOLINT: a key is bytes

 private:
  std::string out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) noexcept : in_(in) {}
  explicit Decoder(std::span<const std::byte> in) noexcept
      : in_(reinterpret_cast<const char*>(in.data()), in.size()) {}

  // Reads the version byte; throws DecodeError unless 1 <= v <= maxKnown.
  uint8_t version(uint8_t maxKnown);
  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  uint64_t u64();
  int64_t i64();
  uint64_t varint();
  bool boolean();
  std::string str();
  std::string_view strView();
  std::string bytes() { return str(); }
  // Decodes a Key::str component.
  std::string keyStr();
  // The rest of the input (a trailing Encoder::raw / Key::raw field).
  std::string_view rest() noexcept;

  size_t remaining() const noexcept { return in_.size() - pos_; }
  bool atEnd() const noexcept { return pos_ == in_.size(); }
  // Throws DecodeError if bytes are left over (catches a record read with the wrong
  // layout). Records that may gain trailing fields in later versions skip this.
  void expectEnd() const;

 private:
  std::string_view take(size_t n);
  uint64_t fixed(size_t width);

  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace mfigw::store
