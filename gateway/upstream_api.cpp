#include "gateway/upstream_api.hpp"

namespace mfigw::gateway {

void UpstreamApi::registerRoutes(AdminRoutes& routes) {
  routes.add(
      HttpMethod::Get, "/api/v1/sync",
      [this](const AdminRequest&, AdminContext&) {
        return AdminResponse::json(200, toJson(sync_.status()));
      },
      Auth::Required);
  routes.add(
      HttpMethod::Post, "/api/v1/sync/now",
      [this](const AdminRequest&, AdminContext&) {
        if (!sync_.syncNow()) {
          return AdminResponse::error(409, "upstream sync is disabled or stopping");
        }
        return AdminResponse::json(202, {{"started", true}});
      },
      Auth::Required);
}

}  // namespace mfigw::gateway
