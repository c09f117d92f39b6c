#include "store/group_commit_writer.hpp"

#include "store/env.hpp"
#include "store/errc.hpp"
#include "store/error.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;
using namespace std::chrono_literals;

constexpr auto kBoundedWait = 30s;  // a bound against hangs, not a timing assertion

// Runs callbacks inline (on the writer thread): what tests may do instead of asio::post.
void runInline(std::function<void()> fn) {
  fn();
}

// A gate a work item can wait on, so the test controls what is queued behind it.
class Gate {
 public:
  void open() { promise_.set_value(); }
  // Returns false if the gate was not opened within the bound.
  bool wait() { return future_.wait_for(kBoundedWait) == std::future_status::ready; }

 private:
  std::promise<void> promise_;
  std::shared_future<void> future_ = promise_.get_future().share();
};

// Submits an item that blocks the writer until `gate` opens, and returns once the writer
// is running it: everything submitted afterwards queues up behind it, in later batches.
bool holdWriter(GroupCommitWriter& writer, Gate& gate, GroupCommitWriter::Done done = nullptr) {
  auto started = std::make_shared<Gate>();
  writer.submit(
      [&gate, started](WriteTxn&) {
        started->open();
        gate.wait();
      },
      std::move(done));
  return started->wait();
}

Dbi openTable(Env& env, const std::string& name) {
  Dbi dbi = 0;
  env.write([&](WriteTxn& txn) { dbi = txn.openDbi(name); });
  return dbi;
}

// Waits (bounded) until `n` callbacks have arrived.
class Counter {
 public:
  void add(std::error_code ec) {
    std::lock_guard lock(mutex_);
    codes_.push_back(ec);
    cv_.notify_all();
  }
  bool waitFor(size_t n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kBoundedWait, [&] { return codes_.size() >= n; });
  }
  std::vector<std::error_code> codes() {
    std::lock_guard lock(mutex_);
    return codes_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::error_code> codes_;
};

TEST(GroupCommitWriter, ManySubmitsShareFewTransactions) {
  TempDir tmp;
  Env env(smallEnv(tmp.path(), Durability::Durable));
  const Dbi dbi = openTable(env, "t");
  GroupCommitWriter writer(env, runInline, GroupCommitOptions{.maxBatch = 256});

  constexpr int kPerThread = 500;
  constexpr int kItems = 2 * kPerThread;
  std::vector<std::atomic<int>> fired(kItems);
  std::atomic<int> visibleWhenDone{0};
  std::atomic<int> errors{0};
  Counter all;

  // The first item holds the writer until both threads have queued everything, so
  // batching is guaranteed rather than left to scheduling luck.
  Gate gate;
  ASSERT_TRUE(holdWriter(writer, gate, [&](std::error_code ec) { all.add(ec); }));

  auto producer = [&](int base) {
    for (int i = base; i < base + kPerThread; ++i) {
      const std::string key = "item" + std::to_string(i);
      writer.submit([dbi, key](WriteTxn& txn) { txn.put(dbi, key, "v"); },
                    [&, i, key](std::error_code ec) {
                      fired[static_cast<size_t>(i)].fetch_add(1);
                      if (ec) {
                        ++errors;
                      }
                      // Committed means readable by a brand-new reader.
                      ReadTxn r = env.beginRead();
                      if (r.get(dbi, key) == std::optional<std::string_view>("v")) {
                        ++visibleWhenDone;
                      }
                      all.add(ec);
                    });
    }
  };
  std::thread a(producer, 0);
  std::thread b(producer, kPerThread);
  a.join();
  b.join();
  gate.open();
  ASSERT_TRUE(all.waitFor(kItems + 1));
  writer.stop();

  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(visibleWhenDone.load(), kItems);
  for (int i = 0; i < kItems; ++i) {
    EXPECT_EQ(fired[static_cast<size_t>(i)].load(), 1) << "item " << i;
  }
  const GroupCommitWriter::Stats s = writer.stats();
  EXPECT_EQ(s.itemsCommitted, static_cast<uint64_t>(kItems + 1));
  EXPECT_EQ(s.itemsFailed, 0u);
  EXPECT_LT(s.batchesCommitted, s.itemsCommitted);
  // The gate item alone, then at most ceil(1000 / 256) batches.
  EXPECT_LE(s.batchesCommitted, 1u + (kItems + 255) / 256);
  EXPECT_EQ(s.queueDepth, 0u);
  ReadTxn r = env.beginRead();
  EXPECT_EQ(r.count(dbi), static_cast<uint64_t>(kItems));
}

TEST(GroupCommitWriter, AThrowingItemFailsAlone) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  const Dbi dbi = openTable(env, "t");
  GroupCommitWriter writer(env, runInline);
  Gate gate;
  ASSERT_TRUE(holdWriter(writer, gate));

  std::error_code ecA = errc::write_failed, ecB, ecC = errc::write_failed;
  Counter done;
  writer.submit([dbi](WriteTxn& t) { t.put(dbi, "a", "1"); },
                [&](std::error_code ec) {
                  ecA = ec;
                  done.add(ec);
                });
  writer.submit(
      [dbi](WriteTxn& t) {
        t.put(dbi, "b", "1");  // written, then rolled back with its nested txn
        throw std::runtime_error("bad item");
      },
      [&](std::error_code ec) {
        ecB = ec;
        done.add(ec);
      });
  writer.submit([dbi](WriteTxn& t) { t.put(dbi, "c", "1"); },
                [&](std::error_code ec) {
                  ecC = ec;
                  done.add(ec);
                });
  gate.open();
  ASSERT_TRUE(done.waitFor(3));
  writer.stop();

  EXPECT_FALSE(ecA);
  EXPECT_EQ(ecB, errc::write_failed);
  EXPECT_FALSE(ecC);
  ReadTxn r = env.beginRead();
  EXPECT_TRUE(r.get(dbi, "a").has_value());
  EXPECT_FALSE(r.get(dbi, "b").has_value());
  EXPECT_TRUE(r.get(dbi, "c").has_value());
  const auto s = writer.stats();
  EXPECT_EQ(s.itemsFailed, 1u);
  EXPECT_EQ(s.itemsCommitted, 3u);  // gate item + a + c
  EXPECT_EQ(s.lastBatchSize, 3u);   // a, b and c went in one txn
}

TEST(GroupCommitWriter, GrowsTheMapWhenABatchDoesNotFit) {
  TempDir tmp;
  EnvOptions o = smallEnv(tmp.path());
  o.mapSize = 64ull << 10;
  o.maxMapSize = 1ull << 20;
  Env env(o);
  const Dbi dbi = openTable(env, "t");
  GroupCommitWriter writer(env, runInline);
  Counter done;
  writer.submit(
      [dbi](WriteTxn& t) {
        for (int i = 0; i < 60; ++i) {  // ~60 KiB of values: more than 64 KiB in pages
          t.put(dbi, "k" + std::to_string(i), std::string(1000, 'x'));
        }
      },
      [&](std::error_code ec) { done.add(ec); });
  ASSERT_TRUE(done.waitFor(1));
  writer.stop();
  EXPECT_FALSE(done.codes().at(0)) << done.codes().at(0).message();
  EXPECT_GE(writer.stats().mapGrowths, 1u);
  EXPECT_GT(env.mapSize(), 64ull << 10);
  EXPECT_EQ(env.beginRead().count(dbi), 60u);
}

TEST(GroupCommitWriter, MapFullReachesEveryDoneOfTheBatch) {
  TempDir tmp;
  EnvOptions o = smallEnv(tmp.path());
  o.mapSize = 64ull << 10;
  o.maxMapSize = 128ull << 10;
  Env env(o);
  const Dbi dbi = openTable(env, "t");
  env.write([dbi](WriteTxn& t) { t.put(dbi, "before", "kept"); });

  GroupCommitWriter writer(env, runInline);
  Gate gate;
  ASSERT_TRUE(holdWriter(writer, gate));
  Counter done;
  writer.submit([dbi](WriteTxn& t) { t.put(dbi, "small", "1"); },
                [&](std::error_code ec) { done.add(ec); });
  writer.submit(
      [dbi](WriteTxn& t) {
        for (int i = 0; i < 300; ++i) {  // ~300 KiB: cannot fit in 128 KiB
          t.put(dbi, "big" + std::to_string(i), std::string(1000, 'x'));
        }
      },
      [&](std::error_code ec) { done.add(ec); });
  gate.open();
  ASSERT_TRUE(done.waitFor(2));

  for (const std::error_code& ec : done.codes()) {
    EXPECT_EQ(ec, errc::map_full) << ec.message();
  }
  EXPECT_EQ(writer.stats().mapFullBatches, 1u);
  {
    ReadTxn r = env.beginRead();
    EXPECT_EQ(r.get(dbi, "before"), "kept");
    EXPECT_FALSE(r.get(dbi, "small").has_value());
  }
  // The writer survives: a later small item commits.
  Counter later;
  writer.submit([dbi](WriteTxn& t) { t.put(dbi, "later", "1"); },
                [&](std::error_code ec) { later.add(ec); });
  ASSERT_TRUE(later.waitFor(1));
  EXPECT_FALSE(later.codes().at(0));
  writer.stop();
}

TEST(GroupCommitWriter, DoneGoesThroughPostNotTheWriterThread) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  const Dbi dbi = openTable(env, "t");
  std::mutex m;
  std::vector<std::function<void()>> posted;
  Counter postedCount;
  GroupCommitWriter writer(env, [&](std::function<void()> fn) {
    {
      std::lock_guard lock(m);
      posted.push_back(std::move(fn));
    }
    postedCount.add({});
  });
  std::thread::id ranOn;
  bool called = false;
  writer.submit([dbi](WriteTxn& t) { t.put(dbi, "k", "v"); },
                [&](std::error_code ec) {
                  called = !ec;
                  ranOn = std::this_thread::get_id();
                });
  ASSERT_TRUE(postedCount.waitFor(1));
  writer.stop();
  EXPECT_FALSE(called);  // only posted so far
  std::vector<std::function<void()>> toRun;
  {
    std::lock_guard lock(m);
    toRun.swap(posted);
  }
  for (auto& fn : toRun) {
    fn();  // our "event loop"
  }
  EXPECT_TRUE(called);
  EXPECT_EQ(ranOn, std::this_thread::get_id());
}

TEST(GroupCommitWriter, StopDrainsQueueAndRefusesLaterSubmits) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  const Dbi dbi = openTable(env, "t");
  GroupCommitWriter writer(env, runInline, GroupCommitOptions{.maxBatch = 8});
  Gate gate;
  ASSERT_TRUE(holdWriter(writer, gate));
  std::atomic<int> ok{0};
  for (int i = 0; i < 50; ++i) {
    writer.submit([dbi, i](WriteTxn& t) { t.put(dbi, std::to_string(i), "v"); },
                  [&](std::error_code ec) { ok += ec ? 0 : 1; });
  }
  std::thread stopper([&] { writer.stop(); });  // stops while 50 items are queued
  gate.open();
  stopper.join();
  EXPECT_EQ(ok.load(), 50);  // drained, not dropped
  EXPECT_EQ(env.beginRead().count(dbi), 50u);

  std::error_code late;
  writer.submit([dbi](WriteTxn& t) { t.put(dbi, "late", "v"); },
                [&](std::error_code ec) { late = ec; });
  EXPECT_EQ(late, errc::shutting_down);
  EXPECT_FALSE(env.beginRead().get(dbi, "late").has_value());
  writer.stop();  // idempotent
}

TEST(GroupCommitWriter, BoundedQueueRefusesWhenFull) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  GroupCommitWriter writer(env, runInline, GroupCommitOptions{.maxBatch = 8, .maxQueue = 2});
  Gate gate;
  ASSERT_TRUE(holdWriter(writer, gate));  // the writer has taken the gate item off the queue
  std::vector<std::error_code> codes(3, errc::write_failed);
  for (size_t i = 0; i < 3; ++i) {
    writer.submit([](WriteTxn&) {}, [&codes, i](std::error_code ec) { codes[i] = ec; });
  }
  EXPECT_EQ(codes[2], errc::queue_full);  // refused at once, from this thread
  gate.open();
  writer.stop();
  EXPECT_FALSE(codes[0]);
  EXPECT_FALSE(codes[1]);
  EXPECT_EQ(writer.stats().itemsFailed, 1u);
}

TEST(GroupCommitWriter, AnEmptyPostIsRefused) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  try {
    GroupCommitWriter writer(env, GroupCommitWriter::Post{});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(env.path()), std::string::npos) << e.what();
  }
  // The env is untouched and usable: no writer thread was left behind.
  EXPECT_NO_THROW(env.write([](WriteTxn& t) { t.put(t.openDbi("t"), "k", "v"); }));
}

// With an inline post, completions run on the writer thread: the documented contract.
TEST(GroupCommitWriter, InlinePostRunsDoneOnTheWriterThread) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  const Dbi dbi = openTable(env, "t");
  GroupCommitWriter writer(env, runInline);
  std::promise<std::thread::id> workThread;
  std::promise<std::thread::id> doneThread;
  writer.submit(
      [&](WriteTxn& t) {
        t.put(dbi, "k", "v");
        workThread.set_value(std::this_thread::get_id());
      },
      [&](std::error_code) { doneThread.set_value(std::this_thread::get_id()); });
  auto doneFuture = doneThread.get_future();
  ASSERT_EQ(doneFuture.wait_for(kBoundedWait), std::future_status::ready);
  const std::thread::id ranOn = doneFuture.get();
  EXPECT_EQ(ranOn, workThread.get_future().get());
  EXPECT_NE(ranOn, std::this_thread::get_id());
  writer.stop();
}

}  // namespace
}  // namespace mfigw::store
