// store/group_commit_writer.hpp: many logical writes, one LMDB commit (one fsync) per turn.
//
// Purpose:   The daemon acknowledges an inbound item only after it is durable, but an
//            fsync per message would cap throughput at the disk's sync rate. Callers
//            submit(work, done); a dedicated writer thread takes everything queued (up to
//            maxBatch), runs each work item in its own nested txn, commits once, and only
//            then reports success to every `done`. fsync therefore never blocks the event
//            loop, and under load batches grow by themselves (while one commit syncs, the
//            next batch queues up).
// Threading: submit(), stats() and stop() are thread-safe. `work` runs on the writer
//            thread and must not block on the event loop or begin its own top-level txn
//            on this env. `done` is never called by the writer itself: every completion
//            is handed to the `post` function given at construction, which is required
//            (an empty one throws std::invalid_argument). The daemon passes one that
//            asio::post()s onto its io_context. A post that runs its argument inline (as
//            tests do) makes `done` run on the writer thread, or on the submitting thread
//            for refusals; then `done` must not block or submit-and-wait.
// Errors:    Reported to `done` as std::error_code (store::errc): success; write_failed
//            (the item threw, or LMDB failed; only that item when the item alone threw);
//            map_full (the batch did not fit even after growing the map once; nothing of
//            the batch was written); shutting_down (submitted after stop()); queue_full
//            (maxQueue items already waiting). Exceptions escaping `post`/`done` are
//            swallowed and counted, so one bad callback cannot kill the writer.
// Ownership: The writer borrows the Env, which must outlive it. The destructor calls
//            stop(), which drains what is queued, then joins.
#pragma once

#include "store/env.hpp"
#include "store/errc.hpp"
#include "store/txn.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace mfigw::store {

struct GroupCommitOptions {
  size_t maxBatch = 512;     // items per transaction
  size_t maxQueue = 100000;  // waiting items beyond which submit() refuses (queue_full)
};

class GroupCommitWriter {
 public:
  using Work = std::function<void(WriteTxn&)>;
  using Done = std::function<void(std::error_code)>;
  using Post = std::function<void(std::function<void()>)>;

  struct Stats {
    uint64_t batchesCommitted = 0;
    uint64_t itemsCommitted = 0;
    uint64_t itemsFailed = 0;
    uint64_t mapFullBatches = 0;  // batches refused for lack of space after growing
    uint64_t mapGrowths = 0;      // times the writer grew the map
    uint64_t callbackErrors = 0;  // exceptions thrown by post/done
    uint64_t lastBatchSize = 0;
    uint64_t queueDepth = 0;
  };

  // Starts the writer thread. Throws std::invalid_argument if `post` is empty: where
  // completions run is the caller's decision, never a silent default.
  GroupCommitWriter(Env& env, Post post, GroupCommitOptions options = {});
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues `work`; `done` (may be empty) later receives the outcome through `post`.
  // After stop(), or when the queue is full, `done` is posted right away (from the
  // calling thread) with errc::shutting_down / errc::queue_full.
  void submit(Work work, Done done);

  // Refuses new items, finishes every queued one, then joins. Idempotent.
  void stop();

  Stats stats() const;

 private:
  struct Item {
    Work work;
    Done done;
  };
  enum class BatchOutcome { Committed, MapFull, Failed };

  void run();
  void processBatch(std::vector<Item>& batch);
  BatchOutcome attempt(std::vector<Item>& batch, std::vector<std::error_code>& results);
  void deliver(Done& done, std::error_code ec);

  Env& env_;
  Post post_;
  GroupCommitOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::mutex joinMutex_;  // serialises concurrent stop() calls around join()

  std::atomic<uint64_t> batchesCommitted_{0};
  std::atomic<uint64_t> itemsCommitted_{0};
  std::atomic<uint64_t> itemsFailed_{0};
  std::atomic<uint64_t> mapFullBatches_{0};
  std::atomic<uint64_t> mapGrowths_{0};
  std::atomic<uint64_t> callbackErrors_{0};
  std::atomic<uint64_t> lastBatchSize_{0};

  std::thread thread_;  // last: started once everything above is constructed
};

}  // namespace mfigw::store
