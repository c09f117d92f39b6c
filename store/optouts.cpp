#include "store/optouts.hpp"

#include "store/encoding.hpp"

#include <array>
#include <utility>

namespace mfigw::store {
namespace {

constexpr std::array<std::pair<OptOutSource, std::string_view>, 3> kSourceNames = {{
    {OptOutSource::Sms, "sms"},
    {OptOutSource::Operator, "operator"},
    {OptOutSource::Upstream, "upstream"},
}};

}  // namespace

std::string_view toString(OptOutSource source) noexcept {
  for (const auto& [value, name] : kSourceNames) {
    if (value == source) {
      return name;
    }
  }
  return "unknown";
}

std::optional<OptOutSource> optOutSourceFromString(std::string_view text) noexcept {
  for (const auto& [value, name] : kSourceNames) {
    if (name == text) {
      return value;
    }
  }
  return std::nullopt;
}

std::string OptOutCodec::encodeKey(const std::string& msisdn) {
  return msisdn;
}

// v1: version u8, msisdn str, at i64, source u8.
std::string OptOutCodec::encodeValue(const OptOut& record) {
  return Encoder(32 + record.msisdn.size())
      .version(kVersion)
      .str(record.msisdn)
      .i64(record.atUnixSeconds)
      .u8(static_cast<uint8_t>(record.source))
      .take();
}

OptOut OptOutCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  OptOut record;
  record.msisdn = in.str();
  record.atUnixSeconds = in.i64();
  const uint8_t source = in.u8();
  if (source < 1 || source > 3) {
    throw DecodeError("opt-out record: unknown source " + std::to_string(source));
  }
  record.source = static_cast<OptOutSource>(source);
  in.expectEnd();
  return record;
}

}  // namespace mfigw::store
