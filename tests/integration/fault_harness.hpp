// The fault suite's common rig (issue 7): the real daemon bound to a simulator that lives in
// this process (so it outlives daemon restarts and counts everything it received), with
// helpers to send API messages, read the queue and wait with a bound.
//
// Long forms: MFIGW_FAULT_LONG=1 makes the suite's timed runs last longer (see
// docs/BENCHMARKS.md, "Fault suite").
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon_process.hpp"
#include "smpp/sim/sim_server.hpp"

namespace mfigw::testing {

inline bool faultLongForm() {
  const char* text = std::getenv("MFIGW_FAULT_LONG");
  return text != nullptr && std::string(text) == "1";
}

// Polls `done` every 50 ms until it holds or `limit` passes; the last answer either way.
inline bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

struct FaultRig {
  smpp::sim::SimServer sim;
  DaemonProcess daemon;

  explicit FaultRig(smpp::sim::SimulatorOptions options) : sim(std::move(options)) { sim.start(); }
  ~FaultRig() {
    daemon.kill9();  // before the simulator goes: no daemon outlives the test
    sim.stop();
  }

  static smpp::sim::SimulatorOptions accounts() {
    smpp::sim::SimulatorOptions o;
    o.accounts.push_back({"mfi", "secret"});
    o.receiptDelay = std::chrono::milliseconds(50);
    return o;
  }

  // One transceiver link to the simulator and a tiny menu tree of the menus tests (the
  // fault suite dials nothing, so it does not follow the shipped tree's changes); `more` is
  // appended (other top-level sections), `smsMore` to the sms section (indented lines).
  std::string linkConfig(const std::string& more = "", const std::string& smsMore = "") const {
    const auto menus = daemon.dir() / "menus";
    std::filesystem::create_directories(menus);
    const std::filesystem::path source(MFIGW_SOURCE_DIR);
    const auto overwrite = std::filesystem::copy_options::overwrite_existing;
    std::filesystem::copy_file(source / "tests/menus/data/tiny.yaml", menus / "menu.yaml",
                               overwrite);
    std::filesystem::copy_file(source / "menus/mfi/reminders.yaml", menus / "reminders.yaml",
                               overwrite);
    const auto password = daemon.dir() / "smpp.password";
    if (std::FILE* f = std::fopen(password.c_str(), "w")) {
      std::fputs("secret\n", f);
      std::fclose(f);
    }
    std::filesystem::permissions(
        password, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return "smpp:\n  links:\n    - name: sim\n      host: 127.0.0.1\n      port: " +
           std::to_string(sim.port()) +
           "\n      system_id: mfi\n      password_file: " + password.string() +
           "\n      window: 10\n      tps: 2000\nsms:\n  retry_min: 1s\n" + smsMore +
           "menus:\n  dir: " + menus.string() + "\n" + more;
  }

  gateway::AdminReply send(gateway::AdminClient& client, const std::string& to,
                           const std::string& text, const std::string& key = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
    return client.request("POST", "/api/v1/messages",
                          R"({"to":")" + to + R"(","text":")" + text + "\"}", "application/json",
                          headers);
  }

  nlohmann::json queue() {
    return nlohmann::json::parse(daemon.client().get("/api/v1/queue").body)["states"];
  }

  // Destination numbers (digits, no '+') of every submit_sm the simulator received
  // (duplicates folded).
  std::set<std::string> submittedTo() {
    return sim.inspect([](const smpp::sim::SmscSimulator& s) {
      std::set<std::string> out;
      for (const smpp::sim::ReceivedPdu& r : s.received())
        if (const auto* submit = std::get_if<smpp::SubmitSm>(&r.pdu))
          out.insert(submit->destination.addr.starts_with('+') ? submit->destination.addr.substr(1)
                                                               : submit->destination.addr);
      return out;
    });
  }
};

}  // namespace mfigw::testing
