// BorrowerData's My loans and group status values, read from a seeded loan book: open loans
// in account order (at most three listed, all counted), each loan's tail, outstanding,
// arrears, next installment, officer and as-of; the group's name, member count and next
// meeting (the recorded day, else the regular weekday once it has passed).
#include "gateway/borrower_data.hpp"

#include <gtest/gtest.h>

#include "store/business_tables.hpp"
#include "tests/store/loan_book_fixtures.hpp"
#include "tests/store/store_test_util.hpp"

namespace mfigw::gateway {
namespace {

using store::toDayNumber;
using store::testing::sampleClient;
using store::testing::sampleGroup;
using store::testing::sampleLoan;

constexpr const char* kMsisdn = "254712345678";

class BorrowerDataTest : public ::testing::Test {
 protected:
  BorrowerDataTest() : env_(store::testing::smallEnv(dir_.sub("data"))) {
    tables_ = store::openBusinessTables(env_);
  }

  const store::LoanBook& book() const { return tables_.loanBook; }

  // The client, a second member of its group, two open loans and a closed one.
  void seed(std::string groupId) {
    store::LoanSnapshot first = sampleLoan("L-A", "C1");
    first.accountNo = "000123456";
    store::LoanSnapshot second = sampleLoan("L-B", "C1");
    second.accountNo = "000100999";  // sorts first
    second.status = store::LoanStatus::Arrears;
    second.totalOutstanding = 1'200'000;
    second.totalOverdue = 90'000;
    second.overdueSince = toDayNumber(2024, 2, 20);
    second.installments = {{toDayNumber(2024, 2, 20), 90'000, 0},
                           {toDayNumber(2024, 3, 20), 300'000, 0}};
    second.officer = "M. Achieng";
    second.asOf = 1709164800;  // 2024-02-29
    store::LoanSnapshot closed = sampleLoan("L-C", "C1");
    closed.accountNo = "000000001";
    closed.status = store::LoanStatus::Closed;
    closed.totalOutstanding = 0;
    closed.principalOutstanding = 0;
    closed.installments.clear();
    env_.write([&](store::WriteTxn& txn) {
      book().upsertClient(txn, sampleClient("C1", kMsisdn, groupId));
      book().upsertClient(txn, sampleClient("C2", "254722000111", groupId));
      book().upsertClient(txn, sampleClient("C3", "254733000222", "OTHER"));
      if (!groupId.empty()) book().upsertGroup(txn, sampleGroup(groupId, "C2"));
      for (const auto& loan : {first, second, closed})
        book().upsertLoan(txn, loan);
    });
  }

  BorrowerData data(store::DayNumber today) {
    store::ReadTxn txn = env_.beginRead();
    return BorrowerData(readBorrower(txn, book(), kMsisdn), today, nullptr, "KE");
  }

  store::testing::TempDir dir_;
  store::Env env_;
  store::BusinessTables tables_;
};

TEST_F(BorrowerDataTest, OpenLoansInAccountOrderWithTheirDetails) {
  seed("G1");
  const BorrowerData d = data(toDayNumber(2024, 3, 1));
  EXPECT_EQ(d.value("loan_count"), "2");  // the closed loan is not listed
  EXPECT_EQ(d.value("has_loan1"), "1");
  EXPECT_EQ(d.value("has_loan2"), "1");
  EXPECT_EQ(d.value("has_loan3"), "0");
  EXPECT_EQ(d.value("loan1_acct"), "0999");
  EXPECT_EQ(d.value("loan1_out"), "1200000");
  EXPECT_EQ(d.value("loan1_late"), "90000");
  EXPECT_EQ(d.value("loan1_next_amount"), "300000");  // the overdue one is arrears, not next
  EXPECT_EQ(d.value("loan1_next_due"), "2024-03-20");
  EXPECT_EQ(d.value("loan1_officer"), "M. Achieng");
  EXPECT_EQ(d.value("loan1_as_of"), "2024-02-29");
  EXPECT_EQ(d.value("loan2_acct"), "3456");
  EXPECT_EQ(d.value("loan2_out"), "3450000");
  EXPECT_EQ(d.value("loan2_late"), "0");
  EXPECT_EQ(d.value("loan2_next_amount"), "450000");
  EXPECT_EQ(d.value("loan2_next_due"), "2024-03-05");
  EXPECT_EQ(d.value("loan2_officer"), "J. Otieno");
  EXPECT_EQ(d.value("loan2_as_of"), "2024-03-01");
  EXPECT_EQ(d.value("loan3_acct"), std::nullopt);
  EXPECT_EQ(d.value("loan4_acct"), std::nullopt);  // beyond the three listed
  // The older names still answer as before.
  EXPECT_EQ(d.value("balance"), "4650000");
  EXPECT_EQ(d.value("loan_max"), "7500000");
}

TEST_F(BorrowerDataTest, GroupNameMembersAndNextMeeting) {
  seed("G1");
  const BorrowerData before = data(toDayNumber(2024, 3, 1));
  EXPECT_EQ(before.value("in_group"), "1");
  EXPECT_EQ(before.value("group_name"), "Umoja Women");
  EXPECT_EQ(before.value("group_members"), "2");           // C1 and C2, not C3
  EXPECT_EQ(before.value("group_meeting"), "2024-03-12");  // the recorded day
  // Once the recorded day has passed, the next Tuesday (2024-03-13 is a Wednesday).
  EXPECT_EQ(data(toDayNumber(2024, 3, 13)).value("group_meeting"), "2024-03-19");
  EXPECT_EQ(data(toDayNumber(2024, 3, 19)).value("group_meeting"), "2024-03-19");
}

TEST_F(BorrowerDataTest, NoGroupNoGroupValues) {
  seed("");
  const BorrowerData d = data(toDayNumber(2024, 3, 1));
  EXPECT_EQ(d.value("in_group"), "0");
  EXPECT_EQ(d.value("group_name"), std::nullopt);
  EXPECT_EQ(d.value("group_members"), std::nullopt);
}

TEST_F(BorrowerDataTest, UnknownCallerHasNoLoans) {
  seed("G1");
  store::ReadTxn txn = env_.beginRead();
  const BorrowerData d(readBorrower(txn, book(), "254799999999"), toDayNumber(2024, 3, 1), nullptr,
                       "KE");
  EXPECT_EQ(d.value("has_loan1"), std::nullopt);
  EXPECT_EQ(d.value("loan_count"), std::nullopt);
  EXPECT_EQ(d.value("in_group"), std::nullopt);
}

}  // namespace
}  // namespace mfigw::gateway
