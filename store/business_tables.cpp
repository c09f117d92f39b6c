#include "store/business_tables.hpp"

#include "store/txn.hpp"

namespace mfigw::store {

const std::vector<Migration>& businessMigrations() {
  // A fresh store is stamped at kBusinessSchemaVersion and gets its tables from
  // openBusinessTables(); a step only rewrites records an older version wrote.
  static const std::vector<Migration> kSteps = {};
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
  txn.commit();
  return tables;
}

}  // namespace mfigw::store
