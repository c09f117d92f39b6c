#include "store/payment_point_index.hpp"

// Boost 1.74's math headers (pulled in by Boost.Geometry) include a deprecated Boost
// header that prints a #pragma message in every build; the replacement is Boost's job.
#ifndef BOOST_ALLOW_DEPRECATED_HEADERS
#define BOOST_ALLOW_DEPRECATED_HEADERS
#endif
#include <boost/geometry.hpp>  // the distance strategies the R-tree's nearest() needs
#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numbers>
#include <utility>

namespace mfigw::store {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

// Points live in the R-tree as unit vectors (x, y, z on a sphere of radius 1), not as
// spherical (lon, lat): Boost 1.74's R-tree in spherical or geographic coordinates returns
// wrong nearest neighbours once the data spans the antimeridian (its wrapped boxes; seen
// with 2 points at +-179.9 degrees, cf. boostorg/geometry#846). The straight-line (chord)
// distance between unit vectors, 2 sin(angle / 2), grows strictly with the great-circle
// angle, so the k nearest by chord are the k nearest on the sphere, with no seam anywhere.
using UnitVector = bg::model::point<double, 3, bg::cs::cartesian>;
using TreeValue = std::pair<UnitVector, uint32_t>;  // position, index into the point list

constexpr double kDegreesPerMicrodegree = 1e-6;

double radians(int32_t microdegrees) {
  return microdegrees * kDegreesPerMicrodegree * std::numbers::pi / 180.0;
}

UnitVector toUnitVector(int32_t latE6, int32_t lonE6) {
  const double lat = radians(latE6);
  const double lon = radians(lonE6);
  return UnitVector(std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat));
}

}  // namespace

double haversineMeters(int32_t lat1E6, int32_t lon1E6, int32_t lat2E6, int32_t lon2E6) noexcept {
  const double lat1 = radians(lat1E6);
  const double lat2 = radians(lat2E6);
  const double dLat = lat2 - lat1;
  const double dLon = radians(lon2E6) - radians(lon1E6);
  const double sinLat = std::sin(dLat / 2);
  const double sinLon = std::sin(dLon / 2);
  const double h = sinLat * sinLat + std::cos(lat1) * std::cos(lat2) * sinLon * sinLon;
  // Clamp: rounding can push h a hair above 1 for antipodal points.
  return 2 * kEarthRadiusMeters * std::asin(std::sqrt(std::min(1.0, h)));
}

struct PaymentPointIndex::Tree {
  std::vector<PaymentPoint> points;
  // R*-tree: slower to build, faster to query; points change weekly, queries per dialog.
  bgi::rtree<TreeValue, bgi::rstar<16>> rtree;
};

PaymentPointIndex::PaymentPointIndex() : tree_(std::make_unique<Tree>()) {}
PaymentPointIndex::~PaymentPointIndex() = default;
PaymentPointIndex::PaymentPointIndex(PaymentPointIndex&&) noexcept = default;
PaymentPointIndex& PaymentPointIndex::operator=(PaymentPointIndex&&) noexcept = default;

PaymentPointIndex PaymentPointIndex::fromPoints(std::vector<PaymentPoint> points,
                                                uint64_t generation,
                                                const std::vector<Area>& areas) {
  PaymentPointIndex index;
  index.places_ = PlaceCentres(points, areas);
  std::vector<TreeValue> values;
  values.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    values.emplace_back(toUnitVector(points[i].latitudeE6, points[i].longitudeE6),
                        static_cast<uint32_t>(i));
  }
  index.tree_->points = std::move(points);
  // The range constructor packs the tree (bulk loading): better than inserting one by one.
  index.tree_->rtree = bgi::rtree<TreeValue, bgi::rstar<16>>(values.begin(), values.end());
  index.generation_ = generation;
  return index;
}

PaymentPointIndex PaymentPointIndex::build(const Txn& txn, const LoanBook& book) {
  const uint64_t generation = book.paymentPointsGeneration(txn);
  std::vector<PaymentPoint> points;
  book.paymentPointTable().forEach(
      txn, [&](std::string_view, PaymentPoint point) { points.push_back(std::move(point)); });
  std::vector<Area> areas;
  book.areaTable().forEach(txn,
                           [&](std::string_view, Area area) { areas.push_back(std::move(area)); });
  return fromPoints(std::move(points), generation, areas);
}

std::vector<NearbyPoint> PaymentPointIndex::nearest(int32_t latE6, int32_t lonE6, size_t k) const {
  std::vector<NearbyPoint> out;
  if (k == 0 || tree_->rtree.empty()) {
    return out;
  }
  std::vector<TreeValue> found;
  found.reserve(std::min(k, tree_->points.size()));
  tree_->rtree.query(bgi::nearest(toUnitVector(latE6, lonE6), static_cast<unsigned>(k)),
                     std::back_inserter(found));
  out.reserve(found.size());
  for (const TreeValue& value : found) {
    const PaymentPoint& p = tree_->points[value.second];
    out.push_back(NearbyPoint{p, haversineMeters(latE6, lonE6, p.latitudeE6, p.longitudeE6)});
  }
  // The tree returns the k nearest in no particular order.
  std::sort(out.begin(), out.end(), [](const NearbyPoint& a, const NearbyPoint& b) {
    return a.meters != b.meters ? a.meters < b.meters : a.point.id < b.point.id;
  });
  return out;
}

size_t PaymentPointIndex::size() const noexcept {
  return tree_->points.size();
}

PaymentPointLocator::PaymentPointLocator(LoanBook book)
    : book_(std::move(book)), current_(std::make_shared<const PaymentPointIndex>()) {}

bool PaymentPointLocator::refresh(const Txn& txn) {
  if (built_ && book_.paymentPointsGeneration(txn) == index()->generation()) {
    return false;
  }
  auto fresh = std::make_shared<const PaymentPointIndex>(PaymentPointIndex::build(txn, book_));
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    current_ = std::move(fresh);
  }
  built_ = true;
  return true;
}

std::shared_ptr<const PaymentPointIndex> PaymentPointLocator::index() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

}  // namespace mfigw::store
