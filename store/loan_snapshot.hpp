// store/loan_snapshot.hpp: the compact loan snapshot (reference/upstream.md section 3).
//
// Purpose:   Everything the balance screen, the reminders and eligibility need about one
//            loan, as upstream last reported it: integer minor units, day numbers, the
//            next (up to 3) unpaid installments, status, flags, `ver` (the upstream stamp
//            the sync cursor follows) and `asOf` (when the appliance last confirmed it).
//            Days past due and next due are derived locally (loan_status.hpp), never
//            stored. Member names spell out the reference's short keys (given in comments);
//            problem messages use the short keys.
// Threading: Table rules (see table.hpp).
// Errors:    LoanSnapshotCodec::encodeValue throws InvalidRecord naming every field out of
//            bounds (see loanSnapshotProblems()); nothing is truncated. DecodeError for an
//            undecodable record.
// Ownership: Plain values.
#pragma once

#include "store/day_number.hpp"
#include "store/record_check.hpp"
#include "store/table.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::store {

inline constexpr size_t kMaxAccountNoBytes = 20;
inline constexpr size_t kMaxProductBytes = 12;
inline constexpr size_t kMaxOfficerBytes = 16;
inline constexpr size_t kMaxInstallments = 3;
inline constexpr uint8_t kMaxCurrencyDecimals = 6;  // ISO 4217 uses 0..4; Fineract allows 6
// 10^15 minor units: far above any microloan, and low enough that summing thousands of
// amounts (a client's or a branch's loans) cannot overflow an int64.
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;

// `st`: one ASCII letter on the wire, as in the reference.
enum class LoanStatus : uint8_t {
  Active = 'A',
  Arrears = 'R',
  Closed = 'C',
  WrittenOff = 'W',
  Pending = 'P',  // approved or submitted, not yet disbursed
};
std::string_view toString(LoanStatus status) noexcept;
std::optional<LoanStatus> loanStatusFromCode(char code) noexcept;

// `flags`
enum class LoanFlag : uint8_t {
  Paused = 1 << 0,           // collections/delinquency ageing paused upstream
  DeferralPending = 1 << 1,  // a deferral request awaits the MFI's decision
  OptOut = 1 << 2,           // the loan system says: no reminders
  Npa = 1 << 3,              // non-performing asset
  ChargedOff = 1 << 4,
};
inline constexpr uint8_t kKnownLoanFlagBits = 0x1F;
std::string_view toString(LoanFlag flag) noexcept;

enum class InstallmentFlag : uint8_t {
  PartiallyPaid = 1 << 0,
};
inline constexpr uint8_t kKnownInstallmentFlagBits = 0x01;

// `inst[k]`: an unpaid installment.
struct Installment {
  DayNumber dueDay = kNoDay;
  int64_t amountDue = 0;  // still due on this installment, minor units
  uint8_t flags = 0;      // InstallmentFlag bits

  bool partiallyPaid() const noexcept {
    return (flags & static_cast<uint8_t>(InstallmentFlag::PartiallyPaid)) != 0;
  }
  bool operator==(const Installment&) const = default;
};

struct LoanSnapshot {
  std::string loanId;                      // lid: 1..36 bytes, the key
  std::string accountNo;                   // acct: 1..20 bytes, shown to the borrower
  std::string clientId;                    // cid: 1..36 bytes
  std::string msisdn;                      // msisdn: E.164 digits; empty when unknown
  std::string language;                    // lang: ISO 639, 2-3 letters
  LoanStatus status = LoanStatus::Active;  // st
  std::string currency;                    // cur: ISO 4217
  uint8_t decimals = 0;                    // dec: 0..6
  int64_t disbursed = 0;                   // disb, minor units (all amounts 0..kMaxAmountMinor)
  int64_t principalOutstanding = 0;        // pout
  int64_t totalOutstanding = 0;            // tout: payoff, excluding future interest
  int64_t totalOverdue = 0;                // tod: arrears
  DayNumber overdueSince = kNoDay;         // odsince: oldest unpaid due date; set iff tod > 0
  std::vector<Installment> installments;   // inst: 0..3, due days strictly ascending
  DayNumber lastPaymentDay = kNoDay;       // lpd
  int64_t lastPaymentAmount = 0;           // lpa
  std::string product;                     // prod: 0..12 bytes
  std::string officer;                     // lo: 0..16 bytes, loan officer display name
  uint16_t branch = 0;                     // br
  uint8_t flags = 0;                       // flags: LoanFlag bits
  uint64_t ver = 0;                        // ver: upstream modification stamp
  uint32_t asOf = 0;  // asof: epoch seconds when the appliance last confirmed the record

  bool has(LoanFlag f) const noexcept { return (flags & static_cast<uint8_t>(f)) != 0; }
  bool operator==(const LoanSnapshot&) const = default;
};

// Every field outside its bounds (named by its short key); empty when writable.
std::vector<FieldProblem> loanSnapshotProblems(const LoanSnapshot& loan);

struct LoanSnapshotCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const std::string& loanId) { return loanId; }
  static std::string encodeValue(const LoanSnapshot& loan);  // checks bounds first
  static LoanSnapshot decodeValue(std::string_view bytes);
};

using LoanTable = Table<std::string, LoanSnapshot, LoanSnapshotCodec>;

}  // namespace mfigw::store
