#include "store/loan_snapshot.hpp"

#include "store/encoding.hpp"
#include "store/error.hpp"

#include <array>
#include <utility>

namespace mfigw::store {
namespace {

constexpr std::array<std::pair<LoanStatus, std::string_view>, 5> kStatusNames = {{
    {LoanStatus::Active, "active"},
    {LoanStatus::Arrears, "arrears"},
    {LoanStatus::Closed, "closed"},
    {LoanStatus::WrittenOff, "written_off"},
    {LoanStatus::Pending, "pending"},
}};

constexpr std::array<std::pair<LoanFlag, std::string_view>, 5> kFlagNames = {{
    {LoanFlag::Paused, "paused"},
    {LoanFlag::DeferralPending, "deferral_pending"},
    {LoanFlag::OptOut, "opt_out"},
    {LoanFlag::Npa, "npa"},
    {LoanFlag::ChargedOff, "charged_off"},
}};

void checkAmount(FieldChecks& check, std::string_view field, int64_t amount) {
  check.range(field, amount, 0, kMaxAmountMinor);
}

}  // namespace

std::string_view toString(LoanStatus status) noexcept {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) {
      return name;
    }
  }
  return "unknown";
}

std::optional<LoanStatus> loanStatusFromCode(char code) noexcept {
  for (const auto& [value, name] : kStatusNames) {
    if (static_cast<char>(value) == code) {
      return value;
    }
  }
  return std::nullopt;
}

std::string_view toString(LoanFlag flag) noexcept {
  for (const auto& [value, name] : kFlagNames) {
    if (value == flag) {
      return name;
    }
  }
  return "unknown";
}

std::vector<FieldProblem> loanSnapshotProblems(const LoanSnapshot& loan) {
  FieldChecks check;
  check.id("lid", loan.loanId, kMaxIdBytes);
  check.text("acct", loan.accountNo, 1, kMaxAccountNoBytes);
  check.id("cid", loan.clientId, kMaxIdBytes);
  check.msisdn("msisdn", loan.msisdn, /*optional=*/true);
  check.language("lang", loan.language);
  if (!loanStatusFromCode(static_cast<char>(loan.status))) {
    check.fail("st", "has unknown code " + std::to_string(static_cast<unsigned>(loan.status)));
  }
  check.currency("cur", loan.currency);
  check.range("dec", loan.decimals, 0, kMaxCurrencyDecimals);
  checkAmount(check, "disb", loan.disbursed);
  checkAmount(check, "pout", loan.principalOutstanding);
  checkAmount(check, "tout", loan.totalOutstanding);
  checkAmount(check, "tod", loan.totalOverdue);
  check.range("odsince", loan.overdueSince, 0, kMaxDayNumber);
  // Days past due are today - odsince: arrears without an overdue date cannot age.
  if (loan.totalOverdue > 0 && loan.overdueSince == kNoDay) {
    check.fail("odsince", "must be set when tod > 0");
  }
  if (loan.installments.size() > kMaxInstallments) {
    check.fail("inst", "has " + std::to_string(loan.installments.size()) + " entries, at most " +
                           std::to_string(kMaxInstallments));
  } else {
    for (size_t i = 0; i < loan.installments.size(); ++i) {
      const Installment& in = loan.installments[i];
      const std::string field = "inst[" + std::to_string(i) + "]";
      check.range(field + ".day", in.dueDay, 1, kMaxDayNumber);
      checkAmount(check, field + ".amount", in.amountDue);
      check.bits(field + ".flags", in.flags, kKnownInstallmentFlagBits);
      if (i > 0 && in.dueDay <= loan.installments[i - 1].dueDay) {
        check.fail(field + ".day", "must be after inst[" + std::to_string(i - 1) + "].day");
      }
    }
  }
  check.range("lpd", loan.lastPaymentDay, 0, kMaxDayNumber);
  checkAmount(check, "lpa", loan.lastPaymentAmount);
  check.text("prod", loan.product, 0, kMaxProductBytes);
  check.text("lo", loan.officer, 0, kMaxOfficerBytes);
  check.bits("flags", loan.flags, kKnownLoanFlagBits);
  return check.take();
}

// v1: version u8, lid str, acct str, cid str, msisdn str, lang str, st u8, cur str,
//     dec u8, disb i64, pout i64, tout i64, tod i64, odsince u32,
//     inst count u8 then per installment (day u32, amount i64, flags u8),
//     lpd u32, lpa i64, prod str, lo str, br u16, flags u8, ver u64, asof u32.
std::string LoanSnapshotCodec::encodeValue(const LoanSnapshot& loan) {
  throwIfInvalid("loan snapshot", loan.loanId, loanSnapshotProblems(loan));
  Encoder out(160);
  out.version(kVersion)
      .str(loan.loanId)
      .str(loan.accountNo)
      .str(loan.clientId)
      .str(loan.msisdn)
      .str(loan.language)
      .u8(static_cast<uint8_t>(loan.status))
      .str(loan.currency)
      .u8(loan.decimals)
      .i64(loan.disbursed)
      .i64(loan.principalOutstanding)
      .i64(loan.totalOutstanding)
      .i64(loan.totalOverdue)
      .u32(static_cast<uint32_t>(loan.overdueSince))
      .u8(static_cast<uint8_t>(loan.installments.size()));
  for (const Installment& in : loan.installments) {
    out.u32(static_cast<uint32_t>(in.dueDay)).i64(in.amountDue).u8(in.flags);
  }
  out.u32(static_cast<uint32_t>(loan.lastPaymentDay))
      .i64(loan.lastPaymentAmount)
      .str(loan.product)
      .str(loan.officer)
      .u16(loan.branch)
      .u8(loan.flags)
      .u64(loan.ver)
      .u32(loan.asOf);
  return out.take();
}

namespace {

DayNumber readDay(Decoder& in, std::string_view field) {
  const uint32_t day = in.u32();
  if (day > static_cast<uint32_t>(kMaxDayNumber)) {
    throw DecodeError("loan snapshot: " + std::string(field) + " day " + std::to_string(day) +
                      " is out of range");
  }
  return static_cast<DayNumber>(day);
}

}  // namespace

LoanSnapshot LoanSnapshotCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  LoanSnapshot loan;
  loan.loanId = in.str();
  loan.accountNo = in.str();
  loan.clientId = in.str();
  loan.msisdn = in.str();
  loan.language = in.str();
  const uint8_t status = in.u8();
  const std::optional<LoanStatus> known = loanStatusFromCode(static_cast<char>(status));
  if (!known) {
    throw DecodeError("loan snapshot: unknown status code " + std::to_string(status));
  }
  loan.status = *known;
  loan.currency = in.str();
  loan.decimals = in.u8();
  loan.disbursed = in.i64();
  loan.principalOutstanding = in.i64();
  loan.totalOutstanding = in.i64();
  loan.totalOverdue = in.i64();
  loan.overdueSince = readDay(in, "odsince");
  const uint8_t count = in.u8();
  if (count > kMaxInstallments) {
    throw DecodeError("loan snapshot: " + std::to_string(count) + " installments, at most " +
                      std::to_string(kMaxInstallments));
  }
  loan.installments.resize(count);
  for (Installment& inst : loan.installments) {
    inst.dueDay = readDay(in, "inst");
    inst.amountDue = in.i64();
    inst.flags = in.u8();
  }
  loan.lastPaymentDay = readDay(in, "lpd");
  loan.lastPaymentAmount = in.i64();
  loan.product = in.str();
  loan.officer = in.str();
  loan.branch = in.u16();
  loan.flags = in.u8();
  loan.ver = in.u64();
  loan.asOf = in.u32();
  in.expectEnd();
  return loan;
}

}  // namespace mfigw::store
