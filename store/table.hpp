// store/table.hpp: a typed table (one named LMDB database) with an explicit codec.
//
// Purpose:   Table<K, V, Codec> turns domain keys and records into bytes and back, so
//            domain code says `loans.get(txn, id)` and never touches MDB_val. A Codec is
//                struct LoanCodec {
//                    static constexpr uint8_t kVersion = 2;           // newest format
//                    static std::string encodeKey(const LoanId&);     // e.g. via Key
//                    static std::string encodeValue(const Loan&);     // starts with kVersion
//                    static Loan decodeValue(std::string_view);       // reads 1..kVersion
//                };
//            The table itself rejects a value whose first byte is 0 or newer than
//            Codec::kVersion before calling decodeValue, so codecs only handle versions
//            they know.
// Threading: A Table is an immutable handle after open(): share it freely. Each call
//            runs in the txn it is given (see txn.hpp for txn threading rules).
// Errors:    get() returns nullopt for a missing key; erase() returns false. DecodeError
//            (naming the table) for an undecodable record; MapFull / StoreError from
//            LMDB on writes.
// Ownership: The Table does not own its txn or env; the Env must outlive it. open() the
//            table in a write txn at startup and commit before using it in other txns
//            (LMDB makes a new table handle visible only after that commit).
#pragma once

#include "store/error.hpp"
#include "store/txn.hpp"

#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace mfigw::store {

template <class Codec, class K, class V>
concept TableCodec = requires(const K& k, const V& v, std::string_view bytes) {
  { Codec::kVersion } -> std::convertible_to<uint8_t>;
  { Codec::encodeKey(k) } -> std::convertible_to<std::string>;
  { Codec::encodeValue(v) } -> std::convertible_to<std::string>;
  { Codec::decodeValue(bytes) } -> std::convertible_to<V>;
};

template <class K, class V, class Codec>
requires TableCodec<Codec, K, V>
class Table {
 public:
  Table() = default;  // unopened; open() gives a usable table

  // Opens (creating if needed) the named table.
  static Table open(WriteTxn& txn, std::string name) {
    Table t;
    t.dbi_ = txn.openDbi(name, MDB_CREATE);
    t.name_ = std::move(name);
    t.open_ = true;
    return t;
  }

  const std::string& name() const noexcept { return name_; }
  Dbi dbi() const noexcept { return dbi_; }
  bool isOpen() const noexcept { return open_; }

  // Inserts or replaces.
  void put(WriteTxn& txn, const K& key, const V& value) const {
    txn.put(dbi_, Codec::encodeKey(key), Codec::encodeValue(value));
  }
  // Inserts only if absent; returns false (and writes nothing) when the key exists.
  bool insert(WriteTxn& txn, const K& key, const V& value) const {
    return txn.put(dbi_, Codec::encodeKey(key), Codec::encodeValue(value), MDB_NOOVERWRITE);
  }
  std::optional<V> get(const Txn& txn, const K& key) const {
    const std::optional<std::string_view> raw = txn.get(dbi_, Codec::encodeKey(key));
    if (!raw) {
      return std::nullopt;
    }
    return decode(*raw);
  }
  bool contains(const Txn& txn, const K& key) const {
    return txn.get(dbi_, Codec::encodeKey(key)).has_value();
  }
  bool erase(WriteTxn& txn, const K& key) const { return txn.erase(dbi_, Codec::encodeKey(key)); }
  uint64_t count(const Txn& txn) const { return txn.count(dbi_); }

  // Calls fn(std::string_view encodedKey, V value) for each entry whose encoded key
  // starts with `prefix` (all entries for an empty prefix), in key order. fn may return
  // bool: false stops the walk. Returns the number of entries visited. Build the prefix
  // with Key (e.g. Key().u32(branch)) so it matches how encodeKey lays keys out.
  template <class F>
  size_t forEach(const Txn& txn, F&& fn, std::string_view prefix = {}) const {
    Cursor cursor(txn, dbi_);
    size_t visited = 0;
    for (auto entry = cursor.seek(prefix); entry && entry->first.starts_with(prefix);
         entry = cursor.next()) {
      ++visited;
      if constexpr (std::is_same_v<std::invoke_result_t<F&, std::string_view, V>, bool>) {
        if (!fn(entry->first, decode(entry->second))) {
          break;
        }
      } else {
        fn(entry->first, decode(entry->second));
      }
    }
    return visited;
  }

  // The entries under `prefix`, in key order, at most `limit` of them.
  std::vector<std::pair<std::string, V>> range(
      const Txn& txn, std::string_view prefix = {},
      size_t limit = std::numeric_limits<size_t>::max()) const {
    std::vector<std::pair<std::string, V>> out;
    if (limit == 0) {
      return out;
    }
    forEach(
        txn,
        [&](std::string_view key, V value) {
          out.emplace_back(std::string(key), std::move(value));
          return out.size() < limit;
        },
        prefix);
    return out;
  }

  // Number of entries under `prefix` (walks them; count() is O(1) for the whole table).
  size_t countPrefix(const Txn& txn, std::string_view prefix) const {
    Cursor cursor(txn, dbi_);
    size_t n = 0;
    for (auto e = cursor.seek(prefix); e && e->first.starts_with(prefix); e = cursor.next()) {
      ++n;
    }
    return n;
  }

  // Deletes every entry under `prefix`; returns how many.
  size_t erasePrefix(WriteTxn& txn, std::string_view prefix) const {
    // Collect first, then delete by key: simpler to reason about than LMDB's
    // cursor-position rules after mdb_cursor_del.
    std::vector<std::string> keys;
    {
      Cursor cursor(txn, dbi_);
      for (auto e = cursor.seek(prefix); e && e->first.starts_with(prefix); e = cursor.next()) {
        keys.emplace_back(e->first);
      }
    }
    for (const std::string& k : keys) {
      txn.erase(dbi_, k);
    }
    return keys.size();
  }

  // Deletes every entry.
  void clear(WriteTxn& txn) const { txn.clear(dbi_); }

 private:
  V decode(std::string_view raw) const {
    if (raw.empty()) {
      throw DecodeError("table '" + name_ + "': empty record");
    }
    const auto version = static_cast<uint8_t>(raw.front());
    if (version == 0 || version > Codec::kVersion) {
      throw DecodeError("table '" + name_ + "': record format version " + std::to_string(version) +
                        " is unknown to this build (reads 1.." + std::to_string(Codec::kVersion) +
                        ")");
    }
    try {
      return Codec::decodeValue(raw);
    } catch (const DecodeError& e) {
      throw DecodeError("table '" + name_ + "': " + e.what());
    }
  }

  Dbi dbi_ = 0;
  std::string name_;
  bool open_ = false;
};

}  // namespace mfigw::store
