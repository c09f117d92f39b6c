#include "store/schema.hpp"

#include "store/env.hpp"
#include "store/error.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;

uint32_t storedVersion(Env& env) {
  ReadTxn txn = env.beginRead();
  return readSchemaVersion(txn).value_or(0);
}

void stamp(Env& env, uint32_t version) {
  env.write([&](WriteTxn& txn) { writeSchemaVersion(txn, version); });
}

TEST(Schema, FreshStoreIsStampedWithoutRunningSteps) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  {
    ReadTxn txn = env.beginRead();
    EXPECT_FALSE(readSchemaVersion(txn).has_value());
  }
  int ran = 0;
  const std::vector<Migration> steps = {{1, "v1->v2", [&](WriteTxn&) { ++ran; }},
                                        {2, "v2->v3", [&](WriteTxn&) { ++ran; }}};
  const MigrationReport r = migrate(env, 3, steps);
  EXPECT_FALSE(r.previousVersion.has_value());
  EXPECT_EQ(r.currentVersion, 3u);
  EXPECT_TRUE(r.applied.empty());
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(storedVersion(env), 3u);
}

TEST(Schema, RunsEachStepOnceInOrder) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  stamp(env, 1);
  std::vector<std::string> order;
  const std::vector<Migration> steps = {
      // Listed out of order on purpose: order comes from `from`, not from the vector.
      {2, "add-index",
       [&](WriteTxn& txn) {
         order.push_back("add-index");
         // Sees the first step's write: same txn.
         EXPECT_TRUE(txn.get(txn.openDbi("loans"), "converted").has_value());
       }},
      {1, "split-loans",
       [&](WriteTxn& txn) {
         order.push_back("split-loans");
         txn.put(txn.openDbi("loans"), "converted", "yes");
       }},
  };
  const MigrationReport r = migrate(env, 3, steps);
  EXPECT_EQ(order, (std::vector<std::string>{"split-loans", "add-index"}));
  EXPECT_EQ(r.applied, order);
  EXPECT_EQ(r.previousVersion, 1u);
  EXPECT_EQ(storedVersion(env), 3u);

  // Already current: nothing runs again.
  order.clear();
  const MigrationReport again = migrate(env, 3, steps);
  EXPECT_TRUE(order.empty());
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.previousVersion, 3u);
}

TEST(Schema, FailingStepLeavesTheStoreAtItsOldVersion) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  stamp(env, 1);
  const std::vector<Migration> steps = {
      {1, "good", [](WriteTxn& txn) { txn.put(txn.openDbi("meta"), "touched", "1"); }},
      {2, "bad", [](WriteTxn&) { throw std::runtime_error("disk says no"); }},
  };
  try {
    migrate(env, 3, steps);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'bad'"), std::string::npos) << what;
    EXPECT_NE(what.find("disk says no"), std::string::npos) << what;
  }
  EXPECT_EQ(storedVersion(env), 1u);
  ReadTxn txn = env.beginRead();
  EXPECT_FALSE(txn.get(*txn.findDbi("meta"), "touched").has_value());  // "good" rolled back
}

TEST(Schema, NewerStoreIsRefused) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  stamp(env, 5);
  try {
    migrate(env, 3, {});
    FAIL() << "expected SchemaTooNew";
  } catch (const SchemaTooNew& e) {
    EXPECT_EQ(std::string(e.what()),
              "store at " + env.path() +
                  " has schema version 5; this build knows up to 3: refusing to open "
                  "(downgrade is not supported)");
  }
  EXPECT_EQ(storedVersion(env), 5u);
}

TEST(Schema, MissingOrDuplicateStepsAreErrors) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  stamp(env, 1);
  int ran = 0;
  EXPECT_THROW(migrate(env, 3, {{1, "only-first", [&](WriteTxn&) { ++ran; }}}), StoreError);
  EXPECT_EQ(ran, 0);  // the gap is found before anything runs
  EXPECT_EQ(storedVersion(env), 1u);
  EXPECT_THROW(migrate(env, 2, {{1, "a", nullptr}, {1, "b", nullptr}}), StoreError);
  EXPECT_EQ(storedVersion(env), 1u);
}

}  // namespace
}  // namespace mfigw::store
