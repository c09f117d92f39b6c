// Messages over the admin API: the MFI's systems send an SMS and follow it.
//
// Purpose: POST /api/v1/messages {"to", "text", "lang"?, "not_before"?, "not_after"?,
//   "priority"?} with an optional Idempotency-Key header answers 202 {"id", ...} only after the
//   message is committed to the outbox; the same key again answers with the first message
//   (Idempotent-Replayed: true). GET /api/v1/messages/{id} gives its state and parts;
//   GET /api/v1/queue counts messages by state; POST /api/v1/messages/{id}/retry and
//   /cancel are the operator's levers (mfi-gatewayctl queue).
//   Refused with a clear 4xx: an invalid number, empty or invalid text, a text over
//   sms.max_parts, a number that opted out (409), times in the wrong order.
// Threading: handlers on the loop; writes on the durable writer, answered from the loop.
#pragma once

#include <spdlog/logger.h>

#include "gateway/admin_routes.hpp"
#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "gateway/msisdn_mask.hpp"
#include "gateway/outbox_sender.hpp"
#include "gateway/store_layout.hpp"

namespace mfigw::gateway {

class MessagesApi {
 public:
  MessagesApi(StoreLayout& stores, OutboxSender& sender, const GatewayConfig& config,
              Metrics& metrics, spdlog::logger& log);
  void registerRoutes(AdminRoutes& routes);
  void setConfig(const GatewayConfig& config);

 private:
  void send(const AdminRequest& request, AdminRoutes::Reply reply);
  void change(const AdminRequest& request, AdminRoutes::Reply reply, bool retry);
  AdminResponse get(const AdminRequest& request);
  AdminResponse queue();

  StoreLayout& stores_;
  OutboxSender& sender_;
  SmsConfig sms_;
  std::string region_;
  Metrics& metrics_;
  MsisdnMasker mask_{true};
  spdlog::logger& log_;
};

}  // namespace mfigw::gateway
