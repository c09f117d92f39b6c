// store/env.hpp: one LMDB environment (a directory holding data.mdb + lock.mdb).
//
// Purpose:   Env owns the MDB_env handle, opens it with fixed flags (MDB_NOTLS always;
//            MDB_NOSYNC|MDB_NOMETASYNC for Relaxed), grows the memory map on demand and
//            reports sizes for /metrics. The daemon opens two: a Durable `<path>/data` for
//            business data and a Relaxed `<path>/sessions` for USSD dialog state.
// Threading: All members are safe from any thread. mdb_env_set_mapsize may only run while
//            no txn of this process is open, so Env counts open top-level txns (and
//            sync()/usedBytes() calls) under a plain mutex. A resize (grow(), reclaim()'s
//            growth, adopting another process's growth) marks itself pending, which makes
//            new txns wait, waits for the count to reach zero, resizes, then lets them in.
//            A txn may end on any thread (a ReadTxn handed to another thread is fine).
//            Rules: keep read txns short (never across an async wait: a resize waits for
//            every one of them), and never call grow(), write() or reclaim() while the
//            calling thread holds a txn of this Env: the resize would wait for that txn
//            forever. grow() detects this and throws std::logic_error instead (write() and
//            reclaim() reach it only when the map is full). Detection follows the thread
//            that *began* the txn. A thread that holds a txn may begin another one even
//            while a resize is pending (it is let in rather than deadlocked).
// Errors:    The constructor throws StoreError naming the path (one line, fit for the
//            daemon to print before exiting). grow() returns false at maxMapSize and
//            throws std::logic_error when this thread holds a txn of this Env.
// Ownership: Env owns MDB_env; every Txn, Cursor and Table of it must be gone before the
//            Env is destroyed. Neither copyable nor movable (txns point to it).
#pragma once

#include "store/txn.hpp"

#include <lmdb.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace mfigw::store {

enum class Durability {
  Durable,  // fsync on every commit: a committed txn survives power loss.
  Relaxed,  // MDB_NOSYNC|MDB_NOMETASYNC: a crash may lose recent commits but never
            // corrupts; flushed by sync(true). For state we can afford to lose.
};

std::string_view toString(Durability d) noexcept;

struct EnvOptions {
  std::string path;                  // a directory; created 0700 if missing
  uint64_t mapSize = 64ULL << 20;    // initial map size
  uint64_t maxMapSize = 1ULL << 30;  // grow() never exceeds this
  unsigned maxDbs = 32;              // named DBIs (tables)
  unsigned maxReaders = 126;         // concurrent read txns, all processes
  Durability durability = Durability::Durable;
  // Room beyond maxMapSize that only reclaim() may use. LMDB deletes need free pages
  // too (copy-on-write), so a map filled to its bound could otherwise never be cleaned.
  uint64_t reserveBytes = 1ULL << 20;
};

class Env {
 public:
  explicit Env(EnvOptions options);
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  Env(Env&&) = delete;
  Env& operator=(Env&&) = delete;

  // Begin a top-level txn. MDB_MAP_RESIZED (another process grew the map) is handled by
  // adopting the new size and retrying. Throws StoreError on failure.
  ReadTxn beginRead();
  WriteTxn beginWrite();

  // Runs fn in a fresh write txn and commits it. On MapFull, grows the map once and
  // runs fn again in a new txn (so fn must not have effects outside the txn); if the
  // map cannot grow or it still does not fit, MapFull propagates.
  void write(const std::function<void(WriteTxn&)>& fn);

  // Flush to disk. With force=false a Relaxed env skips the flush (LMDB semantics).
  void sync(bool force);

  // Current map size in bytes (after grow() or another process's growth, too).
  uint64_t mapSize() const noexcept { return mapSize_.load(std::memory_order_relaxed); }
  // (last page number + 1) * page size: what the file really uses, for a metric.
  uint64_t usedBytes() const;

  // Doubles the map, capped at maxMapSize; false when already at the cap. Waits until
  // every open txn of this Env has ended (new ones wait meanwhile). Throws
  // std::logic_error if the calling thread began a txn of this Env that is still open.
  bool grow();

  // Like write(), for transactions that free space (purging old rows, expiring
  // sessions) when the map is full: on MapFull the map may extend up to maxMapSize +
  // reserveBytes for this txn, and is set back to maxMapSize (or the data's size, if
  // larger) afterwards so ordinary writes never live off the reserve. Pages freed here
  // are reusable by later txns once no reader still sees them.
  void reclaim(const std::function<void(WriteTxn&)>& fn);

  const std::string& path() const noexcept { return options_.path; }
  Durability durability() const noexcept { return options_.durability; }
  const EnvOptions& options() const noexcept { return options_; }
  MDB_env* raw() const noexcept { return env_; }

  // Diagnostics (tests, metrics): open top-level txns plus running sync()/usedBytes()
  // calls, and whether a resize is waiting for them to end.
  size_t openTxnCount() const;
  bool resizePending() const;

 private:
  friend class Txn;  // ends txns: leaveGate()
  class ResizeSection;
  class GatePass;

  // Admission to the resize gate. enterGate() waits while a resize is pending unless
  // this thread already holds a txn here; it returns the id to hand to leaveGate(),
  // which may run on any thread.
  std::thread::id enterGate() const;
  void leaveGate(std::thread::id owner) const noexcept;
  bool heldByLocked(std::thread::id id) const noexcept;  // gateMutex_ held

  MDB_txn* beginRaw(unsigned flags, std::thread::id& owner);
  void adoptGrownMap();
  bool growTo(uint64_t limit);  // doubling, capped at limit; false when at it
  void restoreBound();
  void refreshMapSize();

  EnvOptions options_;
  MDB_env* env_ = nullptr;
  std::atomic<uint64_t> mapSize_{0};

  // The resize gate. Not a std::shared_mutex: txns end on other threads than they began
  // on, and a thread may hold several, neither of which a shared_mutex allows.
  mutable std::mutex gateMutex_;
  mutable std::condition_variable gateCv_;
  mutable size_t openTxns_ = 0;
  mutable bool resizePending_ = false;
  // Which threads began the open txns, with counts. Entries are erased at zero, so in
  // steady state the vector keeps its capacity and admission does not allocate.
  mutable std::vector<std::pair<std::thread::id, size_t>> holders_;
};

}  // namespace mfigw::store
