// store/business_tables.hpp: the tables of the durable environment and its schema version.
//
// Purpose:   One place that says which tables the business store has, at which schema
//            version, and how an older store is brought up to date. The daemon calls
//            openBusinessTables() once at start-up; later issues add their tables here
//            with a migration step each.
//            Versions: 1 = opt-outs; 2 = + the loan book (loan_book.hpp) and the events to
//            upstream (upstream_events.hpp); 3 = + the SMS outbox (outbox.hpp); 4 = + the reminder
//            ledger (reminder_ledger.hpp); 5 = + the USSD PINs (pin_table.hpp); 6 = + the
//            areas and cell towers of the locator (area.hpp, cell_tower.hpp, in the loan
//            book).
// Threading: Call at start-up before other threads use the env.
// Errors:    As migrate() (SchemaTooNew, StoreError, MapFull).
// Ownership: BusinessTables holds table handles; the Env must outlive it.
#pragma once

#include "store/env.hpp"
#include "store/loan_book.hpp"
#include "store/optouts.hpp"
#include "store/outbox.hpp"
#include "store/pin_table.hpp"
#include "store/reminder_ledger.hpp"
#include "store/schema.hpp"
#include "store/upstream_events.hpp"

#include <cstdint>
#include <vector>

namespace mfigw::store {

inline constexpr uint32_t kBusinessSchemaVersion = 6;

struct BusinessTables {
  OptOutTable optouts;
  LoanBook loanBook;
  UpstreamEvents upstreamEvents;
  Outbox outbox;
  ReminderLedger reminders;
  PinTable pins;
};

// Every migration step of the business store, oldest first.
const std::vector<Migration>& businessMigrations();

// Migrates the store to kBusinessSchemaVersion and opens every table.
BusinessTables openBusinessTables(Env& env, MigrationReport* report = nullptr);

}  // namespace mfigw::store
