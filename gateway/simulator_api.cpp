#include "gateway/simulator_api.hpp"

#include <chrono>
#include <memory>

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "smpp/sim/sim_server.hpp"
#include "smpp/text_encoding.hpp"
#include "smpp/text_gsm7.hpp"

namespace mfigw::gateway {

namespace {

using namespace std::chrono_literals;
constexpr auto kPageTimeout = 10s;  // the network's patience for an application answer

std::string digitsOf(const std::string& msisdn) {
  std::string out;
  for (char c : msisdn)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

std::string hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes)
    out += fmt::format("{:02x}", c);
  return out;
}

std::string unhex(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    out += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
  return out;
}

struct Wait {
  std::string msisdn;
  std::size_t seen = 0;  // replies to this number before the request
  std::string session;
  std::chrono::steady_clock::time_point deadline;
  boost::asio::steady_timer timer;
  AdminRoutes::Reply reply;
  explicit Wait(boost::asio::io_context& io) : timer(io) {}
};

std::vector<smpp::sim::UssdReply> repliesTo(smpp::sim::SimServer& sim, const std::string& msisdn) {
  return sim.inspect([&](const smpp::sim::SmscSimulator& s) {
    std::vector<smpp::sim::UssdReply> out;
    for (const auto& r : s.ussdReplies())
      if (r.msisdn == msisdn) out.push_back(r);
    return out;
  });
}

void poll(std::shared_ptr<Wait> wait, smpp::sim::SimServer& sim) {
  const auto replies = repliesTo(sim, wait->msisdn);
  if (replies.size() > wait->seen) {
    const smpp::sim::UssdReply& page = replies.back();
    const auto encoding =
        smpp::encodingFromDataCoding(page.dataCoding).value_or(smpp::TextEncoding::Gsm7);
    const auto* raw = reinterpret_cast<const std::uint8_t*>(page.text.data());
    const auto text = smpp::decode({raw, page.text.size()}, encoding);
    const std::string utf8 = text ? *text : page.text;
    const auto units =
        encoding == smpp::TextEncoding::Gsm7 ? smpp::gsm7Length(utf8) : smpp::ucs2Length(utf8);
    wait->reply(AdminResponse::json(200, {{"text", utf8},
                                          {"continues", page.op == 2},
                                          {"encoding", std::string(smpp::toString(encoding))},
                                          {"units", units ? *units : 0},
                                          {"session", wait->session}}));
    return;
  }
  if (std::chrono::steady_clock::now() >= wait->deadline) {
    wait->reply(AdminResponse::error(504, "no USSD page within 10 s"));
    return;
  }
  wait->timer.expires_after(5ms);
  wait->timer.async_wait([wait, &sim](const boost::system::error_code& ec) {
    if (!ec) poll(wait, sim);
  });
}

}  // namespace

SimulatorApi::SimulatorApi(boost::asio::io_context& io, SmscLinks& links, std::string serviceCode)
    : io_(io), links_(links), serviceCode_(std::move(serviceCode)) {}

void SimulatorApi::registerRoutes(AdminRoutes& routes) {
  routes.addAsync(
      HttpMethod::Post, "/api/v1/simulator/ussd",
      [this](const AdminRequest& r, AdminContext&, AdminRoutes::Reply reply) {
        ussd(r, std::move(reply));
      },
      Auth::Required);
  routes.add(
      HttpMethod::Post, "/api/v1/simulator/sms",
      [this](const AdminRequest& r, AdminContext&) { return sms(r); }, Auth::Required);
}

void SimulatorApi::ussd(const AdminRequest& request, AdminRoutes::Reply reply) {
  smpp::sim::SimServer* sim = links_.simulator();
  if (!sim) throw HttpError(409, "the built-in simulator is off (smpp.simulator: false)");
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("msisdn") || !body["msisdn"].is_string() ||
      !body.contains("input") || !body["input"].is_string())
    throw HttpError(400, "expected {\"msisdn\": \"...\", \"input\": \"...\"}");
  const std::string msisdn = digitsOf(body["msisdn"].get<std::string>());
  if (msisdn.size() < 6) throw HttpError(400, "msisdn: a phone number");
  const std::string input = body["input"].get<std::string>();
  auto wait = std::make_shared<Wait>(io_);
  wait->msisdn = msisdn;
  wait->seen = repliesTo(*sim, msisdn).size();
  wait->deadline = std::chrono::steady_clock::now() + kPageTimeout;
  wait->reply = std::move(reply);
  std::optional<std::pair<smpp::sim::ConnectionId, std::uint32_t>> sent;
  if (body.contains("session") && body["session"].is_string()) {
    wait->session = body["session"].get<std::string>();
    sent = sim->ussdInput(msisdn, serviceCode_, input, unhex(wait->session));
  } else {
    // A new dialog: a fresh its_session_info (dialogue id in the first octet).
    const std::string info{static_cast<char>(nextSession_ & 0xff), static_cast<char>(0)};
    ++nextSession_;
    wait->session = hex(info);
    sent = sim->startUssd(msisdn, input, info);
  }
  if (!sent) {
    wait->reply(AdminResponse::error(503, "the gateway is not bound to the simulator yet"));
    return;
  }
  poll(wait, *sim);
}

AdminResponse SimulatorApi::sms(const AdminRequest& request) {
  smpp::sim::SimServer* sim = links_.simulator();
  if (!sim) throw HttpError(409, "the built-in simulator is off (smpp.simulator: false)");
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("msisdn") || !body["msisdn"].is_string() ||
      !body.contains("text") || !body["text"].is_string())
    throw HttpError(400, "expected {\"msisdn\": \"...\", \"text\": \"...\"}");
  smpp::sim::MoMessage mo;
  mo.from = digitsOf(body["msisdn"].get<std::string>());
  mo.to = "MFI";
  mo.text = body["text"].get<std::string>();  // GSM-7 as octets: ASCII keywords pass as is
  if (!sim->injectMo(mo)) return AdminResponse::error(503, "the gateway is not bound yet");
  return AdminResponse::json(202, {{"sent", true}});
}

}  // namespace mfigw::gateway
