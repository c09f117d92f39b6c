// UssdService: one USSD dialog engine for every ingress (SMPP today, HTTP aggregators next).
//
// Purpose:   Runs the menu engine for a request (begin with the dialled string, or the
//            user's next input) and answers with the page to show and whether the dialog
//            continues. Around the pure engine it keeps what the network cannot: the dialog in
//            the fast store (one live dialog per MSISDN, the tree version it started on), an
//            idle timeout per screen and a total cap, "1 Continue / 2 Start again" when a
//            phone re-dials a dialog the network dropped, dial-through strings (*123*1#), and
//            the effects of action screens committed exactly once to the durable store
//            (events for upstream keyed by dialog and step, SMS through the outbox) BEFORE
//            the page that confirms them is sent. Outcomes per dialog feed the metrics.
//            PINs (issue 5, item 6): argon2id verify and hash cost tens of milliseconds, so
//            they run on a one-thread worker the service owns. The engine is pure, so a
//            step whose input is a PIN nobody verified yet is decided, the PIN verified on
//            the worker, and the step decided again on the loop with the answer. PinAttempt
//            (count a wrong try, lock at pinMaxTries for pinLockout; reset when right) and
//            PinSet (the new hash) commit in the same durable txn as the other effects,
//            before the page. A new PIN waiting for its repeat lives in memory only
//            (pendingSecrets_), never in the fast store; dial-through digits are not stored.
//            A deadline per step (issue 5, item 3): the network gives the application
//            10-15 s (aggregators 5-10 s) and then drops the dialog without a word. A step
//            still running at options.stepDeadline (a PIN queue, a stalled disk) answers the
//            phone with a fallback end page instead; the step goes on, and when it commits,
//            a page that ends the dialog or confirms something reaches the phone by SMS
//            (the outbox, same commit rules). The SMSC's deliver_sm is acknowledged only
//            once the step is settled, fallback or not.
// Threading: the loop thread; stores are written through their group-commit writers; the
//            PIN worker runs only store::verifyPin/hashPin and comes back through a writer.
// Errors:    a store refusal answers nullopt (the ingress answers its temporary error: the
//            operator retries or the user dials again); a broken menu or session ends the
//            dialog with the tree's "unavailable" page. Nothing throws to the ingress.
// Ownership: owns the loaded menu trees (older versions kept while dialogs use them);
//            borrows stores, sender, metrics and logger.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "gateway/metrics.hpp"
#include "gateway/msisdn_mask.hpp"
#include "gateway/outbox_sender.hpp"
#include "gateway/store_layout.hpp"
#include "menus/menu_tree.hpp"
#include "store/cell_tower.hpp"
#include "store/payment_point_index.hpp"
#include "store/ussd_dialogs.hpp"

namespace mfigw::gateway {

struct UssdOptions {
  std::string serviceCode = "*123#";
  std::string region = "KE";
  std::chrono::milliseconds idleTimeout{60000};    // per screen
  std::chrono::milliseconds dialogCap{180000};     // whole dialog
  std::chrono::milliseconds resumeWindow{120000};  // re-dial offers to continue within this
  int pinMaxTries = 3;                             // wrong PINs in a row before the lock
  std::chrono::milliseconds pinLockout{1800000};   // how long a locked PIN stays locked
  std::chrono::milliseconds stepDeadline{8000};    // then the phone gets the fallback page
};

struct UssdRequest {
  std::string msisdn;      // as the network gave it
  std::string channel;     // "smpp:<link>", "http:<aggregator>"
  std::string sessionKey;  // the operator's session id (echoed), may be empty
  bool begin = false;      // true: `text` is the dialled string
  std::string text;
  std::optional<store::CellId> cell;  // the caller's serving cell, when the channel says
};

struct UssdReply {
  bool continues = false;
  std::string text;
  bool fallback = false;  // sent at the step deadline: the step is still running
};

class UssdService {
 public:
  // The page for the phone (a fallback page when the step overran its deadline), or
  // nullopt when the store refused the step (answer a temporary error). Called once.
  using Done = std::function<void(std::optional<UssdReply>)>;
  // The step's work is committed (true) or was refused (false). Called once, before `done`
  // when the step met its deadline, after the fallback page when it did not: an ingress
  // that acknowledges the request separately from the page (SMPP) acknowledges here.
  using Settled = std::function<void(bool stored)>;

  UssdService(boost::asio::io_context& io, StoreLayout& stores, OutboxSender& sender,
              UssdOptions options, Metrics& metrics, MsisdnMasker mask, spdlog::logger& log);
  ~UssdService();

  // Loads <dir>/menu.yaml. On error keeps the running tree and returns the error text.
  std::optional<std::string> loadMenus(const std::string& dir);
  [[nodiscard]] bool hasMenus() const { return current_ != nullptr; }
  [[nodiscard]] const menus::MenuTree* menuTree() const { return current_.get(); }
  void setOptions(UssdOptions options) { options_ = std::move(options); }
  void setMasker(MsisdnMasker mask) { mask_ = mask; }

  void handle(UssdRequest request, Done done, Settled settled = {});
  // The operator session key of the live dialog of this number ("" when none): HTTP
  // aggregators that resend every input so far need it to tell a new dial from a next step.
  [[nodiscard]] std::string liveSessionKey(const std::string& msisdn) const;
  // The network ended the dialog of request.msisdn (an abort or release code, or one the
  // ingress cannot follow): the live dialog is removed and counted as `outcome`, unless both
  // it and the request carry an operator session key and the keys differ (a late abort of an
  // older dialog). `done` gets the menu's "unavailable" page to close with (the ingress
  // decides whether to send it), or nullopt when the store refused (answer a retry).
  void end(UssdRequest request, std::string outcome, Done done);
  // Ends dialogs idle past the timeout (counted as network timeouts). Call periodically.
  void sweep();

 private:
  struct Step;
  struct PendingSecrets {
    std::uint64_t dialogId = 0;
    std::int64_t at = 0;  // ms; swept after the idle timeout
    std::map<std::string, std::string, std::less<>> values;
  };
  // One request: more than this many PINs in it (a dial-through string) ends the dialog.
  static constexpr int kMaxPinRounds = 4;

  // Runs the engine for a request from what `step` holds (again after a PIN verification).
  void decide(Step& step) const;
  // Verifies a PIN the engine asked about, hashes new PINs, then finish().
  void proceed(std::shared_ptr<Step> step);
  // `work` on the PIN worker, then `then` on the loop.
  void offLoop(std::function<void()> work, std::function<void()> then);

  menus::MenuTreePtr treeFor(const std::string& version) const;
  void finish(std::shared_ptr<Step> step);
  // The step is over: settle and answer it, or, after a fallback page, SMS what the phone
  // missed before settling.
  void complete(std::shared_ptr<Step> step, bool stored);
  void armDeadline(const std::shared_ptr<Step>& step);
  void sendFallback(Step& step);
  void countOutcome(std::string_view outcome);

  StoreLayout& stores_;
  OutboxSender& sender_;
  UssdOptions options_;
  Metrics& metrics_;
  MsisdnMasker mask_;
  spdlog::logger& log_;
  boost::asio::io_context& io_;
  store::UssdDialogTable dialogs_;
  store::PaymentPointLocator points_;
  menus::MenuTreePtr current_;
  std::map<std::string, menus::MenuTreePtr> trees_;       // by version: live dialogs keep theirs
  std::map<std::string, PendingSecrets> pendingSecrets_;  // by E.164
  boost::asio::thread_pool pinWorker_;                    // last: stopped first
};

}  // namespace mfigw::gateway
