// The reminder ledger: each (subject, id, day, rule, recipient) once, across reopening; the
// counts the caps read; bounds; purge of old days.
#include "store/reminder_ledger.hpp"

#include "store/env.hpp"
#include "store/error.hpp"
#include "store/record_check.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;

constexpr DayNumber kDue = toDayNumber(2024, 8, 12);

ReminderKey installment(const std::string& lid, DayNumber due, const std::string& rule) {
  return ReminderKey{ReminderSubject::Installment, lid, due, rule, ""};
}

ReminderRecord sent(uint64_t outboxId, DayNumber localDay, const std::string& msisdn) {
  return ReminderRecord{1723442400, outboxId, localDay, msisdn};
}

TEST(ReminderLedger, RecordsOnceAndSurvivesReopening) {
  TempDir tmp;
  {
    Env env(smallEnv(tmp.path(), Durability::Durable));
    WriteTxn txn = env.beginWrite();
    const ReminderLedger ledger = ReminderLedger::open(txn);
    EXPECT_TRUE(ledger.record(txn, installment("L-1", kDue, "pre3"), sent(7, kDue - 3, "2547")));
    // The same key again: refused, the first record and the day count are unchanged.
    EXPECT_FALSE(ledger.record(txn, installment("L-1", kDue, "pre3"), sent(8, kDue - 2, "2547")));
    EXPECT_EQ(ledger.get(txn, installment("L-1", kDue, "pre3"))->outboxId, 7u);
    EXPECT_EQ(ledger.countForDay(txn, "2547", kDue - 3), 1u);
    EXPECT_EQ(ledger.countForDay(txn, "2547", kDue - 2), 0u);
    txn.commit();
  }
  Env env(smallEnv(tmp.path(), Durability::Durable));
  WriteTxn txn = env.beginWrite();
  const ReminderLedger ledger = ReminderLedger::open(txn);
  EXPECT_TRUE(ledger.contains(txn, installment("L-1", kDue, "pre3")));
  EXPECT_FALSE(ledger.contains(txn, installment("L-1", kDue, "due")));
  EXPECT_FALSE(ledger.record(txn, installment("L-1", kDue, "pre3"), sent(9, kDue - 3, "2547")));
  EXPECT_EQ(ledger.size(txn), 1u);
}

TEST(ReminderLedger, CountsPerInstallmentAndPerLocalDay) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  WriteTxn txn = env.beginWrite();
  const ReminderLedger ledger = ReminderLedger::open(txn);
  ledger.record(txn, installment("L-1", kDue, "pre3"), sent(1, kDue - 3, "2547"));
  ledger.record(txn, installment("L-1", kDue, "due"), sent(2, kDue, "2547"));
  ledger.record(txn, installment("L-1", kDue, "late1"), sent(3, kDue + 1, "2547"));
  // Another installment of the same loan, and a loan whose id extends "L-1".
  ledger.record(txn, installment("L-1", kDue + 30, "pre3"), sent(4, kDue + 27, "2547"));
  ledger.record(txn, installment("L-10", kDue, "pre3"), sent(5, kDue - 3, "2548"));
  // A meeting reminder to the same number on the same day counts for the day.
  ledger.record(txn, ReminderKey{ReminderSubject::Meeting, "G-1", kDue, "meet1", "C-1"},
                sent(6, kDue - 3, "2547"));
  EXPECT_EQ(ledger.countForInstallment(txn, "L-1", kDue), 3u);
  EXPECT_EQ(ledger.countForInstallment(txn, "L-1", kDue + 30), 1u);
  EXPECT_EQ(ledger.countForInstallment(txn, "L-10", kDue), 1u);
  EXPECT_EQ(ledger.countForInstallment(txn, "L-2", kDue), 0u);
  EXPECT_EQ(ledger.countForDay(txn, "2547", kDue - 3), 2u);
  EXPECT_EQ(ledger.countForDay(txn, "2548", kDue - 3), 1u);
  EXPECT_EQ(ledger.countForDay(txn, "254", kDue - 3), 0u);
}

TEST(ReminderLedger, RefusesKeysAndRecordsOutOfBounds) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  WriteTxn txn = env.beginWrite();
  const ReminderLedger ledger = ReminderLedger::open(txn);
  EXPECT_THROW(ledger.record(txn, installment("", kDue, "pre3"), sent(1, kDue, "2547")),
               InvalidRecord);
  EXPECT_THROW(
      ledger.record(txn, installment("L-1", kDue, std::string(25, 'r')), sent(1, kDue, "2547")),
      InvalidRecord);
  EXPECT_THROW(ledger.record(txn, installment("L-1", kDue, "pre3"), sent(1, kDue, "")),
               InvalidRecord);
  EXPECT_THROW(ledger.record(txn, installment("L-1", -1, "pre3"), sent(1, kDue, "2547")),
               InvalidRecord);
  EXPECT_EQ(ledger.size(txn), 0u);
  EXPECT_EQ(ledger.countForDay(txn, "2547", kDue), 0u);
}

TEST(ReminderLedger, PurgeForgetsOldDaysOnly) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  WriteTxn txn = env.beginWrite();
  const ReminderLedger ledger = ReminderLedger::open(txn);
  for (int i = 0; i < 5; ++i) {
    ledger.record(txn, installment("L-" + std::to_string(i), kDue - 100 + i, "pre3"),
                  sent(static_cast<uint64_t>(i), kDue - 103 + i, "2547"));
  }
  ledger.record(txn, installment("L-9", kDue, "pre3"), sent(9, kDue - 3, "2547"));
  EXPECT_EQ(ledger.purgeBefore(txn, kDue - 97, 2), 2u);  // the limit holds
  EXPECT_EQ(ledger.purgeBefore(txn, kDue - 97, 100), 1u);
  EXPECT_EQ(ledger.size(txn), 3u);
  EXPECT_FALSE(ledger.contains(txn, installment("L-0", kDue - 100, "pre3")));
  EXPECT_TRUE(ledger.contains(txn, installment("L-3", kDue - 97, "pre3")));
  EXPECT_TRUE(ledger.contains(txn, installment("L-9", kDue, "pre3")));
  EXPECT_EQ(ledger.countForDay(txn, "2547", kDue - 103), 0u);
  EXPECT_EQ(ledger.countForDay(txn, "2547", kDue - 99), 0u);
  EXPECT_EQ(ledger.countForDay(txn, "2547", kDue - 3), 1u);
}

}  // namespace
}  // namespace mfigw::store
