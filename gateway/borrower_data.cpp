#include "gateway/borrower_data.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <fmt/format.h>

#include "gateway/msisdn.hpp"
#include "store/loan_status.hpp"

namespace mfigw::gateway {

namespace {

std::string isoDate(store::DayNumber day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(day))};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

bool blocksCredit(const store::LoanSnapshot& loan, store::DayNumber today) {
  return loan.status == store::LoanStatus::WrittenOff || loan.has(store::LoanFlag::ChargedOff) ||
         loan.has(store::LoanFlag::Npa) ||
         (store::isOpen(loan) && store::daysPastDue(loan, today) > 0);
}

// The next day on or after `today` that falls on `weekday` (ISO 1..7).
store::DayNumber nextWeekday(store::DayNumber today, store::Weekday weekday) {
  const std::chrono::weekday todayWeekday{std::chrono::sys_days(std::chrono::days(today))};
  const int wanted = static_cast<int>(weekday);
  const int now = static_cast<int>(todayWeekday.iso_encoding());
  return today + static_cast<store::DayNumber>((wanted - now + 7) % 7);
}

}  // namespace

BorrowerView readBorrower(const store::Txn& txn, const store::LoanBook& book,
                          const std::string& msisdnDigits) {
  BorrowerView view;
  view.client = book.clientByMsisdn(txn, msisdnDigits);
  if (!view.client) return view;
  view.loans = book.loansOfClient(txn, view.client->cid);
  if (!view.client->groupId.empty()) {
    view.group = book.group(txn, view.client->groupId);
    view.groupMembers = book.membersOfGroup(txn, view.client->groupId).size();
  }
  return view;
}

std::optional<store::Position> readServingCell(const store::Txn& txn, const store::LoanBook& book,
                                               const store::CellId& cell) {
  const std::optional<store::CellTower> tower = book.cellTower(txn, cell);
  if (!tower) return std::nullopt;
  return store::Position{tower->latitudeE6, tower->longitudeE6};
}

BorrowerView readBorrower(const store::Txn& txn, const store::LoanBook& book,
                          const store::PinTable& pins, const std::string& msisdnDigits) {
  BorrowerView view = readBorrower(txn, book, msisdnDigits);
  view.pin = pins.get(txn, msisdnDigits);
  return view;
}

BorrowerData::BorrowerData(BorrowerView view, store::DayNumber today,
                           const store::PaymentPointLocator* points, std::string region)
    : view_(std::move(view)), today_(today), points_(points), region_(std::move(region)) {}

const store::LoanSnapshot* BorrowerData::dueSoonest() const {
  const store::LoanSnapshot* best = nullptr;
  std::optional<store::NextDue> bestDue;
  for (const store::LoanSnapshot& loan : view_.loans) {
    if (!store::isOpen(loan)) continue;
    const auto due = store::nextDue(loan, today_);
    if (!due) continue;
    if (!bestDue || due->day < bestDue->day) {
      best = &loan;
      bestDue = due;
    }
  }
  return best;
}

std::vector<const store::LoanSnapshot*> BorrowerData::openLoans() const {
  std::vector<const store::LoanSnapshot*> open;
  for (const store::LoanSnapshot& loan : view_.loans)
    if (store::isOpen(loan)) open.push_back(&loan);
  // Account order is what the borrower's passbook shows; loan ids mean nothing to them.
  std::stable_sort(open.begin(), open.end(),
                   [](const auto* a, const auto* b) { return a->accountNo < b->accountNo; });
  return open;
}

std::optional<std::string> BorrowerData::loanValue(std::string_view name) const {
  const auto open = openLoans();
  if (name == "loan_count") return std::to_string(open.size());
  // loanN_field with N in 1..kMaxListedLoans.
  if (name.size() < 7 || name.substr(0, 4) != "loan" || name[5] != '_') return std::nullopt;
  const std::size_t n = static_cast<std::size_t>(name[4] - '0');
  if (n < 1 || n > kMaxListedLoans) return std::nullopt;
  const std::string_view field = name.substr(6);
  if (n > open.size()) return std::nullopt;
  const store::LoanSnapshot& loan = *open[n - 1];
  if (field == "acct") {
    const std::size_t tail = std::min<std::size_t>(loan.accountNo.size(), 4);
    return loan.accountNo.substr(loan.accountNo.size() - tail);
  }
  if (field == "out") return std::to_string(loan.totalOutstanding);
  if (field == "late") return std::to_string(loan.totalOverdue);
  if (field == "officer") {
    if (loan.officer.empty()) return std::nullopt;
    return loan.officer;
  }
  if (field == "as_of") {
    if (loan.asOf == 0) return std::nullopt;
    return isoDate(store::dayOfUnixSeconds(loan.asOf));
  }
  const auto next = store::nextDue(loan, today_);
  if (!next) return std::nullopt;
  if (field == "next_amount") return std::to_string(next->amount);
  if (field == "next_due") return isoDate(next->day);
  return std::nullopt;
}

std::optional<std::string> BorrowerData::groupValue(std::string_view name) const {
  if (name == "in_group") return view_.client->groupId.empty() ? "0" : "1";
  if (!view_.group) return std::nullopt;
  const store::Group& group = *view_.group;
  if (name == "group_name") {
    if (group.name.empty()) return std::nullopt;
    return group.name;
  }
  if (name == "group_members") return std::to_string(view_.groupMembers);
  if (name == "group_meeting") {
    if (group.nextMeetingDay != store::kNoDay && group.nextMeetingDay >= today_)
      return isoDate(group.nextMeetingDay);
    // The recorded meeting day has passed (or none was sent): the regular weekday.
    if (group.meetingWeekday == store::Weekday::None) return std::nullopt;
    return isoDate(nextWeekday(today_, group.meetingWeekday));
  }
  return std::nullopt;
}

std::optional<std::string> BorrowerData::value(std::string_view name) const {
  // The serving cell is the phone's, not the client's: known callers or not.
  if (name == "has_cell") return view_.servingCell ? "1" : "0";
  if (name == "cell_place") {
    if (!view_.servingCell) return std::nullopt;
    return std::string(kCellPlace);
  }
  if (!view_.client) return std::nullopt;  // an unknown caller sees "-" and no offers
  const store::Client& client = *view_.client;
  if (name.starts_with("has_loan")) {
    const std::size_t n = name.size() == 9 ? static_cast<std::size_t>(name[8] - '0') : 0;
    if (n < 1 || n > kMaxListedLoans) return std::nullopt;
    return openLoans().size() >= n ? "1" : "0";
  }
  if (name.starts_with("loan") && name != "loan_min" && name != "loan_max") return loanValue(name);
  if (name.starts_with("group_") || name == "in_group") return groupValue(name);
  if (name == "client_name") return client.shortName;
  if (name == "home_branch") {
    if (client.homeBranch == 0) return std::nullopt;  // no branch: no place to look near
    return std::string(kBranchPlacePrefix) + std::to_string(client.homeBranch);
  }
  if (name == "balance") {
    std::int64_t total = 0;
    for (const auto& loan : view_.loans)
      if (store::isOpen(loan)) total += loan.totalOutstanding;
    return std::to_string(total);
  }
  if (name == "as_of") {
    std::uint32_t oldest = 0;
    for (const auto& loan : view_.loans)
      if (store::isOpen(loan) && (oldest == 0 || loan.asOf < oldest)) oldest = loan.asOf;
    if (oldest == 0) return std::nullopt;
    return isoDate(store::dayOfUnixSeconds(oldest));
  }
  if (name == "officer_name") {
    for (const auto& loan : view_.loans)
      if (store::isOpen(loan) && !loan.officer.empty()) return loan.officer;
    return std::nullopt;
  }
  if (name == "can_borrow") {
    const bool blocked = std::any_of(view_.loans.begin(), view_.loans.end(),
                                     [&](const auto& loan) { return blocksCredit(loan, today_); });
    return blocked ? "0" : "1";
  }
  if (name == "loan_min" || name == "loan_max") {
    std::int64_t last = 0;
    for (const auto& loan : view_.loans)
      last = std::max(last, loan.disbursed);
    if (last == 0) return std::nullopt;
    // A repeat borrower in good standing may ask up to half again the last loan; a quarter
    // of it is the floor (the MFI decides; these only bound what the phone can type).
    return std::to_string(name == "loan_max" ? last + last / 2
                                             : std::max<std::int64_t>(last / 4, 1));
  }
  const store::LoanSnapshot* soonest = dueSoonest();
  if (name == "can_defer") {
    return soonest && !soonest->has(store::LoanFlag::DeferralPending) ? "1" : "0";
  }
  if (!soonest) return std::nullopt;
  std::vector<const store::Installment*> upcoming;
  for (const auto& inst : soonest->installments)
    if (inst.dueDay != store::kNoDay && inst.amountDue > 0 && inst.dueDay >= today_)
      upcoming.push_back(&inst);
  // Overdue installments are due now: the first unpaid one shows as due today's arrears.
  const auto next = store::nextDue(*soonest, today_);
  if (name == "next_amount") return std::to_string(next->amount);
  if (name == "next_due") return isoDate(next->day);
  const store::Installment* second = nullptr;
  for (const auto* inst : upcoming)
    if (inst->dueDay > next->day) {
      second = inst;
      break;
    }
  if (name == "has_second") return second ? "1" : "0";
  if (!second) return std::nullopt;
  if (name == "second_amount") return std::to_string(second->amountDue);
  if (name == "second_due") return isoDate(second->dueDay);
  return std::nullopt;
}

std::vector<menus::PaymentPoint> BorrowerData::paymentPointsNear(std::string_view place,
                                                                 std::size_t limit) const {
  std::vector<menus::PaymentPoint> out;
  if (!points_) return out;
  const auto index = points_->index();
  if (!index) return out;
  std::optional<store::Position> centre;
  if (place.starts_with(kBranchPlacePrefix)) {
    const std::string_view digits = place.substr(kBranchPlacePrefix.size());
    std::uint16_t branch = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), branch);
    if (ec == std::errc() && end == digits.data() + digits.size() && !digits.empty()) {
      centre = index->places().ofBranch(branch);
    }
  } else if (place == kCellPlace) {
    centre = view_.servingCell;
  } else if (const std::optional<std::uint32_t> area = store::parseAreaCode(place)) {
    centre = index->places().ofArea(*area);
  }
  if (!centre) return out;
  for (const auto& p : index->nearest(centre->latitudeE6, centre->longitudeE6, limit)) {
    out.push_back({p.point.name, static_cast<std::uint32_t>(p.meters), p.point.openingHours,
                   p.point.landmark});
  }
  return out;
}

void BorrowerData::setPinPolicy(std::int64_t nowMs, std::uint32_t maxTries) {
  nowMs_ = nowMs;
  maxTries_ = std::max<std::uint32_t>(maxTries, 1);
}

void BorrowerData::addVerified(std::string pin, bool matches) {
  verified_.emplace_back(std::move(pin), matches);
}

menus::PinCheck BorrowerData::pinState() const {
  if (!view_.pin) return {menus::PinOutcome::NotSet, 0};
  if (view_.pin->lockedAt(nowMs_)) return {menus::PinOutcome::Locked, 0};
  return {menus::PinOutcome::Ok, 0};
}

menus::PinCheck BorrowerData::checkPin(std::string_view pin) const {
  const menus::PinCheck state = pinState();
  if (state.outcome != menus::PinOutcome::Ok) return state;
  const std::uint32_t used = view_.pin->failures + wrongThisRun_;
  if (used >= maxTries_) return {menus::PinOutcome::Locked, 0};
  const auto known = std::find_if(verified_.begin(), verified_.end(),
                                  [&](const auto& v) { return v.first == pin; });
  if (known == verified_.end()) {
    // Not verified yet: the service verifies it off the loop and runs the step again.
    if (!wanted_) wanted_ = std::string(pin);
    return {menus::PinOutcome::Wrong, maxTries_ - used - 1};
  }
  if (known->second) return {menus::PinOutcome::Ok, 0};
  ++wrongThisRun_;
  return {menus::PinOutcome::Wrong, maxTries_ - used - 1};
}

bool BorrowerData::phoneAcceptable(std::string_view digits) const {
  return normalizeMsisdn(std::string(digits), region_).e164.has_value();
}

}  // namespace mfigw::gateway
