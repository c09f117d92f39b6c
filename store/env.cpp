#include "store/env.hpp"

#include "store/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <thread>

namespace mfigw::store {
namespace {

// Creates `path` and any missing parents with mode 0700 (the store holds borrower data),
// then checks that we can list, read and write it, so a misconfigured StateDirectory is
// reported as one clear line naming the path instead of a later, vaguer LMDB error.
void prepareDirectory(const std::string& path) {
  if (path.empty()) {
    throw StoreError(0, "store path is empty");
  }
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    prefix = path.substr(0, pos);
    struct stat existing {};
    if (prefix.empty() || ::stat(prefix.c_str(), &existing) == 0) {
      continue;
    }
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      throw StoreError(errno,
                       "cannot create store directory " + prefix + " (for store at " + path + ")");
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw StoreError(errno, "cannot access store directory " + path);
  }
  if (!S_ISDIR(st.st_mode)) {
    throw StoreError(ENOTDIR, "cannot open store at " + path);
  }
  if (::access(path.c_str(), R_OK | W_OK | X_OK) != 0) {
    throw StoreError(errno, "cannot open store at " + path + " (need read+write access)");
  }
}

struct EnvCloser {
  void operator()(MDB_env* env) const noexcept { mdb_env_close(env); }
};

}  // namespace

std::string_view toString(Durability d) noexcept {
  switch (d) {
    case Durability::Durable:
      return "Durable";
    case Durability::Relaxed:
      return "Relaxed";
  }
  return "unknown";
}

Env::Env(EnvOptions options) : options_(std::move(options)) {
  while (options_.path.size() > 1 && options_.path.back() == '/') {
    options_.path.pop_back();
  }
  options_.maxMapSize = std::max(options_.maxMapSize, options_.mapSize);
  prepareDirectory(options_.path);

  const std::string where = "cannot open store at " + options_.path;
  MDB_env* raw = nullptr;
  check(mdb_env_create(&raw), where);
  std::unique_ptr<MDB_env, EnvCloser> env(raw);
  check(mdb_env_set_maxdbs(env.get(), options_.maxDbs), where);
  check(mdb_env_set_maxreaders(env.get(), options_.maxReaders), where);
  check(mdb_env_set_mapsize(env.get(), options_.mapSize), where);

  // MDB_NOTLS: read txns are not bound to a thread slot, so one can be begun on one
  // thread and ended on another (needed with a thread pool / asio strands).
  unsigned flags = MDB_NOTLS;
  if (options_.durability == Durability::Relaxed) {
    flags |= MDB_NOSYNC | MDB_NOMETASYNC;
  }
  check(mdb_env_open(env.get(), options_.path.c_str(), flags, 0600), where);

  // Children we fork/exec (none planned, but libraries do) must not inherit the data
  // file descriptor: a stray copy keeps POSIX locks and the file alive.
  mdb_filehandle_t fd = -1;
  if (mdb_env_get_fd(env.get(), &fd) == 0 && fd >= 0) {
    const int fdFlags = ::fcntl(fd, F_GETFD);
    if (fdFlags < 0 || ::fcntl(fd, F_SETFD, fdFlags | FD_CLOEXEC) != 0) {
      throw StoreError(errno, where + " (setting close-on-exec)");
    }
  }
  env_ = env.release();
  // LMDB maps max(configured size, data already in the file): a store grown in an
  // earlier run restarts at its data size and grows again on demand. Report what is
  // really mapped.
  refreshMapSize();
}

Env::~Env() {
  mdb_env_close(env_);
}

void Env::refreshMapSize() {
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  mapSize_.store(info.me_mapsize, std::memory_order_relaxed);
}

// ---- The resize gate ----

bool Env::heldByLocked(std::thread::id id) const noexcept {
  return std::any_of(holders_.begin(), holders_.end(),
                     [id](const auto& h) { return h.first == id; });
}

std::thread::id Env::enterGate() const {
  const std::thread::id self = std::this_thread::get_id();
  std::unique_lock lock(gateMutex_);
  // A thread that already holds a txn here is let in even while a resize is pending:
  // the resize waits for that txn anyway, and making this thread wait for the resize
  // would deadlock (e.g. beginning a WriteTxn while holding a ReadTxn).
  if (resizePending_ && !heldByLocked(self)) {
    gateCv_.wait(lock, [this] { return !resizePending_; });
  }
  ++openTxns_;
  auto it = std::find_if(holders_.begin(), holders_.end(),
                         [self](const auto& h) { return h.first == self; });
  if (it != holders_.end()) {
    ++it->second;
  } else {
    holders_.emplace_back(self, 1);
  }
  return self;
}

void Env::leaveGate(std::thread::id owner) const noexcept {
  bool wake = false;
  {
    std::lock_guard lock(gateMutex_);
    --openTxns_;
    auto it = std::find_if(holders_.begin(), holders_.end(),
                           [owner](const auto& h) { return h.first == owner; });
    if (it != holders_.end() && --it->second == 0) {
      *it = holders_.back();
      holders_.pop_back();
    }
    wake = resizePending_ && openTxns_ == 0;
  }
  if (wake) {
    gateCv_.notify_all();
  }
}

size_t Env::openTxnCount() const {
  std::lock_guard lock(gateMutex_);
  return openTxns_;
}

bool Env::resizePending() const {
  std::lock_guard lock(gateMutex_);
  return resizePending_;
}

// Exclusive access for mdb_env_set_mapsize: marks a resize pending (new txns wait), waits
// until no txn is open, and holds the gate mutex until destroyed, so the map is never
// remapped under a txn. One resize at a time.
class Env::ResizeSection {
 public:
  explicit ResizeSection(const Env& env) : env_(env), lock_(env.gateMutex_) {
    if (env_.heldByLocked(std::this_thread::get_id())) {
      throw std::logic_error("store at " + env_.path() +
                             ": cannot resize the map while this thread holds one of "
                             "its transactions (it would wait for itself forever)");
    }
    env_.gateCv_.wait(lock_, [this] { return !env_.resizePending_; });
    env_.resizePending_ = true;
    env_.gateCv_.wait(lock_, [this] { return env_.openTxns_ == 0; });
  }
  ~ResizeSection() {
    env_.resizePending_ = false;
    lock_.unlock();
    env_.gateCv_.notify_all();
  }
  ResizeSection(const ResizeSection&) = delete;
  ResizeSection& operator=(const ResizeSection&) = delete;

 private:
  const Env& env_;
  std::unique_lock<std::mutex> lock_;
};

// A place in the gate for a call that touches the map outside any txn.
class Env::GatePass {
 public:
  explicit GatePass(const Env& env) : env_(env), owner_(env.enterGate()) {}
  ~GatePass() { env_.leaveGate(owner_); }
  GatePass(const GatePass&) = delete;
  GatePass& operator=(const GatePass&) = delete;

 private:
  const Env& env_;
  std::thread::id owner_;
};

MDB_txn* Env::beginRaw(unsigned flags, std::thread::id& owner) {
  const char* kind = (flags & MDB_RDONLY) != 0 ? "read" : "write";
  for (int attempt = 0;; ++attempt) {
    owner = enterGate();
    // Outside the gate mutex: a write txn may block here on LMDB's writer lock, and
    // the writer holding it must be able to end its txn (which takes the mutex).
    MDB_txn* txn = nullptr;
    const int rc = mdb_txn_begin(env_, nullptr, flags, &txn);
    if (rc == 0) {
      return txn;
    }
    leaveGate(owner);
    // Another process grew the map past ours: adopt its size (which needs no txn of
    // ours open) and try again. A few attempts are plenty; the loop only guards
    // against a pathological grow storm. If this thread holds another txn here we
    // cannot adopt without waiting for ourselves, so report it instead.
    bool holdsOther = false;
    if (rc == MDB_MAP_RESIZED) {
      std::lock_guard lock(gateMutex_);
      holdsOther = heldByLocked(owner);
    }
    if (rc == MDB_MAP_RESIZED && attempt < 4 && !holdsOther) {
      adoptGrownMap();
      continue;
    }
    throwStoreError(rc, std::string("cannot begin ") + kind + " transaction on store at " +
                            options_.path +
                            (holdsOther ? " (the map was grown by another process; end "
                                          "this thread's other transactions and retry)"
                                        : ""));
  }
}

void Env::adoptGrownMap() {
  const ResizeSection resize(*this);
  check(mdb_env_set_mapsize(env_, 0),
        [&] { return "cannot adopt grown map of store at " + options_.path; });
  refreshMapSize();
}

bool Env::grow() {
  return growTo(options_.maxMapSize);
}

bool Env::growTo(uint64_t limit) {
  const ResizeSection resize(*this);
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  const uint64_t current = info.me_mapsize;
  if (current >= limit) {
    return false;
  }
  const uint64_t next = std::min(current * 2, limit);
  check(mdb_env_set_mapsize(env_, next),
        [&] { return "cannot grow map of store at " + options_.path; });
  refreshMapSize();
  return true;
}

void Env::restoreBound() {
  if (mapSize() <= options_.maxMapSize) {
    return;  // only reclaim() raises it past the bound, and it is done with the map
  }
  const ResizeSection resize(*this);
  if (mapSize() <= options_.maxMapSize) {
    return;  // another reclaim() restored it while we waited
  }
  // LMDB raises a too-small request to the data's size by itself.
  check(mdb_env_set_mapsize(env_, options_.maxMapSize),
        [&] { return "cannot restore map size of store at " + options_.path; });
  refreshMapSize();
}

void Env::reclaim(const std::function<void(WriteTxn&)>& fn) {
  const uint64_t limit = options_.maxMapSize + options_.reserveBytes;
  try {
    for (int attempt = 0;; ++attempt) {
      try {
        WriteTxn txn = beginWrite();
        fn(txn);
        txn.commit();
        break;
      } catch (const MapFull&) {
        // First the ordinary growth, then into the reserve; one jump each.
        if (attempt >= 2 || !(grow() || growTo(limit))) {
          throw;
        }
      }
    }
  } catch (...) {
    restoreBound();
    throw;
  }
  restoreBound();
}

void Env::sync(bool force) {
  // Counted like a txn: syncing must not race a remap by grow().
  const GatePass pass(*this);
  check(mdb_env_sync(env_, force ? 1 : 0), [&] { return "cannot sync store at " + options_.path; });
}

uint64_t Env::usedBytes() const {
  // The meta pages live inside the map, which grow() unmaps and remaps.
  const GatePass pass(*this);
  MDB_envinfo info{};
  MDB_stat st{};
  mdb_env_info(env_, &info);
  check(mdb_env_stat(env_, &st), [&] { return "cannot stat store at " + options_.path; });
  return (static_cast<uint64_t>(info.me_last_pgno) + 1) * st.ms_psize;
}

void Env::write(const std::function<void(WriteTxn&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    try {
      WriteTxn txn = beginWrite();
      fn(txn);
      txn.commit();
      return;
    } catch (const MapFull&) {
      // The txn is gone (aborted by ~WriteTxn or by the failed commit), so no txn
      // of this thread is open and grow() can take the lock.
      if (attempt > 0 || !grow()) {
        throw;
      }
    }
  }
}

}  // namespace mfigw::store
