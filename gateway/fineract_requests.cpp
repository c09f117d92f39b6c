#include "gateway/fineract_requests.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "gateway/fineract_mapping.hpp"
#include "store/loan_status.hpp"

namespace mfigw::gateway {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxReason = 200;
constexpr std::string_view kDateFormat = "yyyy-MM-dd";

// A payload field that producers write as a number or as digits ("14").
std::optional<std::int64_t> integerField(const json& payload, std::string_view key) {
  const auto it = payload.find(key);
  if (it == payload.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_string()) {
    const std::string text = it->get<std::string>();
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return value;
  }
  return std::nullopt;
}

std::string stringField(const json& payload, std::string_view key) {
  const auto it = payload.find(key);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (out.size() >= kMaxReason) break;
    out.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
  }
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Fineract's platform errors: {"defaultUserMessage", "userMessageGlobalisationCode",
// "errors": [{"parameterName", "defaultUserMessage", "userMessageGlobalisationCode"}]}.
bool saysExternalIdExists(const json& error) {
  const auto mentions = [](const json& e) {
    if (!e.is_object()) return false;
    std::string text;
    for (const char* key : {"userMessageGlobalisationCode", "defaultUserMessage",
                            "developerMessage", "parameterName"}) {
      const auto it = e.find(key);
      if (it != e.end() && it->is_string()) text += lower(it->get<std::string>()) + " ";
    }
    const bool aboutExternalId = text.find("externalid") != std::string::npos ||
                                 text.find("external.id") != std::string::npos ||
                                 text.find("external_id") != std::string::npos ||
                                 text.find("external id") != std::string::npos;
    const bool exists = text.find("duplicate") != std::string::npos ||
                        text.find("already exists") != std::string::npos;
    return aboutExternalId && exists;
  };
  if (mentions(error)) return true;
  const auto errors = error.find("errors");
  if (errors != error.end() && errors->is_array()) {
    return std::any_of(errors->begin(), errors->end(), mentions);
  }
  return false;
}

std::string platformMessage(const json& error, std::string_view body) {
  if (error.is_object()) {
    const auto errors = error.find("errors");
    if (errors != error.end() && errors->is_array() && !errors->empty()) {
      const json& first = (*errors)[0];
      if (first.is_object() && first.contains("defaultUserMessage") &&
          first["defaultUserMessage"].is_string()) {
        return first["defaultUserMessage"].get<std::string>();
      }
    }
    for (const char* key : {"defaultUserMessage", "developerMessage"}) {
      const auto it = error.find(key);
      if (it != error.end() && it->is_string()) return it->get<std::string>();
    }
  }
  return std::string(body);
}

}  // namespace

std::string fineractKey(const store::EventKey& key) {
  return store::toString(key);
}

std::variant<DeferralTarget, std::string> deferralTarget(
    const json& payload, std::span<const store::LoanSnapshot> loansOfClient) {
  if (!payload.is_object()) return std::string("payload is not a JSON object");
  DeferralTarget target;
  const auto days = integerField(payload, "days");
  if (!days || *days < 1 || *days > 366) return std::string("days: expected 1..366");
  target.days = *days;

  // A producer that knows the loan and installment says so.
  const std::string lid = stringField(payload, "lid");
  const std::string due = stringField(payload, "due");
  if (!lid.empty() && !due.empty()) {
    try {
      target.dueDay = fineractDate(json(due), "due");
    } catch (const FineractFormatError& e) {
      return std::string(e.what());
    }
    target.loanId = lid;
    return target;
  }

  // The USSD flow: installment 1 or 2 of the open loan due soonest, as the screen showed.
  const auto which = integerField(payload, "installment").value_or(1);
  if (which != 1 && which != 2) return std::string("installment: expected 1 or 2");
  const store::LoanSnapshot* best = nullptr;
  for (const store::LoanSnapshot& loan : loansOfClient) {
    if (!store::isOpen(loan)) continue;
    if (!lid.empty() && loan.loanId != lid) continue;
    const auto first = std::find_if(loan.installments.begin(), loan.installments.end(),
                                    [](const store::Installment& i) { return i.amountDue > 0; });
    if (first == loan.installments.end()) continue;
    if (best == nullptr) {
      best = &loan;
      continue;
    }
    const auto bestFirst =
        std::find_if(best->installments.begin(), best->installments.end(),
                     [](const store::Installment& i) { return i.amountDue > 0; });
    if (first->dueDay < bestFirst->dueDay) best = &loan;
  }
  if (best == nullptr)
    return std::string("the borrower has no open loan with an unpaid installment");
  std::vector<store::DayNumber> unpaid;
  for (const store::Installment& i : best->installments)
    if (i.amountDue > 0) unpaid.push_back(i.dueDay);
  if (static_cast<std::size_t>(which) > unpaid.size()) {
    return fmt::format("installment {}: the loan has {} unpaid", which, unpaid.size());
  }
  target.loanId = best->loanId;
  target.dueDay = unpaid[static_cast<std::size_t>(which - 1)];
  return target;
}

std::string rescheduleRequestBody(const DeferralTarget& target, const FineractOptions& options,
                                  store::DayNumber submittedOn, const store::EventKey& key) {
  json body = {
      {"loanId", target.loanId},
      {"rescheduleFromDate", isoDay(target.dueDay)},
      {"adjustedDueDate", isoDay(target.dueDay + static_cast<store::DayNumber>(target.days))},
      {"submittedOnDate", isoDay(submittedOn)},
      {"rescheduleReasonComment",
       fmt::format("mfigw:{} borrower asked by USSD to delay this payment by {} days",
                   fineractKey(key), target.days)},
      {"dateFormat", kDateFormat},
      {"locale", options.locale},
  };
  // Fineract wants a number when the loan id is one (it always is: we key loans by its id).
  std::int64_t numeric = 0;
  const auto [end, ec] =
      std::from_chars(target.loanId.data(), target.loanId.data() + target.loanId.size(), numeric);
  if (ec == std::errc() && end == target.loanId.data() + target.loanId.size()) {
    body["loanId"] = numeric;
  }
  if (options.rescheduleReasonId != 0) body["rescheduleReasonId"] = options.rescheduleReasonId;
  return body.dump();
}

std::variant<CreditApplication, std::string> creditApplication(const json& payload,
                                                               std::string clientId,
                                                               std::uint8_t decimals) {
  if (!payload.is_object()) return std::string("payload is not a JSON object");
  const auto amount = integerField(payload, "amount");
  if (!amount || *amount <= 0 || *amount > store::kMaxAmountMinor) {
    return std::string("amount: expected a positive amount in minor units");
  }
  CreditApplication a;
  a.clientId = std::move(clientId);
  a.principalMinor = *amount;
  a.decimals = decimals;
  if (const auto term = integerField(payload, "term_days")) {
    if (*term < 1 || *term > 3660) return std::string("term_days: expected 1..3660");
    a.termDays = *term;
  }
  return a;
}

std::string loanApplicationBody(const CreditApplication& a, const FineractOptions& options,
                                store::DayNumber submittedOn, const store::EventKey& key) {
  std::int64_t scale = 1;
  for (std::uint8_t i = 0; i < a.decimals; ++i)
    scale *= 10;
  // Principal as a JSON number in major units; minor units are exact below 2^53.
  const double principal = static_cast<double>(a.principalMinor) / static_cast<double>(scale);
  json body = {
      {"clientId", a.clientId},
      {"productId", options.loanProductId},
      {"principal", principal},
      {"loanTermFrequency", a.termDays},
      {"loanTermFrequencyType", 0},  // days
      {"numberOfRepayments", 1},
      {"repaymentEvery", a.termDays},
      {"repaymentFrequencyType", 0},  // days
      {"interestRatePerPeriod", 0},
      {"amortizationType", 1},               // equal installments
      {"interestType", 0},                   // declining balance
      {"interestCalculationPeriodType", 1},  // same as repayment period
      {"transactionProcessingStrategyCode", "mifos-standard-strategy"},
      {"expectedDisbursementDate", isoDay(submittedOn)},
      {"submittedOnDate", isoDay(submittedOn)},
      {"loanType", "individual"},
      {"externalId", fineractKey(key)},
      {"dateFormat", kDateFormat},
      {"locale", options.locale},
  };
  std::int64_t numeric = 0;
  const auto [end, ec] =
      std::from_chars(a.clientId.data(), a.clientId.data() + a.clientId.size(), numeric);
  if (ec == std::errc() && end == a.clientId.data() + a.clientId.size()) body["clientId"] = numeric;
  return body.dump();
}

FineractAnswerClass classifyFineractAnswer(unsigned status, bool servedFromCache,
                                           std::string_view body) {
  if (status >= 200 && status < 300) {
    return {servedFromCache ? FineractAnswer::Duplicate : FineractAnswer::Accepted, {}};
  }
  const json error = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const std::string message =
      printable(fmt::format("HTTP {}: {}", status, platformMessage(error, body)));
  // A wrong tenant is refused before any resource is looked at (400 or 401 by version):
  // it says nothing about the event.
  if (status == 401 || lower(message).find("tenant") != std::string::npos) {
    return {FineractAnswer::Auth, message};
  }
  if ((status == 400 || status == 403) && saysExternalIdExists(error)) {
    return {FineractAnswer::Duplicate, {}};
  }
  if (status == 400 || status == 403 || status == 404) return {FineractAnswer::Rejected, message};
  return {FineractAnswer::Retry, message};
}

}  // namespace mfigw::gateway
