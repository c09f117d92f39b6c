// store/txn.hpp: RAII transactions and cursors over LMDB.
//
// Purpose:   Move-only ReadTxn / WriteTxn (obtained from Env::beginRead / beginWrite) and
//            Cursor. Domain code takes a `WriteTxn&` so several updates compose into one
//            atomic commit.
// Threading: A ReadTxn may be used from any thread (the env is opened MDB_NOTLS), but by
//            one thread at a time. A WriteTxn belongs to the thread that began it (LMDB's
//            writer lock is a thread-owned mutex); a second top-level WriteTxn on the same
//            thread and env throws std::logic_error instead of deadlocking. Every open
//            top-level txn is counted by the env's resize gate (see env.hpp), so keep read
//            txns short (never across an async wait): Env::grow() waits for all of them,
//            and throws std::logic_error if the calling thread holds one.
// Errors:    LMDB failures throw StoreError; MDB_MAP_FULL (from put/erase/commit) throws
//            MapFull. A missing key is std::nullopt / `false`, never an exception.
//            Misuse (using a finished txn, a parent while its nested child is open, a
//            cursor after its txn ended) throws std::logic_error.
// Ownership: A WriteTxn destroyed without commit() is aborted. commit()/abort() close
//            every Cursor the txn handed out: LMDB frees write-txn cursors with their txn,
//            and a cursor must never outlive its txn, so a Cursor whose txn ended is
//            inert and any use of it throws. Values returned as string_view point into
//            the map and are valid only until the txn ends or (write txn) the next write.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mfigw::store {

class Env;
class Cursor;

// An opened LMDB database handle (a named table). Plain integer: cheap to copy; valid for
// the lifetime of the Env once the txn that opened it has committed.
using Dbi = MDB_dbi;

namespace detail {
struct TxnState;
}

// What ReadTxn and WriteTxn share: lookups. Functions that only read take `const Txn&`,
// so they work inside either kind of transaction.
class Txn {
 public:
  // The raw handle, for the rare call this wrapper does not cover. Throws
  // std::logic_error if the txn has ended or has an open nested child.
  MDB_txn* handle() const;
  Env& env() const;
  bool isOpen() const noexcept;
  bool isReadOnly() const noexcept;

  // nullopt when the key is absent. The view points into the map (see Ownership).
  std::optional<std::string_view> get(Dbi dbi, std::string_view key) const;
  // Number of entries in the table.
  uint64_t count(Dbi dbi) const;
  // Opens an existing named table without creating it; nullopt if it does not exist.
  std::optional<Dbi> findDbi(const std::string& name) const;

 protected:
  Txn() noexcept;
  explicit Txn(std::unique_ptr<detail::TxnState> state) noexcept;
  Txn(Txn&&) noexcept;
  Txn& operator=(Txn&&) noexcept;  // ends (aborts) the txn being replaced first
  ~Txn();                          // non-virtual on purpose: never deleted through a Txn*.

  // Ends the LMDB txn (commit or abort) after closing this txn's cursors and any open
  // nested child. Idempotent.
  void finish(bool commit);

  std::unique_ptr<detail::TxnState> state_;

  friend class Cursor;
};

class ReadTxn : public Txn {
 public:
  ReadTxn() noexcept = default;  // an empty, ended txn (a moved-from placeholder)
  ReadTxn(ReadTxn&&) noexcept = default;
  ReadTxn& operator=(ReadTxn&&) noexcept = default;  // ends the txn it replaces
  ~ReadTxn() { finish(false); }

  // Ends the snapshot early (otherwise the destructor does it).
  void end() { finish(false); }

 private:
  friend class Env;
  explicit ReadTxn(std::unique_ptr<detail::TxnState> state) noexcept;
};

class WriteTxn : public Txn {
 public:
  WriteTxn() noexcept = default;
  WriteTxn(WriteTxn&&) noexcept = default;
  WriteTxn& operator=(WriteTxn&&) noexcept = default;  // aborts the txn it replaces
  ~WriteTxn() { finish(false); }

  // Stores key -> value. With MDB_NOOVERWRITE in `flags`, returns false (and changes
  // nothing) when the key exists; otherwise always true. Throws MapFull when the map
  // is full; the txn is then unusable and must be aborted (LMDB marks it failed).
  bool put(Dbi dbi, std::string_view key, std::string_view value, unsigned flags = 0);
  // Returns false when the key was absent.
  bool erase(Dbi dbi, std::string_view key);
  // Deletes every entry of the table (the table itself stays).
  void clear(Dbi dbi);
  // Opens (creating with MDB_CREATE) a named table. LMDB rule: do this at startup, not
  // from concurrent txns; the handle is visible to other txns after this one commits.
  Dbi openDbi(const std::string& name, unsigned flags = MDB_CREATE);

  // A child txn: its writes join this txn if the child commits and vanish if it
  // aborts, leaving this txn intact. While the child is open this txn must not be used.
  WriteTxn nested();

  // Makes the writes durable (for a Durable env, fsync'd when this returns). Throws
  // MapFull on MDB_MAP_FULL, StoreError otherwise; in every case the txn has ended
  // (LMDB frees a txn whose commit fails), so the caller retries with a new one.
  void commit();
  void abort() { finish(false); }

 private:
  friend class Env;
  explicit WriteTxn(std::unique_ptr<detail::TxnState> state) noexcept;
};

// A position in one table of one txn. Entries are (key, value) views into the map.
class Cursor {
 public:
  using Entry = std::pair<std::string_view, std::string_view>;

  Cursor(const Txn& txn, Dbi dbi);
  Cursor(Cursor&& other) noexcept;
  Cursor& operator=(Cursor&& other) noexcept;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor();

  std::optional<Entry> first();
  std::optional<Entry> last();
  std::optional<Entry> next();
  std::optional<Entry> prev();
  std::optional<Entry> current();
  // First entry whose key is >= `key` (byte order).
  std::optional<Entry> seek(std::string_view key);
  // The entry with exactly this key.
  std::optional<Entry> find(std::string_view key);
  // Deletes the entry under the cursor (write txns only).
  void erase();

  // False once the cursor's txn has ended (or after a move).
  bool isOpen() const noexcept { return cursor_ != nullptr; }

 private:
  friend class Txn;
  std::optional<Entry> get(MDB_cursor_op op, std::string_view key = {});
  void detach() noexcept;  // called by the txn when it ends
  void close() noexcept;

  detail::TxnState* txn_ = nullptr;
  MDB_cursor* cursor_ = nullptr;
};

}  // namespace mfigw::store
