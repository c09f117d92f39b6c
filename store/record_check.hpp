// store/record_check.hpp: field bounds of the records the store keeps, checked on write.
//
// Purpose:   Records from upstream (loan snapshots, clients, groups, payment points) have
//            documented bounds (string lengths, digit-only phone numbers, enum ranges,
//            non-negative amounts). A value outside them is refused with a message that
//            names the record and every offending field; nothing is truncated. Each record
//            file has a `problems(record)` function built on FieldChecks, and its codec
//            throws InvalidRecord from encodeValue(), so no table write can skip the check.
//            The sync and the CSV importer call problems() first to report all bad fields.
// Threading: Value types, no shared state.
// Errors:    InvalidRecord (a std::invalid_argument: bad input, not a store failure).
//            Messages state lengths and bounds but never quote free text or phone numbers
//            (they end up in logs; see DESIGN.md on PII).
// Ownership: Plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mfigw::store {

// Upstream ids (cid, lid, group and payment point ids): up to a UUID's 36 characters.
inline constexpr size_t kMaxIdBytes = 36;

struct FieldProblem {
  std::string field;    // the record's short field name, e.g. "acct" or "inst[2].amount"
  std::string message;  // what is wrong, e.g. "is 21 bytes, at most 20"

  bool operator==(const FieldProblem&) const = default;
};

// "loan snapshot 'L-17': acct is 21 bytes, at most 20; cur must be 3 upper-case letters"
std::string describeProblems(std::string_view recordKind, std::string_view recordId,
                             const std::vector<FieldProblem>& problems);

class InvalidRecord : public std::invalid_argument {
 public:
  InvalidRecord(std::string_view recordKind, std::string_view recordId,
                std::vector<FieldProblem> problems);

  const std::vector<FieldProblem>& problems() const noexcept { return problems_; }

 private:
  std::vector<FieldProblem> problems_;
};

// Collects the problems of one record; each check appends at most one problem.
class FieldChecks {
 public:
  // A string of minBytes..maxBytes bytes (UTF-8 is counted in bytes, not characters).
  void text(std::string_view field, std::string_view value, size_t minBytes, size_t maxBytes);
  // An id used as a table key: 1..maxBytes bytes, no NUL byte.
  void id(std::string_view field, std::string_view value, size_t maxBytes);
  // E.164 digits without '+': 1..15 ASCII digits, the first not '0'. Empty is allowed
  // only when `optional` (the phone is unknown).
  void msisdn(std::string_view field, std::string_view value, bool optional);
  // ISO 639 code: 2 or 3 lower-case ASCII letters.
  void language(std::string_view field, std::string_view value);
  // ISO 4217 code: 3 upper-case ASCII letters.
  void currency(std::string_view field, std::string_view value);
  void range(std::string_view field, int64_t value, int64_t min, int64_t max);
  // `value` uses no bit outside `knownBits`.
  void bits(std::string_view field, uint64_t value, uint64_t knownBits);
  // A free-form failure (cross-field rules such as "due days ascending").
  void fail(std::string_view field, std::string message);

  bool ok() const noexcept { return problems_.empty(); }
  const std::vector<FieldProblem>& problems() const& noexcept { return problems_; }
  std::vector<FieldProblem> take() noexcept { return std::move(problems_); }

 private:
  std::vector<FieldProblem> problems_;
};

// Throws InvalidRecord when `problems` is not empty.
void throwIfInvalid(std::string_view recordKind, std::string_view recordId,
                    std::vector<FieldProblem> problems);

}  // namespace mfigw::store
