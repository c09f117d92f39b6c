// UssdSmppIngress: USSD over SMPP 3.4 (ussd_service_op, its_session_info) into UssdService.
//
// Purpose:   A deliver_sm with ussd_service_op 1 (PSSR indication: the phone dialled) begins a
//            dialog, 18 (USSR confirm: the phone answered) continues it, 32+ (vendor aborts)
//            ends it quietly. The deliver_sm_resp is sent once the step is committed
//            (ESME_RMSGQFUL when the store refused, so the SMSC retries), then the page goes
//            out as submit_sm with ussd_service_op 2 (USSR request: expects an answer) or 17
//            (PSSR response: last page), its_session_info echoed (end bit set on the last
//            page), in GSM 7-bit when the page fits it, else UCS-2.
// Threading: the loop thread.
// Errors:    never throws to the link; undecodable text is treated as an empty input.
// Ownership: borrows links, service, logger.
#pragma once

#include <cstdint>

#include <spdlog/logger.h>

#include "gateway/msisdn_mask.hpp"
#include "gateway/smsc_links.hpp"
#include "gateway/ussd_service.hpp"

namespace mfigw::gateway {

// Local ids of USSD replies carry this bit, so the outbox sender leaves their answers alone.
inline constexpr std::uint64_t kUssdLocalIdBit = 1ull << 63;

class UssdSmppIngress {
 public:
  UssdSmppIngress(SmscLinks& links, UssdService& service, MsisdnMasker mask, spdlog::logger& log);
  void onDeliver(LinkIndex link, smpp::DeliverSm pdu);
  void setMasker(MsisdnMasker mask) { mask_ = mask; }

 private:
  SmscLinks& links_;
  UssdService& service_;
  MsisdnMasker mask_;
  spdlog::logger& log_;
  std::uint64_t nextId_ = 1;
};

}  // namespace mfigw::gateway
