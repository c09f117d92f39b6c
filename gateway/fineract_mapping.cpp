#include "gateway/fineract_mapping.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "gateway/msisdn.hpp"
#include "store/record_check.hpp"

namespace mfigw::gateway {

using nlohmann::json;

namespace {

[[noreturn]] void fail(std::string_view path, std::string_view what) {
  throw FineractFormatError(fmt::format("{}: {}", path, what));
}

std::string at(std::string_view path, std::string_view key) {
  return fmt::format("{}.{}", path, key);
}

// A member that may be absent or null: nullptr then.
const json* member(const json& object, std::string_view key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

const json* objectMember(const json& object, std::string_view key, std::string_view path) {
  const json* value = member(object, key);
  if (value != nullptr && !value->is_object()) fail(at(path, key), "expected an object");
  return value;
}

std::string stringMember(const json& object, std::string_view key, std::string_view path) {
  const json* value = member(object, key);
  if (value == nullptr) return {};
  if (!value->is_string()) fail(at(path, key), "expected a string");
  return value->get<std::string>();
}

bool boolMember(const json& object, std::string_view key, std::string_view path) {
  const json* value = member(object, key);
  if (value == nullptr) return false;
  if (!value->is_boolean()) fail(at(path, key), "expected true or false");
  return value->get<bool>();
}

// Fineract ids are JSON integers (Long); we key records by their decimal text.
std::string idMember(const json& object, std::string_view key, std::string_view path) {
  const json* value = member(object, key);
  if (value == nullptr) fail(at(path, key), "missing");
  if (!value->is_number_integer()) fail(at(path, key), "expected an integer id");
  return value->dump();
}

std::optional<std::int64_t> intMember(const json& object, std::string_view key,
                                      std::string_view path) {
  const json* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number_integer()) fail(at(path, key), "expected an integer");
  return value->get<std::int64_t>();
}

void keepProblems(std::vector<std::string>& out, const std::vector<store::FieldProblem>& found) {
  for (const auto& p : found)
    out.push_back(p.field + ": " + p.message);
}

constexpr std::array<std::int64_t, 7> kPow10 = {1, 10, 100, 1000, 10000, 100000, 1000000};

}  // namespace

std::string cutUtf8(std::string_view text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return std::string(text);
  std::size_t end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) so the cut falls before a whole character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return std::string(text.substr(0, end));
}

std::string isoDay(store::DayNumber day) {
  const auto date = store::toDate(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

store::DayNumber fineractDate(const json& value, std::string_view path) {
  if (value.is_null()) return store::kNoDay;
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (value.is_array()) {
    if (value.size() != 3 || !value[0].is_number_integer() || !value[1].is_number_integer() ||
        !value[2].is_number_integer()) {
      fail(path, "expected a date [yyyy, m, d]");
    }
    y = value[0].get<int>();
    m = value[1].get<unsigned>();
    d = value[2].get<unsigned>();
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (std::sscanf(text.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) {
      fail(path, "expected a date \"yyyy-MM-dd\"");
    }
  } else {
    fail(path, "expected a date [yyyy, m, d]");
  }
  const std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(m),
                                         std::chrono::day(d)};
  if (!date.ok() || y < 1971 || y > 9999)
    fail(path, fmt::format("is not a date ({})", value.dump()));
  return store::toDayNumber(date);
}

std::int64_t fineractMinorUnits(const json& value, std::uint8_t decimals, std::string_view path) {
  if (value.is_null()) return 0;
  if (!value.is_number()) fail(path, "expected a number");
  if (decimals >= kPow10.size()) fail(path, "currency has too many decimal places");
  if (value.is_number_integer()) {
    const auto whole = value.get<std::int64_t>();
    if (std::abs(whole) > store::kMaxAmountMinor / kPow10[decimals]) fail(path, "is too large");
    return whole * kPow10[decimals];
  }
  const double scaled = value.get<double>() * static_cast<double>(kPow10[decimals]);
  if (!(std::fabs(scaled) <= static_cast<double>(store::kMaxAmountMinor))) {
    fail(path, "is too large");
  }
  // Money comes as a binary double (1234.56 is 1234.5599...): round, never truncate.
  return static_cast<std::int64_t>(std::llround(scaled));
}

std::optional<store::LoanStatus> fineractLoanStatus(std::string_view code, bool inArrears) {
  using store::LoanStatus;
  constexpr std::string_view kPrefix = "loanStatusType.";
  if (!code.starts_with(kPrefix)) return std::nullopt;
  const std::string_view s = code.substr(kPrefix.size());
  if (s == "active" || s.starts_with("transfer.")) {
    return inArrears ? LoanStatus::Arrears : LoanStatus::Active;
  }
  if (s == "submitted.and.pending.approval" || s == "approved") return LoanStatus::Pending;
  if (s == "closed.written.off") return LoanStatus::WrittenOff;
  if (s.starts_with("closed.") || s == "overpaid" || s == "withdrawn.by.client" ||
      s == "rejected") {
    return LoanStatus::Closed;
  }
  return std::nullopt;
}

FineractPage parseFineractPage(std::string_view body, std::string_view what) {
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) fail(what, "answer is not JSON");
  if (!parsed.is_object()) fail(what, "answer is not a JSON object");
  FineractPage page;
  const json* total = member(parsed, "totalFilteredRecords");
  if (total == nullptr || !total->is_number_unsigned()) {
    fail(what, "totalFilteredRecords: expected a non-negative integer");
  }
  page.totalFilteredRecords = total->get<std::uint64_t>();
  const json* items = member(parsed, "pageItems");
  if (items == nullptr || !items->is_array()) fail(what, "pageItems: expected an array");
  page.pageItems.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    if (!(*items)[i].is_object())
      fail(fmt::format("{}: pageItems[{}]", what, i), "expected an object");
    page.pageItems.push_back((*items)[i]);
  }
  return page;
}

FineractMapped<store::LoanSnapshot> mapFineractLoan(const json& loan,
                                                    const FineractMappingContext& context,
                                                    std::string_view path) {
  if (!loan.is_object()) fail(path, "expected an object");
  FineractMapped<store::LoanSnapshot> out;
  store::LoanSnapshot s;
  s.loanId = idMember(loan, "id", path);
  s.accountNo = stringMember(loan, "accountNo", path);
  s.clientId = idMember(loan, "clientId", path);

  const json* currency = objectMember(loan, "currency", path);
  if (currency == nullptr) fail(at(path, "currency"), "missing");
  const std::string curPath = at(path, "currency");
  s.currency = stringMember(*currency, "code", curPath);
  const auto decimals = intMember(*currency, "decimalPlaces", curPath).value_or(0);
  if (decimals < 0 || decimals > store::kMaxCurrencyDecimals) {
    out.problems.push_back("dec: " + std::to_string(decimals) + " is outside 0..6");
    return out;
  }
  s.decimals = static_cast<std::uint8_t>(decimals);
  const auto money = [&](const json& object, std::string_view key, std::string_view where) {
    const json* value = member(object, key);
    return value == nullptr ? 0 : fineractMinorUnits(*value, s.decimals, at(where, key));
  };

  const json* summary = objectMember(loan, "summary", path);
  const std::string sumPath = at(path, "summary");
  const json* delinquent = objectMember(loan, "delinquent", path);
  const std::string delPath = at(path, "delinquent");
  // LoanAccountData carries inArrears at the top; some versions repeat it in the summary.
  const bool inArrears = boolMember(loan, "inArrears", path) ||
                         (summary != nullptr && boolMember(*summary, "inArrears", sumPath));

  const json* status = objectMember(loan, "status", path);
  if (status == nullptr) fail(at(path, "status"), "missing");
  const std::string code = stringMember(*status, "code", at(path, "status"));
  const auto st = fineractLoanStatus(code, inArrears);
  if (!st) {
    out.problems.push_back("st: unknown Fineract status \"" + cutUtf8(code, 60) + "\"");
    return out;
  }
  s.status = *st;

  if (summary != nullptr) {
    s.disbursed = money(*summary, "principalDisbursed", sumPath);
    s.principalOutstanding = money(*summary, "principalOutstanding", sumPath);
    s.totalOutstanding = money(*summary, "totalOutstanding", sumPath);
    s.totalOverdue = money(*summary, "totalOverdue", sumPath);
    if (boolMember(*summary, "isNPA", sumPath))
      s.flags |= static_cast<std::uint8_t>(store::LoanFlag::Npa);
  }
  if (boolMember(loan, "isNPA", path)) s.flags |= static_cast<std::uint8_t>(store::LoanFlag::Npa);
  if (boolMember(loan, "chargedOff", path)) {
    s.flags |= static_cast<std::uint8_t>(store::LoanFlag::ChargedOff);
  }

  // The schedule: the first incomplete periods (overdue ones first, as Fineract orders them).
  store::DayNumber oldestDueUnpaid = store::kNoDay;
  if (const json* schedule = objectMember(loan, "repaymentSchedule", path)) {
    const std::string schPath = at(path, "repaymentSchedule");
    const json* periods = member(*schedule, "periods");
    if (periods != nullptr && !periods->is_array())
      fail(at(schPath, "periods"), "expected an array");
    for (std::size_t i = 0; periods != nullptr && i < periods->size(); ++i) {
      const json& p = (*periods)[i];
      const std::string pPath = fmt::format("{}.periods[{}]", schPath, i);
      if (!p.is_object()) fail(pPath, "expected an object");
      if (member(p, "period") == nullptr) continue;  // the disbursement row, not an installment
      if (boolMember(p, "complete", pPath)) continue;
      const json* dueDate = member(p, "dueDate");
      if (dueDate == nullptr) fail(at(pPath, "dueDate"), "missing");
      const store::DayNumber due = fineractDate(*dueDate, at(pPath, "dueDate"));
      std::int64_t left = 0;
      if (member(p, "totalOutstandingForPeriod") != nullptr) {
        left = money(p, "totalOutstandingForPeriod", pPath);
      } else {
        left = money(p, "totalDueForPeriod", pPath) - money(p, "totalPaidForPeriod", pPath);
      }
      if (left <= 0) continue;
      if (due <= context.today && oldestDueUnpaid == store::kNoDay) oldestDueUnpaid = due;
      const bool partial = money(p, "totalPaidForPeriod", pPath) > 0;
      auto& inst = s.installments;
      if (!inst.empty() && inst.back().dueDay >= due) {
        // Two rows on one day (a down payment and an installment): one amount due that day.
        inst.back().amountDue += left;
        continue;
      }
      if (inst.size() == store::kMaxInstallments) continue;  // keep scanning for the oldest due
      inst.push_back(store::Installment{
          due, left,
          partial ? static_cast<std::uint8_t>(store::InstallmentFlag::PartiallyPaid)
                  : std::uint8_t{0}});
    }
  }

  // Arrears age from odsince; see the header for the order of the sources.
  if (s.totalOverdue > 0) {
    std::optional<std::int64_t> pastDueDays;
    if (delinquent != nullptr) pastDueDays = intMember(*delinquent, "pastDueDays", delPath);
    if (pastDueDays && *pastDueDays > 0 && context.today != store::kNoDay) {
      s.overdueSince = context.today - static_cast<store::DayNumber>(*pastDueDays);
    } else if (summary != nullptr && member(*summary, "overdueSinceDate") != nullptr) {
      s.overdueSince =
          fineractDate((*summary)["overdueSinceDate"], at(sumPath, "overdueSinceDate"));
    } else if (oldestDueUnpaid != store::kNoDay) {
      s.overdueSince = oldestDueUnpaid;
    } else {
      s.overdueSince = context.today;  // overdue, date unknown: it ages from now
    }
  }

  if (delinquent != nullptr) {
    if (const json* lpd = member(*delinquent, "lastPaymentDate")) {
      s.lastPaymentDay = fineractDate(*lpd, at(delPath, "lastPaymentDate"));
    }
    s.lastPaymentAmount = money(*delinquent, "lastPaymentAmount", delPath);
    if (const json* pauses = member(*delinquent, "delinquencyPausePeriods")) {
      if (!pauses->is_array()) fail(at(delPath, "delinquencyPausePeriods"), "expected an array");
      for (std::size_t i = 0; i < pauses->size(); ++i) {
        const json& pause = (*pauses)[i];
        if (!pause.is_object()) {
          fail(fmt::format("{}.delinquencyPausePeriods[{}]", delPath, i), "expected an object");
        }
        if (boolMember(pause, "active",
                       fmt::format("{}.delinquencyPausePeriods[{}]", delPath, i))) {
          s.flags |= static_cast<std::uint8_t>(store::LoanFlag::Paused);
        }
      }
    }
  }

  s.product = cutUtf8(stringMember(loan, "loanProductName", path), store::kMaxProductBytes);
  s.officer = cutUtf8(stringMember(loan, "loanOfficerName", path), store::kMaxOfficerBytes);
  if (const auto office = intMember(loan, "clientOfficeId", path)) {
    if (*office < 0 || *office > std::numeric_limits<std::uint16_t>::max()) {
      out.problems.push_back("br: office id " + std::to_string(*office) + " is outside 0..65535");
      return out;
    }
    s.branch = static_cast<std::uint16_t>(*office);
  }
  s.language = context.language;
  s.ver = context.fetchedAt;
  keepProblems(out.problems, store::loanSnapshotProblems(s));
  if (out.problems.empty()) out.record = std::move(s);
  return out;
}

FineractMapped<store::Client> mapFineractClient(const json& client, std::string_view defaultRegion,
                                                const FineractMappingContext& context,
                                                std::string_view path) {
  if (!client.is_object()) fail(path, "expected an object");
  FineractMapped<store::Client> out;
  store::Client c;
  c.cid = idMember(client, "id", path);
  c.shortName = cutUtf8(stringMember(client, "displayName", path), store::kMaxClientNameBytes);
  const std::string mobile = stringMember(client, "mobileNo", path);
  if (!mobile.empty()) {
    const MsisdnParse parsed = normalizeMsisdn(mobile, defaultRegion);
    if (parsed.e164) {
      c.msisdn = parsed.e164->substr(1);  // the store keeps E.164 digits without '+'
    } else {
      // Kept without a phone: the client's loans still sync; the operator sees why.
      out.problems.push_back("msisdn: mobileNo is not a valid phone number (" + parsed.error + ")");
    }
  }
  if (const auto office = intMember(client, "officeId", path)) {
    if (*office >= 0 && *office <= std::numeric_limits<std::uint16_t>::max()) {
      c.homeBranch = static_cast<std::uint16_t>(*office);
    }
  }
  // Fineract records no SMS consent; reminders are the MFI's service to its borrowers (the
  // CSV import makes the same default). STOP still wins.
  c.consent = static_cast<std::uint8_t>(store::Consent::ReminderSms);
  c.language = context.language;
  c.ver = context.fetchedAt;
  const auto bounds = store::clientProblems(c);
  keepProblems(out.problems, bounds);
  if (bounds.empty()) out.record = std::move(c);
  return out;
}

}  // namespace mfigw::gateway
