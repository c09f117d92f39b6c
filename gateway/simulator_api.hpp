// The built-in SMSC simulator over the admin API: a phone for the demo and for tests.
//
// Purpose: with smpp.simulator on, POST /api/v1/simulator/ussd {"msisdn", "input",
//   "session"?} plays the phone: the first call (no session) dials `input` (e.g. "*123#"),
//   later calls answer the screen; the reply is the page the gateway sent back through the
//   simulator: {"text", "continues", "encoding", "units", "session"}. POST
//   /api/v1/simulator/sms {"msisdn", "text"} sends an MO SMS (STOP, BAL...).
//   mfi-gatewayctl dial and sms use these.
// Threading: handlers on the loop; the simulator runs on its own thread and is reached
//   through its thread-safe commands; waiting for the page polls with a loop timer.
#pragma once

#include <boost/asio/io_context.hpp>

#include "gateway/admin_routes.hpp"
#include "gateway/smsc_links.hpp"

namespace mfigw::gateway {

class SimulatorApi {
 public:
  SimulatorApi(boost::asio::io_context& io, SmscLinks& links, std::string serviceCode);
  void registerRoutes(AdminRoutes& routes);

 private:
  void ussd(const AdminRequest& request, AdminRoutes::Reply reply);
  AdminResponse sms(const AdminRequest& request);

  boost::asio::io_context& io_;
  SmscLinks& links_;
  std::string serviceCode_;
  std::uint16_t nextSession_ = 1;
};

}  // namespace mfigw::gateway
