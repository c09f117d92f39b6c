#include "store/area.hpp"

#include "store/encoding.hpp"
#include "store/error.hpp"
#include "store/payment_point.hpp"

namespace mfigw::store {

std::optional<uint32_t> parseAreaCode(std::string_view text) noexcept {
  if (text.empty() || text.size() > 8) {
    return std::nullopt;
  }
  uint32_t code = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    code = code * 10 + static_cast<uint32_t>(c - '0');
  }
  if (code == kNoArea) {
    return std::nullopt;
  }
  return code;
}

std::vector<FieldProblem> areaProblems(const Area& area) {
  FieldChecks check;
  check.range("area", area.code, 1, kMaxAreaCode);
  check.text("name", area.name, 1, kMaxAreaNameBytes);
  check.range("lat", area.latitudeE6, -90 * kMicrodegrees, 90 * kMicrodegrees);
  check.range("lon", area.longitudeE6, -180 * kMicrodegrees, 180 * kMicrodegrees);
  return check.take();
}

std::string AreaCodec::encodeKey(uint32_t code) {
  return Key().u32(code).take();
}

// v1: version u8, code u32, name str, lat u32 (two's complement), lon u32, branch u16, ver u64.
std::string AreaCodec::encodeValue(const Area& area) {
  throwIfInvalid("area", std::to_string(area.code), areaProblems(area));
  return Encoder(24 + area.name.size())
      .version(kVersion)
      .u32(area.code)
      .str(area.name)
      .u32(static_cast<uint32_t>(area.latitudeE6))
      .u32(static_cast<uint32_t>(area.longitudeE6))
      .u16(area.branch)
      .u64(area.ver)
      .take();
}

Area AreaCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  Area area;
  area.code = in.u32();
  area.name = in.str();
  area.latitudeE6 = static_cast<int32_t>(in.u32());
  area.longitudeE6 = static_cast<int32_t>(in.u32());
  area.branch = in.u16();
  area.ver = in.u64();
  in.expectEnd();
  return area;
}

}  // namespace mfigw::store
