#include "store/cell_tower.hpp"

#include "store/encoding.hpp"
#include "store/error.hpp"
#include "store/payment_point.hpp"

#include <array>
#include <utility>

namespace mfigw::store {
namespace {

constexpr std::array<std::pair<CellRadio, std::string_view>, 5> kRadioNames = {{
    {CellRadio::Gsm, "GSM"},
    {CellRadio::Umts, "UMTS"},
    {CellRadio::Cdma, "CDMA"},
    {CellRadio::Lte, "LTE"},
    {CellRadio::Nr, "NR"},
}};

bool sameLetters(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char c = (a[i] >= 'a' && a[i] <= 'z') ? static_cast<char>(a[i] - 'a' + 'A') : a[i];
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view toString(CellRadio radio) noexcept {
  for (const auto& [value, name] : kRadioNames) {
    if (value == radio) return name;
  }
  return "unknown";
}

std::optional<CellRadio> cellRadioFromString(std::string_view text) noexcept {
  for (const auto& [value, name] : kRadioNames) {
    if (sameLetters(text, name)) return value;
  }
  return std::nullopt;
}

std::vector<FieldProblem> cellTowerProblems(const CellTower& tower) {
  FieldChecks check;
  check.range("mcc", tower.id.mcc, 1, kMaxMcc);
  check.range("net", tower.id.net, 0, kMaxMnc);
  check.range("area", tower.id.area, 0, kMaxCellArea);
  check.range("cell", static_cast<int64_t>(tower.id.cell), 0, static_cast<int64_t>(kMaxCellId));
  if (toString(tower.radio) == "unknown") {
    check.fail("radio", "has unknown value " + std::to_string(static_cast<unsigned>(tower.radio)));
  }
  check.range("lat", tower.latitudeE6, -90 * kMicrodegrees, 90 * kMicrodegrees);
  check.range("lon", tower.longitudeE6, -180 * kMicrodegrees, 180 * kMicrodegrees);
  return check.take();
}

std::string CellTowerCodec::encodeKey(const CellId& id) {
  return Key().u16(id.mcc).u16(id.net).u32(id.area).u64(id.cell).take();
}

CellId CellTowerCodec::decodeKey(std::string_view key) {
  Decoder in(key);
  CellId id;
  id.mcc = in.u16();
  id.net = in.u16();
  id.area = in.u32();
  id.cell = in.u64();
  in.expectEnd();
  return id;
}

// v1: version u8, radio u8, lat u32 (two's complement), lon u32, range u32.
std::string CellTowerCodec::encodeValue(const CellTower& tower) {
  throwIfInvalid("cell tower",
                 std::to_string(tower.id.mcc) + "-" + std::to_string(tower.id.net) + "-" +
                     std::to_string(tower.id.area) + "-" + std::to_string(tower.id.cell),
                 cellTowerProblems(tower));
  return Encoder(14)
      .version(kVersion)
      .u8(static_cast<uint8_t>(tower.radio))
      .u32(static_cast<uint32_t>(tower.latitudeE6))
      .u32(static_cast<uint32_t>(tower.longitudeE6))
      .u32(tower.rangeMeters)
      .take();
}

CellTower CellTowerCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  CellTower tower;
  const uint8_t radio = in.u8();
  if (radio < 1 || radio > 5) {
    throw DecodeError("cell tower record: unknown radio " + std::to_string(radio));
  }
  tower.radio = static_cast<CellRadio>(radio);
  tower.latitudeE6 = static_cast<int32_t>(in.u32());
  tower.longitudeE6 = static_cast<int32_t>(in.u32());
  tower.rangeMeters = in.u32();
  in.expectEnd();
  return tower;
}

}  // namespace mfigw::store
