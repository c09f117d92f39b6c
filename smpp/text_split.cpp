#include "smpp/text_split.hpp"

#include "smpp/text_gsm7.hpp"

namespace mfigw::smpp {

namespace {

struct Limits {
  size_t single;
  size_t perPart;
  size_t bytesPerUnit;
};

Limits limitsFor(TextEncoding encoding, SplitMode mode) {
  const bool wide = mode == SplitMode::Udh16 || mode == SplitMode::Sar;
  switch (encoding) {
    case TextEncoding::Gsm7:
      return {kSingleGsm7Septets, wide ? kUdh16Gsm7Septets : kUdh8Gsm7Septets, 1};
    case TextEncoding::Latin1:
      return {kSingleOctets, wide ? kUdh16Octets : kUdh8Octets, 1};
    case TextEncoding::Ucs2:
      return {kSingleUcs2Units, wide ? kUdh16Ucs2Units : kUdh8Ucs2Units, 2};
  }
  return {kSingleOctets, kUdh8Octets, 1};
}

// Width in units of the indivisible group starting at unit i: 2 for a GSM escape pair or a
// UTF-16 surrogate pair, else 1.
size_t groupWidth(const std::vector<uint8_t>& bytes, TextEncoding encoding, size_t unit) {
  if (encoding == TextEncoding::Gsm7) {
    return bytes[unit] == kGsm7Escape && unit + 1 < bytes.size() ? 2 : 1;
  }
  if (encoding == TextEncoding::Ucs2) {
    const unsigned high = bytes[2 * unit];
    return high >= 0xD8 && high <= 0xDB && 2 * unit + 3 < bytes.size() ? 2 : 1;
  }
  return 1;
}

// Part boundaries in units: [0, b1), [b1, b2) ... Splits only between groups.
std::vector<size_t> boundaries(const std::vector<uint8_t>& bytes, TextEncoding encoding,
                               size_t units, const Limits& limits) {
  std::vector<size_t> ends;
  if (units <= limits.single) {
    ends.push_back(units);
    return ends;
  }
  size_t start = 0;
  size_t i = 0;
  while (i < units) {
    const size_t width = groupWidth(bytes, encoding, i);
    if (i + width - start > limits.perPart) {
      ends.push_back(i);
      start = i;
    }
    i += width;
  }
  ends.push_back(units);
  return ends;
}

std::vector<uint8_t> concatUdh(SplitMode mode, uint16_t reference, size_t total, size_t seq) {
  if (mode == SplitMode::Udh16) {
    return {0x06,
            0x08,
            0x04,
            static_cast<uint8_t>(reference >> 8),
            static_cast<uint8_t>(reference & 0xFF),
            static_cast<uint8_t>(total),
            static_cast<uint8_t>(seq)};
  }
  return {0x05,
          0x00,
          0x03,
          static_cast<uint8_t>(reference & 0xFF),
          static_cast<uint8_t>(total),
          static_cast<uint8_t>(seq)};
}

}  // namespace

std::string_view toString(SplitMode mode) {
  switch (mode) {
    case SplitMode::Udh8:
      return "Udh8";
    case SplitMode::Udh16:
      return "Udh16";
    case SplitMode::Sar:
      return "Sar";
    case SplitMode::Payload:
      return "Payload";
  }
  return "?";
}

TextResult<size_t> encodedLength(std::string_view utf8, TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::Gsm7:
      return gsm7Length(utf8);
    case TextEncoding::Ucs2:
      return ucs2Length(utf8);
    case TextEncoding::Latin1:
      break;
  }
  auto bytes = encodeLatin1(utf8);
  if (!bytes) return TextResult<size_t>::failure(bytes.error(), bytes.offset());
  return bytes->size();
}

TextResult<size_t> segmentCount(std::string_view utf8, TextEncoding encoding, SplitMode mode) {
  auto bytes = encode(utf8, encoding);
  if (!bytes) return TextResult<size_t>::failure(bytes.error(), bytes.offset());
  if (mode == SplitMode::Payload) return size_t{1};
  const Limits limits = limitsFor(encoding, mode);
  return boundaries(*bytes, encoding, bytes->size() / limits.bytesPerUnit, limits).size();
}

TextResult<std::vector<MessagePart>> split(std::string_view utf8, TextEncoding encoding,
                                           const SplitOptions& options) {
  using Result = TextResult<std::vector<MessagePart>>;
  auto encoded = encode(utf8, encoding);
  if (!encoded) return Result::failure(encoded.error(), encoded.offset());
  std::vector<uint8_t> bytes = std::move(encoded).value();
  std::vector<MessagePart> parts;
  if (options.mode == SplitMode::Payload) {
    if (bytes.size() > kMaxMessagePayload) return Result::failure(TextError::TooLong, 0);
    parts.push_back(MessagePart{{}, std::nullopt, std::move(bytes)});
    return parts;
  }
  const Limits limits = limitsFor(encoding, options.mode);
  const std::vector<size_t> ends =
      boundaries(bytes, encoding, bytes.size() / limits.bytesPerUnit, limits);
  if (ends.size() > kMaxParts) return Result::failure(TextError::TooManyParts, 0);
  if (ends.size() == 1) {
    parts.push_back(MessagePart{{}, std::nullopt, std::move(bytes)});
    return parts;
  }
  size_t start = 0;
  for (size_t k = 0; k < ends.size(); ++k) {
    MessagePart part;
    const auto first = bytes.begin() + static_cast<std::ptrdiff_t>(start * limits.bytesPerUnit);
    const auto last = bytes.begin() + static_cast<std::ptrdiff_t>(ends[k] * limits.bytesPerUnit);
    part.payload.assign(first, last);
    if (options.mode == SplitMode::Sar) {
      part.sar = SarValues{options.reference, static_cast<uint8_t>(ends.size()),
                           static_cast<uint8_t>(k + 1)};
    } else {
      part.udh = concatUdh(options.mode, options.reference, ends.size(), k + 1);
    }
    parts.push_back(std::move(part));
    start = ends[k];
  }
  return parts;
}

bool fitsUssdPage(std::string_view utf8) {
  if (auto septets = gsm7Length(utf8)) return *septets <= kUssdGsm7Chars;
  auto units = ucs2Length(utf8);
  return units && *units <= kUssdUcs2Units;
}

}  // namespace mfigw::smpp
