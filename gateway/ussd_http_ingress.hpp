// USSD from HTTP aggregators into UssdService: Africa's Talking and Arkesel.
//
// Purpose:   Many MFIs reach the networks through an aggregator that calls a URL per user
//            step instead of an SMPP bind. Two styles are served by the same engine:
//            - Africa's Talking: POST form (sessionId, serviceCode, phoneNumber, networkCode,
//              text: every input so far joined by '*'); the answer is text/plain starting
//              "CON " (more to come) or "END ". A first request whose text is not empty is a
//              dial-through (*384*12*1#).
//            - Arkesel (last input, JSON): {sessionID, userID, newSession, msisdn, userData,
//              network}; the answer echoes the ids with "message" and "continueSession".
//            Routes: POST /ussd/africastalking/{key} and /ussd/arkesel/{key}. Aggregators
//            cannot send bearer tokens, so the key in the path is the credential (compared
//            in constant time; the routes exist only when a key is configured). Put a TLS
//            reverse proxy in front: the admin port itself listens on loopback.
// Threading: the loop thread.
// Errors:    malformed requests get 400 with a message; a store refusal gets 503 (the
//            aggregator shows its own error and the user dials again).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gateway/admin_routes.hpp"
#include "gateway/secret.hpp"
#include "gateway/ussd_service.hpp"

namespace mfigw::gateway {

// application/x-www-form-urlencoded -> fields ('+' is a space, %XX decoded). Throws
// HttpError 400 on a bad escape.
std::map<std::string, std::string> parseFormBody(std::string_view body);

// What an Africa's Talking body asks for. `liveSessionKey(msisdn)` is the operator key of the
// caller's live dialog ("" when none): a body whose sessionId matches continues it with the
// newest input of the cumulative text; any other begins a dialog (with dial-through digits).
// Throws HttpError 400 for a missing field or a bad %-escape.
UssdRequest africasTalkingRequest(
    std::string_view body, const std::function<std::string(const std::string&)>& liveSessionKey);

// What an Arkesel body asks for, and the ids its answer must echo. Throws HttpError 400 when
// the body is not a JSON object with string msisdn, sessionID and userData.
struct ArkeselRequest {
  UssdRequest request;
  nlohmann::json echo;
};
ArkeselRequest arkeselRequest(std::string_view body);

class UssdHttpIngress {
 public:
  UssdHttpIngress(UssdService& service, Secret key);
  void registerRoutes(AdminRoutes& routes);
  void setKey(Secret key) { key_ = std::move(key); }

 private:
  void checkKey(const AdminRequest& request) const;
  void africasTalking(const AdminRequest& request, AdminRoutes::Reply reply);
  void arkesel(const AdminRequest& request, AdminRoutes::Reply reply);

  UssdService& service_;
  Secret key_;
};

}  // namespace mfigw::gateway
