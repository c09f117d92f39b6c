// Fuzz target for the USSD aggregator ingress (gateway/ussd_http_ingress): the bodies
// Africa's Talking (form) and Arkesel (JSON) post for every user step. Any bytes must give a
// request or HttpError 400, nothing else. Checked on every input (first byte picks the style):
//   - Africa's Talking: a known session continues with the newest input only (no '*' in it,
//     and it is a suffix of the cumulative text); an unknown one begins; the form parser reads
//     back what a form encoder wrote;
//   - Arkesel: the echo carries exactly the request's sessionID and msisdn.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/admin_routes.hpp"
#include "gateway/ussd_http_ingress.hpp"

namespace {

using namespace mfigw::gateway;

void check(bool condition) {
  if (!condition) std::abort();
}

std::string formEncode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '*') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

void africasTalking(std::string_view body, bool known) {
  try {
    const auto form = parseFormBody(body);
    const UssdRequest req = africasTalkingRequest(body, [&](const std::string&) {
      return known ? form.at("sessionId") : std::string("\x01never");
    });
    const std::string text = form.count("text") ? form.at("text") : std::string();
    if (known) {
      check(!req.begin);
      check(req.text.find('*') == std::string::npos);
      check(text.size() >= req.text.size() &&
            text.compare(text.size() - req.text.size(), req.text.size(), req.text) == 0);
    } else {
      check(req.begin);
    }
    // What we read, encoded again, reads back the same.
    std::string again;
    for (const auto& [name, value] : form) {
      if (!again.empty()) again += '&';
      again += formEncode(name) + "=" + formEncode(value);
    }
    check(parseFormBody(again) == form);
  } catch (const HttpError& e) {
    check(e.status() == 400);
  }
}

void arkesel(std::string_view body) {
  try {
    const ArkeselRequest parsed = arkeselRequest(body);
    check(parsed.echo.at("sessionID") == parsed.request.sessionKey);
    check(parsed.echo.at("msisdn") == parsed.request.msisdn);
    check(parsed.request.channel == "http:arkesel");
  } catch (const HttpError& e) {
    check(e.status() == 400);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      africasTalking(body, true);
      break;
    case 1:
      africasTalking(body, false);
      break;
    default:
      arkesel(body);
      break;
  }
  return 0;
}
