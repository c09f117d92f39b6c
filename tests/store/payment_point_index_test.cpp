// Payment-point locator: haversine distances against known values, nearest-k order equal
// to a brute-force scan over real-looking East African points, rebuild on change.
#include "store/payment_point_index.hpp"

#include "loan_book_fixtures.hpp"
#include "store/env.hpp"
#include "store/loan_book.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace mfigw::store {
namespace {

using testing::samplePoint;
using testing::smallEnv;
using testing::TempDir;

struct Place {
  const char* id;
  double lat;
  double lon;
};

// Named places in and around Nairobi and Kampala (approximate public coordinates).
const std::vector<Place> kPlaces = {
    {"nbo-kencom", -1.2841, 36.8233},  {"nbo-westlands", -1.2676, 36.8108},
    {"nbo-kibera", -1.3133, 36.7876},  {"nbo-eastleigh", -1.2740, 36.8490},
    {"nbo-karen", -1.3197, 36.7073},   {"nbo-kasarani", -1.2219, 36.8973},
    {"thika", -1.0333, 37.0693},       {"kla-central", 0.3136, 32.5811},
    {"kla-nakasero", 0.3160, 32.5780}, {"kla-kawempe", 0.3771, 32.5567},
    {"entebbe", 0.0512, 32.4637},      {"jinja", 0.4244, 33.2042},
    {"mukono", 0.3533, 32.7553},       {"mombasa", -4.0435, 39.6682},
    {"dateline-east", 0.0, 179.9},     {"dateline-west", 0.0, -179.9},
};

int32_t e6(double degrees) {
  return static_cast<int32_t>(std::lround(degrees * kMicrodegrees));
}

std::vector<PaymentPoint> eastAfrica() {
  std::vector<PaymentPoint> points;
  for (const Place& p : kPlaces) {
    points.push_back(samplePoint(p.id, p.lat, p.lon));
  }
  std::mt19937 rng(254256);  // fixed seed
  std::uniform_real_distribution<double> lat(-5.0, 5.0);
  std::uniform_real_distribution<double> lon(29.0, 42.0);
  std::uniform_real_distribution<double> near(-0.08, 0.08);
  for (int i = 0; i < 1500; ++i) {
    points.push_back(samplePoint("rnd-" + std::to_string(i), lat(rng), lon(rng)));
  }
  // A dense cluster of agents in Nairobi, as in a real deployment.
  for (int i = 0; i < 400; ++i) {
    points.push_back(
        samplePoint("nbo-agent-" + std::to_string(i), -1.2841 + near(rng), 36.8233 + near(rng)));
  }
  return points;
}

std::vector<std::string> bruteForceNearest(const std::vector<PaymentPoint>& points, int32_t lat,
                                           int32_t lon, size_t k) {
  std::vector<std::pair<double, std::string>> all;
  for (const PaymentPoint& p : points) {
    all.emplace_back(haversineMeters(lat, lon, p.latitudeE6, p.longitudeE6), p.id);
  }
  std::sort(all.begin(), all.end());
  std::vector<std::string> ids;
  for (size_t i = 0; i < std::min(k, all.size()); ++i) {
    ids.push_back(all[i].second);
  }
  return ids;
}

std::vector<std::string> idsOf(const std::vector<NearbyPoint>& found) {
  std::vector<std::string> ids;
  for (const NearbyPoint& n : found) {
    ids.push_back(n.point.id);
  }
  return ids;
}

TEST(Haversine, MatchesKnownDistances) {
  // Nairobi CBD to Kampala: about 505 km great-circle.
  EXPECT_NEAR(haversineMeters(e6(-1.286389), e6(36.817223), e6(0.347596), e6(32.582520)), 504686.0,
              1.0);
  // One microdegree of latitude is about 11 cm.
  EXPECT_NEAR(haversineMeters(0, 0, 1, 0), 0.1112, 0.0001);
  // Across the antimeridian: 0.2 degrees of longitude on the equator, not 359.8.
  EXPECT_NEAR(haversineMeters(0, e6(179.9), 0, e6(-179.9)), 22239.0, 1.0);
  EXPECT_EQ(haversineMeters(e6(-1.2841), e6(36.8233), e6(-1.2841), e6(36.8233)), 0.0);
  // Antipodes: half the circumference, no NaN.
  EXPECT_NEAR(haversineMeters(e6(90), 0, e6(-90), 0), kEarthRadiusMeters * 3.14159265358979, 1.0);
}

// The set spans the antimeridian (two points at +-179.9): with Boost 1.74's spherical
// R-tree this made queries west of the data return wrong neighbours (see the .cpp).
TEST(PaymentPointIndex, NearestOrderEqualsBruteForce) {
  const std::vector<PaymentPoint> points = eastAfrica();
  const PaymentPointIndex index = PaymentPointIndex::fromPoints(points, 1);
  EXPECT_EQ(index.size(), points.size());

  std::vector<std::pair<int32_t, int32_t>> queries = {
      {e6(-1.2864), e6(36.8172)},  // Nairobi, inside the cluster
      {e6(0.3476), e6(32.5825)},   // Kampala
      {e6(-0.0917), e6(34.7680)},  // Kisumu: no named place nearby
      {e6(-6.7924), e6(39.2083)},  // Dar es Salaam: outside the random box
      {e6(0.0), e6(-179.95)},      // next to the antimeridian
  };
  std::mt19937 rng(99);
  std::uniform_int_distribution<int32_t> lat(e6(-6.0), e6(6.0));
  std::uniform_int_distribution<int32_t> lon(e6(28.0), e6(43.0));
  for (int i = 0; i < 40; ++i) {
    queries.emplace_back(lat(rng), lon(rng));
  }
  for (const auto& [qLat, qLon] : queries) {
    for (size_t k : {1u, 3u, 10u}) {
      const std::vector<NearbyPoint> found = index.nearest(qLat, qLon, k);
      EXPECT_EQ(idsOf(found), bruteForceNearest(points, qLat, qLon, k))
          << "query " << qLat << "," << qLon << " k=" << k;
      for (size_t i = 1; i < found.size(); ++i) {
        EXPECT_LE(found[i - 1].meters, found[i].meters);
      }
    }
  }
}

TEST(PaymentPointIndex, KnownNeighbours) {
  const PaymentPointIndex index = PaymentPointIndex::fromPoints(eastAfrica(), 1);
  // At Kampala's Nakasero market the two central Kampala points come first.
  const auto kampala = index.nearest(e6(0.3160), e6(32.5780), 2);
  EXPECT_EQ(idsOf(kampala), (std::vector<std::string>{"kla-nakasero", "kla-central"}));
  EXPECT_EQ(kampala[0].meters, 0.0);
  EXPECT_NEAR(kampala[1].meters, 438.0, 5.0);
  // East of the antimeridian, the nearest point is just across it.
  const auto dateline = index.nearest(0, e6(-179.95), 2);
  EXPECT_EQ(idsOf(dateline), (std::vector<std::string>{"dateline-west", "dateline-east"}));
}

TEST(PaymentPointIndex, NearestAcrossThePole) {
  const PaymentPointIndex index = PaymentPointIndex::fromPoints(
      {samplePoint("same-meridian", 89.0, 0.0), samplePoint("over-the-pole", 89.95, 180.0)}, 1);
  // From 89.9N 0E the point on the far side of the pole is 0.15 degrees away, the one
  // on the same meridian 0.9 degrees.
  const auto found = index.nearest(e6(89.9), 0, 2);
  EXPECT_EQ(idsOf(found), (std::vector<std::string>{"over-the-pole", "same-meridian"}));
  EXPECT_NEAR(found[0].meters, 0.15 * 111195.0, 5.0);
}

TEST(PaymentPointIndex, EmptyAndSmallIndexes) {
  const PaymentPointIndex empty;
  EXPECT_TRUE(empty.nearest(0, 0, 3).empty());
  EXPECT_EQ(empty.size(), 0u);
  const PaymentPointIndex two = PaymentPointIndex::fromPoints(
      {samplePoint("a", -1.2841, 36.8233), samplePoint("b", 0.3136, 32.5811)}, 5);
  EXPECT_EQ(two.generation(), 5u);
  EXPECT_EQ(idsOf(two.nearest(e6(0.3), e6(32.6), 10)), (std::vector<std::string>{"b", "a"}));
  EXPECT_TRUE(two.nearest(0, 0, 0).empty());
}

TEST(PaymentPointLocator, RebuildsWhenPointsChange) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  LoanBook book;
  env.write([&](WriteTxn& txn) {
    book = LoanBook::open(txn);
    book.upsertPaymentPoint(txn, samplePoint("kla-central", 0.3136, 32.5811));
    book.upsertPaymentPoint(txn, samplePoint("nbo-kencom", -1.2841, 36.8233));
  });
  PaymentPointLocator locator(book);
  EXPECT_TRUE(locator.nearest(0, 0, 3).empty());  // nothing before the first refresh
  {
    ReadTxn txn = env.beginRead();
    EXPECT_TRUE(locator.refresh(txn));
    EXPECT_FALSE(locator.refresh(txn));  // unchanged table: no rebuild
  }
  const auto before = locator.index();
  EXPECT_EQ(idsOf(locator.nearest(e6(0.32), e6(32.58), 1)),
            (std::vector<std::string>{"kla-central"}));

  env.write([&](WriteTxn& txn) {
    book.upsertPaymentPoint(txn, samplePoint("kla-nakasero", 0.3160, 32.5780));
    book.removePaymentPoint(txn, "kla-central");
  });
  {
    ReadTxn txn = env.beginRead();
    EXPECT_TRUE(locator.refresh(txn));
  }
  EXPECT_EQ(idsOf(locator.nearest(e6(0.3136), e6(32.5811), 5)),
            (std::vector<std::string>{"kla-nakasero", "nbo-kencom"}));
  // A query holding the old index keeps a consistent view.
  EXPECT_EQ(before->size(), 2u);
  EXPECT_EQ(idsOf(before->nearest(e6(0.32), e6(32.58), 1)),
            (std::vector<std::string>{"kla-central"}));
}

}  // namespace
}  // namespace mfigw::store
