#include "store/business_tables.hpp"

#include "store/txn.hpp"

namespace mfigw::store {

const std::vector<Migration>& businessMigrations() {
  // A fresh store is stamped at kBusinessSchemaVersion and gets its tables from
  // openBusinessTables(); a step brings a store an older build wrote up by one version.
  static const std::vector<Migration> kSteps = {
      // v1 held opt-outs only. The loan book and the upstream events are new tables with
      // no older records to convert: creating them in the migration txn means a v2 store
      // always has them, even before anything is written.
      {1, "create-loan-book-and-upstream-events",
       [](WriteTxn& txn) {
         LoanBook::open(txn);
         UpstreamEvents::open(txn);
       }},
      {2, "create-outbox", [](WriteTxn& txn) { Outbox::open(txn); }},
      {3, "create-reminder-ledger", [](WriteTxn& txn) { ReminderLedger::open(txn); }},
      // v5 adds the USSD PINs (hash, failures, lockout); no older PIN existed anywhere.
      {4, "create-pins", [](WriteTxn& txn) { PinTable::open(txn); }},
      // v6 adds the areas (area code -> centre) and cell towers (cell id -> position) of the
      // payment-point locator. Payment points gained an area code and services in their
      // own record version (v2 reads v1), so none is rewritten here.
      {5, "create-areas-and-cell-towers",
       [](WriteTxn& txn) {
         txn.openDbi(LoanBookTableNames::kAreas, MDB_CREATE);
         txn.openDbi(LoanBookTableNames::kCellTowers, MDB_CREATE);
       }},
  };
  return kSteps;
}

BusinessTables openBusinessTables(Env& env, MigrationReport* report) {
  MigrationReport done = migrate(env, kBusinessSchemaVersion, businessMigrations());
  if (report != nullptr) {
    *report = std::move(done);
  }
  WriteTxn txn = env.beginWrite();
  BusinessTables tables;
  tables.optouts = OptOutTable::open(txn, "optouts");
  tables.loanBook = LoanBook::open(txn);
  tables.upstreamEvents = UpstreamEvents::open(txn);
  tables.outbox = Outbox::open(txn);
  tables.reminders = ReminderLedger::open(txn);
  tables.pins = PinTable::open(txn);
  txn.commit();
  return tables;
}

}  // namespace mfigw::store
