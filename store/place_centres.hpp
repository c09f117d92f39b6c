// store/place_centres.hpp: where "near my branch" and "near area 34" are.
//
// Purpose:   The locator measures from a reference position; PlaceCentres says which one
//            for a place the borrower names:
//              - an area code: the area's centre from the areas table (area.hpp); when the
//                table has no such area, the centre of the payment points tagged with that
//                area code (so a points file with an area-code column works before anyone
//                imports areas); else none;
//              - a branch: the centre of that branch's payment points (as the locator did
//                before areas existed); else none.
//            A centre of points is the mean of their microdegrees: the points of one area or
//            branch lie within a few kilometres, where the mean is the centroid to well
//            under a metre (not across the antimeridian, where no branch spans).
//            Built once per index from the same rows, so a query costs one hash lookup.
// Threading: Immutable after build: read from any thread.
// Errors:    None (a place with no position is nullopt).
// Ownership: Plain values.
#pragma once

#include "store/area.hpp"
#include "store/payment_point.hpp"

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace mfigw::store {

struct Position {
  int32_t latitudeE6 = 0;
  int32_t longitudeE6 = 0;

  bool operator==(const Position&) const = default;
};

class PlaceCentres {
 public:
  PlaceCentres() = default;  // knows no place
  PlaceCentres(const std::vector<PaymentPoint>& points, const std::vector<Area>& areas);

  std::optional<Position> ofArea(uint32_t code) const;
  std::optional<Position> ofBranch(uint16_t branch) const;
  // The area record of `code`, when the areas table has one.
  const Area* area(uint32_t code) const;

 private:
  std::unordered_map<uint32_t, Area> areas_;
  std::unordered_map<uint32_t, Position> pointAreas_;  // centre of points tagged with the code
  std::unordered_map<uint16_t, Position> branches_;
};

}  // namespace mfigw::store
