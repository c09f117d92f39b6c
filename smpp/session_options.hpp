// session_options.hpp: the knobs of one SMPP ESME bind (smpp::Session), with defaults.
//
// Purpose:   credentials, bind mode, window, TPS and the timers of STYLE.md G5. The table
//            kSessionTimers names every timer with its default and bounds so the config
//            layer can validate overrides and the admin API can list them.
// Threading: plain values.
// Errors:    none here; the config loader rejects values outside the table's bounds. The
//            Session clamps what it must to keep its arithmetic defined (window >= 1, ...).
// Ownership: owns its strings. `password` is a secret: never log it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "smpp/framer.hpp"

namespace mfigw::smpp {

// One Session is one bind. A transmitter + receiver pair (for SMSCs without transceiver
// support) is two Sessions, one with Transmitter and one with Receiver.
enum class BindMode { Transceiver, Transmitter, Receiver };
std::string toString(BindMode mode);

struct SessionOptions {
  using Duration = std::chrono::steady_clock::duration;

  std::string systemId;    // max 15
  std::string password;    // max 8; secret
  std::string systemType;  // max 12
  BindMode mode = BindMode::Transceiver;
  std::uint8_t addrTon = 0;
  std::uint8_t addrNpi = 0;
  std::string addressRange;

  // Unacknowledged submit_sm/data_sm at most; more wait in the Session's FIFO.
  std::uint32_t window = 10;
  // Granted submits per second (token bucket; burst = max(1, window)).
  double tps = 10.0;

  Duration enquireLinkInterval = std::chrono::seconds(30);  // outbound idleness
  Duration responseTimeout = std::chrono::seconds(10);      // any request of ours
  Duration bindTimeout = std::chrono::seconds(10);          // connect + bind_resp
  Duration unbindTimeout = std::chrono::seconds(5);         // stop(): wait for unbind_resp
  Duration reconnectMin = std::chrono::seconds(1);
  Duration reconnectMax = std::chrono::seconds(60);
  double jitter = 0.2;  // reconnect delay * U[1 - jitter, 1 + jitter]
  Duration throttleBackoffMin = std::chrono::milliseconds(200);
  Duration throttleBackoffMax = std::chrono::seconds(10);
  std::size_t maxPduSize = kDefaultMaxPduSize;
};

// STYLE.md G5: timers as named data. Values in milliseconds.
struct TimerSpec {
  std::string_view name;
  std::int64_t defaultMs;
  std::int64_t minMs;
  std::int64_t maxMs;
  std::string_view help;
};
inline constexpr std::array<TimerSpec, 8> kSessionTimers{{
    {"enquire_link_interval", 30'000, 5'000, 300'000, "send enquire_link after this much idleness"},
    {"response_timeout", 10'000, 1'000, 120'000, "close the link when a request goes unanswered"},
    {"bind_timeout", 10'000, 1'000, 120'000, "connect plus bind_resp must finish within this"},
    {"unbind_timeout", 5'000, 500, 60'000, "on stop, wait this long for unbind_resp"},
    {"reconnect_backoff_min", 1'000, 100, 60'000, "first reconnect delay (doubles, jittered)"},
    {"reconnect_backoff_max", 60'000, 1'000, 3'600'000, "reconnect delay ceiling"},
    {"throttle_backoff_min", 200, 10, 10'000, "first pause after ESME_RTHROTTLED/RMSGQFUL"},
    {"throttle_backoff_max", 10'000, 100, 600'000, "pause ceiling after repeated throttling"},
}};

}  // namespace mfigw::smpp
