// UssdSmppIngress: USSD over SMPP into UssdService, in each link's dialect (ussd_dialect.hpp).
//
// Purpose:   A deliver_sm's ussd_service_op is read in the link's dialect. A begin (the phone
//            dialled) or a continue (the phone answered) runs a dialog step; the
//            deliver_sm_resp is sent once the step is committed (ESME_RMSGQFUL when the store
//            refused, so the SMSC retries), then the page goes out as the dialect says (submit_sm
//            or data_sm, its continue or end op, the operator's session TLVs echoed, the
//            dialect's coding). An end or abort from the network closes the live dialog quietly
//            (outcome network_timeout or user_abort). A code the dialect does not know is logged
//            once and ends the live dialog as app_error with the menu's "unavailable" page and
//            the end op, so the USSD centre releases it too.
// Threading: the loop thread.
// Errors:    never throws to the link; undecodable text is treated as an empty input.
// Ownership: borrows links, service, logger; owns the dialect profiles.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <spdlog/logger.h>

#include "gateway/msisdn_mask.hpp"
#include "gateway/smsc_links.hpp"
#include "gateway/ussd_dialect.hpp"
#include "gateway/ussd_service.hpp"

namespace mfigw::gateway {

// Local ids of USSD replies carry this bit, so the outbox sender leaves their answers alone.
inline constexpr std::uint64_t kUssdLocalIdBit = 1ull << 63;

// Each configured link's dialect, by link name (smpp.links[].name); other links (the
// built-in simulator) speak smpp34.
std::map<std::string, UssdDialect> ussdDialectsByLink(const GatewayConfig& config);

class UssdSmppIngress {
 public:
  UssdSmppIngress(SmscLinks& links, UssdService& service, MsisdnMasker mask, spdlog::logger& log,
                  std::map<std::string, UssdDialect> dialects = {});
  void onDeliver(LinkIndex link, smpp::DeliverSm pdu);
  void setMasker(MsisdnMasker mask) { mask_ = mask; }
  void setDialects(std::map<std::string, UssdDialect> dialects) { dialects_ = std::move(dialects); }

 private:
  const UssdDialect& dialectOf(LinkIndex link) const;
  void reply(LinkIndex link, const UssdDialect& dialect, const smpp::DeliverSm& request,
             const UssdReply& page);

  SmscLinks& links_;
  UssdService& service_;
  MsisdnMasker mask_;
  spdlog::logger& log_;
  std::map<std::string, UssdDialect> dialects_;
  UssdDialect default_;
  std::uint64_t nextId_ = 1;
};

}  // namespace mfigw::gateway
