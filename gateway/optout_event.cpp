#include "gateway/optout_event.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

namespace mfigw::gateway {

store::EventKey optOutEventKey(std::string_view e164, std::string_view userData,
                               std::int64_t unixSeconds) {
  // The day keeps a STOP sent again weeks later (after a START) a new event upstream; an SMSC
  // redelivers within minutes or hours. A redelivery that crosses midnight never gets here
  // twice anyway: the number is already opted out, so nothing is appended.
  const std::int64_t day = unixSeconds >= 0 ? unixSeconds / 86400 : (unixSeconds - 86399) / 86400;
  const std::string head = fmt::format("sms-optout|{}|{}|", e164, day);
  store::EventKey key{};
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, key.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(head.data()),
                            head.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(userData.data()),
                            userData.size());
  crypto_generichash_final(&state, key.data(), key.size());
  return key;
}

std::string optOutEventPayload(std::string_view e164, std::string_view lang) {
  nlohmann::json j = {{"msisdn", e164}, {"source", "sms"}};
  if (!lang.empty()) j["lang"] = lang;
  return j.dump();
}

}  // namespace mfigw::gateway
