#include "store/loan_status.hpp"

#include <algorithm>

namespace mfigw::store {

int32_t daysPastDue(const LoanSnapshot& loan, DayNumber today) noexcept {
  if (loan.totalOverdue == 0 || loan.overdueSince == kNoDay) {
    return 0;
  }
  return std::max<int32_t>(0, today - loan.overdueSince);
}

std::optional<NextDue> nextDue(const LoanSnapshot& loan, DayNumber today) noexcept {
  // Installments are stored in ascending due order (checked on write).
  for (const Installment& in : loan.installments) {
    if (in.dueDay >= today) {
      return NextDue{in.dueDay, in.amountDue, in.partiallyPaid(), in.dueDay - today};
    }
  }
  return std::nullopt;
}

bool isOpen(const LoanSnapshot& loan) noexcept {
  return loan.status == LoanStatus::Active || loan.status == LoanStatus::Arrears;
}

int64_t snapshotAgeSeconds(const LoanSnapshot& loan, int64_t nowUnixSeconds) noexcept {
  return std::max<int64_t>(0, nowUnixSeconds - static_cast<int64_t>(loan.asOf));
}

bool isStale(const LoanSnapshot& loan, int64_t nowUnixSeconds, int64_t maxAgeSeconds) noexcept {
  return loan.asOf == 0 || snapshotAgeSeconds(loan, nowUnixSeconds) > maxAgeSeconds;
}

}  // namespace mfigw::store
