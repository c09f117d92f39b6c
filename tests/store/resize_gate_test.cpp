// The env's resize gate: grow() waits for every open txn, new txns wait while a resize is
// pending, txns may end on any thread, and a thread holding a txn neither deadlocks
// itself by growing (logic_error) nor by beginning another txn while a resize waits.
#include "store/env.hpp"
#include "store/txn.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;
using namespace std::chrono_literals;

constexpr auto kBoundedWait = 30s;  // a bound against hangs, not a timing assertion

// Polls (bounded) until grow() on another thread has marked its resize pending.
bool waitForPendingResize(const Env& env) {
  const auto deadline = std::chrono::steady_clock::now() + kBoundedWait;
  while (!env.resizePending()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class ResizeGateTest : public ::testing::Test {
 protected:
  ResizeGateTest() : env_(options(tmp_.path())) {
    env_.write([this](WriteTxn& txn) {
      dbi_ = txn.openDbi("t");
      txn.put(dbi_, "k", "v");
    });
  }
  static EnvOptions options(const std::string& path) {
    EnvOptions o = smallEnv(path);
    o.mapSize = 1ull << 20;
    o.maxMapSize = 8ull << 20;
    return o;
  }
  TempDir tmp_;
  Env env_;
  Dbi dbi_ = 0;
};

TEST_F(ResizeGateTest, GrowWhileThisThreadHoldsATxnIsALogicError) {
  {
    ReadTxn r = env_.beginRead();
    EXPECT_EQ(env_.openTxnCount(), 1u);
    EXPECT_THROW(env_.grow(), std::logic_error);
    EXPECT_FALSE(env_.resizePending());  // the refused grow left nothing behind
    EXPECT_EQ(r.get(dbi_, "k"), "v");
  }
  {
    WriteTxn w = env_.beginWrite();
    EXPECT_THROW(env_.grow(), std::logic_error);
    w.put(dbi_, "k2", "v2");
    w.commit();
  }
  EXPECT_EQ(env_.mapSize(), 1ull << 20);
  EXPECT_EQ(env_.openTxnCount(), 0u);
  EXPECT_TRUE(env_.grow());  // no txn held now
  EXPECT_EQ(env_.mapSize(), 2ull << 20);
}

TEST_F(ResizeGateTest, GrowWaitsForOpenTxnsWhoseHoldersMayStillBeginMore) {
  ReadTxn held = env_.beginRead();
  std::thread grower([this] { EXPECT_TRUE(env_.grow()); });
  ASSERT_TRUE(waitForPendingResize(env_));

  // A newcomer without a txn waits for the resize ...
  std::atomic<bool> newcomerIn{false};
  std::thread newcomer([&] {
    ReadTxn r = env_.beginRead();
    newcomerIn = true;
    EXPECT_EQ(r.get(dbi_, "w"), "1");
  });

  // ... while this thread, which holds `held`, is let in: beginning a write txn, a
  // nested one, or reading usedBytes() must not wait for a resize that waits for us.
  {
    WriteTxn w = env_.beginWrite();
    WriteTxn child = w.nested();
    child.put(dbi_, "w", "1");
    child.commit();
    w.commit();
  }
  EXPECT_GT(env_.usedBytes(), 0u);
  EXPECT_EQ(held.get(dbi_, "k"), "v");
  // Nothing can have remapped or admitted the newcomer while `held` is open.
  EXPECT_EQ(env_.mapSize(), 1ull << 20);
  EXPECT_TRUE(env_.resizePending());
  EXPECT_FALSE(newcomerIn.load());

  held.end();
  grower.join();
  newcomer.join();
  EXPECT_TRUE(newcomerIn.load());
  EXPECT_EQ(env_.mapSize(), 2ull << 20);
  EXPECT_FALSE(env_.resizePending());
  EXPECT_EQ(env_.openTxnCount(), 0u);
}

TEST_F(ResizeGateTest, ATxnEndedOnAnotherThreadReleasesThePendingResize) {
  ReadTxn r = env_.beginRead();
  std::promise<void> endIt;
  std::string seen;
  std::thread holder([&, txn = std::move(r), go = endIt.get_future()]() mutable {
    seen = std::string(txn.get(dbi_, "k").value_or(""));
    if (go.wait_for(kBoundedWait) == std::future_status::ready) {
      txn.end();  // begun on the test thread, ended here
    }
  });
  std::thread grower([this] { EXPECT_TRUE(env_.grow()); });
  ASSERT_TRUE(waitForPendingResize(env_));
  EXPECT_EQ(env_.mapSize(), 1ull << 20);
  endIt.set_value();
  holder.join();
  grower.join();
  EXPECT_EQ(seen, "v");
  EXPECT_EQ(env_.mapSize(), 2ull << 20);
  EXPECT_EQ(env_.openTxnCount(), 0u);
}

TEST_F(ResizeGateTest, ManyThreadsReadWriteAndGrowConcurrently) {
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 40; ++i) {
          ReadTxn r = env_.beginRead();
          if (r.get(dbi_, "k") != std::optional<std::string_view>("v")) {
            failed = true;
          }
          r.end();
          env_.write(
              [&](WriteTxn& w) { w.put(dbi_, std::to_string(t) + "/" + std::to_string(i), "x"); });
        }
      } catch (...) {
        failed = true;
      }
    });
  }
  threads.emplace_back([&] {
    try {
      while (env_.grow()) {
      }
    } catch (...) {
      failed = true;
    }
  });
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_FALSE(failed.load());
  EXPECT_EQ(env_.mapSize(), 8ull << 20);
  EXPECT_EQ(env_.beginRead().count(dbi_), 121u);
  EXPECT_EQ(env_.openTxnCount(), 0u);
}

}  // namespace
}  // namespace mfigw::store
