// InboundDispatcher: every deliver_sm the links receive, committed before it is answered.
//
// Purpose:   sorts a deliver into a delivery receipt (updates the outbox part and message),
//            USSD (handed to the USSD service when one is set) or an MO SMS (keywords: STOP
//            opts the number out at once, cancels what is queued for it, confirms once and
//            appends an `optout` event for upstream in the same commit; START opts back in
//            (locally only: the upstream protocol has no opt-in event); HELP and anything else get
//            a help reply, at most one per number per hour). The deliver_sm_resp goes out only
//            after the commit: ESME_ROK, or ESME_RMSGQFUL when the store refused, so the SMSC
//            delivers it again later.
// Threading: the loop thread; store work on the durable writer.
// Errors:    never throws to the link; undecodable text is answered ESME_ROK and counted
//            (resending it would not make it decodable).
// Ownership: borrows stores, links, sender and metrics.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <unordered_map>

#include <spdlog/logger.h>

#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "gateway/msisdn_mask.hpp"
#include "gateway/outbox_sender.hpp"
#include "gateway/smsc_links.hpp"
#include "gateway/store_layout.hpp"

namespace mfigw::gateway {

class InboundDispatcher final : public InboundSink {
 public:
  using UssdHandler = std::function<void(LinkIndex, smpp::DeliverSm)>;

  InboundDispatcher(StoreLayout& stores, SmscLinks& links, OutboxSender& sender,
                    const GatewayConfig& config, Metrics& metrics, MsisdnMasker mask,
                    spdlog::logger& log);

  void onDeliver(LinkIndex link, std::variant<smpp::DeliverSm, smpp::DataSm> pdu) override;
  void setUssdHandler(UssdHandler handler) { ussd_ = std::move(handler); }
  void setConfig(const GatewayConfig& config);

 private:
  struct Inbound {
    LinkIndex link = 0;
    std::uint32_t sequence = 0;
    std::string serviceType;
    std::string from;
    std::uint8_t esmClass = 0;
    std::uint8_t dataCoding = 0;
    std::string userData;  // short_message or message_payload
    smpp::Tlvs tlvs;
  };

  void receipt(const Inbound& in);
  void mobileOriginated(const Inbound& in);
  void answer(const Inbound& in, std::string_view kind, smpp::CommandStatus status);
  bool helpAllowed(const std::string& msisdn);

  StoreLayout& stores_;
  SmscLinks& links_;
  OutboxSender& sender_;
  std::string source_;
  std::string serviceCode_;
  std::string region_;
  Metrics& metrics_;
  MsisdnMasker mask_;
  spdlog::logger& log_;
  UssdHandler ussd_;
  // Help replies sent per number (in memory: a restart at worst allows one more).
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> lastHelp_;
};

}  // namespace mfigw::gateway
