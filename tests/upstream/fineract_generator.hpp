// A Fineract loan book for size measurements: clients and loans shaped like
// tests/upstream/fineract/loan_active.json and clients_page.json (every field Fineract's list
// answers carry), with values that differ per record the way a real book's do (amounts,
// dates, names, phones), so gzip is not flattered by identical records.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mfigw::testing {

inline nlohmann::json fineractFixture(const std::string& name) {
  std::ifstream in(std::string(MFIGW_SOURCE_DIR) + "/tests/upstream/fineract/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

// Client i (ids from 1): one phone each, names from small lists as in a real branch.
inline nlohmann::json fineractClient(std::int64_t i) {
  static const char* const kFirst[] = {"Wanjiru", "Otieno", "Amina",  "Kiprop", "Njeri",
                                       "Mutua",   "Akinyi", "Hassan", "Chebet", "Omondi"};
  static const char* const kLast[] = {"Kamau",   "Ochieng", "Mohamed", "Kiptoo",    "Wambui",
                                      "Musyoka", "Atieno",  "Abdi",    "Jepkosgei", "Odhiambo"};
  nlohmann::json c = fineractFixture("clients_page.json")["pageItems"][0];
  const std::string first = kFirst[i % 10];
  const std::string last = kLast[(i / 10) % 10];
  c["id"] = i;
  c["accountNo"] = fmt::format("{:09}", i);
  c["externalId"] = fmt::format("CL-{}", i);
  c["firstname"] = first;
  c["lastname"] = last;
  c["displayName"] = first + " " + last;
  c["mobileNo"] = fmt::format("07{:08}", 10000000 + (i * 7919) % 89999999);
  c["officeId"] = 1 + i % 8;
  c["activationDate"] = {2020 + i % 4, 1 + i % 12, 1 + i % 28};
  return c;
}

// Loan i of client i: a 6-month loan disbursed on a day that depends on i, some
// installments paid; amounts vary per loan.
inline nlohmann::json fineractLoan(std::int64_t i, const nlohmann::json& base) {
  nlohmann::json loan = base;
  const double principal = 5000.0 + static_cast<double>((i * 37) % 200) * 100.0;
  const double interest = principal * 0.02;
  const double perPeriod = principal / 6.0 + interest;
  const int paid = static_cast<int>(i % 4);
  const int day = 1 + static_cast<int>(i % 28);
  loan["id"] = i;
  loan["accountNo"] = fmt::format("{:09}", 500000 + i);
  loan["clientId"] = i;
  loan["clientAccountNo"] = fmt::format("{:09}", i);
  loan["clientOfficeId"] = 1 + i % 8;
  loan["principal"] = principal;
  loan["approvedPrincipal"] = principal;
  loan["proposedPrincipal"] = principal;
  loan["loanOfficerId"] = 1 + i % 12;
  loan["timeline"]["actualDisbursementDate"] = {2024, 5, day};
  loan["timeline"]["expectedDisbursementDate"] = {2024, 5, day};
  loan["timeline"]["expectedMaturityDate"] = {2024, 11, day};
  auto& s = loan["summary"];
  const double principalPaid = principal / 6.0 * paid;
  s["principalDisbursed"] = principal;
  s["principalPaid"] = principalPaid;
  s["principalOutstanding"] = principal - principalPaid;
  s["interestCharged"] = interest * 6;
  s["interestPaid"] = interest * paid;
  s["interestOutstanding"] = interest * (6 - paid);
  s["totalExpectedRepayment"] = perPeriod * 6;
  s["totalRepayment"] = perPeriod * paid;
  s["totalOutstanding"] = perPeriod * (6 - paid);
  auto& periods = loan["repaymentSchedule"]["periods"];
  periods[0]["dueDate"] = {2024, 5, day};
  periods[0]["principalDisbursed"] = principal;
  for (int k = 1; k <= 6; ++k) {
    auto& p = periods[static_cast<std::size_t>(k)];
    const bool done = k <= paid;
    p["fromDate"] = {2024, 4 + k, day};
    p["dueDate"] = {2024, 5 + k, day};
    p["principalDue"] = principal / 6.0;
    p["interestDue"] = interest;
    p["totalDueForPeriod"] = perPeriod;
    p["totalInstallmentAmountForPeriod"] = perPeriod;
    p["complete"] = done;
    p["principalPaid"] = done ? principal / 6.0 : 0.0;
    p["interestPaid"] = done ? interest : 0.0;
    p["totalPaidForPeriod"] = done ? perPeriod : 0.0;
    p["totalOutstandingForPeriod"] = done ? 0.0 : perPeriod;
    p["principalLoanBalanceOutstanding"] = principal - principal / 6.0 * k;
    if (done) {
      p["obligationsMetOnDate"] = {2024, 5 + k, day};
    } else {
      p.erase("obligationsMetOnDate");
    }
  }
  loan["delinquent"]["nextPaymentDueDate"] = {2024, 6 + paid, day};
  loan["delinquent"]["lastPaymentAmount"] = paid > 0 ? perPeriod : 0.0;
  loan["delinquent"]["lastPaymentDate"] =
      paid > 0 ? nlohmann::json{2024, 5 + paid, day} : nlohmann::json();
  return loan;
}

}  // namespace mfigw::testing
