// Map growth and MDB_MAP_FULL with a tiny map (64 KiB start, 256 KiB bound).
#include "store/env.hpp"
#include "store/error.hpp"
#include "store/txn.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace mfigw::store {
namespace {

using testing::TempDir;

constexpr uint64_t kStart = 64ull << 10;
constexpr uint64_t kBound = 256ull << 10;

EnvOptions tinyEnv(const std::string& path) {
  EnvOptions o;
  o.path = path;
  o.mapSize = kStart;
  o.maxMapSize = kBound;
  o.durability = Durability::Relaxed;
  o.reserveBytes = 64ull << 10;
  return o;
}

std::string keyOf(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%06d", i);
  return buf;
}

TEST(MapFull, GrowsThenRefusesWithoutLosingCommittedData) {
  TempDir tmp;
  Env env(tinyEnv(tmp.path()));
  Dbi dbi = 0;
  env.write([&](WriteTxn& txn) { dbi = txn.openDbi("t"); });
  const std::string value(1000, 'v');

  std::vector<std::string> committed;
  bool full = false;
  for (int i = 0; i < 10000 && !full; ++i) {
    try {
      env.write([&](WriteTxn& txn) { txn.put(dbi, keyOf(i), value); });
      committed.push_back(keyOf(i));
    } catch (const MapFull& e) {
      full = true;
      EXPECT_EQ(e.mdbCode(), MDB_MAP_FULL);
    }
  }
  ASSERT_TRUE(full) << "the map never filled up";
  EXPECT_GT(committed.size() * value.size(), kStart);  // grew past the initial size
  EXPECT_EQ(env.mapSize(), kBound);
  EXPECT_FALSE(env.grow());

  {
    ReadTxn txn = env.beginRead();
    EXPECT_EQ(txn.count(dbi), committed.size());
    for (const std::string& k : committed) {
      ASSERT_EQ(txn.get(dbi, k), value) << k;
    }
  }

  // Free space, then writes succeed again. A full map may not even have the pages a
  // delete needs (copy-on-write), so cleanup goes through reclaim(), which may use the
  // reserve beyond the bound and then sets the bound back.
  const size_t half = committed.size() / 2;
  env.reclaim([&](WriteTxn& txn) {
    for (size_t i = 0; i < half; ++i) {
      ASSERT_TRUE(txn.erase(dbi, committed[i]));
    }
  });
  EXPECT_LE(env.mapSize(), std::max(kBound, env.usedBytes()));
  EXPECT_FALSE(env.grow());  // ordinary writes still cannot grow past the bound
  for (int i = 0; i < 10; ++i) {
    EXPECT_NO_THROW(env.write([&](WriteTxn& txn) { txn.put(dbi, "again" + keyOf(i), value); }));
  }
  ReadTxn txn = env.beginRead();
  EXPECT_EQ(txn.count(dbi), committed.size() - half + 10);
  EXPECT_EQ(txn.get(dbi, committed.back()), value);
}

TEST(MapFull, OneOversizedTxnFailsAndLeavesTheStoreUsable) {
  TempDir tmp;
  Env env(tinyEnv(tmp.path()));
  env.write([](WriteTxn& txn) { txn.put(txn.openDbi("t"), "keep", "me"); });
  EXPECT_THROW(env.write([](WriteTxn& txn) {
    const Dbi dbi = txn.openDbi("t");
    for (int i = 0; i < 400; ++i) {  // ~400 KiB > the 256 KiB bound
      txn.put(dbi, keyOf(i), std::string(1000, 'x'));
    }
  }),
               MapFull);
  ReadTxn txn = env.beginRead();
  const Dbi dbi = *txn.findDbi("t");
  EXPECT_EQ(txn.count(dbi), 1u);
  EXPECT_EQ(txn.get(dbi, "keep"), "me");
  txn.end();
  EXPECT_NO_THROW(env.write([](WriteTxn& t) { t.put(t.openDbi("t"), "small", "ok"); }));
}

}  // namespace
}  // namespace mfigw::store
