// The upstream sync on the admin API: what `mfi-gatewayctl sync status` and `sync now` call.
//
// Purpose: GET /api/v1/sync answers UpstreamSync::status() as JSON (state, last success,
//   lag, bytes, records, events, failures); POST /api/v1/sync/now opens a window at once
//   (202) or says why it cannot (409: sync disabled or stopping).
// Threading: handlers run on the loop, like the service.
// Errors: none of its own; AdminRoutes maps exceptions.
// Ownership: borrows the service, which must outlive the routes' use.
#pragma once

#include "gateway/admin_routes.hpp"
#include "gateway/upstream_sync.hpp"

namespace mfigw::gateway {

class UpstreamApi {
 public:
  explicit UpstreamApi(UpstreamSync& sync) : sync_(sync) {}
  void registerRoutes(AdminRoutes& routes);

 private:
  UpstreamSync& sync_;
};

}  // namespace mfigw::gateway
