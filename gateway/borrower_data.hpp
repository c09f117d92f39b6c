// BorrowerData: what the menu engine may know about the caller, read from the local loan book.
//
// Purpose:   menus::DataSource over the snapshot, so balance and eligibility answer while the
//            branch link is down ("as of" says how fresh). Values for one MSISDN:
//            client_name, balance (total outstanding of open loans), next_amount/next_due and
//            second_* (the next unpaid installments of the loan due soonest), as_of,
//            can_borrow (a known client with no arrears, nothing written off or charged off),
//            can_defer (an installment is due and no deferral is already pending),
//            loan_min/loan_max (bounds from the last disbursement), officer_name,
//            home_branch. My loans: loan_count (open loans) and, for the first three open
//            loans in account order, has_loanN, loanN_acct (last 4 characters), loanN_out,
//            loanN_late (arrears), loanN_next_amount/loanN_next_due, loanN_officer,
//            loanN_as_of (N = 1..3). Group status: in_group, group_name, group_members,
//            group_meeting (the next known meeting day, else the next regular weekday).
//            Payment points "near" a place: the place is a branch number (typed
//            area code or the home branch); the points of that branch give the reference
//            position and the nearest ones, any branch, are returned.
//            The PIN: pinState() from the caller's PIN record (none, locked, usable);
//            checkPin() answers from verifications the service ran on its worker BEFORE this
//            step (argon2 is too slow for the loop). A PIN the engine asks about that was not
//            verified yet is remembered (wantedPin()) and answered Wrong for now: the service
//            throws that run away, verifies the PIN and runs the pure engine again.
// Threading: the loop thread; reads one LMDB read txn taken at construction.
// Errors:    unknown values are nullopt (the engine shows "-"); nothing throws to the engine.
// Ownership: borrows the env, the loan book and the locator for the life of one step.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "menus/data_source.hpp"
#include "store/day_number.hpp"
#include "store/env.hpp"
#include "store/loan_book.hpp"
#include "store/payment_point_index.hpp"
#include "store/pin_table.hpp"

namespace mfigw::gateway {

struct BorrowerView {
  std::optional<store::Client> client;
  std::vector<store::LoanSnapshot> loans;  // every loan of the client
  std::optional<store::PinRecord> pin;     // the caller's PIN (any caller may have one)
  std::optional<store::Group> group;       // the client's group record, when it has one
  std::size_t groupMembers = 0;            // clients whose groupId is the client's group
};

// How many open loans My loans can show (the menu has one screen per loan).
inline constexpr std::size_t kMaxListedLoans = 3;

// Reads the client (by E.164 digits without '+') and its loans.
BorrowerView readBorrower(const store::Txn& txn, const store::LoanBook& book,
                          const std::string& msisdnDigits);
// The same, with the caller's PIN record.
BorrowerView readBorrower(const store::Txn& txn, const store::LoanBook& book,
                          const store::PinTable& pins, const std::string& msisdnDigits);

class BorrowerData final : public menus::DataSource {
 public:
  BorrowerData(BorrowerView view, store::DayNumber today, const store::PaymentPointLocator* points,
               std::string region);

  std::optional<std::string> value(std::string_view name) const override;
  std::vector<menus::PaymentPoint> paymentPointsNear(std::string_view place,
                                                     std::size_t limit) const override;
  bool phoneAcceptable(std::string_view digits) const override;
  menus::PinCheck pinState() const override;
  menus::PinCheck checkPin(std::string_view pin) const override;

  // When and against how many tries the PIN answers are given (UssdOptions::pinMaxTries).
  void setPinPolicy(std::int64_t nowMs, std::uint32_t maxTries);
  // The outcome of verifying `pin` against the record's hash (run off the loop).
  void addVerified(std::string pin, bool matches);
  // A PIN the engine asked about that has no verification yet (nullopt: none).
  [[nodiscard]] std::optional<std::string> wantedPin() const { return wanted_; }
  [[nodiscard]] const std::optional<store::PinRecord>& pinRecord() const { return view_.pin; }
  // Forgets what the last engine run asked (before running it again).
  void resetRun() const {
    wanted_.reset();
    wrongThisRun_ = 0;
  }

 private:
  const store::LoanSnapshot* dueSoonest() const;
  std::vector<const store::LoanSnapshot*> openLoans() const;  // by account number
  std::optional<std::string> loanValue(std::string_view name) const;
  std::optional<std::string> groupValue(std::string_view name) const;

  BorrowerView view_;
  store::DayNumber today_;
  const store::PaymentPointLocator* points_;
  std::string region_;
  std::int64_t nowMs_ = 0;
  std::uint32_t maxTries_ = 3;
  std::vector<std::pair<std::string, bool>> verified_;  // PIN typed -> right?
  mutable std::optional<std::string> wanted_;
  mutable std::uint32_t wrongThisRun_ = 0;  // a dial-through string may hold several tries
};

}  // namespace mfigw::gateway
