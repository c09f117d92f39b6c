#include "gateway/loan_book_import.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../store/store_test_util.hpp"
#include "store/env.hpp"

namespace mfigw::gateway {
namespace {

using store::testing::TempDir;

constexpr std::int64_t kNow = std::int64_t{store::toDayNumber(2026, 12, 1)} * 86400;

std::vector<std::string> texts(const std::vector<ImportError>& errors, std::string_view file) {
  std::vector<std::string> out;
  for (const ImportError& e : errors)
    out.push_back(e.toString(file));
  return out;
}

std::vector<std::string> loanErrors(const std::string& csv) {
  const ImportPlan plan = parseImport(ImportKind::Loans, csv, {});
  EXPECT_EQ(plan.errorCount, plan.errors.size());
  EXPECT_TRUE(plan.loans.empty() || plan.ok());
  return texts(plan.errors, "loans.csv");
}

std::string readSample(const std::string& name) {
  std::ifstream in(std::string(MFIGW_SOURCE_DIR) + "/demo/sample/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Loans of `count` rows; `row(i)` writes the i-th after the header.
template <typename Row>
std::string loansCsv(const std::string& header, int count, Row row) {
  std::string csv = header + "\n";
  for (int i = 0; i < count; ++i)
    csv += row(i) + "\n";
  return csv;
}

std::string lid(int i) {
  return "L" + std::to_string(10000 + i);
}

class LoanBookImport : public ::testing::Test {
 protected:
  LoanBookImport() : env_(store::testing::smallEnv(tmp_.path())) {
    env_.write([&](store::WriteTxn& txn) { book_ = store::LoanBook::open(txn); });
  }

  ImportPlan parse(ImportKind kind, const std::string& csv) {
    ImportPlan plan = parseImport(kind, csv, options_);
    EXPECT_TRUE(plan.ok()) << (plan.errors.empty() ? "" : plan.errors.front().toString("file"));
    return plan;
  }

  ImportOutcome apply(const ImportPlan& plan, std::int64_t now = kNow) {
    store::WriteTxn txn = env_.beginWrite();
    ImportOutcome outcome = applyImport(book_, txn, plan, now, options_);
    txn.commit();
    return outcome;
  }

  ImportOutcome preview(const ImportPlan& plan, std::int64_t now = kNow) {
    store::ReadTxn txn = env_.beginRead();
    return previewImport(book_, txn, plan, now, options_);
  }

  ImportCounts importText(ImportKind kind, const std::string& csv, std::int64_t now = kNow) {
    const ImportOutcome outcome = apply(parse(kind, csv), now);
    EXPECT_TRUE(outcome.ok());
    return outcome.counts;
  }

  std::optional<store::LoanSnapshot> loan(const std::string& id) {
    store::ReadTxn txn = env_.beginRead();
    return book_.loan(txn, id);
  }
  std::optional<store::Client> client(const std::string& id) {
    store::ReadTxn txn = env_.beginRead();
    return book_.client(txn, id);
  }
  std::uint64_t loanCount() {
    store::ReadTxn txn = env_.beginRead();
    return book_.loanTable().count(txn);
  }

  TempDir tmp_;
  store::Env env_;
  store::LoanBook book_;
  ImportOptions options_;
};

// ---- parsing ----

TEST_F(LoanBookImport, ReadsALoanRowIntoTheSnapshotRecord) {
  const ImportPlan plan = parse(
      ImportKind::Loans,
      "\xEF\xBB\xBF"
      "Loan ID,ACCOUNT NO,client_id,Status,Currency,Disbursed,Principal Outstanding,"
      "Total outstanding,tod,Overdue since,inst1_due,inst1_amount,Inst 1 Partial,inst2_due,"
      "inst2_amount,lpd,lpa,Product,Officer,Branch,Flags,Language,Phone,ver\r\n"
      "L-17,0001234,C-9,arrears,kes,\"30,000.00\",20000,22400.5,500,2026-11-10,2026-11-10,500,"
      "yes,2026-12-10,\"5,600\",2026-10-10,5600,Biashara,Grace Wambui,3,deferral_pending,SW,"
      "0712 345 678,77\r\n");
  ASSERT_EQ(plan.loans.size(), 1u);
  EXPECT_EQ(plan.dataRows, 1u);
  EXPECT_TRUE(plan.ignoredColumns.empty());
  const LoanRow& row = plan.loans.front();
  EXPECT_EQ(row.row, 2u);
  EXPECT_TRUE(row.msisdnGiven);
  EXPECT_TRUE(row.languageGiven);
  store::LoanSnapshot want;
  want.loanId = "L-17";
  want.accountNo = "0001234";
  want.clientId = "C-9";
  want.msisdn = "254712345678";
  want.language = "sw";
  want.status = store::LoanStatus::Arrears;
  want.currency = "KES";
  want.decimals = 2;
  want.disbursed = 3000000;
  want.principalOutstanding = 2000000;
  want.totalOutstanding = 2240050;
  want.totalOverdue = 50000;
  want.overdueSince = store::toDayNumber(2026, 11, 10);
  want.installments = {
      {store::toDayNumber(2026, 11, 10), 50000,
       static_cast<std::uint8_t>(store::InstallmentFlag::PartiallyPaid)},
      {store::toDayNumber(2026, 12, 10), 560000, 0},
  };
  want.lastPaymentDay = store::toDayNumber(2026, 10, 10);
  want.lastPaymentAmount = 560000;
  want.product = "Biashara";
  want.officer = "Grace Wambui";
  want.branch = 3;
  want.flags = static_cast<std::uint8_t>(store::LoanFlag::DeferralPending);
  want.ver = 77;
  EXPECT_EQ(row.loan, want);
}

TEST_F(LoanBookImport, DecimalsComeFromDecOrTheCurrency) {
  const ImportPlan plan = parse(ImportKind::Loans,
                                "lid,acct,cid,st,cur,dec,tout\n"
                                "L1,A1,C1,A,UGX,,250000\n"
                                "L2,A2,C1,A,UGX,2,2500.50\n"
                                "L3,A3,C1,A,XYZ,1,7.5\n");
  ASSERT_EQ(plan.loans.size(), 3u);
  EXPECT_EQ(plan.loans[0].loan.decimals, 0);
  EXPECT_EQ(plan.loans[0].loan.totalOutstanding, 250000);
  EXPECT_EQ(plan.loans[1].loan.decimals, 2);
  EXPECT_EQ(plan.loans[1].loan.totalOutstanding, 250050);
  EXPECT_EQ(plan.loans[2].loan.totalOutstanding, 75);
}

TEST_F(LoanBookImport, SemicolonFilesReadTheSameButRefuseCommasInAmounts) {
  const ImportPlan plan = parse(ImportKind::Loans,
                                "lid;acct;cid;st;cur;tout;prod\n"
                                "L1;A1;C1;active;KES;1500.50;\"Bi;ashara\"\n");
  ASSERT_EQ(plan.loans.size(), 1u);
  EXPECT_EQ(plan.loans[0].loan.totalOutstanding, 150050);
  EXPECT_EQ(plan.loans[0].loan.product, "Bi;ashara");
  EXPECT_EQ(loanErrors("lid;acct;cid;st;cur;tout\nL1;A1;C1;active;KES;1,500\n"),
            (std::vector<std::string>{"loans.csv:2:6: tout: a comma in a number is ambiguous in "
                                      "a ';'-separated file: write 1500.50 (got \"1,500\")"}));
}

TEST_F(LoanBookImport, QuotedCellsWithCommasAndLineBreaksAndBlankRows) {
  const ImportPlan plan = parse(ImportKind::PaymentPoints,
                                "id,name,kind,lat,lon,landmark,hours,notes\r\n"
                                "P1,\"Branch, CBD\",branch,-1.2841,36.8219,\"Kenyatta Ave,\r\n"
                                "opp. GPO\",\"Mon-Fri 8-16\",\"call \"\"Jane\"\"\"\r\n"
                                ",,,,,,,\r\n"
                                "\r\n"
                                "P2,Agent,agent,-1.3,36.78,,,\r\n");
  ASSERT_EQ(plan.paymentPoints.size(), 2u);
  EXPECT_EQ(plan.dataRows, 2u);  // blank rows are skipped
  EXPECT_EQ(plan.ignoredColumns, (std::vector<std::string>{"notes"}));
  const store::PaymentPoint& p = plan.paymentPoints[0].point;
  EXPECT_EQ(p.name, "Branch, CBD");
  EXPECT_EQ(p.landmark, "Kenyatta Ave, opp. GPO");  // the line break folds to a space
  EXPECT_EQ(p.latitudeE6, -1284100);
  EXPECT_EQ(p.longitudeE6, 36821900);
  EXPECT_EQ(p.kind, store::PaymentPointKind::Branch);
  EXPECT_EQ(plan.paymentPoints[1].row, 5u);  // rows count the multi-line row once
}

// ---- every error kind, with its exact position ----

constexpr const char* kLoanHeader =
    "lid,acct,cid,st,cur,tout,tod,odsince,inst1_due,inst1_amount,inst2_due,inst2_amount,phone\n";

struct RowCase {
  const char* row;
  const char* error;
};

TEST_F(LoanBookImport, EachCellErrorNamesItsRowAndColumn) {
  const RowCase cases[] = {
      {"L1,A1,C1,active,KES,\"1500,50\",0,,,,,,",
       "loans.csv:2:6: tout: a comma may only separate thousands (1,500.50); write the decimal "
       "point as '.' (got \"1500,50\")"},
      {"L1,A1,C1,active,KES,1500.505,0,,,,,,",
       "loans.csv:2:6: tout: has 3 decimal places; the currency has 2 decimal places (nothing is "
       "rounded) (got \"1500.505\")"},
      {"L1,A1,C1,active,KES,-5,0,,,,,,", "loans.csv:2:6: tout: must not be negative (got \"-5\")"},
      {"L1,A1,C1,active,KES,KES 5,0,,,,,,",
       "loans.csv:2:6: tout: expected a number such as 1500 or 1,500.50 (got \"KES 5\")"},
      {"L1,A1,C1,open,KES,1500,0,,,,,,",
       "loans.csv:2:4: st: expected one of active, arrears, closed, written_off, pending (or A, "
       "R, C, W, P) (got \"open\")"},
      {"L1,A1,C1,active,KES,1500,0,,05/12/2026,500,,,",
       "loans.csv:2:9: inst1_due: expected a date as YYYY-MM-DD (day/month order is ambiguous) "
       "(got \"05/12/2026\")"},
      {"L1,A1,C1,active,KES,1500,0,,2026-02-30,500,,,",
       "loans.csv:2:9: inst1_due: is not a calendar date (got \"2026-02-30\")"},
      {"L1,A1,C1,active,XYZ,1500,0,,,,,,",
       "loans.csv:2:5: cur: is not in the built-in ISO 4217 table: add a dec column"},
      {"L1,A1,C1,active,KESH,1500,0,,,,,,",
       "loans.csv:2:5: cur: must be 3 upper-case letters (ISO 4217)"},
      {"L1,A1,C1,active,KES,1500,0,,,,2027-01-05,500,",
       "loans.csv:2:11: inst2_due: inst1 is empty: fill installments in order"},
      {"L1,A1,C1,active,KES,1500,0,,2026-12-05,,,,",
       "loans.csv:2:10: inst1_amount: is empty but inst1_due is set"},
      {"L1,A1,C1,active,KES,1500,0,,2027-01-05,500,2026-12-05,500,",
       "loans.csv:2:11: inst2_due: must be after inst[0].day"},
      {"L1,A1,C1,active,KES,1500,100,,,,,,", "loans.csv:2:8: odsince: must be set when tod > 0"},
      {"L1,,C1,active,KES,1500,0,,,,,,", "loans.csv:2:2: acct: is empty; this column is required"},
      {"L1,A12345678901234567890,C1,active,KES,1500,0,,,,,,",
       "loans.csv:2:2: acct: is 21 bytes, must be 1..20"},
      {"L1,A1,C1,active,KES,20000000000000,0,,,,,,",
       "loans.csv:2:6: tout: is 2000000000000000, must be 0..1000000000000000 (in minor units)"},
      {"L1,A\xE9,C1,active,KES,1500,0,,,,,,",
       "loans.csv:2:2: acct: is not UTF-8 text (save the sheet as \"CSV UTF-8\")"},
      {"L1,A\x01,C1,active,KES,1500,0,,,,,,", "loans.csv:2:2: acct: contains a control character"},
      {"L1,A1,C1", "loans.csv:2:4: the row ends after 3 cells; the header has 13"},
      {"L1,A1,C1,active,KES,1500,0,,,,,,,x",
       "loans.csv:2:14: a value beyond the last named column"},
      {"L1,A\"1,C1,active,KES,1500,0,,,,,,",
       "loans.csv:2:2: a quote inside an unquoted cell: quote the whole cell and double the quote"},
  };
  for (const RowCase& c : cases) {
    EXPECT_EQ(loanErrors(std::string(kLoanHeader) + c.row + "\n"),
              (std::vector<std::string>{c.error}))
        << c.row;
  }
}

TEST_F(LoanBookImport, PhoneNumbersAreNormalisedAndNeverQuoted) {
  const std::vector<std::string> errors =
      loanErrors(std::string(kLoanHeader) + "L1,A1,C1,active,KES,1500,0,,,,,,0712 34\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].starts_with("loans.csv:2:13: phone: is not a valid phone number"))
      << errors[0];
  EXPECT_EQ(errors[0].find("0712"), std::string::npos);
}

TEST_F(LoanBookImport, HeaderErrors) {
  EXPECT_EQ(loanErrors(""), (std::vector<std::string>{
                                "loans.csv:1:1: the file is empty: expected a header row naming "
                                "the columns"}));
  EXPECT_EQ(loanErrors("lid,acct,cid,st,cur\nL1,A1,C1,A,KES\n"),
            (std::vector<std::string>{"loans.csv:1:6: tout: required column is missing"}));
  EXPECT_EQ(loanErrors("lid,acct,cid,st,cur,tout,Loan ID\n"),
            (std::vector<std::string>{
                "loans.csv:1:7: Loan ID: names the same field (lid) as column 1 (lid)"}));
  // Trailing unnamed header cells are not columns: the missing one goes after "cur".
  EXPECT_EQ(loanErrors("lid,acct,cid,st,cur,,,\n"),
            (std::vector<std::string>{"loans.csv:1:6: tout: required column is missing"}));
}

TEST_F(LoanBookImport, AFileOfAnotherKindIsRefusedByItsHeader) {
  const ImportPlan clients = parseImport(ImportKind::Clients, readSample("loans.csv"), {});
  EXPECT_EQ(texts(clients.errors, "loans.csv"),
            (std::vector<std::string>{
                "loans.csv:1:1: Loan ID: is a column of loans files; import this file as loans?"}));
  const ImportPlan groups = parseImport(ImportKind::Groups, readSample("payment_points.csv"), {});
  EXPECT_EQ(texts(groups.errors, "payment_points.csv"),
            (std::vector<std::string>{
                "payment_points.csv:1:4: Latitude: is a column of payment_points files; import "
                "this file as payment_points?",
                "payment_points.csv:1:5: Longitude: is a column of payment_points files; import "
                "this file as payment_points?",
                "payment_points.csv:1:11: id: required column is missing"}));
  EXPECT_TRUE(groups.groups.empty());
}

TEST_F(LoanBookImport, APhoneTurnedIntoAFloatGetsAHint) {
  EXPECT_EQ(loanErrors(std::string(kLoanHeader) + "L1,A1,C1,active,KES,1500,0,,,,,,2.54712E+11\n"),
            (std::vector<std::string>{"loans.csv:2:13: phone: is a number in scientific "
                                      "notation: format the column as text"}));
}

TEST_F(LoanBookImport, AProblemOfAFieldWithoutAColumnPointsPastTheHeader) {
  EXPECT_EQ(loanErrors("lid,acct,cid,st,cur,tout,tod\nL1,A1,C1,R,KES,10,5\n"),
            (std::vector<std::string>{"loans.csv:2:8: odsince: must be set when tod > 0"}));
}

TEST_F(LoanBookImport, DuplicateIdsAndPhonesNameTheFirstRow) {
  EXPECT_EQ(loanErrors("lid,acct,cid,st,cur,tout\nL1,A1,C1,A,KES,1\nL2,A2,C1,A,KES,1\n"
                       "L1,A3,C1,A,KES,1\n"),
            (std::vector<std::string>{"loans.csv:4:1: lid: is also on row 2"}));
  const ImportPlan clients =
      parseImport(ImportKind::Clients, "cid,phone\nC1,+254712345678\nC2,0712 345 678\n", {});
  EXPECT_EQ(texts(clients.errors, "clients.csv"),
            (std::vector<std::string>{"clients.csv:3:2: phone: the same number as row 2"}));
}

TEST_F(LoanBookImport, ClientGroupAndPointErrors) {
  const ImportPlan clients = parseImport(ImportKind::Clients,
                                         "cid,phone,name,lang,consent\n"
                                         "C1,+254712345678,Wanjiru,english,sms\n"
                                         "C2,,AbcdefghijabcdefghijabcdefghijabcdefghijX,en,\n",
                                         {});
  EXPECT_EQ(texts(clients.errors, "clients.csv"),
            (std::vector<std::string>{
                "clients.csv:2:4: lang: must be 2 or 3 lower-case letters (ISO 639)",
                "clients.csv:2:5: consent: unknown name; expected reminders, marketing, surveys, "
                "separated by spaces, or none (got \"sms\")",
                "clients.csv:3:3: name: is 41 bytes, must be 0..40",
            }));

  const ImportPlan groups =
      parseImport(ImportKind::Groups, "id,weekday,time\nG1,someday,25:00\n", {});
  EXPECT_EQ(texts(groups.errors, "groups.csv"),
            (std::vector<std::string>{
                "groups.csv:2:2: weekday: expected a weekday: monday..sunday, mon..sun or 1..7 "
                "(got \"someday\")",
                "groups.csv:2:3: time: is not a time of day (00:00..23:59) (got \"25:00\")",
            }));

  const ImportPlan points =
      parseImport(ImportKind::PaymentPoints, "id,name,kind,lat,lon\nP1,Shop,shop,91.5,36.8\n", {});
  EXPECT_EQ(texts(points.errors, "payment_points.csv"),
            (std::vector<std::string>{
                "payment_points.csv:2:3: kind: expected one of agent, branch, mobile_money, bank "
                "(got \"shop\")",
                "payment_points.csv:2:4: lat: must be between -90 and 90 degrees",
            }));
}

TEST_F(LoanBookImport, EveryBadCellOfEveryRowIsCollectedInOrder) {
  const std::vector<std::string> errors =
      loanErrors(std::string(kLoanHeader) +
                 "L1,A1,C1,nope,KES,x,0,,,,,,\n"
                 "L2,A2,C2,active,KES,1500,0,,,,,,\n"
                 "L3,A3,C3,active,KES,1500,0,,2026-13-01,y,,,\n");
  EXPECT_EQ(errors.size(), 4u);
  ASSERT_GE(errors.size(), 4u);
  EXPECT_TRUE(errors[0].starts_with("loans.csv:2:4: st:")) << errors[0];
  EXPECT_TRUE(errors[1].starts_with("loans.csv:2:6: tout:")) << errors[1];
  EXPECT_TRUE(errors[2].starts_with("loans.csv:4:9: inst1_due:")) << errors[2];
  EXPECT_TRUE(errors[3].starts_with("loans.csv:4:10: inst1_amount:")) << errors[3];
}

TEST_F(LoanBookImport, TheErrorListIsCappedButEveryErrorIsCounted) {
  options_.maxErrors = 5;
  const std::string csv = loansCsv("lid,acct,cid,st,cur,tout", 50,
                                   [](int i) { return lid(i) + ",A,C,active,KES,bad"; });
  const ImportPlan plan = parseImport(ImportKind::Loans, csv, options_);
  EXPECT_EQ(plan.errors.size(), 5u);
  EXPECT_EQ(plan.errorCount, 50u);
  EXPECT_EQ(plan.errors.front().row, 2u);
}

// ---- applying ----

TEST_F(LoanBookImport, OneBadRowInAThousandWritesNothing) {
  const std::string header = "lid,acct,cid,st,cur,tout";
  const std::string bad = loansCsv(header, 1000, [](int i) {
    return lid(i) + ",A" + std::to_string(i) + ",C1,active,KES," + (i == 637 ? "\"12,34\"" : "100");
  });
  const ImportPlan plan = parseImport(ImportKind::Loans, bad, options_);
  ASSERT_EQ(plan.errorCount, 1u);
  EXPECT_EQ(plan.errors[0].row, 639u);
  EXPECT_EQ(plan.errors[0].column, 6u);
  EXPECT_TRUE(plan.loans.empty());  // nothing to apply
  EXPECT_THROW((void)apply(plan), std::invalid_argument);
  EXPECT_EQ(loanCount(), 0u);

  // A row that is only wrong together with what is stored stops the whole file too.
  ASSERT_EQ(
      importText(ImportKind::Loans,
                 loansCsv("lid,acct,cid,st,cur,tout,tod,odsince", 1000,
                          [](int i) { return lid(i) + ",A,C1,arrears,KES,100,50,2026-11-01"; }))
          .added,
      1000u);
  const std::string merged = loansCsv("lid,acct,cid,st,cur,tout,odsince", 1000, [](int i) {
    // No tod column: the stored tod (50) stays, so an empty odsince cannot be.
    return lid(i) + ",A,C1,arrears,KES,200," + (i == 700 ? "" : "2026-11-01");
  });
  const ImportOutcome outcome = apply(parse(ImportKind::Loans, merged));
  EXPECT_EQ(texts(outcome.errors, "loans.csv"),
            (std::vector<std::string>{
                "loans.csv:702:7: odsince: must be set when tod > 0 (with stored values)"}));
  for (const int i : {0, 699, 700, 999}) {
    EXPECT_EQ(loan(lid(i))->totalOutstanding, 10000) << i;  // not 20000: nothing written
  }
}

TEST_F(LoanBookImport, DryRunWritesNothingAndCountsWhatWouldChange) {
  importText(ImportKind::Loans, "lid,acct,cid,st,cur,tout\nL1,A1,C1,A,KES,100\nL2,A2,C1,A,KES,5\n");
  const std::optional<store::LoanSnapshot> before = loan("L1");
  const ImportPlan plan = parse(ImportKind::Loans,
                                "lid,acct,cid,st,cur,tout\n"
                                "L1,A1,C1,A,KES,150\n"
                                "L2,A2,C1,A,KES,5\n"
                                "L3,A3,C1,A,KES,7\n");
  const ImportOutcome outcome = preview(plan, kNow + 3600);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.counts, (ImportCounts{.rows = 3, .added = 1, .updated = 1, .unchanged = 1}));
  EXPECT_EQ(loan("L1"), before);  // still 100.00, same asof
  EXPECT_FALSE(loan("L3"));
  EXPECT_EQ(loanCount(), 2u);
  // The same plan applied does what the preview said.
  EXPECT_EQ(apply(plan, kNow + 3600).counts, outcome.counts);
  EXPECT_EQ(loan("L1")->totalOutstanding, 15000);
}

TEST_F(LoanBookImport, ReimportingTheSameFileChangesNothing) {
  const std::string csv = readSample("loans.csv");
  const ImportCounts first = importText(ImportKind::Loans, csv);
  EXPECT_EQ(first.added, first.rows);
  const std::optional<store::LoanSnapshot> before = loan("L1001");
  const ImportCounts again = importText(ImportKind::Loans, csv, kNow + 86400);
  EXPECT_EQ(again, (ImportCounts{.rows = first.rows, .unchanged = first.rows}));
  const std::optional<store::LoanSnapshot> after = loan("L1001");
  ASSERT_TRUE(before && after);
  EXPECT_EQ(after->ver, before->ver);                                // no new version
  EXPECT_EQ(after->asOf, static_cast<std::uint32_t>(kNow + 86400));  // but confirmed again
}

TEST_F(LoanBookImport, VersionsFollowTheImportTimeUnlessTheFileHasThem) {
  importText(ImportKind::Loans, "lid,acct,cid,st,cur,tout\nL1,A1,C1,A,KES,100\n");
  EXPECT_EQ(loan("L1")->ver, static_cast<std::uint64_t>(kNow));
  EXPECT_EQ(loan("L1")->asOf, static_cast<std::uint32_t>(kNow));
  // A change stamped with an earlier clock still moves ver forward.
  importText(ImportKind::Loans, "lid,acct,cid,st,cur,tout\nL1,A1,C1,A,KES,90\n", kNow - 50);
  EXPECT_EQ(loan("L1")->ver, static_cast<std::uint64_t>(kNow + 1));
  importText(ImportKind::Loans, "lid,acct,cid,st,cur,tout,ver\nL1,A1,C1,A,KES,90,5\n");
  EXPECT_EQ(loan("L1")->ver, 5u);
}

TEST_F(LoanBookImport, AFileUpdatesOnlyTheFieldsItHasColumnsFor) {
  importText(ImportKind::Clients,
             "cid,phone,name,lang,consent,group,br\n"
             "C1,+254712345678,Wanjiru,sw,reminders marketing,G1,4\n");
  const ImportCounts counts = importText(ImportKind::Clients, "cid,name\nC1,Wanjiru K.\n");
  EXPECT_EQ(counts.updated, 1u);
  const std::optional<store::Client> c = client("C1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->shortName, "Wanjiru K.");
  EXPECT_EQ(c->msisdn, "254712345678");
  EXPECT_EQ(c->language, "sw");
  EXPECT_EQ(c->groupId, "G1");
  EXPECT_EQ(c->homeBranch, 4);
  EXPECT_EQ(c->consent, static_cast<std::uint8_t>(store::Consent::ReminderSms) |
                            static_cast<std::uint8_t>(store::Consent::Marketing));
  // An empty cell in a present column clears the field.
  importText(ImportKind::Clients, "cid,group,consent\nC1,,\n");
  EXPECT_EQ(client("C1")->groupId, "");
  EXPECT_EQ(client("C1")->consent, 0);
  // A new client without a consent column gets reminders, and the default language.
  importText(ImportKind::Clients, "cid\nC2\n");
  EXPECT_EQ(client("C2")->consent, static_cast<std::uint8_t>(store::Consent::ReminderSms));
  EXPECT_EQ(client("C2")->language, "en");
}

TEST_F(LoanBookImport, ALoansPhoneAndLanguageFollowItsClient) {
  importText(ImportKind::Clients, "cid,phone,lang\nC1,+254712345678,fr\n");
  importText(ImportKind::Loans,
             "lid,acct,cid,st,cur,tout,phone,lang\n"
             "L1,A1,C1,A,KES,1,,\n"
             "L2,A2,C1,A,KES,1,+254722000111,es\n"
             "L3,A3,C404,A,KES,1,,\n");
  EXPECT_EQ(loan("L1")->msisdn, "254712345678");
  EXPECT_EQ(loan("L1")->language, "fr");
  EXPECT_EQ(loan("L2")->msisdn, "254722000111");
  EXPECT_EQ(loan("L2")->language, "es");
  EXPECT_EQ(loan("L3")->msisdn, "");  // no such client (yet)
  EXPECT_EQ(loan("L3")->language, "en");
}

TEST_F(LoanBookImport, AnInactivePointIsRemoved) {
  importText(ImportKind::PaymentPoints,
             "id,name,kind,lat,lon\nP1,A,agent,-1.28,36.82\nP2,B,agent,-1.29,36.83\n");
  const ImportCounts counts = importText(ImportKind::PaymentPoints,
                                         "id,name,kind,lat,lon,active\n"
                                         "P1,A,agent,-1.28,36.82,no\n"
                                         "P2,B,agent,-1.29,36.83,yes\n"
                                         "P3,C,agent,-1.30,36.84,no\n");
  EXPECT_EQ(counts, (ImportCounts{.rows = 3, .unchanged = 2, .removed = 1}));
  store::ReadTxn txn = env_.beginRead();
  EXPECT_FALSE(book_.paymentPoint(txn, "P1"));
  EXPECT_TRUE(book_.paymentPoint(txn, "P2"));
  EXPECT_FALSE(book_.paymentPoint(txn, "P3"));
}

TEST_F(LoanBookImport, TheDemoSampleImportsCleanly) {
  const ImportCounts clients = importText(ImportKind::Clients, readSample("clients.csv"));
  EXPECT_EQ(clients.added, 20u);
  const ImportCounts groups = importText(ImportKind::Groups, readSample("groups.csv"));
  EXPECT_EQ(groups.added, 3u);
  const ImportCounts points =
      importText(ImportKind::PaymentPoints, readSample("payment_points.csv"));
  EXPECT_EQ(points.added, 15u);
  const ImportCounts areas = importText(ImportKind::Areas, readSample("areas.csv"));
  EXPECT_EQ(areas.added, 11u);
  const ImportCounts loans = importText(ImportKind::Loans, readSample("loans.csv"));
  EXPECT_EQ(loans.added, loans.rows);
  EXPECT_GE(loans.rows, 20u);

  store::ReadTxn txn = env_.beginRead();
  const std::optional<store::Client> known = book_.clientByMsisdn(txn, "254712345678");
  ASSERT_TRUE(known);
  EXPECT_FALSE(book_.loansOfClient(txn, known->cid).empty());
  std::size_t arrears = 0;
  std::size_t closed = 0;
  std::size_t deferrals = 0;
  book_.loanTable().forEach(txn, [&](std::string_view, const store::LoanSnapshot& l) {
    EXPECT_EQ(l.currency, "KES");
    EXPECT_FALSE(l.msisdn.empty()) << l.loanId;
    arrears += l.status == store::LoanStatus::Arrears && l.totalOverdue > 0 ? 1 : 0;
    closed += l.status == store::LoanStatus::Closed ? 1 : 0;
    deferrals += l.has(store::LoanFlag::DeferralPending) ? 1 : 0;
    for (const store::Installment& i : l.installments) {
      // Due dates sit around December 2026.
      EXPECT_GE(i.dueDay, store::toDayNumber(2026, 9, 1)) << l.loanId;
      EXPECT_LE(i.dueDay, store::toDayNumber(2027, 3, 31)) << l.loanId;
    }
  });
  EXPECT_GE(arrears, 2u);
  EXPECT_GE(closed, 1u);
  EXPECT_EQ(deferrals, 1u);
  EXPECT_EQ(book_.membersOfGroup(txn, "G01").size(), 5u);
}

}  // namespace
}  // namespace mfigw::gateway
