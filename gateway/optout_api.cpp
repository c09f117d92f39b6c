#include "gateway/optout_api.hpp"

#include <chrono>
#include <memory>

#include <nlohmann/json.hpp>

#include "gateway/msisdn.hpp"
#include "gateway/store_refusal.hpp"
#include "store/txn.hpp"

namespace mfigw::gateway {
namespace {

nlohmann::json toJson(const store::OptOut& record) {
  return {{"msisdn", record.msisdn},
          {"source", std::string(store::toString(record.source))},
          {"at", record.atUnixSeconds}};
}

}  // namespace

OptOutApi::OptOutApi(StoreLayout& stores, Metrics& metrics, std::string defaultRegion,
                     MsisdnMasker mask, spdlog::logger& log)
    : stores_(stores),
      metrics_(metrics),
      region_(std::move(defaultRegion)),
      mask_(mask),
      log_(log) {}

void OptOutApi::registerRoutes(AdminRoutes& routes) {
  routes.addAsync(
      HttpMethod::Post, "/api/v1/optouts",
      [this](const AdminRequest& request, AdminContext&, AdminRoutes::Reply reply) {
        add(request, std::move(reply));
      },
      Auth::Required);
  routes.add(
      HttpMethod::Get, "/api/v1/optouts/{msisdn}",
      [this](const AdminRequest& request, AdminContext&) { return get(request); }, Auth::Required);
  routes.addAsync(
      HttpMethod::Delete, "/api/v1/optouts/{msisdn}",
      [this](const AdminRequest& request, AdminContext&, AdminRoutes::Reply reply) {
        remove(request, std::move(reply));
      },
      Auth::Required);
}

std::string OptOutApi::normalize(const std::string& input) const {
  const MsisdnParse parsed = normalizeMsisdn(input, region_);
  if (!parsed.e164) {
    throw HttpError(400, "msisdn: " + parsed.error);
  }
  return *parsed.e164;
}

void OptOutApi::add(const AdminRequest& request, AdminRoutes::Reply reply) {
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("msisdn") || !body["msisdn"].is_string()) {
    throw HttpError(400, "expected a JSON object with a string \"msisdn\"");
  }
  store::OptOut record;
  record.msisdn = normalize(body["msisdn"].get<std::string>());
  record.source = store::OptOutSource::Operator;
  if (body.contains("source")) {
    const auto source = body["source"].is_string()
                            ? store::optOutSourceFromString(body["source"].get<std::string>())
                            : std::nullopt;
    if (!source) throw HttpError(400, "source: one of sms, operator, upstream");
    record.source = *source;
  }
  record.atUnixSeconds = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();

  // Filled on the writer thread, read in the completion on the loop thread; the writer's
  // post orders the two.
  auto existing = std::make_shared<std::optional<store::OptOut>>();
  const store::OptOutTable& table = stores_.tables().optouts;
  stores_.durableWriter().submit(
      [&table, record, existing](store::WriteTxn& txn) {
        *existing = table.get(txn, record.msisdn);
        if (!*existing) table.put(txn, record.msisdn, record);
      },
      [this, record, existing, reply = std::move(reply)](std::error_code ec) {
        if (ec) {
          log_.error("opt-out not stored msisdn={} error={}", mask_(record.msisdn), ec.message());
          reply(storeRefusal(ec));
          return;
        }
        if (*existing) {
          reply(AdminResponse::json(200, toJson(**existing)));
          return;
        }
        metrics_.counter(MetricId::OptoutsTotal).inc();
        log_.info("opt-out stored msisdn={} source={}", mask_(record.msisdn),
                  store::toString(record.source));
        reply(AdminResponse::json(201, toJson(record)));
      });
}

void OptOutApi::remove(const AdminRequest& request, AdminRoutes::Reply reply) {
  const std::string msisdn = normalize(request.params.at("msisdn"));
  auto erased = std::make_shared<bool>(false);
  const store::OptOutTable& table = stores_.tables().optouts;
  stores_.durableWriter().submit(
      [&table, msisdn, erased](store::WriteTxn& txn) { *erased = table.erase(txn, msisdn); },
      [this, msisdn, erased, reply = std::move(reply)](std::error_code ec) {
        if (ec) {
          reply(storeRefusal(ec));
          return;
        }
        if (!*erased) {
          reply(AdminResponse::error(404, "no opt-out for this number"));
          return;
        }
        log_.info("opt-out removed msisdn={}", mask_(msisdn));
        reply(AdminResponse::text(204, ""));
      });
}

AdminResponse OptOutApi::get(const AdminRequest& request) {
  const std::string msisdn = normalize(request.params.at("msisdn"));
  store::ReadTxn txn = stores_.durable().beginRead();
  const auto record = stores_.tables().optouts.get(txn, msisdn);
  if (!record) {
    return AdminResponse::error(404, "no opt-out for this number");
  }
  return AdminResponse::json(200, toJson(*record));
}

}  // namespace mfigw::gateway
