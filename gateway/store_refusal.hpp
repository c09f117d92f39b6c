// store_refusal.hpp: the HTTP answer for a write the store refused.
//
// Purpose: one mapping for every API that writes: a full map, a full writer queue or a
//   shutdown are temporary (503 + Retry-After: the client retries, nothing was written);
//   anything else is a 500 naming the store error.
#pragma once

#include <system_error>

#include "gateway/admin_routes.hpp"

namespace mfigw::gateway {

[[nodiscard]] AdminResponse storeRefusal(std::error_code ec);

}  // namespace mfigw::gateway
