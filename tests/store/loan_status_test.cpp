// Derived loan facts: days past due and next due for a given "today", edge cases included.
#include "store/loan_status.hpp"

#include "loan_book_fixtures.hpp"
#include "store/day_number.hpp"

#include <gtest/gtest.h>

namespace mfigw::store {
namespace {

using testing::sampleLoan;

LoanSnapshot inArrearsSince(DayNumber since, int64_t overdue) {
  LoanSnapshot l = sampleLoan("L-1", "C-1");
  l.status = LoanStatus::Arrears;
  l.totalOverdue = overdue;
  l.overdueSince = since;
  return l;
}

TEST(DaysPastDue, IsTodayMinusOverdueSince) {
  const LoanSnapshot l = inArrearsSince(toDayNumber(2024, 3, 5), 450'000);
  EXPECT_EQ(daysPastDue(l, toDayNumber(2024, 3, 5)), 0);
  EXPECT_EQ(daysPastDue(l, toDayNumber(2024, 3, 6)), 1);
  EXPECT_EQ(daysPastDue(l, toDayNumber(2024, 4, 4)), 30);
}

TEST(DaysPastDue, CountsAcrossAYearBoundaryAndALeapDay) {
  const LoanSnapshot l = inArrearsSince(toDayNumber(2023, 12, 20), 1);
  EXPECT_EQ(daysPastDue(l, toDayNumber(2023, 12, 31)), 11);
  EXPECT_EQ(daysPastDue(l, toDayNumber(2024, 1, 1)), 12);
  EXPECT_EQ(daysPastDue(l, toDayNumber(2024, 1, 5)), 16);
  // 2024 is a leap year: Dec 20 -> Mar 1 is 11 + 31 + 29 + 1 days.
  EXPECT_EQ(daysPastDue(l, toDayNumber(2024, 3, 1)), 72);
  const LoanSnapshot since2024 = inArrearsSince(toDayNumber(2024, 12, 15), 1);
  EXPECT_EQ(daysPastDue(since2024, toDayNumber(2025, 1, 15)), 31);
}

TEST(DaysPastDue, IsZeroWithNothingOverdueOrAClockBehind) {
  LoanSnapshot current = sampleLoan("L-1", "C-1");
  ASSERT_EQ(current.totalOverdue, 0);
  EXPECT_EQ(daysPastDue(current, toDayNumber(2030, 1, 1)), 0);
  // An overdue date left behind while tod is already 0 (paid up) does not count.
  current.overdueSince = toDayNumber(2024, 1, 1);
  EXPECT_EQ(daysPastDue(current, toDayNumber(2024, 3, 1)), 0);
  // Today before the upstream's overdue date (a skewed clock): 0, not negative.
  EXPECT_EQ(daysPastDue(inArrearsSince(toDayNumber(2024, 3, 5), 1), toDayNumber(2024, 3, 1)), 0);
}

TEST(NextDue, IsTheFirstInstallmentOnOrAfterToday) {
  LoanSnapshot l = sampleLoan("L-1", "C-1");
  l.installments = {{toDayNumber(2024, 2, 5), 100, 1},
                    {toDayNumber(2024, 3, 5), 450'000, 0},
                    {toDayNumber(2024, 4, 5), 450'000, 0}};
  // Before the first: it is next, partial payment flag carried over.
  EXPECT_EQ(nextDue(l, toDayNumber(2024, 2, 1)), (NextDue{toDayNumber(2024, 2, 5), 100, true, 4}));
  // Due today counts.
  EXPECT_EQ(nextDue(l, toDayNumber(2024, 2, 5))->daysUntil, 0);
  // The February one is overdue the day after: March is next, across the leap day.
  EXPECT_EQ(nextDue(l, toDayNumber(2024, 2, 6)),
            (NextDue{toDayNumber(2024, 3, 5), 450'000, false, 28}));
  EXPECT_EQ(nextDue(l, toDayNumber(2024, 4, 5))->day, toDayNumber(2024, 4, 5));
  // All listed installments passed (stale snapshot): nothing to name.
  EXPECT_FALSE(nextDue(l, toDayNumber(2024, 4, 6)).has_value());
}

TEST(NextDue, AcrossAYearBoundary) {
  LoanSnapshot l = sampleLoan("L-1", "C-1");
  l.installments = {{toDayNumber(2024, 12, 28), 10, 0}, {toDayNumber(2025, 1, 4), 20, 0}};
  EXPECT_EQ(nextDue(l, toDayNumber(2024, 12, 29)),
            (NextDue{toDayNumber(2025, 1, 4), 20, false, 6}));
}

TEST(NextDue, NoneWithoutInstallmentsOrWhenAllPaid) {
  LoanSnapshot closed = sampleLoan("L-1", "C-1");
  closed.status = LoanStatus::Closed;
  closed.installments.clear();
  closed.principalOutstanding = 0;
  closed.totalOutstanding = 0;
  EXPECT_FALSE(nextDue(closed, toDayNumber(2024, 1, 1)).has_value());
  EXPECT_EQ(daysPastDue(closed, toDayNumber(2024, 1, 1)), 0);
  EXPECT_FALSE(isOpen(closed));
}

TEST(LoanStatusHelpers, OpenAndStale) {
  LoanSnapshot l = sampleLoan("L-1", "C-1");
  EXPECT_TRUE(isOpen(l));
  l.status = LoanStatus::Arrears;
  EXPECT_TRUE(isOpen(l));
  for (LoanStatus st : {LoanStatus::Closed, LoanStatus::WrittenOff, LoanStatus::Pending}) {
    l.status = st;
    EXPECT_FALSE(isOpen(l)) << toString(st);
  }

  constexpr int64_t k48h = 48 * 3600;
  l.asOf = 1'709'251'200;
  EXPECT_EQ(snapshotAgeSeconds(l, l.asOf + 10), 10);
  EXPECT_EQ(snapshotAgeSeconds(l, l.asOf - 10), 0);
  EXPECT_FALSE(isStale(l, l.asOf + k48h, k48h));
  EXPECT_TRUE(isStale(l, l.asOf + k48h + 1, k48h));
  l.asOf = 0;  // never confirmed
  EXPECT_TRUE(isStale(l, 1'709'251'200, k48h));
}

}  // namespace
}  // namespace mfigw::store
