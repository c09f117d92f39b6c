#include "gateway/fineract_sync.hpp"

#include <algorithm>
#include <memory>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gateway/fineract_mapping.hpp"
#include "gateway/fineract_requests.hpp"
#include "gateway/upstream_apply.hpp"
#include "store/day_number.hpp"

namespace mfigw::gateway {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxInvalidLogged = 5;
// Fineract records no language for a client (a datatable could; see Open issues).
constexpr std::string_view kBorrowerLanguage = "en";

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A new sweep's start, its stale threshold: after every stamp an earlier sweep gave (two
// sweeps can start within one second), so what this sweep does not confirm is found; the
// loans it confirms are stamped max(now, start).
std::int64_t sweepStart(const store::Txn& txn, const store::LoanBook& book, bool loans) {
  std::int64_t start = unixNow() + 1;
  if (!loans) return start;
  book.loanTable().forEach(txn, [&](std::string_view, const store::LoanSnapshot& loan) {
    start = std::max<std::int64_t>(start, static_cast<std::int64_t>(loan.asOf) + 1);
  });
  return start;
}

// Where a sweep stands: the next offset to ask for, the id of the last record applied (the
// record just before that offset) and when the sweep started (the stale threshold).
struct SweepState {
  std::uint64_t offset = 0;
  std::string lastId;
  std::int64_t startedUnix = 0;
};

// The id of a page item as our records key it ("123"); throws for a missing or odd id.
std::string itemId(const json& item, std::string_view path) {
  const auto it = item.find("id");
  if (it == item.end() || !it->is_number_integer()) {
    upstreamProtocolFailure(fmt::format("{}.id: expected an integer id", path));
  }
  return it->dump();
}

store::SyncCursor sweepCursor(std::string_view name, const SweepState& s) {
  store::SyncCursor c;
  c.feed = std::string(name);
  c.ver = s.offset;
  c.id = s.lastId;
  c.lastSuccessUnix = s.startedUnix;
  return c;
}

// The borrower's phone and language onto their loans: Fineract's loan has neither.
void fillFromClients(store::WriteTxn& txn, const store::LoanBook& book,
                     std::vector<store::LoanSnapshot>& loans) {
  for (store::LoanSnapshot& loan : loans) {
    if (const auto client = book.client(txn, loan.clientId)) {
      loan.msisdn = client->msisdn;
      loan.language = client->language;
    }
  }
}

// Loans the completed sweep did not confirm: gone upstream.
std::uint64_t removeUnconfirmed(store::WriteTxn& txn, const store::LoanBook& book,
                                std::int64_t sweepStarted) {
  std::vector<std::string> stale;
  book.loanTable().forEach(txn, [&](std::string_view, const store::LoanSnapshot& loan) {
    if (static_cast<std::int64_t>(loan.asOf) < sweepStarted) stale.push_back(loan.loanId);
  });
  std::uint64_t removed = 0;
  for (const std::string& lid : stale)
    if (book.removeLoan(txn, lid)) ++removed;
  return removed;
}

// What one answered page means, decided without I/O.
struct PageStep {
  bool restart = false;  // the list moved under a resumed sweep: start again from 0
  std::shared_ptr<ChangePage> mapped;
  SweepState next;
  bool complete = false;
};

std::string pageTarget(std::string_view resource, const SweepState& state, std::size_t limit,
                       bool loans) {
  // One record early on a resumed sweep: it must be the last one applied.
  const std::uint64_t from = state.offset > 0 ? state.offset - 1 : 0;
  return fmt::format("/v1/{}?offset={}&limit={}&orderBy=id&sortOrder=ASC{}", resource, from,
                     state.offset > 0 ? limit + 1 : limit,
                     loans ? "&associations=repaymentSchedule" : "");
}

PageStep pageStep(const UpstreamWindowContext& w, bool loans, const SweepState& state,
                  const std::string& body) {
  const std::string what = fmt::format("GET /v1/{}", loans ? "loans" : "clients");
  FineractPage page;
  PageStep step;
  try {
    page = parseFineractPage(body, what);
  } catch (const FineractFormatError& e) {
    upstreamProtocolFailure(e.what());
  }
  std::size_t skip = 0;
  if (state.offset > 0) {
    if (page.pageItems.empty() ||
        itemId(page.pageItems.front(), what + " pageItems[0]") != state.lastId) {
      step.restart = true;
      return step;
    }
    skip = 1;
  }
  const std::int64_t now = unixNow();
  const FineractMappingContext context{store::dayOfUnixSeconds(now),
                                       static_cast<std::uint64_t>(now),
                                       std::string(kBorrowerLanguage)};
  step.mapped = std::make_shared<ChangePage>();
  ChangePage& mapped = *step.mapped;
  mapped.feed = loans ? UpstreamFeed::Loans : UpstreamFeed::Clients;
  for (std::size_t i = skip; i < page.pageItems.size(); ++i) {
    const std::string path = fmt::format("{} pageItems[{}]", what, i);
    try {
      if (loans) {
        auto m = mapFineractLoan(page.pageItems[i], context, path);
        if (m.record) {
          mapped.loans.push_back(std::move(*m.record));
        } else {
          mapped.invalid.push_back(fmt::format("{}: {}", path, fmt::join(m.problems, "; ")));
        }
      } else {
        auto m =
            mapFineractClient(page.pageItems[i], w.options.fineract.defaultRegion, context, path);
        if (m.record) mapped.clients.push_back(std::move(*m.record));
        if (!m.problems.empty()) {
          mapped.invalid.push_back(fmt::format("{}: {}", path, fmt::join(m.problems, "; ")));
        }
      }
    } catch (const FineractFormatError& e) {
      upstreamProtocolFailure(e.what());
    }
  }
  const std::size_t got = page.pageItems.size() - skip;
  step.next = state;
  step.next.offset = state.offset + got;
  if (got > 0) step.next.lastId = itemId(page.pageItems.back(), what + " pageItems[last]");
  step.complete = got == 0 || step.next.offset >= page.totalFilteredRecords;
  mapped.hasMore = !step.complete;
  // The feed's own cursor: mid-sweep where we are; at the end "from the start", so a
  // switch back to our protocol pulls everything again.
  mapped.next = step.complete ? ChangeCursor{} : ChangeCursor{step.next.offset, step.next.lastId};
  return step;
}

// The page's records, the feed's cursor (applyPage) and the sweep's cursor in one txn; at
// the end of a loan sweep, the loans it did not confirm go in that same txn.
store::GroupCommitWriter::Work pageWork(const store::LoanBook& book, const PageStep& step,
                                        bool loans, std::string_view cursorName,
                                        std::shared_ptr<PageOutcome> outcome) {
  const std::int64_t now = unixNow();
  const auto asOf = static_cast<std::uint32_t>(std::max(now, step.next.startedUnix));
  return [&book, mapped = step.mapped, next = step.next, complete = step.complete, loans, asOf, now,
          name = std::string(cursorName), outcome](store::WriteTxn& txn) {
    if (loans) fillFromClients(txn, book, mapped->loans);
    *outcome = applyPage(txn, book, *mapped, asOf, now);
    if (complete) {
      if (loans) outcome->swept = removeUnconfirmed(txn, book, next.startedUnix);
      book.syncCursorTable().erase(txn, name);
    } else {
      book.saveCursor(txn, sweepCursor(name, next));
    }
  };
}

void countPage(UpstreamWindowContext& w, const ChangePage& page, const PageOutcome& outcome) {
  const std::string feedName(toString(page.feed));
  for (std::size_t i = 0; i < page.invalid.size() && i < kMaxInvalidLogged; ++i) {
    w.log.warn("upstream record skipped feed={} reason=\"{}\"", feedName, page.invalid[i]);
  }
  ++w.pages;
  w.pulled += outcome.upserted + outcome.swept;
  w.counts.recordsUpserted += outcome.upserted;
  w.counts.recordsInvalid += page.invalid.size();
  w.counts.recordsSwept += outcome.swept;
  w.metrics.counter(MetricId::UpstreamRecordsTotal, {feedName, "upsert"}).inc(outcome.upserted);
  if (!page.invalid.empty()) {
    w.metrics.counter(MetricId::UpstreamRecordsTotal, {feedName, "invalid"})
        .inc(page.invalid.size());
  }
  if (outcome.swept > 0) {
    w.metrics.counter(MetricId::UpstreamRecordsTotal, {feedName, "swept"}).inc(outcome.swept);
    w.log.info("fineract sweep removed loans gone upstream count={}", outcome.swept);
  }
}

SweepState savedSweep(UpstreamWindowContext& w, std::string_view cursorName, bool loans) {
  const store::LoanBook& book = w.stores.tables().loanBook;
  store::ReadTxn txn = w.stores.durable().beginRead();
  if (const auto saved = book.cursor(txn, cursorName)) {
    return SweepState{saved->ver, saved->id, saved->lastSuccessUnix};
  }
  return SweepState{0, {}, sweepStart(txn, book, loans)};
}

SweepState restartedSweep(UpstreamWindowContext& w, bool loans) {
  store::ReadTxn txn = w.stores.durable().beginRead();
  return SweepState{0, {}, sweepStart(txn, w.stores.tables().loanBook, loans)};
}

asio::awaitable<void> sweep(UpstreamWindowContext& w, bool loans) {
  const std::string_view cursorName = loans ? kFineractLoansCursor : kFineractClientsCursor;
  const std::string_view resource = loans ? "loans" : "clients";
  const std::size_t limit = std::max<std::size_t>(1, w.options.pageSize);
  SweepState state = savedSweep(w, cursorName, loans);
  for (std::size_t n = 0; n < w.options.maxPagesPerFeed; ++n) {
    const std::string target = pageTarget(resource, state, limit, loans);
    const UpstreamReply reply = co_await upstreamCall(w, "GET", target, "", "", false);
    const PageStep step = pageStep(w, loans, state, reply.body);
    if (step.restart) {
      // Records before our offset vanished (or the list is now shorter): offsets moved, so
      // resuming could skip a record. A new sweep from the start, with a new stale
      // threshold (what the cut sweep confirmed is confirmed again or is gone).
      w.log.info("fineract sweep restarts: the list moved under it feed={} offset={}", resource,
                 state.offset);
      state = restartedSweep(w, loans);
      continue;
    }
    auto outcome = std::make_shared<PageOutcome>();
    const store::GroupCommitWriter::Work work =
        pageWork(w.stores.tables().loanBook, step, loans, cursorName, outcome);
    co_await upstreamCommit(w, work, "a page");
    state = step.next;
    countPage(w, *step.mapped, *outcome);
    if (step.complete) co_return;
  }
  w.log.warn("upstream feed not finished in one window feed={} pages={}; continuing next window",
             resource, w.options.maxPagesPerFeed);
}

// ---- push ----

struct Prepared {
  std::string target;  // empty: rejected with `reason`
  std::string body;
  std::string reason;
};

std::vector<store::LoanSnapshot> loansOfPhone(UpstreamWindowContext& w, std::string msisdn,
                                              std::optional<store::Client>* client) {
  if (!msisdn.empty() && msisdn.front() == '+') msisdn.erase(0, 1);
  const store::LoanBook& book = w.stores.tables().loanBook;
  store::ReadTxn txn = w.stores.durable().beginRead();
  *client = book.clientByMsisdn(txn, msisdn);
  if (!*client) return {};
  return book.loansOfClient(txn, (*client)->cid);
}

Prepared prepare(UpstreamWindowContext& w, const store::UpstreamEvent& event) {
  const FineractOptions& options = w.options.fineract;
  const auto type = event.type;
  const auto noHome = [&] {
    return Prepared{{}, {}, fmt::format("no Fineract endpoint for {}", store::toString(type))};
  };
  if (type != store::UpstreamEventType::DeferralRequest &&
      type != store::UpstreamEventType::CreditRequest) {
    return noHome();
  }
  if (type == store::UpstreamEventType::CreditRequest &&
      options.creditRequest == FineractCreditRequest::Off) {
    return Prepared{{},
                    {},
                    "no Fineract endpoint for credit_request "
                    "(upstream.fineract_credit_request is off)"};
  }
  const json payload = json::parse(event.payload, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return Prepared{{}, {}, "payload is not a JSON object"};
  const auto phone = payload.find("msisdn");
  const std::string msisdn =
      phone != payload.end() && phone->is_string() ? phone->get<std::string>() : std::string();
  std::optional<store::Client> client;
  const std::vector<store::LoanSnapshot> loans = loansOfPhone(w, msisdn, &client);
  const store::DayNumber submittedOn = store::dayOfUnixSeconds(event.createdAt);

  if (type == store::UpstreamEventType::DeferralRequest) {
    auto target = deferralTarget(payload, loans);
    if (const auto* why = std::get_if<std::string>(&target)) return Prepared{{}, {}, *why};
    return Prepared{
        "/v1/rescheduleloans",
        rescheduleRequestBody(std::get<DeferralTarget>(target), options, submittedOn, event.key),
        {}};
  }
  if (options.loanProductId == 0) {
    return Prepared{{}, {}, "upstream.fineract_loan_product_id is not set"};
  }
  if (!client) return Prepared{{}, {}, "the borrower's phone matches no client in the book"};
  if (loans.empty()) {
    // Minor units need the currency's decimals; only the borrower's loans tell them.
    return Prepared{{}, {}, "the borrower has no loan in the book (currency unknown)"};
  }
  auto application = creditApplication(payload, client->cid, loans.front().decimals);
  if (const auto* why = std::get_if<std::string>(&application)) return Prepared{{}, {}, *why};
  return Prepared{"/v1/loans",
                  loanApplicationBody(std::get<CreditApplication>(application), options,
                                      submittedOn, event.key),
                  {}};
}

asio::awaitable<void> push(UpstreamWindowContext& w) {
  const store::UpstreamEvents& events = w.stores.tables().upstreamEvents;
  const std::size_t limit = std::max<std::size_t>(1, w.options.pushBatch);
  for (std::size_t round = 0; round < w.options.maxPushBatches; ++round) {
    std::vector<store::UpstreamEvent> batch;
    {
      store::ReadTxn txn = w.stores.durable().beginRead();
      batch = events.pendingBatch(txn, limit);
    }
    if (batch.empty()) co_return;
    std::vector<EventAnswer> answers;
    std::optional<UpstreamWindowFailure> stop;
    for (const store::UpstreamEvent& event : batch) {
      const Prepared request = prepare(w, event);
      if (request.target.empty()) {
        answers.push_back(EventAnswer{event.key, EventResult::Rejected, request.reason});
        continue;
      }
      const std::string key = fineractKey(event.key);
      UpstreamReply reply;
      try {
        reply = co_await upstreamCall(w, "POST", request.target, request.body, key, true);
      } catch (const UpstreamWindowError& e) {
        stop = e.failure;  // answers so far are still committed below
      }
      if (stop) break;
      const FineractAnswerClass answer =
          classifyFineractAnswer(reply.status, reply.servedFromCache, reply.body);
      switch (answer.answer) {
        case FineractAnswer::Accepted:
          answers.push_back(EventAnswer{event.key, EventResult::Accepted, {}});
          break;
        case FineractAnswer::Duplicate:
          answers.push_back(EventAnswer{event.key, EventResult::Duplicate, {}});
          break;
        case FineractAnswer::Rejected:
          answers.push_back(EventAnswer{event.key, EventResult::Rejected, answer.reason});
          break;
        case FineractAnswer::Retry:
          stop = UpstreamWindowFailure{UpstreamFailureKind::Http,
                                       fmt::format("POST {}: {}", request.target, answer.reason),
                                       reply.retryAfter};
          break;
        case FineractAnswer::Auth:
          stop = UpstreamWindowFailure{UpstreamFailureKind::Auth,
                                       fmt::format("POST {}: {}", request.target, answer.reason),
                                       w.options.schedule.backoffMax};
          break;
      }
      if (stop) break;
    }
    auto outcome = std::make_shared<PushOutcome>();
    const store::GroupCommitWriter::Work work = [&events, batch, answers,
                                                 outcome](store::WriteTxn& txn) {
      *outcome = applyAnswers(txn, events, batch, answers);
    };
    co_await upstreamCommit(w, work, "event answers");
    w.counts.eventsAccepted += outcome->accepted;
    w.counts.eventsDuplicate += outcome->duplicate;
    w.counts.eventsRejected += outcome->rejected;
    w.metrics.counter(MetricId::UpstreamEventsTotal, {"accepted"}).inc(outcome->accepted);
    w.metrics.counter(MetricId::UpstreamEventsTotal, {"duplicate"}).inc(outcome->duplicate);
    w.metrics.counter(MetricId::UpstreamEventsTotal, {"rejected"}).inc(outcome->rejected);
    w.pushed += outcome->accepted + outcome->duplicate + outcome->rejected;
    if (outcome->rejected > 0) {
      w.log.warn("upstream rejected events count={} (kept for the operator)", outcome->rejected);
    }
    if (stop) throw UpstreamWindowError(*stop);
  }
}

}  // namespace

asio::awaitable<void> runFineractWindow(UpstreamWindowContext& w) {
  co_await sweep(w, /*loans=*/false);
  co_await sweep(w, /*loans=*/true);
  co_await push(w);
}

}  // namespace mfigw::gateway
