#include "gateway/messages_api.hpp"

#include <chrono>
#include <ctime>
#include <memory>

#include <nlohmann/json.hpp>

#include "gateway/msisdn.hpp"
#include "gateway/store_refusal.hpp"
#include "smpp/text_encoding.hpp"
#include "smpp/text_split.hpp"

namespace mfigw::gateway {

namespace {

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Unix seconds, or RFC 3339 in UTC ("2026-11-22T09:00:00Z").
std::int64_t timeField(const nlohmann::json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return 0;
  const nlohmann::json& v = body[name];
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_string()) {
    std::tm tm{};
    const std::string s = v.get<std::string>();
    char zulu = 0;
    if (s.size() == 20 &&
        std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &zulu) == 7 &&
        zulu == 'Z') {
      tm.tm_year -= 1900;
      tm.tm_mon -= 1;
      return timegm(&tm);
    }
  }
  throw HttpError(400, std::string(name) + ": unix seconds or \"YYYY-MM-DDTHH:MM:SSZ\"");
}

store::OutboxPriority priorityField(const nlohmann::json& body) {
  if (!body.contains("priority")) return store::OutboxPriority::Normal;
  const auto& v = body["priority"];
  if (v == "dialog") return store::OutboxPriority::Dialog;
  if (v == "normal") return store::OutboxPriority::Normal;
  if (v == "bulk") return store::OutboxPriority::Bulk;
  throw HttpError(400, "priority: one of dialog, normal, bulk");
}

std::string_view toString(store::PartState s) {
  switch (s) {
    case store::PartState::Pending:
      return "pending";
    case store::PartState::Submitted:
      return "submitted";
    case store::PartState::Delivered:
      return "delivered";
    case store::PartState::Failed:
      return "failed";
    case store::PartState::Expired:
      return "expired";
  }
  return "unknown";
}

nlohmann::json toJson(const store::OutboxMessage& m) {
  nlohmann::json parts = nlohmann::json::array();
  for (const store::OutboxPart& p : m.parts)
    parts.push_back({{"smsc_id", p.smscId}, {"state", toString(p.state)}});
  nlohmann::json out = {{"id", m.id},
                        {"to", m.to},
                        {"state", store::toString(m.state)},
                        {"kind", store::toString(m.kind)},
                        {"attempts", m.attempts},
                        {"created_at", m.createdAt},
                        {"updated_at", m.updatedAt},
                        {"parts", std::move(parts)}};
  if (!m.lang.empty()) out["lang"] = m.lang;
  if (m.notBefore) out["not_before"] = m.notBefore;
  if (m.notAfter) out["not_after"] = m.notAfter;
  if (!m.lastError.empty()) out["last_error"] = m.lastError;
  return out;
}

std::uint64_t idParam(const AdminRequest& request) {
  const std::string& text = request.params.at("id");
  std::uint64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || id > 1'000'000'000'000'000ull) throw HttpError(400, "id: a number");
    id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (text.empty() || id == 0) throw HttpError(400, "id: a number");
  return id;
}

}  // namespace

MessagesApi::MessagesApi(StoreLayout& stores, OutboxSender& sender, const GatewayConfig& config,
                         Metrics& metrics, spdlog::logger& log)
    : stores_(stores), sender_(sender), metrics_(metrics), log_(log) {
  setConfig(config);
}

void MessagesApi::setConfig(const GatewayConfig& config) {
  sms_ = config.sms;
  region_ = config.phone.defaultRegion;
  mask_ = MsisdnMasker(config.log.maskMsisdn);
}

void MessagesApi::registerRoutes(AdminRoutes& routes) {
  routes.addAsync(
      HttpMethod::Post, "/api/v1/messages",
      [this](const AdminRequest& r, AdminContext&, AdminRoutes::Reply reply) {
        send(r, std::move(reply));
      },
      Auth::Required);
  routes.add(
      HttpMethod::Get, "/api/v1/messages/{id}",
      [this](const AdminRequest& r, AdminContext&) { return get(r); }, Auth::Required);
  routes.addAsync(
      HttpMethod::Post, "/api/v1/messages/{id}/retry",
      [this](const AdminRequest& r, AdminContext&, AdminRoutes::Reply reply) {
        change(r, std::move(reply), true);
      },
      Auth::Required);
  routes.addAsync(
      HttpMethod::Post, "/api/v1/messages/{id}/cancel",
      [this](const AdminRequest& r, AdminContext&, AdminRoutes::Reply reply) {
        change(r, std::move(reply), false);
      },
      Auth::Required);
  routes.add(
      HttpMethod::Get, "/api/v1/queue",
      [this](const AdminRequest&, AdminContext&) { return queue(); }, Auth::Required);
}

void MessagesApi::send(const AdminRequest& request, AdminRoutes::Reply reply) {
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object()) throw HttpError(400, "expected a JSON object");
  if (!body.contains("to") || !body["to"].is_string())
    throw HttpError(400, "to: a phone number (string) is required");
  if (!body.contains("text") || !body["text"].is_string())
    throw HttpError(400, "text: a string is required");

  store::OutboxMessage m;
  const MsisdnParse number = normalizeMsisdn(body["to"].get<std::string>(), region_);
  if (!number.e164) throw HttpError(400, "to: " + number.error);
  m.to = *number.e164;
  m.text = body["text"].get<std::string>();
  if (m.text.empty()) throw HttpError(400, "text: empty");
  smpp::EncodingOptions encoding;
  encoding.transliterate = sms_.transliterate;
  const auto choice = smpp::chooseEncoding(m.text, encoding);
  if (!choice) throw HttpError(400, "text: not valid UTF-8");
  const auto parts = smpp::segmentCount(choice->text, choice->encoding);
  if (!parts || *parts > sms_.maxParts) {
    throw HttpError(400,
                    "text: needs " + (parts ? std::to_string(*parts) : std::string("too many")) +
                        " SMS parts in " + std::string(smpp::toString(choice->encoding)) +
                        ", the limit is " + std::to_string(sms_.maxParts) + " (sms.max_parts)");
  }
  if (body.contains("lang")) {
    if (!body["lang"].is_string() || body["lang"].get<std::string>().size() > 3)
      throw HttpError(400, "lang: a 2-3 letter language code");
    m.lang = body["lang"].get<std::string>();
  }
  m.notBefore = timeField(body, "not_before");
  m.notAfter = timeField(body, "not_after");
  if (m.notAfter != 0 && m.notAfter < std::max(m.notBefore, nowSeconds()))
    throw HttpError(400, "not_after: must be later than now and than not_before");
  m.priority = priorityField(body);
  m.kind = store::OutboxKind::Api;
  m.idempotencyKey = std::string(request.header("idempotency-key"));
  if (m.idempotencyKey.size() > store::OutboxMessage::kMaxKey)
    throw HttpError(400, "Idempotency-Key: at most 128 characters");

  struct Outcome {
    store::EnqueueResult result;
    bool optedOut = false;
  };
  auto outcome = std::make_shared<Outcome>();
  const store::Outbox& outbox = stores_.outbox();
  const store::OptOutTable& optouts = stores_.tables().optouts;
  const std::uint64_t partCount = *parts;
  const std::string encodingName(smpp::toString(choice->encoding));
  stores_.durableWriter().submit(
      [&outbox, &optouts, m, outcome](store::WriteTxn& txn) {
        // A replay of an accepted request answers as the first time, even after a STOP.
        if (!m.idempotencyKey.empty()) {
          if (const auto id = outbox.findByKey(txn, m.idempotencyKey)) {
            outcome->result = {*id, false};
            return;
          }
        }
        if (optouts.contains(txn, m.to)) {
          outcome->optedOut = true;
          return;
        }
        outcome->result = outbox.enqueue(txn, m, nowSeconds());
      },
      [this, outcome, to = m.to, partCount, encodingName,
       reply = std::move(reply)](std::error_code ec) {
        if (ec) {
          log_.error("message not stored to={} error={}", mask_(to), ec.message());
          reply(storeRefusal(ec));
          return;
        }
        if (outcome->optedOut) {
          reply(AdminResponse::error(409, "the recipient opted out of SMS (STOP)"));
          return;
        }
        const store::EnqueueResult& r = outcome->result;
        AdminResponse response = AdminResponse::json(
            202,
            {{"id", r.id}, {"state", "queued"}, {"parts", partCount}, {"encoding", encodingName}});
        if (!r.created) {
          response.headers.emplace_back("Idempotent-Replayed", "true");
        } else {
          metrics_.counter(MetricId::SmsAcceptedTotal, {"api"}).inc();
          log_.info("message queued id={} to={} parts={}", r.id, mask_(to), partCount);
          sender_.wake();
        }
        reply(std::move(response));
      });
}

AdminResponse MessagesApi::get(const AdminRequest& request) {
  const std::uint64_t id = idParam(request);
  store::ReadTxn txn = stores_.durable().beginRead();
  const auto m = stores_.outbox().get(txn, id);
  if (!m) return AdminResponse::error(404, "no message " + std::to_string(id));
  return AdminResponse::json(200, toJson(*m));
}

void MessagesApi::change(const AdminRequest& request, AdminRoutes::Reply reply, bool retry) {
  const std::uint64_t id = idParam(request);
  auto done = std::make_shared<bool>(false);
  auto exists = std::make_shared<bool>(false);
  const store::Outbox& outbox = stores_.outbox();
  stores_.durableWriter().submit(
      [&outbox, id, retry, done, exists](store::WriteTxn& txn) {
        *exists = outbox.get(txn, id).has_value();
        *done = retry ? outbox.retry(txn, id, nowSeconds()) : outbox.cancel(txn, id, nowSeconds());
      },
      [this, id, retry, done, exists, reply = std::move(reply)](std::error_code ec) {
        if (ec) {
          reply(storeRefusal(ec));
          return;
        }
        if (!*exists) {
          reply(AdminResponse::error(404, "no message " + std::to_string(id)));
          return;
        }
        if (!*done) {
          reply(AdminResponse::error(
              409, retry ? "only failed, expired or cancelled messages can be retried"
                         : "only queued or sending messages can be cancelled"));
          return;
        }
        log_.info("message {} id={}", retry ? "retried" : "cancelled", id);
        if (retry) sender_.wake();
        reply(AdminResponse::json(200, {{"id", id}, {"state", retry ? "queued" : "cancelled"}}));
      });
}

AdminResponse MessagesApi::queue() {
  store::ReadTxn txn = stores_.durable().beginRead();
  nlohmann::json counts = nlohmann::json::object();
  for (store::OutboxState s : store::kOutboxStates)
    counts[std::string(store::toString(s))] = stores_.outbox().count(txn, s);
  return AdminResponse::json(200, {{"states", std::move(counts)}});
}

}  // namespace mfigw::gateway
