#include "store/table.hpp"

#include "store/encoding.hpp"
#include "store/env.hpp"
#include "store/error.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;

// A test record with two format versions: v1 had no `active` flag (defaults to true).
struct LoanKey {
  uint32_t branch = 0;
  uint64_t id = 0;
};

struct Loan {
  std::string msisdn;
  int64_t balanceMinor = 0;
  bool active = true;
  bool operator==(const Loan&) const = default;
};

struct LoanCodec {
  static constexpr uint8_t kVersion = 2;
  static std::string encodeKey(const LoanKey& k) { return Key().u32(k.branch).u64(k.id).take(); }
  static std::string encodeValue(const Loan& l) {
    return Encoder().version(kVersion).str(l.msisdn).i64(l.balanceMinor).boolean(l.active).take();
  }
  static Loan decodeValue(std::string_view bytes) {
    Decoder d(bytes);
    const uint8_t v = d.version(kVersion);
    Loan l;
    l.msisdn = d.str();
    l.balanceMinor = d.i64();
    l.active = v >= 2 ? d.boolean() : true;
    d.expectEnd();
    return l;
  }
};

using LoanTable = Table<LoanKey, Loan, LoanCodec>;

class TableTest : public ::testing::Test {
 protected:
  TableTest() : env_(smallEnv(tmp_.path())) {
    WriteTxn txn = env_.beginWrite();
    loans_ = LoanTable::open(txn, "loans");
    txn.commit();
  }
  TempDir tmp_;
  Env env_;
  LoanTable loans_;
};

TEST_F(TableTest, PutGetEraseCount) {
  EXPECT_TRUE(loans_.isOpen());
  EXPECT_EQ(loans_.name(), "loans");
  const Loan amina{"254712345678", -1500, true};
  {
    WriteTxn txn = env_.beginWrite();
    loans_.put(txn, {1, 7}, amina);
    EXPECT_EQ(loans_.get(txn, {1, 7}), amina);  // works in a WriteTxn
    EXPECT_FALSE(loans_.insert(txn, {1, 7}, Loan{"other", 0, false}));
    EXPECT_TRUE(loans_.insert(txn, {1, 8}, Loan{"254700000001", 0, false}));
    txn.commit();
  }
  {
    ReadTxn txn = env_.beginRead();
    EXPECT_EQ(loans_.get(txn, {1, 7}), amina);  // and in a ReadTxn
    EXPECT_FALSE(loans_.get(txn, {2, 7}).has_value());
    EXPECT_TRUE(loans_.contains(txn, {1, 8}));
    EXPECT_EQ(loans_.count(txn), 2u);
  }
  {
    WriteTxn txn = env_.beginWrite();
    EXPECT_TRUE(loans_.erase(txn, {1, 7}));
    EXPECT_FALSE(loans_.erase(txn, {1, 7}));
    txn.commit();
  }
  ReadTxn txn = env_.beginRead();
  EXPECT_EQ(loans_.count(txn), 1u);
}

TEST_F(TableTest, IteratesInNumericKeyOrderAndByPrefix) {
  env_.write([this](WriteTxn& txn) {
    // Inserted out of order; ids chosen so text order would differ (10 < 2 < 256).
    for (uint32_t branch : {2u, 1u}) {
      for (uint64_t id : {256u, 2u, 10u}) {
        loans_.put(txn, {branch, id}, Loan{std::to_string(branch) + ":" + std::to_string(id)});
      }
    }
  });
  ReadTxn txn = env_.beginRead();
  std::vector<std::string> all;
  EXPECT_EQ(loans_.forEach(txn, [&](std::string_view, Loan l) { all.push_back(l.msisdn); }), 6u);
  EXPECT_EQ(all, (std::vector<std::string>{"1:2", "1:10", "1:256", "2:2", "2:10", "2:256"}));

  const auto branch2 = loans_.range(txn, Key().u32(2));
  ASSERT_EQ(branch2.size(), 3u);
  EXPECT_EQ(branch2[0].second.msisdn, "2:2");
  EXPECT_EQ(branch2[2].second.msisdn, "2:256");
  EXPECT_EQ(branch2[1].first, LoanCodec::encodeKey({2, 10}));
  EXPECT_EQ(loans_.range(txn, Key().u32(1), 2).size(), 2u);
  EXPECT_TRUE(loans_.range(txn, Key().u32(3)).empty());
  EXPECT_EQ(loans_.countPrefix(txn, Key().u32(1)), 3u);

  // Returning false stops the walk.
  int seen = 0;
  loans_.forEach(txn, [&](std::string_view, const Loan&) { return ++seen < 2; });
  EXPECT_EQ(seen, 2);
}

TEST_F(TableTest, ErasePrefixRemovesOnlyThatRange) {
  env_.write([this](WriteTxn& txn) {
    for (uint32_t branch = 1; branch <= 3; ++branch) {
      for (uint64_t id = 0; id < 50; ++id) {
        loans_.put(txn, {branch, id}, Loan{"x"});
      }
    }
  });
  env_.write([this](WriteTxn& txn) { EXPECT_EQ(loans_.erasePrefix(txn, Key().u32(2)), 50u); });
  ReadTxn txn = env_.beginRead();
  EXPECT_EQ(loans_.count(txn), 100u);
  EXPECT_EQ(loans_.countPrefix(txn, Key().u32(2)), 0u);
  EXPECT_TRUE(loans_.get(txn, {3, 49}).has_value());
}

TEST_F(TableTest, ReadsOlderFormatVersions) {
  env_.write([this](WriteTxn& txn) {
    // A v1 record as an older build wrote it: no `active` byte.
    txn.put(loans_.dbi(), LoanCodec::encodeKey({1, 1}),
            Encoder().version(1).str("254711111111").i64(42).take());
  });
  ReadTxn txn = env_.beginRead();
  EXPECT_EQ(loans_.get(txn, {1, 1}), (Loan{"254711111111", 42, true}));
}

TEST_F(TableTest, RejectsUnknownVersionsAndBrokenRecords) {
  env_.write([this](WriteTxn& txn) {
    txn.put(loans_.dbi(), LoanCodec::encodeKey({9, 1}),
            Encoder().version(3).str("from the future").i64(0).boolean(true).take());
    txn.put(loans_.dbi(), LoanCodec::encodeKey({9, 2}), std::string(1, '\0'));
    txn.put(loans_.dbi(), LoanCodec::encodeKey({9, 3}), Encoder().version(2).str("cut").take());
  });
  ReadTxn txn = env_.beginRead();
  for (uint64_t id : {1u, 2u, 3u}) {
    try {
      loans_.get(txn, {9, id});
      FAIL() << "expected DecodeError for id " << id;
    } catch (const DecodeError& e) {
      EXPECT_NE(std::string(e.what()).find("table 'loans'"), std::string::npos) << e.what();
    }
  }
  try {
    loans_.get(txn, {9, 1});
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("version 3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mfigw::store
