// Opt-outs over the admin API: the operator's way to stop SMS to a borrower.
//
// Purpose: POST /api/v1/optouts {"msisdn": "...", "source": "operator"} records an opt-out
//   and answers only after the record is committed to the durable store (201, or 200 when
//   the number had already opted out); GET /api/v1/optouts/{msisdn} reads one;
//   DELETE /api/v1/optouts/{msisdn} opts the number back in (204). A full store answers
//   503 with Retry-After: a temporary refusal, nothing half-written.
// Threading: handlers run on the loop; the write runs on the durable writer's thread and
//   its completion is posted back to the loop.
#pragma once

#include <string>

#include <spdlog/logger.h>

#include "gateway/admin_routes.hpp"
#include "gateway/metrics.hpp"
#include "gateway/msisdn_mask.hpp"
#include "gateway/store_layout.hpp"

namespace mfigw::gateway {

class OptOutApi {
 public:
  OptOutApi(StoreLayout& stores, Metrics& metrics, std::string defaultRegion, MsisdnMasker mask,
            spdlog::logger& log);

  void registerRoutes(AdminRoutes& routes);
  void setRegion(std::string region) { region_ = std::move(region); }
  void setMasker(MsisdnMasker mask) { mask_ = mask; }

 private:
  void add(const AdminRequest& request, AdminRoutes::Reply reply);
  void remove(const AdminRequest& request, AdminRoutes::Reply reply);
  AdminResponse get(const AdminRequest& request);
  std::string normalize(const std::string& input) const;  // throws HttpError 400

  StoreLayout& stores_;
  Metrics& metrics_;
  std::string region_;
  MsisdnMasker mask_;
  spdlog::logger& log_;
};

}  // namespace mfigw::gateway
