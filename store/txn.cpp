#include "store/txn.hpp"

#include "store/env.hpp"
#include "store/error.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mfigw::store {
namespace detail {

struct TxnState {
  Env* env = nullptr;
  MDB_txn* txn = nullptr;
  bool readOnly = false;
  // Top-level txns hold a place in the env's resize gate for their whole life (nested
  // children rely on their parent's); gateOwner is the thread that began the txn.
  bool inGate = false;
  std::thread::id gateOwner;
  std::vector<Cursor*> cursors;
  TxnState* parent = nullptr;
  TxnState* child = nullptr;
  bool topLevelWrite = false;
};

}  // namespace detail

namespace {

// Envs on which this thread holds the top-level write txn. LMDB's writer lock is not
// recursive: a second beginWrite on the same thread would block forever.
thread_local std::vector<const Env*> tlWritingEnvs;

void forgetWriter(const Env* env) {
  auto it = std::find(tlWritingEnvs.begin(), tlWritingEnvs.end(), env);
  if (it != tlWritingEnvs.end()) {
    tlWritingEnvs.erase(it);
  }
}

MDB_val toVal(std::string_view s) {
  // LMDB never writes through mv_data for keys or put values; the cast is its C API.
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view fromVal(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

}  // namespace

// ---- Env members that create txns (here, where TxnState is complete) ----

ReadTxn Env::beginRead() {
  auto state = std::make_unique<detail::TxnState>();
  state->txn = beginRaw(MDB_RDONLY, state->gateOwner);
  state->inGate = true;
  state->env = this;
  state->readOnly = true;
  return ReadTxn(std::move(state));
}

WriteTxn Env::beginWrite() {
  if (std::find(tlWritingEnvs.begin(), tlWritingEnvs.end(), this) != tlWritingEnvs.end()) {
    throw std::logic_error("store at " + path() +
                           ": this thread already holds the write transaction");
  }
  auto state = std::make_unique<detail::TxnState>();
  state->txn = beginRaw(0, state->gateOwner);
  state->inGate = true;
  state->env = this;
  state->topLevelWrite = true;
  tlWritingEnvs.push_back(this);
  return WriteTxn(std::move(state));
}

// ---- Txn ----

Txn::Txn() noexcept = default;
Txn::Txn(std::unique_ptr<detail::TxnState> state) noexcept : state_(std::move(state)) {}
Txn::Txn(Txn&&) noexcept = default;

Txn& Txn::operator=(Txn&& other) noexcept {
  if (this != &other) {
    finish(false);
    state_ = std::move(other.state_);
  }
  return *this;
}

Txn::~Txn() = default;

ReadTxn::ReadTxn(std::unique_ptr<detail::TxnState> state) noexcept : Txn(std::move(state)) {}
WriteTxn::WriteTxn(std::unique_ptr<detail::TxnState> state) noexcept : Txn(std::move(state)) {}

bool Txn::isOpen() const noexcept {
  return state_ && state_->txn != nullptr;
}
bool Txn::isReadOnly() const noexcept {
  return state_ && state_->readOnly;
}

MDB_txn* Txn::handle() const {
  if (!isOpen()) {
    throw std::logic_error("store: transaction used after it ended");
  }
  if (state_->child != nullptr) {
    throw std::logic_error("store: parent transaction used while a nested one is open");
  }
  return state_->txn;
}

Env& Txn::env() const {
  if (!state_ || state_->env == nullptr) {
    throw std::logic_error("store: empty transaction has no env");
  }
  return *state_->env;
}

void Txn::finish(bool commit) {
  if (!state_ || state_->txn == nullptr) {
    return;
  }
  detail::TxnState& st = *state_;
  // A child still open when its parent ends would be freed by LMDB underneath its
  // owner; end it first (abort: the parent is deciding, not the child).
  if (st.child != nullptr) {
    detail::TxnState* child = st.child;
    for (Cursor* c : child->cursors) {
      c->detach();
    }
    child->cursors.clear();
    mdb_txn_abort(child->txn);
    child->txn = nullptr;
    child->parent = nullptr;
    st.child = nullptr;
  }
  // Cursors first: LMDB frees write-txn cursors with the txn, and a read-txn cursor
  // must not be used after its txn. Detaching makes any later use throw.
  for (Cursor* c : st.cursors) {
    c->detach();
  }
  st.cursors.clear();

  MDB_txn* txn = st.txn;
  st.txn = nullptr;
  if (st.parent != nullptr) {
    st.parent->child = nullptr;
    st.parent = nullptr;
  }
  if (st.topLevelWrite) {
    forgetWriter(st.env);
  }
  int rc = 0;
  if (commit) {
    rc = mdb_txn_commit(txn);  // frees txn even on failure
  } else {
    mdb_txn_abort(txn);
  }
  // Leave the resize gate only after LMDB let go of the txn. Legal from any thread.
  if (st.inGate) {
    st.inGate = false;
    st.env->leaveGate(st.gateOwner);
  }
  if (rc != 0) {
    throwStoreError(rc, "cannot commit transaction on store at " + st.env->path());
  }
}

std::optional<std::string_view> Txn::get(Dbi dbi, std::string_view key) const {
  MDB_val k = toVal(key);
  MDB_val v{};
  const int rc = mdb_get(handle(), dbi, &k, &v);
  if (rc == MDB_NOTFOUND) {
    return std::nullopt;
  }
  check(rc, [&] { return "cannot read from store at " + state_->env->path(); });
  return fromVal(v);
}

uint64_t Txn::count(Dbi dbi) const {
  MDB_stat st{};
  check(mdb_stat(handle(), dbi, &st),
        [&] { return "cannot stat table in store at " + state_->env->path(); });
  return st.ms_entries;
}

std::optional<Dbi> Txn::findDbi(const std::string& name) const {
  Dbi dbi = 0;
  const int rc = mdb_dbi_open(handle(), name.c_str(), 0, &dbi);
  if (rc == MDB_NOTFOUND) {
    return std::nullopt;
  }
  check(rc, [&] { return "cannot open table '" + name + "' in store at " + state_->env->path(); });
  return dbi;
}

// ---- WriteTxn ----

bool WriteTxn::put(Dbi dbi, std::string_view key, std::string_view value, unsigned flags) {
  MDB_val k = toVal(key);
  MDB_val v = toVal(value);
  const int rc = mdb_put(handle(), dbi, &k, &v, flags);
  if (rc == MDB_KEYEXIST && (flags & MDB_NOOVERWRITE) != 0) {
    return false;
  }
  check(rc, [&] { return "cannot write to store at " + state_->env->path(); });
  return true;
}

bool WriteTxn::erase(Dbi dbi, std::string_view key) {
  MDB_val k = toVal(key);
  const int rc = mdb_del(handle(), dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) {
    return false;
  }
  check(rc, [&] { return "cannot delete from store at " + state_->env->path(); });
  return true;
}

void WriteTxn::clear(Dbi dbi) {
  check(mdb_drop(handle(), dbi, 0),
        [&] { return "cannot clear table in store at " + state_->env->path(); });
}

Dbi WriteTxn::openDbi(const std::string& name, unsigned flags) {
  Dbi dbi = 0;
  check(mdb_dbi_open(handle(), name.c_str(), flags, &dbi),
        [&] { return "cannot open table '" + name + "' in store at " + state_->env->path(); });
  return dbi;
}

WriteTxn WriteTxn::nested() {
  MDB_txn* parent = handle();
  auto state = std::make_unique<detail::TxnState>();
  MDB_txn* child = nullptr;
  check(mdb_txn_begin(mdb_txn_env(parent), parent, 0, &child),
        [&] { return "cannot begin nested transaction on store at " + state_->env->path(); });
  state->env = state_->env;
  state->txn = child;
  state->parent = state_.get();
  state_->child = state.get();
  return WriteTxn(std::move(state));
}

void WriteTxn::commit() {
  if (!isOpen()) {
    throw std::logic_error("store: commit of a transaction that already ended");
  }
  finish(true);
}

// ---- Cursor ----

Cursor::Cursor(const Txn& txn, Dbi dbi) {
  MDB_txn* handle = txn.handle();
  check(mdb_cursor_open(handle, dbi, &cursor_),
        [&] { return "cannot open cursor on store at " + txn.state_->env->path(); });
  txn_ = txn.state_.get();
  txn_->cursors.push_back(this);
}

Cursor::Cursor(Cursor&& other) noexcept : txn_(other.txn_), cursor_(other.cursor_) {
  if (txn_ != nullptr) {
    std::replace(txn_->cursors.begin(), txn_->cursors.end(), &other, this);
  }
  other.txn_ = nullptr;
  other.cursor_ = nullptr;
}

Cursor& Cursor::operator=(Cursor&& other) noexcept {
  if (this != &other) {
    close();
    txn_ = other.txn_;
    cursor_ = other.cursor_;
    if (txn_ != nullptr) {
      std::replace(txn_->cursors.begin(), txn_->cursors.end(), &other, this);
    }
    other.txn_ = nullptr;
    other.cursor_ = nullptr;
  }
  return *this;
}

Cursor::~Cursor() {
  close();
}

void Cursor::close() noexcept {
  if (cursor_ != nullptr) {
    mdb_cursor_close(cursor_);
    cursor_ = nullptr;
  }
  if (txn_ != nullptr) {
    auto& list = txn_->cursors;
    list.erase(std::remove(list.begin(), list.end(), this), list.end());
    txn_ = nullptr;
  }
}

void Cursor::detach() noexcept {
  // Called by the owning txn just before it ends. Closing explicitly is valid for both
  // read and write txns at this point and leaves nothing for LMDB to free twice.
  if (cursor_ != nullptr) {
    mdb_cursor_close(cursor_);
  }
  cursor_ = nullptr;
  txn_ = nullptr;
}

std::optional<Cursor::Entry> Cursor::get(MDB_cursor_op op, std::string_view key) {
  if (cursor_ == nullptr) {
    throw std::logic_error("store: cursor used after its transaction ended");
  }
  if (txn_->child != nullptr) {
    throw std::logic_error("store: cursor of a parent txn used while a nested one is open");
  }
  MDB_val k = toVal(key);
  MDB_val v{};
  const int rc = mdb_cursor_get(cursor_, &k, &v, op);
  if (rc == MDB_NOTFOUND) {
    return std::nullopt;
  }
  check(rc, [&] { return "cannot read cursor on store at " + txn_->env->path(); });
  return Entry{fromVal(k), fromVal(v)};
}

std::optional<Cursor::Entry> Cursor::first() {
  return get(MDB_FIRST);
}
std::optional<Cursor::Entry> Cursor::last() {
  return get(MDB_LAST);
}
std::optional<Cursor::Entry> Cursor::next() {
  return get(MDB_NEXT);
}
std::optional<Cursor::Entry> Cursor::prev() {
  return get(MDB_PREV);
}
std::optional<Cursor::Entry> Cursor::current() {
  return get(MDB_GET_CURRENT);
}

std::optional<Cursor::Entry> Cursor::seek(std::string_view key) {
  // MDB_SET_RANGE with an empty key is not allowed; "first key >= empty" is first().
  if (key.empty()) {
    return first();
  }
  return get(MDB_SET_RANGE, key);
}

std::optional<Cursor::Entry> Cursor::find(std::string_view key) {
  if (key.empty()) {
    return std::nullopt;  // LMDB keys are never empty
  }
  return get(MDB_SET_KEY, key);
}

void Cursor::erase() {
  if (cursor_ == nullptr) {
    throw std::logic_error("store: cursor used after its transaction ended");
  }
  if (txn_->readOnly) {
    throw std::logic_error("store: cursor erase in a read-only transaction");
  }
  check(mdb_cursor_del(cursor_, 0),
        [&] { return "cannot delete via cursor on store at " + txn_->env->path(); });
}

}  // namespace mfigw::store
