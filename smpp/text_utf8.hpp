// smpp/text_utf8.hpp: strict UTF-8 <-> code points, and the error values of the text codecs.
//
// Purpose:   The text codecs (GSM 03.38, Latin-1, UCS-2, splitting) all start from UTF-8,
//            which is what the store, the menus and the HTTP API carry. Decoding is strict
//            (no overlong forms, no surrogates, nothing above U+10FFFF) so a bad byte from
//            an upstream system becomes an error value here instead of a wrong SMS later.
// Threading: Pure functions; safe from any thread.
// Errors:    Expected failures are values: TextResult<T> holds either a value or a
//            TextError plus the offset (input bytes or units) where it was detected.
// Ownership: Results own their data; inputs are only borrowed for the call.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mfigw::smpp {

enum class TextError {
  InvalidUtf8,       // input is not well-formed UTF-8
  NotRepresentable,  // a character has no code in the requested encoding
  InvalidUcs2,       // odd byte count or an unpaired surrogate in UCS-2 input
  InvalidSeptet,     // a byte above 0x7F where a GSM 7-bit septet was expected
  TooManyParts,      // the text needs more than 255 parts (the UDH/SAR count is one octet)
  TooLong,           // message_payload mode: more than 65535 octets
};
std::string_view toString(TextError error);

// A value or an error. Small on purpose: std::expected is C++23.
template <typename T>
class TextResult {
 public:
  TextResult(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  static TextResult failure(TextError error, size_t offset) {
    TextResult result;
    result.error_ = error;
    result.offset_ = offset;
    return result;
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  const T* operator->() const { return &*value_; }
  // Meaningful only when !ok().
  TextError error() const { return error_; }
  size_t offset() const { return offset_; }

 private:
  TextResult() = default;
  std::optional<T> value_;
  TextError error_ = TextError::InvalidUtf8;
  size_t offset_ = 0;
};

// Strict decode. On error, offset() is the byte offset of the bad sequence.
TextResult<std::u32string> decodeUtf8(std::string_view utf8);

// Appends one code point (the caller guarantees a valid scalar value).
void appendUtf8(std::string& out, char32_t codePoint);
std::string encodeUtf8(std::u32string_view codePoints);

}  // namespace mfigw::smpp
