// store/pair_index.hpp: a secondary index as a set of (owner, member) string pairs.
//
// Purpose:   "Loans of a client" and "members of a group" are one-to-many relations. Each
//            pair is one LMDB key Key().str(owner).str(member) with an empty-ish value, so
//            the members of an owner are one prefix range, in byte order, and adding or
//            removing a pair touches one key. The facade that owns the primary table
//            (LoanBook) keeps the pairs in step with the records in the same WriteTxn.
// Threading: An immutable handle after open(); each call runs in the txn it is given.
// Errors:    StoreError / MapFull from LMDB; DecodeError for a malformed key.
// Ownership: Does not own txns or the env; the Env must outlive it.
#pragma once

#include "store/txn.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::store {

class PairIndex {
 public:
  PairIndex() = default;  // unopened

  // Opens (creating if needed) the named table. Commit before using it in other txns.
  static PairIndex open(WriteTxn& txn, std::string name);

  const std::string& name() const noexcept { return name_; }
  Dbi dbi() const noexcept { return dbi_; }

  // Both return false when nothing changed (already present / absent).
  bool add(WriteTxn& txn, std::string_view owner, std::string_view member) const;
  bool remove(WriteTxn& txn, std::string_view owner, std::string_view member) const;
  bool contains(const Txn& txn, std::string_view owner, std::string_view member) const;

  // The members of `owner` in byte order.
  std::vector<std::string> members(const Txn& txn, std::string_view owner) const;
  size_t countMembers(const Txn& txn, std::string_view owner) const;
  // Every pair, in (owner, member) order: for audits and tests.
  std::vector<std::pair<std::string, std::string>> all(const Txn& txn) const;
  uint64_t count(const Txn& txn) const { return txn.count(dbi_); }

 private:
  Dbi dbi_ = 0;
  std::string name_;
};

}  // namespace mfigw::store
