#include "gateway/store_refusal.hpp"

#include "store/errc.hpp"

namespace mfigw::gateway {

AdminResponse storeRefusal(std::error_code ec) {
  if (ec == store::errc::map_full || ec == store::errc::queue_full ||
      ec == store::errc::shutting_down) {
    AdminResponse response =
        AdminResponse::error(503, "temporarily unable to store: " + ec.message());
    response.headers.emplace_back("Retry-After", "30");
    return response;
  }
  return AdminResponse::error(500, "store write failed: " + ec.message());
}

}  // namespace mfigw::gateway
