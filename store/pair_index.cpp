#include "store/pair_index.hpp"

#include "store/encoding.hpp"

#include <utility>

namespace mfigw::store {
namespace {

// Values carry only the format-version byte: the pair is the key.
constexpr std::string_view kPresent = "\x01";

std::string pairKey(std::string_view owner, std::string_view member) {
  return Key().str(owner).str(member).take();
}

}  // namespace

PairIndex PairIndex::open(WriteTxn& txn, std::string name) {
  PairIndex index;
  index.dbi_ = txn.openDbi(name, MDB_CREATE);
  index.name_ = std::move(name);
  return index;
}

bool PairIndex::add(WriteTxn& txn, std::string_view owner, std::string_view member) const {
  return txn.put(dbi_, pairKey(owner, member), kPresent, MDB_NOOVERWRITE);
}

bool PairIndex::remove(WriteTxn& txn, std::string_view owner, std::string_view member) const {
  return txn.erase(dbi_, pairKey(owner, member));
}

bool PairIndex::contains(const Txn& txn, std::string_view owner, std::string_view member) const {
  return txn.get(dbi_, pairKey(owner, member)).has_value();
}

std::vector<std::string> PairIndex::members(const Txn& txn, std::string_view owner) const {
  const std::string prefix = Key().str(owner).take();
  std::vector<std::string> out;
  Cursor cursor(txn, dbi_);
  for (auto e = cursor.seek(prefix); e && e->first.starts_with(prefix); e = cursor.next()) {
    Decoder d(e->first.substr(prefix.size()));
    out.push_back(d.keyStr());
  }
  return out;
}

size_t PairIndex::countMembers(const Txn& txn, std::string_view owner) const {
  const std::string prefix = Key().str(owner).take();
  size_t n = 0;
  Cursor cursor(txn, dbi_);
  for (auto e = cursor.seek(prefix); e && e->first.starts_with(prefix); e = cursor.next()) {
    ++n;
  }
  return n;
}

std::vector<std::pair<std::string, std::string>> PairIndex::all(const Txn& txn) const {
  std::vector<std::pair<std::string, std::string>> out;
  Cursor cursor(txn, dbi_);
  for (auto e = cursor.first(); e; e = cursor.next()) {
    Decoder d(e->first);
    std::string owner = d.keyStr();
    std::string member = d.keyStr();
    d.expectEnd();
    out.emplace_back(std::move(owner), std::move(member));
  }
  return out;
}

}  // namespace mfigw::store
