// store/loan_status.hpp: what a loan snapshot means today (derived, never stored).
//
// Purpose:   Days past due and the next due installment change every day without any
//            upstream change, so they are computed from the snapshot and a "today" the
//            caller passes (the borrower's local calendar day, as a DayNumber), never
//            synced and never read from a clock here.
//            Definitions (also what the balance screen and the reminders promise):
//              daysPastDue(loan, today)
//                0 when the snapshot shows nothing overdue (tod == 0), else
//                today - odsince, and never below 0 (a clock behind the upstream's gives 0,
//                not a negative age). A snapshot cannot know whether an installment that
//                fell due after `asof` was paid, so that case stays 0 until the next sync;
//                reminders guard against stale snapshots with isStale().
//              nextDue(loan, today)
//                the first listed unpaid installment whose due day is on or after today
//                (due today counts: daysUntil 0). Installments before today are overdue
//                (part of tod, or overdue since the snapshot) and are not "next".
//                nullopt when there is none: no installments listed (closed, fully paid,
//                pending disbursement) or all listed ones have passed (a stale snapshot:
//                the loan book holds at most 3 installments, so it cannot name a later one).
// Threading: Pure functions.
// Errors:    None.
// Ownership: n/a.
#pragma once

#include "store/day_number.hpp"
#include "store/loan_snapshot.hpp"

#include <cstdint>
#include <optional>

namespace mfigw::store {

int32_t daysPastDue(const LoanSnapshot& loan, DayNumber today) noexcept;

struct NextDue {
  DayNumber day = kNoDay;
  int64_t amount = 0;  // still due on that installment, minor units
  bool partiallyPaid = false;
  int32_t daysUntil = 0;  // day - today, >= 0

  bool operator==(const NextDue&) const = default;
};

std::optional<NextDue> nextDue(const LoanSnapshot& loan, DayNumber today) noexcept;

// Active or in arrears: a loan the borrower still repays (not closed, written off or
// waiting for disbursement).
bool isOpen(const LoanSnapshot& loan) noexcept;

// Seconds since the appliance last confirmed the snapshot (`asof`); 0 if `now` is
// earlier (a clock step back does not make a snapshot younger than new).
int64_t snapshotAgeSeconds(const LoanSnapshot& loan, int64_t nowUnixSeconds) noexcept;

// True when the snapshot is older than maxAgeSeconds (the reference suppresses overdue
// reminders past 48 h) or was never confirmed (asof == 0).
bool isStale(const LoanSnapshot& loan, int64_t nowUnixSeconds, int64_t maxAgeSeconds) noexcept;

}  // namespace mfigw::store
