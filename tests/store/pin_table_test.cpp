// USSD PINs in the store: argon2id hashes that verify only the right PIN, wrong tries counted
// and locked at the limit, the lock over once its time passed (time is a parameter here), and
// a version-4 store (as the build before PINs wrote it) migrating to 5 with its data intact.
#include "store/pin_table.hpp"

#include "loan_book_fixtures.hpp"
#include "store/business_tables.hpp"
#include "store/env.hpp"
#include "store/schema.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace mfigw::store {
namespace {

using testing::sampleClient;
using testing::sampleLoan;
using testing::smallEnv;
using testing::TempDir;

constexpr const char* kPhone = "254712345678";
constexpr int64_t kNow = 1'767'225'600'000;  // 2026-01-01T00:00:00Z in ms
constexpr int64_t kLockout = 30 * 60 * 1000;

TEST(PinHash, VerifiesTheRightPinOnlyAndNeverHoldsItInClear) {
  const auto start = std::chrono::steady_clock::now();
  const std::string hash = hashPin("482913");
  const auto took = std::chrono::steady_clock::now() - start;
  // Informational (speed goes to bench/, not to assertions): the figure quoted in the header.
  std::printf("argon2id opslimit=%llu memlimit=%zu MiB: one hash %.1f ms\n", kPinOpsLimit,
              kPinMemLimit >> 20, std::chrono::duration<double, std::milli>(took).count());
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_EQ(hash.find("482913"), std::string::npos);
  EXPECT_TRUE(verifyPin(hash, "482913"));
  EXPECT_FALSE(verifyPin(hash, "482914"));
  EXPECT_FALSE(verifyPin(hash, "48291"));
  EXPECT_FALSE(verifyPin(hash, ""));
  EXPECT_FALSE(verifyPin("", "482913"));
  EXPECT_FALSE(verifyPin("not a hash", "482913"));
  // A fresh salt each time: the same PIN of two clients gives two different strings.
  const std::string again = hashPin("482913");
  EXPECT_NE(again, hash);
  EXPECT_TRUE(verifyPin(again, "482913"));
}

class PinTableTest : public ::testing::Test {
 protected:
  PinTableTest() : env_(smallEnv(tmp_.path(), Durability::Durable)) {
    WriteTxn txn = env_.beginWrite();
    pins_ = PinTable::open(txn);
    txn.commit();
  }

  std::optional<PinRecord> get() {
    ReadTxn txn = env_.beginRead();
    return pins_.get(txn, kPhone);
  }
  PinFailure fail(int64_t now) {
    PinFailure out;
    env_.write([&](WriteTxn& txn) { out = pins_.recordFailure(txn, kPhone, now, 3, kLockout); });
    return out;
  }

  TempDir tmp_;
  Env env_;
  PinTable pins_;
};

TEST_F(PinTableTest, SetStoresTheHashAndClearsFailures) {
  EXPECT_FALSE(get().has_value());
  const std::string hash = hashPin("1357");
  env_.write([&](WriteTxn& txn) { pins_.set(txn, kPhone, hash, kNow); });
  ASSERT_TRUE(get());
  EXPECT_EQ(get()->hash, hash);
  EXPECT_EQ(get()->updatedAtMs, kNow);
  EXPECT_TRUE(verifyPin(get()->hash, "1357"));
  fail(kNow + 1);
  EXPECT_EQ(get()->failures, 1u);
  // Changing the PIN starts clean.
  env_.write([&](WriteTxn& txn) { pins_.set(txn, kPhone, hashPin("2468"), kNow + 2); });
  EXPECT_EQ(get()->failures, 0u);
  EXPECT_FALSE(verifyPin(get()->hash, "1357"));
  EXPECT_TRUE(verifyPin(get()->hash, "2468"));
  EXPECT_THROW(env_.write([&](WriteTxn& txn) { pins_.set(txn, "07123", hashPin("2468"), kNow); }),
               InvalidRecord);
}

TEST_F(PinTableTest, ThreeWrongTriesInARowLockUntilTheLockoutEnds) {
  env_.write([&](WriteTxn& txn) { pins_.set(txn, kPhone, hashPin("1357"), kNow); });
  EXPECT_EQ(fail(kNow + 1), (PinFailure{1, false}));
  EXPECT_EQ(fail(kNow + 2).failures, 2u);
  EXPECT_FALSE(get()->lockedAt(kNow + 2));
  const PinFailure third = fail(kNow + 3);
  EXPECT_TRUE(third.locked);
  EXPECT_EQ(third.failures, 0u);
  EXPECT_TRUE(get()->lockedAt(kNow + 3));
  EXPECT_TRUE(get()->lockedAt(kNow + 3 + kLockout - 1));
  // The lock ends by itself; the next round has three tries again.
  EXPECT_FALSE(get()->lockedAt(kNow + 3 + kLockout));
  EXPECT_EQ(fail(kNow + 3 + kLockout + 5).failures, 1u);
  EXPECT_FALSE(get()->lockedAt(kNow + 3 + kLockout + 5));
}

TEST_F(PinTableTest, ARightTryResetsTheCount) {
  env_.write([&](WriteTxn& txn) { pins_.set(txn, kPhone, hashPin("1357"), kNow); });
  fail(kNow + 1);
  fail(kNow + 2);
  env_.write([&](WriteTxn& txn) { pins_.recordSuccess(txn, kPhone, kNow + 3); });
  EXPECT_EQ(get()->failures, 0u);
  // Two more wrong tries do not lock: they are not three in a row.
  fail(kNow + 4);
  EXPECT_FALSE(fail(kNow + 5).locked);
  EXPECT_FALSE(get()->lockedAt(kNow + 5));
}

TEST_F(PinTableTest, FailuresWithoutAPinChangeNothing) {
  EXPECT_EQ(fail(kNow), (PinFailure{0, false}));
  EXPECT_FALSE(get().has_value());
  ReadTxn txn = env_.beginRead();
  EXPECT_EQ(pins_.size(txn), 0u);
}

TEST(PinCodec, RoundTripsAndRefusesTrailingBytes) {
  const PinRecord record{"$argon2id$v=19$m=8192,t=2,p=1$c2FsdA$aGFzaA", 2, kNow + 5, kNow};
  const std::string bytes = PinRecordCodec::encodeValue(record);
  EXPECT_EQ(PinRecordCodec::decodeValue(bytes), record);
  EXPECT_THROW(PinRecordCodec::decodeValue(bytes + "x"), DecodeError);
}

// What the version-4 build did: every table up to the reminder ledger, with data in them.
TEST(PinMigration, AVersion4StoreGainsThePinTableAndKeepsItsData) {
  TempDir tmp;
  {
    Env env(smallEnv(tmp.path(), Durability::Durable));
    migrate(env, 4, businessMigrations());  // a fresh store stamped 4, as that build did
    env.write([&](WriteTxn& txn) {
      const OptOutTable optouts = OptOutTable::open(txn, "optouts");
      optouts.put(txn, "254712345678", OptOut{"254712345678", 1709251200, OptOutSource::Sms});
      const LoanBook book = LoanBook::open(txn);
      book.upsertClient(txn, sampleClient("C-1", kPhone));
      book.upsertLoan(txn, sampleLoan("L-1", "C-1"));
      const ReminderLedger ledger = ReminderLedger::open(txn);
      ledger.record(txn, ReminderKey{ReminderSubject::Installment, "L-1", 20000, "t-3", ""},
                    ReminderRecord{1709251200, 7, 19997, kPhone});
    });
    ReadTxn txn = env.beginRead();
    ASSERT_EQ(readSchemaVersion(txn), 4u);
    EXPECT_FALSE(txn.findDbi(PinTable::kTableName).has_value());
  }
  Env env(smallEnv(tmp.path(), Durability::Durable));
  MigrationReport report;
  const BusinessTables tables = openBusinessTables(env, &report);
  EXPECT_EQ(report.previousVersion, 4u);
  EXPECT_EQ(report.applied,
            (std::vector<std::string>{"create-pins", "create-areas-and-cell-towers"}));
  {
    ReadTxn txn = env.beginRead();
    EXPECT_EQ(readSchemaVersion(txn), kBusinessSchemaVersion);
    EXPECT_TRUE(txn.findDbi(PinTable::kTableName).has_value());
    EXPECT_EQ(tables.optouts.count(txn), 1u);
    EXPECT_EQ(tables.loanBook.clientByMsisdn(txn, kPhone)->cid, "C-1");
    EXPECT_EQ(tables.loanBook.loansOfClient(txn, "C-1").size(), 1u);
    EXPECT_EQ(tables.reminders.size(txn), 1u);
    EXPECT_EQ(tables.pins.size(txn), 0u);
  }
  // The new table works with the old ones in one txn.
  env.write([&](WriteTxn& txn) {
    tables.pins.set(txn, kPhone, hashPin("9753"), kNow);
    tables.optouts.erase(txn, "254712345678");
  });
  ReadTxn txn = env.beginRead();
  EXPECT_TRUE(verifyPin(tables.pins.get(txn, kPhone)->hash, "9753"));
  EXPECT_EQ(tables.optouts.count(txn), 0u);
}

}  // namespace
}  // namespace mfigw::store
