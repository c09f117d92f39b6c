// What a sync window body of an adapter other than our own protocol may use.
//
// Purpose: UpstreamSync runs the schedule, the back-off, the status, the metrics and one
//   kept-alive UpstreamConnection per window for every adapter; an adapter (Fineract:
//   gateway/fineract_sync.hpp) only says what one window does. It gets this context:
//     - call(): one request on the window's connection; a failure or a status the caller
//       did not accept ends the window with the same kinds and back-off as our protocol
//       (401/403 Auth with the longest back-off, 429/503 honour Retry-After, other 4xx the
//       longest back-off, 5xx the normal one);
//     - commit(): one group-commit item on the durable writer (the commit is the
//       checkpoint: a page and its cursor, or a batch's answers, land together or not);
//     - the service's cumulative counters, metrics and logger, and the window's summary.
// Threading: the loop thread only (like UpstreamSync).
// Errors: call() and commit() throw UpstreamWindowError, which UpstreamSync catches at the
//   window's top and turns into a failed window; adapters throw it for their own protocol
//   errors too (upstreamProtocolFailure()).
// Ownership: borrows everything; lives for one window.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without it

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>

#include "gateway/metrics.hpp"
#include "gateway/store_layout.hpp"
#include "gateway/upstream_client.hpp"
#include "gateway/upstream_sync.hpp"

namespace mfigw::gateway {

struct UpstreamWindowFailure {
  UpstreamFailureKind kind = UpstreamFailureKind::Transport;
  std::string message;
  std::optional<std::chrono::milliseconds> retryAfter;
};

class UpstreamWindowError : public std::runtime_error {
 public:
  explicit UpstreamWindowError(UpstreamWindowFailure f)
      : std::runtime_error(f.message), failure(std::move(f)) {}
  UpstreamWindowFailure failure;
};

[[noreturn]] void upstreamProtocolFailure(std::string message);

// The failure a non-2xx answer means (see the header comment).
[[nodiscard]] UpstreamWindowFailure upstreamHttpFailure(const UpstreamOptions& options,
                                                        std::string_view method,
                                                        std::string_view target,
                                                        const UpstreamReply& reply);

struct UpstreamWindowContext {
  UpstreamConnection& conn;
  const UpstreamOptions& options;  // this window's (a reload applies to the next one)
  StoreLayout& stores;
  Metrics& metrics;
  spdlog::logger& log;
  UpstreamStatus& counts;  // cumulative records/events counters of status()
  std::uint64_t pushed = 0;
  std::uint64_t pulled = 0;
  std::uint64_t pages = 0;
};

// `accept(status)` true: the reply is the caller's (e.g. Fineract's 4xx platform errors on a
// write); else any non-2xx ends the window. Arguments are views of the caller's named
// locals (see upstream_sync.cpp on g++ 12 and co_await temporaries).
boost::asio::awaitable<UpstreamReply> upstreamCall(UpstreamWindowContext& w,
                                                   std::string_view method, std::string_view target,
                                                   std::string_view body,
                                                   std::string_view idempotencyKey,
                                                   bool acceptClientErrors);

boost::asio::awaitable<void> upstreamCommit(UpstreamWindowContext& w,
                                            const store::GroupCommitWriter::Work& work,
                                            std::string_view what);

}  // namespace mfigw::gateway
