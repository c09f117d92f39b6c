#include "gateway/ussd_http_ingress.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

namespace mfigw::gateway {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string formDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size() || hexValue(text[i + 1]) < 0 || hexValue(text[i + 2]) < 0)
        throw HttpError(400, "bad %-escape in the form body");
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// "*384*12#" + "1*2" -> "*384*12*1*2#": the string the phone dialled.
std::string dialled(const std::string& serviceCode, const std::string& text) {
  if (text.empty() || serviceCode.empty() || serviceCode.back() != '#') return serviceCode;
  return serviceCode.substr(0, serviceCode.size() - 1) + "*" + text + "#";
}

}  // namespace

std::map<std::string, std::string> parseFormBody(std::string_view body) {
  std::map<std::string, std::string> fields;
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (!pair.empty())
      fields[formDecode(pair.substr(0, eq))] =
          eq == std::string_view::npos ? std::string() : formDecode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return fields;
}

UssdHttpIngress::UssdHttpIngress(UssdService& service, Secret key)
    : service_(service), key_(std::move(key)) {}

void UssdHttpIngress::registerRoutes(AdminRoutes& routes) {
  routes.addAsync(
      HttpMethod::Post, "/ussd/africastalking/{key}",
      [this](const AdminRequest& r, AdminContext&, AdminRoutes::Reply reply) {
        africasTalking(r, std::move(reply));
      },
      Auth::None);
  routes.addAsync(
      HttpMethod::Post, "/ussd/arkesel/{key}",
      [this](const AdminRequest& r, AdminContext&, AdminRoutes::Reply reply) {
        arkesel(r, std::move(reply));
      },
      Auth::None);
}

void UssdHttpIngress::checkKey(const AdminRequest& request) const {
  const std::string& given = request.params.at("key");
  const std::string_view expected = key_.reveal();
  if (expected.empty() || given.size() != expected.size() ||
      sodium_memcmp(given.data(), expected.data(), expected.size()) != 0)
    throw HttpError(404, "not found");  // a wrong key learns nothing, not even "forbidden"
}

UssdRequest africasTalkingRequest(
    std::string_view body, const std::function<std::string(const std::string&)>& liveSessionKey) {
  const auto form = parseFormBody(body);
  const auto field = [&](const char* name) {
    const auto it = form.find(name);
    if (it == form.end()) throw HttpError(400, std::string("missing form field ") + name);
    return it->second;
  };
  UssdRequest req;
  req.msisdn = field("phoneNumber");
  req.sessionKey = field("sessionId");
  req.channel = "http:africastalking";
  const std::string serviceCode = field("serviceCode");
  const std::string text = form.count("text") ? form.at("text") : std::string();
  // The text carries every input so far: a session we know takes the newest one; one we do
  // not know yet is the dial itself, with any dial-through digits.
  if (liveSessionKey(req.msisdn) == req.sessionKey) {
    const std::size_t star = text.rfind('*');
    req.text = star == std::string::npos ? text : text.substr(star + 1);
  } else {
    req.begin = true;
    req.text = dialled(serviceCode, text);
  }
  return req;
}

ArkeselRequest arkeselRequest(std::string_view text) {
  const nlohmann::json body = nlohmann::json::parse(text, nullptr, false);
  const auto str = [&](const char* name) {
    if (!body.is_object() || !body.contains(name) || !body[name].is_string())
      throw HttpError(400, std::string("missing string field ") + name);
    return body[name].get<std::string>();
  };
  ArkeselRequest out;
  UssdRequest& req = out.request;
  req.msisdn = str("msisdn");
  req.sessionKey = str("sessionID");
  req.channel = "http:arkesel";
  req.text = str("userData");
  req.begin = body.contains("newSession") && body["newSession"].is_boolean() &&
              body["newSession"].get<bool>();
  out.echo = {{"sessionID", req.sessionKey}, {"msisdn", req.msisdn}};
  if (body.contains("userID")) out.echo["userID"] = body["userID"];
  return out;
}

void UssdHttpIngress::africasTalking(const AdminRequest& request, AdminRoutes::Reply reply) {
  checkKey(request);
  UssdRequest req = africasTalkingRequest(
      request.body, [this](const std::string& msisdn) { return service_.liveSessionKey(msisdn); });
  service_.handle(std::move(req), [reply = std::move(reply)](std::optional<UssdReply> page) {
    if (!page) {
      reply(AdminResponse::error(503, "temporarily unable to store the dialog"));
      return;
    }
    reply(AdminResponse::text(200, (page->continues ? "CON " : "END ") + page->text));
  });
}

void UssdHttpIngress::arkesel(const AdminRequest& request, AdminRoutes::Reply reply) {
  checkKey(request);
  ArkeselRequest parsed = arkeselRequest(request.body);
  service_.handle(
      std::move(parsed.request),
      [echo = std::move(parsed.echo), reply = std::move(reply)](std::optional<UssdReply> page) {
        if (!page) {
          reply(AdminResponse::error(503, "temporarily unable to store the dialog"));
          return;
        }
        nlohmann::json out = echo;
        out["message"] = page->text;
        out["continueSession"] = page->continues;
        reply(AdminResponse::json(200, out));
      });
}

}  // namespace mfigw::gateway
