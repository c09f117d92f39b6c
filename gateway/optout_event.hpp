// gateway/optout_event.hpp: the upstream event a STOP by SMS becomes (issue 6, item 5).
//
// Purpose:   The idempotency key and JSON payload of the `optout` event that the inbound
//            dispatcher appends to the upstream outbox in the same transaction that records
//            the opt-out locally (docs/upstream-protocol.md, section 3.1). The key is derived
//            from the MO itself (number, message bytes, UTC day of arrival), so a STOP the
//            SMSC delivers again gives the same key and upstream stores it once.
// Threading: Pure functions.
// Errors:    None.
// Ownership: Values only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/upstream_events.hpp"

namespace mfigw::gateway {

// BLAKE2b-128 of ("sms-optout", E.164 number, raw user data without UDH, UTC day number).
store::EventKey optOutEventKey(std::string_view e164, std::string_view userData,
                               std::int64_t unixSeconds);

// {"msisdn":"+2547...","source":"sms","lang":"en"}; lang is left out when unknown.
std::string optOutEventPayload(std::string_view e164, std::string_view lang);

}  // namespace mfigw::gateway
