// store/payment_point_index.hpp: nearest payment points to a position, in memory.
//
// Purpose:   The locator menu asks "which 3 points are nearest to me?". PaymentPointIndex
//            is an immutable R-tree (Boost.Geometry, each point as a unit vector in 3-D,
//            see the .cpp for why not spherical coordinates) built from the
//            payment_points table; nearest(k) returns the k closest points with
//            great-circle (haversine) distances in metres, nearest first (ties by id).
//            It also holds the centres of areas and branches (place_centres.hpp), built from
//            the same snapshot, so "near area 34" costs no extra read of the store.
//            PaymentPointLocator holds the current index and rebuilds it when the table's
//            generation counter (bumped by every LoanBook payment-point or area write) has moved,
//            so a sync that changed points is picked up by the next refresh().
//            Haversine on a sphere of kEarthRadiusMeters differs from the ellipsoid by
//            under 0.5 %: plenty for "the agent 300 m away", and exactly reproducible.
// Threading: A PaymentPointIndex is immutable: query it from any thread. The locator's
//            index() and nearest() are safe from any thread; call refresh() from one
//            thread at a time (e.g. after each sync commit, on the sync's thread).
// Errors:    DecodeError / StoreError while reading the table (refresh, build).
// Ownership: The index owns copies of the point records; the locator shares its current
//            index with callers through shared_ptr, so a refresh never pulls an index out
//            from under a running query.
#pragma once

#include "store/loan_book.hpp"
#include "store/payment_point.hpp"
#include "store/place_centres.hpp"
#include "store/txn.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace mfigw::store {

// IUGG mean Earth radius.
inline constexpr double kEarthRadiusMeters = 6'371'008.8;

// Great-circle distance between two positions given in microdegrees.
double haversineMeters(int32_t lat1E6, int32_t lon1E6, int32_t lat2E6, int32_t lon2E6) noexcept;

struct NearbyPoint {
  PaymentPoint point;
  double meters = 0;
};

class PaymentPointIndex {
 public:
  PaymentPointIndex();  // empty
  ~PaymentPointIndex();
  PaymentPointIndex(PaymentPointIndex&&) noexcept;
  PaymentPointIndex& operator=(PaymentPointIndex&&) noexcept;
  PaymentPointIndex(const PaymentPointIndex&) = delete;
  PaymentPointIndex& operator=(const PaymentPointIndex&) = delete;

  // Every point and area of the tables, tagged with the book's current generation (same
  // txn).
  static PaymentPointIndex build(const Txn& txn, const LoanBook& book);
  // From lists (tests, tools); generation as given.
  static PaymentPointIndex fromPoints(std::vector<PaymentPoint> points, uint64_t generation,
                                      const std::vector<Area>& areas = {});

  // The k nearest points (fewer if the index holds fewer), nearest first.
  std::vector<NearbyPoint> nearest(int32_t latE6, int32_t lonE6, size_t k) const;

  size_t size() const noexcept;
  uint64_t generation() const noexcept { return generation_; }
  // Where areas and branches are (see place_centres.hpp).
  const PlaceCentres& places() const noexcept { return places_; }

 private:
  struct Tree;
  std::unique_ptr<Tree> tree_;
  uint64_t generation_ = 0;
  PlaceCentres places_;
};

class PaymentPointLocator {
 public:
  explicit PaymentPointLocator(LoanBook book);

  // Rebuilds the index when the table changed since the last build (or on the first
  // call). Returns true when it rebuilt.
  bool refresh(const Txn& txn);

  // The current index (empty before the first refresh).
  std::shared_ptr<const PaymentPointIndex> index() const;
  std::vector<NearbyPoint> nearest(int32_t latE6, int32_t lonE6, size_t k) const {
    return index()->nearest(latE6, lonE6, k);
  }

 private:
  LoanBook book_;
  bool built_ = false;  // refresh() thread only
  mutable std::mutex mutex_;
  std::shared_ptr<const PaymentPointIndex> current_;  // guarded by mutex_
};

}  // namespace mfigw::store
