#include "store/place_centres.hpp"

#include <map>

namespace mfigw::store {
namespace {

struct Sum {
  int64_t lat = 0;
  int64_t lon = 0;
  int64_t n = 0;

  void add(const PaymentPoint& p) {
    lat += p.latitudeE6;
    lon += p.longitudeE6;
    ++n;
  }
  Position mean() const { return {static_cast<int32_t>(lat / n), static_cast<int32_t>(lon / n)}; }
};

}  // namespace

PlaceCentres::PlaceCentres(const std::vector<PaymentPoint>& points,
                           const std::vector<Area>& areas) {
  std::map<uint32_t, Sum> byArea;
  std::map<uint16_t, Sum> byBranch;
  for (const PaymentPoint& p : points) {
    if (p.areaCode != kNoArea) byArea[p.areaCode].add(p);
    // Branch 0 is "no branch" in every record; a borrower with no home branch gets no points.
    if (p.branch != 0) byBranch[p.branch].add(p);
  }
  for (const auto& [code, sum] : byArea)
    pointAreas_.emplace(code, sum.mean());
  for (const auto& [branch, sum] : byBranch)
    branches_.emplace(branch, sum.mean());
  for (const Area& a : areas)
    areas_.emplace(a.code, a);
}

std::optional<Position> PlaceCentres::ofArea(uint32_t code) const {
  if (const auto it = areas_.find(code); it != areas_.end()) {
    return Position{it->second.latitudeE6, it->second.longitudeE6};
  }
  if (const auto it = pointAreas_.find(code); it != pointAreas_.end()) return it->second;
  return std::nullopt;
}

std::optional<Position> PlaceCentres::ofBranch(uint16_t branch) const {
  if (const auto it = branches_.find(branch); it != branches_.end()) return it->second;
  return std::nullopt;
}

const Area* PlaceCentres::area(uint32_t code) const {
  const auto it = areas_.find(code);
  return it == areas_.end() ? nullptr : &it->second;
}

}  // namespace mfigw::store
