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
//            Payment points "near" a place (the value of the locator's `place` variable):
//              - digits (what an area-code input stores): an area code, whose centre comes
//                from the areas table, else from the points tagged with that code
//                (store/place_centres.hpp); an unknown code has no points, so the menu
//                shows its `empty` page;
//              - "br:N": branch N, whose centre is the centre of its own points. This is
//                what value("home_branch") answers: the gateway hands out the home branch
//                as a place token, never as bare digits, so the two can never be confused
//                and no guess is made from the value (a typed "12" is area 12 even for a
//                borrower of branch 12). Why a token rather than a second argument: the
//                engine passes only the variable's value (menus/data_source.hpp), and the
//                token keeps that interface; home_branch is a place, not display text (no
//                shipped screen shows it).
//              - "cell" (kCellPlace, what value("cell_place") answers when the request named
//                a serving cell that the cell_towers table knows, see readServingCell()):
//                the cell's position;
//              - anything else: no points.
//            The nearest points to that centre, of any branch or area, are returned.
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
#include <string_view>
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
  std::vector<store::LoanSnapshot> loans;      // every loan of the client
  std::optional<store::PinRecord> pin;         // the caller's PIN (any caller may have one)
  std::optional<store::Group> group;           // the client's group record, when it has one
  std::size_t groupMembers = 0;                // clients whose groupId is the client's group
  std::optional<store::Position> servingCell;  // where the caller's cell is, when known
};

// value("home_branch") is this prefix and the branch number ("br:12"); see above.
inline constexpr std::string_view kBranchPlacePrefix = "br:";
// value("cell_place") when the caller's serving cell has a known position; has_cell says so.
inline constexpr std::string_view kCellPlace = "cell";

// How many open loans My loans can show (the menu has one screen per loan).
inline constexpr std::size_t kMaxListedLoans = 3;

// Reads the client (by E.164 digits without '+') and its loans.
BorrowerView readBorrower(const store::Txn& txn, const store::LoanBook& book,
                          const std::string& msisdnDigits);
// The position of the cell the request came through (store/cell_tower.hpp), when the
// channel named one and the table knows it. Open issue: no ingress passes a cell yet (see
// gateway/cell_tower_import.hpp); UssdService would fill BorrowerView::servingCell with it.
std::optional<store::Position> readServingCell(const store::Txn& txn, const store::LoanBook& book,
                                               const store::CellId& cell);
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
