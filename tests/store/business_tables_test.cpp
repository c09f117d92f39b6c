// The business store's schema: a fresh store gets every table at the current version; a
// version-1 store (opt-outs only, as the first build wrote it) migrates step by step to the
// current version, keeps its opt-outs and gains the loan book, upstream-event, outbox,
// reminder-ledger, PIN and area tables.
#include "store/business_tables.hpp"

#include "loan_book_fixtures.hpp"
#include "store/env.hpp"
#include "store/error.hpp"
#include "store/schema.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mfigw::store {
namespace {

using testing::sampleClient;
using testing::sampleLoan;
using testing::smallEnv;
using testing::TempDir;

const std::vector<std::string> kNewTables = {
    LoanBookTableNames::kClients,
    LoanBookTableNames::kClientsByMsisdn,
    LoanBookTableNames::kLoans,
    LoanBookTableNames::kLoansByClient,
    LoanBookTableNames::kGroups,
    LoanBookTableNames::kGroupMembers,
    LoanBookTableNames::kPaymentPoints,
    LoanBookTableNames::kSyncCursors,
    kCountersTable,
    UpstreamEvents::TableNames::kPending,
    UpstreamEvents::TableNames::kRejected,
    UpstreamEvents::TableNames::kByKey,
    "outbox",
    "outbox_ready",
    "outbox_state",
    "outbox_smsc",
    "outbox_to",
    "outbox_idem",
    ReminderLedger::TableNames::kLedger,
    ReminderLedger::TableNames::kDaily,
    PinTable::kTableName,
    LoanBookTableNames::kAreas,
    LoanBookTableNames::kCellTowers,
};

// What the version-1 build did: stamp 1, open "optouts", write records.
void writeVersion1Store(const std::string& path) {
  Env env(smallEnv(path, Durability::Durable));
  migrate(env, 1, {});
  WriteTxn txn = env.beginWrite();
  const OptOutTable optouts = OptOutTable::open(txn, "optouts");
  optouts.put(txn, "254712345678", OptOut{"254712345678", 1709251200, OptOutSource::Sms});
  optouts.put(txn, "256772123456", OptOut{"256772123456", 1709251300, OptOutSource::Operator});
  txn.commit();
}

TEST(BusinessTables, AFreshStoreHasEveryTableAtTheCurrentVersion) {
  TempDir tmp;
  Env env(smallEnv(tmp.path(), Durability::Durable));
  MigrationReport report;
  const BusinessTables tables = openBusinessTables(env, &report);
  EXPECT_FALSE(report.previousVersion.has_value());
  EXPECT_EQ(report.currentVersion, kBusinessSchemaVersion);
  EXPECT_TRUE(report.applied.empty());
  ReadTxn txn = env.beginRead();
  EXPECT_EQ(readSchemaVersion(txn), kBusinessSchemaVersion);
  for (const std::string& name : kNewTables) {
    EXPECT_TRUE(txn.findDbi(name).has_value()) << name;
  }
}

TEST(BusinessTables, AVersion1StoreMigratesAndKeepsItsOptOuts) {
  TempDir tmp;
  writeVersion1Store(tmp.path());
  {
    Env env(smallEnv(tmp.path(), Durability::Durable));
    {
      ReadTxn txn = env.beginRead();
      ASSERT_EQ(readSchemaVersion(txn), 1u);
      EXPECT_FALSE(txn.findDbi(LoanBookTableNames::kLoans).has_value());
    }
    MigrationReport report;
    const BusinessTables tables = openBusinessTables(env, &report);
    EXPECT_EQ(report.previousVersion, 1u);
    EXPECT_EQ(report.applied,
              (std::vector<std::string>{"create-loan-book-and-upstream-events", "create-outbox",
                                        "create-reminder-ledger", "create-pins",
                                        "create-areas-and-cell-towers"}));
    {
      ReadTxn txn = env.beginRead();
      EXPECT_EQ(readSchemaVersion(txn), kBusinessSchemaVersion);
      for (const std::string& name : kNewTables) {
        EXPECT_TRUE(txn.findDbi(name).has_value()) << name;
      }
      EXPECT_EQ(tables.optouts.count(txn), 2u);
      EXPECT_EQ(tables.optouts.get(txn, "254712345678"),
                (OptOut{"254712345678", 1709251200, OptOutSource::Sms}));
      EXPECT_EQ(tables.loanBook.loanTable().count(txn), 0u);
      EXPECT_EQ(tables.upstreamEvents.counts(txn), (UpstreamEventCounts{0, 0}));
    }
    // The new tables work right away, together with the old one in one txn.
    env.write([&](WriteTxn& txn) {
      tables.loanBook.upsertClient(txn, sampleClient("C-1", "254733333333"));
      tables.loanBook.upsertLoan(txn, sampleLoan("L-1", "C-1"));
      tables.upstreamEvents.append(txn, EventKey{1, 2, 3}, 1709251400, UpstreamEventType::OptOut,
                                   "254733333333");
      tables.optouts.put(txn, "254733333333",
                         OptOut{"254733333333", 1709251400, OptOutSource::Sms});
    });
  }
  // Reopened: already current, nothing runs again, everything is still there.
  Env env(smallEnv(tmp.path(), Durability::Durable));
  MigrationReport report;
  const BusinessTables tables = openBusinessTables(env, &report);
  EXPECT_EQ(report.previousVersion, kBusinessSchemaVersion);
  EXPECT_TRUE(report.applied.empty());
  ReadTxn txn = env.beginRead();
  EXPECT_EQ(tables.optouts.count(txn), 3u);
  EXPECT_EQ(tables.loanBook.clientByMsisdn(txn, "254733333333")->cid, "C-1");
  EXPECT_EQ(tables.loanBook.loansOfClient(txn, "C-1").size(), 1u);
  EXPECT_EQ(tables.upstreamEvents.counts(txn), (UpstreamEventCounts{1, 0}));
}

TEST(BusinessTables, AStoreFromANewerBuildIsRefused) {
  TempDir tmp;
  {
    Env env(smallEnv(tmp.path(), Durability::Durable));
    migrate(env, kBusinessSchemaVersion + 1, {});
  }
  Env env(smallEnv(tmp.path(), Durability::Durable));
  EXPECT_THROW(openBusinessTables(env), SchemaTooNew);
}

}  // namespace
}  // namespace mfigw::store
