#include "gateway/ussd_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gateway/borrower_data.hpp"
#include "gateway/msisdn.hpp"
#include "gateway/ussd_page_measure.hpp"
#include "menus/dial_through.hpp"
#include "menus/engine.hpp"
#include "menus/menu_loader.hpp"
#include "menus/session.hpp"
#include "menus/text_template.hpp"
#include "store/day_number.hpp"

namespace mfigw::gateway {

namespace {

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Phrase {
  const char* lang;
  const char* resume;
  const char* timedOut;
  const char* slow;  // the fallback page of a step past its deadline
};
// The gateway's own pages, outside any menu tree; each fits one GSM-7 or UCS-2 page.
constexpr std::array<Phrase, 4> kPhrases{{
    {"en", "You have an unfinished session.\n1 Continue\n2 Start again",
     "Your session timed out. Please dial {} again.",
     "Sorry, this is taking too long. Any answer will come by SMS. Dial {} to continue."},
    {"fr", "Vous avez une session en cours.\n1 Continuer\n2 Recommencer",
     "Votre session a expiré. Composez {} à nouveau.",
     "Désolé, c'est trop long. La réponse arrivera par SMS. Composez {} pour continuer."},
    {"es", "Tiene una sesion sin terminar.\n1 Continuar\n2 Empezar de nuevo",
     "Su sesion expiro. Marque {} de nuevo.",
     "Lo sentimos, tarda demasiado. La respuesta llegara por SMS. Marque {} para continuar."},
    {"ar", "لديك جلسة غير مكتملة.\n1 متابعة\n2 البدء من جديد", "انتهت الجلسة. اطلب {} مرة أخرى.",
     "عذرا، الطلب يستغرق وقتا. سيصلك الرد برسالة. اطلب {} للمتابعة."},
}};

const Phrase& phrase(std::string_view lang) {
  for (const Phrase& p : kPhrases)
    if (lang == p.lang) return p;
  return kPhrases[0];
}

// The upstream idempotency key of an effect: the same dialog step always gives the same key,
// so a redelivered or retried step cannot make a second request upstream.
store::EventKey effectKey(const std::string& msisdn, std::uint64_t dialogId, std::uint32_t step,
                          std::size_t index) {
  const std::string in = fmt::format("ussd|{}|{}|{}|{}", msisdn, dialogId, step, index);
  store::EventKey key{};
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(in.data()),
                     in.size(), nullptr, 0);
  return key;
}

std::uint64_t newDialogId() {
  std::uint64_t id = 0;
  randombytes_buf(&id, sizeof id);
  return id == 0 ? 1 : id;
}

// The event for upstream, or nullopt for effects that are not events. Secrets (PINs) stay out.
std::optional<std::pair<store::UpstreamEventType, nlohmann::json>> eventOf(
    const menus::Effect& effect, const std::string& msisdn) {
  nlohmann::json j = {{"msisdn", msisdn}, {"screen", effect.screen}, {"lang", effect.language}};
  if (!effect.tag.empty()) j["tag"] = effect.tag;
  if (const auto* c = std::get_if<menus::CreditRequest>(&effect.value)) {
    j["amount"] = c->amountMinor;
    j["currency"] = c->currency;
    if (c->termDays) j["term_days"] = *c->termDays;
    if (!c->product.empty()) j["product"] = c->product;
    return std::make_pair(store::UpstreamEventType::CreditRequest, std::move(j));
  }
  if (const auto* d = std::get_if<menus::DeferralRequest>(&effect.value)) {
    j["installment"] = d->installment;
    j["days"] = d->days;
    if (!d->reason.empty()) j["reason"] = d->reason;
    return std::make_pair(store::UpstreamEventType::DeferralRequest, std::move(j));
  }
  if (const auto* r = std::get_if<menus::Referral>(&effect.value)) {
    j["phone"] = r->phone;
    if (!r->note.empty()) j["note"] = r->note;
    return std::make_pair(store::UpstreamEventType::Referral, std::move(j));
  }
  if (const auto* s = std::get_if<menus::SurveyAnswer>(&effect.value)) {
    j["question"] = s->question;
    j["answer"] = s->answer;
    return std::make_pair(store::UpstreamEventType::SurveyAnswer, std::move(j));
  }
  return std::nullopt;
}

std::string effectType(const menus::Effect& effect) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, menus::CreditRequest>) return "credit_request";
        if constexpr (std::is_same_v<T, menus::DeferralRequest>) return "deferral_request";
        if constexpr (std::is_same_v<T, menus::Referral>) return "referral";
        if constexpr (std::is_same_v<T, menus::SurveyAnswer>) return "survey_answer";
        if constexpr (std::is_same_v<T, menus::SendSms>) return "sms";
        if constexpr (std::is_same_v<T, menus::PinAttempt>) return "pin_attempt";
        if constexpr (std::is_same_v<T, menus::PinSet>) return "pin_set";
        return "language";
      },
      effect.value);
}

// The tree's "unavailable" page in its default language (it has no variables).
std::string unavailable(const menus::MenuTree& tree) {
  const auto& texts = tree.messages.unavailable.byLanguage;
  if (texts.empty()) return "Service unavailable.";
  const std::size_t i = tree.defaultLanguage < texts.size() ? tree.defaultLanguage : 0;
  return menus::renderTemplate(texts[i], [](std::string_view) { return std::string(); });
}

}  // namespace

struct UssdService::Step {
  UssdRequest request;
  Done done;
  Settled settled;
  std::unique_ptr<boost::asio::steady_timer> deadline;
  bool answered = false;  // complete() ran
  bool late = false;      // the phone got the fallback page; the step's page goes by SMS
  std::string e164;       // "+2547..."
  std::string digits;     // "2547...": the loan book's form
  std::int64_t now = 0;
  std::optional<store::UssdDialog> dialog;  // to store (continuing)
  bool erase = false;                       // the dialog ended: remove it
  std::uint64_t dialogId = 0;
  std::vector<menus::Effect> effects;
  UssdReply reply;
  std::string outcome;          // set when a dialog ends (for the metric)
  std::string previousOutcome;  // a dialog this request replaced
  std::string problem;          // why the engine failed (logged once, not per run)

  // What decide() works from (read once per request, on the loop).
  menus::MenuTreePtr tree;  // the current tree when the request came
  std::optional<store::UssdDialog> existing;
  std::string clientLanguage;
  std::shared_ptr<BorrowerData> data;
  // A new PIN waiting for its repeat: in from memory, out to memory; never stored.
  std::map<std::string, std::string, std::less<>> secretsIn, secretsOut;
  int pinRounds = 0;                      // PINs verified for this request
  std::vector<std::string> newPinHashes;  // one per PinSet effect, in order
};

UssdService::UssdService(boost::asio::io_context& io, StoreLayout& stores, OutboxSender& sender,
                         UssdOptions options, Metrics& metrics, MsisdnMasker mask,
                         spdlog::logger& log)
    : stores_(stores),
      sender_(sender),
      options_(std::move(options)),
      metrics_(metrics),
      mask_(mask),
      log_(log),
      io_(io),
      points_(stores.tables().loanBook),
      pinWorker_(1) {
  store::WriteTxn txn = stores_.sessions().beginWrite();
  dialogs_ = store::UssdDialogTable::open(txn, store::kUssdDialogsTable);
  txn.commit();
}

UssdService::~UssdService() {
  // A hash or verify in flight finishes; queued ones are dropped with the service.
  pinWorker_.stop();
  pinWorker_.join();
}

std::optional<std::string> UssdService::loadMenus(const std::string& dir) {
  const std::string path = dir + "/menu.yaml";
  menus::MenuLoadResult loaded = menus::loadMenuFile(path, ussdPageMeasure());
  if (!loaded.ok()) return loaded.errorText();
  current_ = loaded.tree;
  trees_[current_->version] = current_;
  log_.info("menu tree loaded file={} version={} screens={} languages={}", path, current_->version,
            current_->screens.size(), current_->languages.size());
  return std::nullopt;
}

menus::MenuTreePtr UssdService::treeFor(const std::string& version) const {
  const auto it = trees_.find(version);
  return it == trees_.end() ? nullptr : it->second;
}

std::string UssdService::liveSessionKey(const std::string& msisdn) const {
  const MsisdnParse parsed = normalizeMsisdn(msisdn, options_.region);
  if (!parsed.e164) return {};
  store::ReadTxn txn = stores_.sessions().beginRead();
  const auto dialog = dialogs_.get(txn, *parsed.e164);
  return dialog ? dialog->sessionKey : std::string();
}

void UssdService::countOutcome(std::string_view outcome) {
  if (!outcome.empty()) metrics_.counter(MetricId::UssdDialogsTotal, {outcome}).inc();
}

void UssdService::handle(UssdRequest request, Done done, Settled settled) {
  auto step = std::make_shared<Step>();
  step->done = std::move(done);
  step->settled = std::move(settled);
  step->now = nowMs();
  const MsisdnParse parsed = normalizeMsisdn(request.msisdn, options_.region);
  step->request = std::move(request);
  step->tree = current_;
  if (!parsed.e164 || !step->tree) {
    step->reply = {false, step->tree ? unavailable(*step->tree)
                                     : "Service unavailable. Please try again later."};
    log_.warn("USSD refused from={} reason={}", mask_(step->request.msisdn),
              !step->tree ? "no menu tree loaded" : parsed.error);
    step->answered = true;
    if (step->settled) step->settled(true);  // nothing to store
    step->done(step->reply);
    return;
  }
  armDeadline(step);
  step->e164 = *parsed.e164;
  step->digits = step->e164.substr(1);

  BorrowerView view;
  {
    store::ReadTxn sessions = stores_.sessions().beginRead();
    step->existing = dialogs_.get(sessions, step->e164);
  }
  {
    store::ReadTxn txn = stores_.durable().beginRead();
    view = readBorrower(txn, stores_.tables().loanBook, stores_.tables().pins, step->digits);
    if (step->request.cell)
      view.servingCell = readServingCell(txn, stores_.tables().loanBook, *step->request.cell);
    points_.refresh(txn);
  }
  step->clientLanguage = view.client ? view.client->language : "";
  step->data = std::make_shared<BorrowerData>(
      std::move(view), store::dayOfUnixSeconds(step->now / 1000), &points_, options_.region);
  step->data->setPinPolicy(step->now, static_cast<std::uint32_t>(options_.pinMaxTries));
  if (const auto it = pendingSecrets_.find(step->e164);
      it != pendingSecrets_.end() && step->existing &&
      it->second.dialogId == step->existing->dialogId) {
    step->secretsIn = it->second.values;
  }
  decide(*step);
  proceed(std::move(step));
}

void UssdService::decide(Step& s) const {
  // May run more than once for one request (again after a PIN was verified): everything it
  // produces is reset first, and the engine is pure.
  s.dialog.reset();
  s.erase = false;
  s.dialogId = 0;
  s.effects.clear();
  s.reply = {};
  s.outcome.clear();
  s.previousOutcome.clear();
  s.secretsOut.clear();
  s.data->resetRun();
  const menus::MenuTree& tree = *s.tree;
  const BorrowerData& data = *s.data;
  const std::optional<store::UssdDialog>& existing = s.existing;
  const auto endWith = [&](std::string text, std::string outcome) {
    s.reply = {false, std::move(text)};
    s.outcome = std::move(outcome);
    s.erase = true;
  };
  const auto expired = [&](const store::UssdDialog& d) {
    return s.now - d.lastActivityAt > options_.idleTimeout.count() ||
           s.now - d.startedAt > options_.dialogCap.count();
  };
  const auto sessionLanguage = [](const store::UssdDialog& d) {
    const auto session = menus::decodeSession(d.session);
    return session ? session->language : std::string("en");
  };
  const auto startFresh = [&](const std::vector<std::string>& inputs) {
    s.dialogId = newDialogId();
    const menus::StepResult r = menus::run(tree, s.clientLanguage, inputs, data);
    s.effects = r.effects;
    if (!r.continues()) {
      endWith(r.text, r.status == menus::StepStatus::End ? "completed" : "app_error");
      if (r.status == menus::StepStatus::Error) s.problem = r.problem;
      return;
    }
    s.reply = {true, r.text};
    s.secretsOut = r.session.secrets;
    store::UssdDialog d;
    d.msisdn = s.e164;
    d.dialogId = s.dialogId;
    d.session = menus::encodeSession(r.session);
    d.startedAt = s.now;
    d.lastPage = r.text;
    s.dialog = std::move(d);
  };
  const auto advance = [&](const store::UssdDialog& d, std::string_view input) {
    s.dialogId = d.dialogId;
    auto session = menus::decodeSession(d.session);
    const menus::MenuTreePtr pinned = session ? treeFor(session->treeVersion) : nullptr;
    if (!session || !pinned) {
      endWith(unavailable(tree), "app_error");
      s.problem = session ? "its menu version is gone" : "undecodable session";
      return;
    }
    session->secrets = s.secretsIn;  // a new PIN waiting for its repeat, from memory only
    const menus::StepResult r = menus::step(*pinned, *session, input, data);
    s.effects = r.effects;
    if (!r.continues()) {
      endWith(r.text, r.status == menus::StepStatus::End ? "completed" : "app_error");
      if (r.status == menus::StepStatus::Error) s.problem = r.problem;
      return;
    }
    s.reply = {true, r.text};
    s.secretsOut = r.session.secrets;
    store::UssdDialog next = d;
    next.session = menus::encodeSession(r.session);
    next.lastPage = r.text;
    next.resumeOffered = false;
    s.dialog = std::move(next);
  };

  const UssdRequest& req = s.request;
  std::vector<std::string> inputs;
  if (req.begin) {
    inputs = menus::dialThroughInputs(req.text, options_.serviceCode)
                 .value_or(std::vector<std::string>{});
    const bool resumable = existing && !expired(*existing) && inputs.empty() &&
                           s.now - existing->lastActivityAt <= options_.resumeWindow.count();
    if (resumable) {
      store::UssdDialog d = *existing;
      d.resumeOffered = true;
      s.dialogId = d.dialogId;
      s.reply = {true, phrase(sessionLanguage(d)).resume};
      s.dialog = std::move(d);
    } else {
      if (existing) s.previousOutcome = "network_timeout";  // the network dropped it
      startFresh(inputs);
    }
  } else if (!existing) {
    endWith(unavailable(tree), "");
  } else if (expired(*existing)) {
    endWith(fmt::format(fmt::runtime(phrase(sessionLanguage(*existing)).timedOut),
                        options_.serviceCode),
            "network_timeout");
  } else if (existing->resumeOffered) {
    if (req.text == "1") {
      store::UssdDialog d = *existing;
      d.resumeOffered = false;
      s.dialogId = d.dialogId;
      s.reply = {true, d.lastPage};
      s.dialog = std::move(d);
      s.secretsOut = s.secretsIn;
    } else if (req.text == "2") {
      s.previousOutcome = "restarted";
      startFresh({});
    } else {
      s.dialogId = existing->dialogId;
      s.reply = {true, phrase(sessionLanguage(*existing)).resume};
      s.dialog = *existing;
      s.secretsOut = s.secretsIn;
    }
  } else {
    advance(*existing, req.text);
  }
  if (s.dialog) {
    s.dialog->channel = req.channel;
    s.dialog->sessionKey = req.sessionKey;
    // Dial-through digits may hold a PIN: only the service code itself is kept.
    if (req.begin) s.dialog->serviceCode = inputs.empty() ? req.text : options_.serviceCode;
    s.dialog->lastActivityAt = s.now;
  }
}

void UssdService::proceed(std::shared_ptr<Step> step) {
  // The engine asked about a PIN nobody verified yet: verify it off the loop, then decide
  // again with the answer (a dial-through string can hold a few tries: one round each).
  if (const auto wanted = step->data->wantedPin(); wanted && step->data->pinRecord()) {
    if (++step->pinRounds > kMaxPinRounds) {
      step->effects.clear();
      step->dialog.reset();
      step->reply = {false, unavailable(*step->tree)};
      step->outcome = "app_error";
      step->erase = true;
      step->problem = "too many PINs in one request";
    } else {
      auto matches = std::make_shared<bool>(false);
      offLoop([hash = step->data->pinRecord()->hash, pin = *wanted,
               matches] { *matches = store::verifyPin(hash, pin); },
              [this, step, pin = *wanted, matches]() mutable {
                step->data->addVerified(pin, *matches);
                decide(*step);
                proceed(std::move(step));
              });
      return;
    }
  }
  if (step->problem.size() > 0) log_.error("USSD dialog failed: {}", step->problem);
  // A new PIN is hashed off the loop too, before the txn that stores it.
  std::vector<std::string> newPins;
  for (const menus::Effect& effect : step->effects)
    if (const auto* set = std::get_if<menus::PinSet>(&effect.value)) newPins.push_back(set->pin);
  if (newPins.empty() || step->newPinHashes.size() == newPins.size()) {
    finish(std::move(step));
    return;
  }
  auto hashes = std::make_shared<std::vector<std::string>>();
  offLoop(
      [newPins = std::move(newPins), hashes] {
        for (const std::string& pin : newPins)
          hashes->push_back(store::hashPin(pin));
      },
      [this, step, hashes]() mutable {
        step->newPinHashes = std::move(*hashes);
        const auto wanted = static_cast<std::size_t>(std::count_if(
            step->effects.begin(), step->effects.end(),
            [](const auto& e) { return std::holds_alternative<menus::PinSet>(e.value); }));
        if (step->newPinHashes.size() != wanted) {
          // Hashing failed (out of memory): no PIN stored, nothing confirmed.
          step->effects.clear();
          step->dialog.reset();
          step->reply = {false, unavailable(*step->tree)};
          step->outcome = "app_error";
          step->erase = true;
          log_.error("USSD new PIN not hashed from={}", mask_(step->e164));
        }
        finish(std::move(step));
      });
}

void UssdService::offLoop(std::function<void()> work, std::function<void()> then) {
  boost::asio::post(pinWorker_, [this, work = std::move(work), then = std::move(then)]() mutable {
    try {
      work();
    } catch (const std::exception& e) {
      log_.error("USSD PIN work failed error=\"{}\"", e.what());
    }
    // Back to the loop: the writers deliver completions there, and a txn that writes
    // nothing commits without touching the disk. The service holds no io_context (the
    // daemon owns it), so this is its way home.
    stores_.sessionsWriter().submit([](store::WriteTxn&) {},
                                    [then = std::move(then)](std::error_code) { then(); });
  });
}

void UssdService::finish(std::shared_ptr<Step> step) {
  // Sessions second: a confirmed request is durable before the page that says so is sent.
  auto saveSession = [this, step]() {
    const store::UssdDialogTable& dialogs = dialogs_;
    stores_.sessionsWriter().submit(
        [&dialogs, step](store::WriteTxn& txn) {
          if (step->dialog) {
            dialogs.put(txn, step->e164, *step->dialog);
          } else if (step->erase) {
            dialogs.erase(txn, step->e164);
          }
        },
        [this, step](std::error_code ec) {
          // A lost session write costs the dialog's position, not a request: the effects are
          // already committed and keyed by (dialog, step), so a retried step is harmless.
          if (ec) log_.warn("USSD session not stored error={}", ec.message());
          if (step->dialog && !step->secretsOut.empty()) {
            pendingSecrets_[step->e164] = {step->dialogId, step->now, step->secretsOut};
          } else {
            pendingSecrets_.erase(step->e164);
          }
          countOutcome(step->previousOutcome);
          // A dialog whose last page went by SMS ended because the application was slow.
          countOutcome(step->late && step->outcome == "completed" ? "app_slow" : step->outcome);
          if (!step->late) {
            const std::string channel =
                step->request.channel.substr(0, step->request.channel.find(':'));
            metrics_
                .counter(MetricId::UssdRequestsTotal,
                         {channel, step->reply.continues ? "page" : "end"})
                .inc();
          }
          complete(step, true);
        });
  };
  if (step->effects.empty()) {
    saveSession();
    return;
  }
  const store::UpstreamEvents& events = stores_.tables().upstreamEvents;
  const store::Outbox& outbox = stores_.outbox();
  const store::LoanBook& book = stores_.tables().loanBook;
  const store::PinTable& pins = stores_.tables().pins;
  auto smsQueued = std::make_shared<bool>(false);
  auto pinLocked = std::make_shared<bool>(false);
  const auto maxTries = static_cast<std::uint32_t>(std::max(options_.pinMaxTries, 1));
  const std::int64_t lockoutMs = options_.pinLockout.count();
  stores_.durableWriter().submit(
      [&events, &outbox, &book, &pins, step, smsQueued, pinLocked, maxTries,
       lockoutMs](store::WriteTxn& txn) {
        const std::int64_t nowS = step->now / 1000;
        *pinLocked = false;  // the writer may run this twice (map grown)
        std::size_t pinSets = 0;
        for (std::size_t i = 0; i < step->effects.size(); ++i) {
          const menus::Effect& effect = step->effects[i];
          const store::EventKey key = effectKey(step->e164, step->dialogId, effect.step, i);
          if (auto event = eventOf(effect, step->e164)) {
            events.append(txn, key, nowS, event->first, event->second.dump());
          } else if (const auto* sms = std::get_if<menus::SendSms>(&effect.value)) {
            store::OutboxMessage m;
            m.to = sms->to.empty() ? step->e164 : sms->to;
            m.text = sms->text;
            m.lang = effect.language;
            m.kind = store::OutboxKind::Reply;
            m.priority = store::OutboxPriority::Dialog;
            m.idempotencyKey = "ussd:" + store::toString(key);
            m.notAfter = nowS + 24 * 3600;
            outbox.enqueue(txn, std::move(m), nowS);
            *smsQueued = true;
          } else if (const auto* attempt = std::get_if<menus::PinAttempt>(&effect.value)) {
            if (attempt->ok) {
              pins.recordSuccess(txn, step->digits, step->now);
            } else if (pins.recordFailure(txn, step->digits, step->now, maxTries, lockoutMs)
                           .locked) {
              *pinLocked = true;
            }
          } else if (std::holds_alternative<menus::PinSet>(effect.value)) {
            pins.set(txn, step->digits, step->newPinHashes.at(pinSets++), step->now);
          } else if (const auto* lang = std::get_if<menus::LanguageChosen>(&effect.value)) {
            if (auto client = book.clientByMsisdn(txn, step->digits)) {
              client->language = lang->language;
              book.upsertClient(txn, *client);
            }
          }
        }
      },
      [this, step, smsQueued, pinLocked, saveSession = std::move(saveSession)](std::error_code ec) {
        if (ec) {
          // Nothing confirmed, nothing sent: the user sees no page and tries again; the
          // session stays where it was.
          log_.error("USSD step not stored from={} error={}", mask_(step->e164), ec.message());
          metrics_.counter(MetricId::UssdRequestsTotal, {"all", "refused"}).inc();
          complete(step, false);
          return;
        }
        for (const menus::Effect& effect : step->effects) {
          metrics_.counter(MetricId::UssdEffectsTotal, {effectType(effect)}).inc();
          log_.info("USSD effect from={} {}", mask_(step->e164), menus::describe(effect));
        }
        if (*pinLocked) {
          log_.warn("USSD PIN locked from={} lockout_s={}", mask_(step->e164),
                    options_.pinLockout.count() / 1000);
        }
        if (*smsQueued) sender_.wake();
        saveSession();
      });
}

void UssdService::armDeadline(const std::shared_ptr<Step>& step) {
  if (options_.stepDeadline.count() <= 0) return;
  step->deadline = std::make_unique<boost::asio::steady_timer>(io_, options_.stepDeadline);
  step->deadline->async_wait(
      [this, weak = std::weak_ptr<Step>(step)](const boost::system::error_code& ec) {
        if (ec) return;  // the step completed in time (or the loop is going down)
        const auto live = weak.lock();
        if (live && !live->answered && !live->late) sendFallback(*live);
      });
}

void UssdService::sendFallback(Step& step) {
  step.late = true;
  std::string lang = step.clientLanguage;
  if (step.existing) {
    if (const auto session = menus::decodeSession(step.existing->session)) lang = session->language;
  }
  const std::string channel = step.request.channel.substr(0, step.request.channel.find(':'));
  metrics_.counter(MetricId::UssdRequestsTotal, {channel, "fallback"}).inc();
  log_.warn("USSD step past its deadline, fallback page sent from={} deadline_ms={}",
            mask_(step.e164), options_.stepDeadline.count());
  step.done(
      UssdReply{false, fmt::format(fmt::runtime(phrase(lang).slow), options_.serviceCode), true});
}

void UssdService::complete(std::shared_ptr<Step> step, bool stored) {
  step->answered = true;
  if (step->deadline) step->deadline->cancel();
  if (!step->late) {
    if (step->settled) step->settled(stored);
    step->done(stored ? std::optional<UssdReply>(step->reply) : std::nullopt);
    return;
  }
  // The phone was told the answer comes by SMS: send the page it missed when that page ends
  // the dialog or confirms something (a menu page alone is no answer; a re-dial resumes it).
  if (!stored || (step->reply.continues && step->effects.empty())) {
    if (step->settled) step->settled(stored);
    return;
  }
  store::OutboxMessage m;
  m.to = step->e164;
  m.text = step->reply.text;
  m.kind = store::OutboxKind::Reply;
  m.priority = store::OutboxPriority::Dialog;
  m.idempotencyKey = fmt::format("ussd-late:{}:{}", step->dialogId, step->now);
  m.notAfter = step->now / 1000 + 24 * 3600;
  const store::Outbox& outbox = stores_.outbox();
  stores_.durableWriter().submit(
      [&outbox, m = std::move(m), nowS = step->now / 1000](store::WriteTxn& txn) {
        outbox.enqueue(txn, m, nowS);
      },
      [this, step](std::error_code ec) {
        // The step itself is stored either way: settle it, or the SMSC would redeliver a
        // step that already moved the dialog on.
        if (ec) {
          log_.error("USSD late answer not queued from={} error={}", mask_(step->e164),
                     ec.message());
        } else {
          metrics_.counter(MetricId::SmsAcceptedTotal, {"reply"}).inc();
          log_.info("USSD late answer queued by SMS from={}", mask_(step->e164));
          sender_.wake();
        }
        if (step->settled) step->settled(true);
      });
}

void UssdService::end(UssdRequest request, std::string outcome, Done done) {
  const UssdReply page{
      false, current_ ? unavailable(*current_) : "Service unavailable. Please try again later."};
  const MsisdnParse parsed = normalizeMsisdn(request.msisdn, options_.region);
  if (!parsed.e164) {
    done(page);
    return;
  }
  std::optional<store::UssdDialog> live;
  {
    store::ReadTxn txn = stores_.sessions().beginRead();
    live = dialogs_.get(txn, *parsed.e164);
  }
  const bool otherDialog = live && !live->sessionKey.empty() && !request.sessionKey.empty() &&
                           live->sessionKey != request.sessionKey;
  if (!live || otherDialog) {
    done(page);
    return;
  }
  const store::UssdDialogTable& dialogs = dialogs_;
  stores_.sessionsWriter().submit(
      [&dialogs, e164 = *parsed.e164](store::WriteTxn& txn) { dialogs.erase(txn, e164); },
      [this, page, outcome = std::move(outcome), done = std::move(done)](std::error_code ec) {
        if (ec) {
          log_.warn("USSD session not removed error={}", ec.message());
          done(std::nullopt);
          return;
        }
        countOutcome(outcome);
        done(page);
      });
}

void UssdService::sweep() {
  const std::int64_t now = nowMs();
  std::erase_if(pendingSecrets_,
                [&](const auto& kv) { return now - kv.second.at > options_.idleTimeout.count(); });
  std::vector<std::string> stale;
  {
    store::ReadTxn txn = stores_.sessions().beginRead();
    dialogs_.forEach(txn, [&](std::string_view, const store::UssdDialog& d) {
      if (now - d.lastActivityAt > options_.idleTimeout.count() + options_.resumeWindow.count() ||
          now - d.startedAt > options_.dialogCap.count() + options_.resumeWindow.count())
        stale.push_back(d.msisdn);
    });
  }
  if (stale.empty()) return;
  const store::UssdDialogTable& dialogs = dialogs_;
  stores_.sessionsWriter().submit(
      [&dialogs, stale](store::WriteTxn& txn) {
        for (const std::string& msisdn : stale)
          dialogs.erase(txn, msisdn);
      },
      [this, n = stale.size()](std::error_code ec) {
        if (ec) return;
        metrics_.counter(MetricId::UssdDialogsTotal, {"network_timeout"}).inc(n);
      });
}

}  // namespace mfigw::gateway
