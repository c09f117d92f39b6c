#include "store/txn.hpp"

#include "store/env.hpp"
#include "store/error.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;

class TxnTest : public ::testing::Test {
 protected:
  TxnTest() : env_(smallEnv(tmp_.path())) {
    WriteTxn txn = env_.beginWrite();
    dbi_ = txn.openDbi("t");
    txn.commit();
  }
  TempDir tmp_;
  Env env_;
  Dbi dbi_ = 0;
};

TEST_F(TxnTest, CommittedWritesAreVisibleToNewReaders) {
  ReadTxn before = env_.beginRead();
  {
    WriteTxn txn = env_.beginWrite();
    EXPECT_TRUE(txn.put(dbi_, "a", "1"));
    EXPECT_EQ(txn.get(dbi_, "a"), "1");  // own writes
    txn.commit();
    EXPECT_FALSE(txn.isOpen());
  }
  EXPECT_FALSE(before.get(dbi_, "a").has_value());  // snapshot taken before the commit
  before.end();
  ReadTxn after = env_.beginRead();
  EXPECT_EQ(after.get(dbi_, "a"), "1");
  EXPECT_EQ(after.count(dbi_), 1u);
  EXPECT_FALSE(after.get(dbi_, "missing").has_value());
}

TEST_F(TxnTest, UncommittedWriteTxnIsAbortedOnDestruction) {
  {
    WriteTxn txn = env_.beginWrite();
    txn.put(dbi_, "a", "1");
  }
  ReadTxn r = env_.beginRead();
  EXPECT_FALSE(r.get(dbi_, "a").has_value());
}

TEST_F(TxnTest, MoveTransfersAndMoveAssignAbortsTheReplacedTxn) {
  WriteTxn a = env_.beginWrite();
  a.put(dbi_, "x", "1");
  WriteTxn b = std::move(a);
  EXPECT_FALSE(a.isOpen());  // NOLINT(bugprone-use-after-move): checking moved-from state
  EXPECT_TRUE(b.isOpen());
  EXPECT_THROW(a.handle(), std::logic_error);
  b = WriteTxn();  // aborts
  EXPECT_FALSE(b.isOpen());
  ReadTxn r = env_.beginRead();
  EXPECT_FALSE(r.get(dbi_, "x").has_value());
}

TEST_F(TxnTest, PutFlagsAndErase) {
  WriteTxn txn = env_.beginWrite();
  EXPECT_TRUE(txn.put(dbi_, "k", "1", MDB_NOOVERWRITE));
  EXPECT_FALSE(txn.put(dbi_, "k", "2", MDB_NOOVERWRITE));
  EXPECT_EQ(txn.get(dbi_, "k"), "1");
  EXPECT_TRUE(txn.erase(dbi_, "k"));
  EXPECT_FALSE(txn.erase(dbi_, "k"));
  txn.put(dbi_, "a", "1");
  txn.put(dbi_, "b", "2");
  txn.clear(dbi_);
  EXPECT_EQ(txn.count(dbi_), 0u);
  txn.commit();
  EXPECT_THROW(txn.commit(), std::logic_error);
}

TEST_F(TxnTest, SecondWriteTxnOnSameThreadIsALogicError) {
  WriteTxn first = env_.beginWrite();
  EXPECT_THROW(env_.beginWrite(), std::logic_error);
  first.commit();
  EXPECT_NO_THROW(env_.beginWrite().commit());
}

TEST_F(TxnTest, WriteTxnsFromOtherThreadsWaitTheirTurn) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 25; ++i) {
        WriteTxn txn = env_.beginWrite();
        txn.put(dbi_, std::to_string(t) + "-" + std::to_string(i), "v");
        txn.commit();
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(env_.beginRead().count(dbi_), 100u);
}

TEST_F(TxnTest, ReadTxnMayMoveToAnotherThread) {
  env_.write([this](WriteTxn& txn) { txn.put(dbi_, "k", "v"); });
  ReadTxn txn = env_.beginRead();
  std::string seen;
  std::thread other([&] {
    ReadTxn mine = std::move(txn);
    seen = std::string(mine.get(dbi_, "k").value_or(""));
    mine.end();  // ends on a different thread than it began (MDB_NOTLS)
  });
  other.join();
  EXPECT_EQ(seen, "v");
}

TEST_F(TxnTest, NestedCommitJoinsParentAndNestedAbortLeavesParentIntact) {
  WriteTxn parent = env_.beginWrite();
  parent.put(dbi_, "p", "1");
  {
    WriteTxn child = parent.nested();
    child.put(dbi_, "c1", "1");
    EXPECT_EQ(child.get(dbi_, "p"), "1");                   // sees the parent's writes
    EXPECT_THROW(parent.get(dbi_, "p"), std::logic_error);  // parent frozen meanwhile
    child.commit();
  }
  {
    WriteTxn child = parent.nested();
    child.put(dbi_, "c2", "1");
    child.erase(dbi_, "p");
    // destroyed without commit: aborted
  }
  EXPECT_EQ(parent.get(dbi_, "p"), "1");
  EXPECT_EQ(parent.get(dbi_, "c1"), "1");
  EXPECT_FALSE(parent.get(dbi_, "c2").has_value());
  parent.commit();
  ReadTxn r = env_.beginRead();
  EXPECT_EQ(r.count(dbi_), 2u);
}

TEST_F(TxnTest, EndingParentEndsOpenChild) {
  WriteTxn parent = env_.beginWrite();
  WriteTxn child = parent.nested();
  child.put(dbi_, "c", "1");
  parent.abort();
  EXPECT_FALSE(child.isOpen());
  EXPECT_THROW(child.put(dbi_, "x", "y"), std::logic_error);
  // And the env's write lock is free again.
  EXPECT_NO_THROW(env_.beginWrite().commit());
}

TEST_F(TxnTest, CursorWalksInKeyOrder) {
  env_.write([this](WriteTxn& txn) {
    for (const char* k : {"b", "d", "a", "c"}) {
      txn.put(dbi_, k, std::string("v") + k);
    }
  });
  ReadTxn txn = env_.beginRead();
  Cursor c(txn, dbi_);
  std::string keys;
  for (auto e = c.first(); e; e = c.next()) {
    keys += e->first;
    EXPECT_EQ(e->second, std::string("v") + std::string(e->first));
  }
  EXPECT_EQ(keys, "abcd");
  EXPECT_EQ(c.seek("bb")->first, "c");
  EXPECT_EQ(c.prev()->first, "b");
  EXPECT_EQ(c.current()->first, "b");
  EXPECT_FALSE(c.find("bb").has_value());
  EXPECT_EQ(c.find("d")->second, "vd");
  EXPECT_EQ(c.last()->first, "d");
  EXPECT_FALSE(c.next().has_value());
  EXPECT_FALSE(c.seek("e").has_value());
  EXPECT_THROW(c.erase(), std::logic_error);  // read-only
}

TEST_F(TxnTest, CursorEraseAndCursorsDieWithTheirTxn) {
  env_.write([this](WriteTxn& txn) {
    txn.put(dbi_, "a", "1");
    txn.put(dbi_, "b", "2");
  });
  WriteTxn txn = env_.beginWrite();
  Cursor c(txn, dbi_);
  ASSERT_TRUE(c.find("a"));
  c.erase();
  Cursor moved = std::move(c);
  EXPECT_FALSE(c.isOpen());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(moved.isOpen());
  txn.commit();
  // LMDB freed the cursor with the txn; ours is inert and refuses use rather than
  // touching freed memory (ASan would catch a double free here).
  EXPECT_FALSE(moved.isOpen());
  EXPECT_THROW(moved.first(), std::logic_error);
  ReadTxn r = env_.beginRead();
  EXPECT_FALSE(r.get(dbi_, "a").has_value());
  EXPECT_EQ(r.get(dbi_, "b"), "2");
  {
    Cursor rc(r, dbi_);
    r.end();
    EXPECT_THROW(rc.next(), std::logic_error);
  }
}

TEST_F(TxnTest, FindDbiDoesNotCreate) {
  ReadTxn r = env_.beginRead();
  EXPECT_FALSE(r.findDbi("nope").has_value());
  EXPECT_TRUE(r.findDbi("t").has_value());
  EXPECT_TRUE(r.isReadOnly());
}

}  // namespace
}  // namespace mfigw::store
