#include "store/reconcile_digest.hpp"

#include <map>

namespace mfigw::store {

uint64_t fnv1a64(std::string_view bytes) noexcept {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t mix64(uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t reconcileTerm(std::string_view loanId, uint64_t ver) noexcept {
  return mix64(fnv1a64(loanId) ^ mix64(ver));
}

std::vector<BranchDigest> reconcileDigests(const Txn& txn, const LoanTable& loans) {
  std::map<uint16_t, BranchDigest> byBranch;
  loans.forEach(txn, [&](std::string_view, const LoanSnapshot& loan) {
    BranchDigest& d = byBranch[loan.branch];
    d.branch = loan.branch;
    d.add(loan.loanId, loan.ver);
  });
  std::vector<BranchDigest> out;
  out.reserve(byBranch.size());
  for (const auto& [branch, digest] : byBranch) {
    out.push_back(digest);
  }
  return out;
}

BranchDigest reconcileDigest(const Txn& txn, const LoanTable& loans, uint16_t branch) {
  BranchDigest digest;
  digest.branch = branch;
  loans.forEach(txn, [&](std::string_view, const LoanSnapshot& loan) {
    if (loan.branch == branch) {
      digest.add(loan.loanId, loan.ver);
    }
  });
  return digest;
}

}  // namespace mfigw::store
