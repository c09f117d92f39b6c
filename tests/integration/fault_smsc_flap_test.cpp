// Fault suite (issue 7): a flapping SMSC. The simulator closes every link every 2 s while
// API messages keep arriving (10 s; 60 s with MFIGW_FAULT_LONG=1). Afterwards every
// accepted message was submitted at least once and ends delivered, and each drop was
// followed by a rebind: the reconnect back-off starts again from its minimum after every
// successful bind, so repeated drops never push the rebind out. The rebind times (from the
// simulator's view: drop -> next bind_transceiver accepted) are printed for
// docs/BENCHMARKS.md.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>

#include <gtest/gtest.h>

#include "fault_harness.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// When the simulator accepted a bind (written on its io thread, read by the test).
struct BindTimes {
  std::mutex mutex;
  std::vector<SteadyClock::time_point> at;

  std::optional<SteadyClock::time_point> firstAfter(SteadyClock::time_point t) {
    std::lock_guard lock(mutex);
    for (const auto bind : at)
      if (bind > t) return bind;
    return std::nullopt;
  }
};

double millis(SteadyClock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

TEST(FaultSmscFlap, DropsEveryTwoSecondsLoseNothingAndEachDropIsFollowedByARebind) {
  auto binds = std::make_shared<BindTimes>();
  auto options = FaultRig::accounts();
  options.onLinkEvent = [binds](const smpp::sim::LinkEvent& event) {
    if (event.kind != smpp::sim::LinkEvent::Kind::Bound) return;
    std::lock_guard lock(binds->mutex);
    binds->at.push_back(SteadyClock::now());
  };
  FaultRig rig(options);
  rig.daemon.setLogLevel("info");
  rig.daemon.writeConfig(rig.linkConfig());
  rig.daemon.start();
  ASSERT_TRUE(rig.daemon.waitReady()) << rig.daemon.stderrText();
  ASSERT_TRUE(waitUntil([&] { return rig.sim.counters().binds >= 1; }, 10s));

  const auto flapping = faultLongForm() ? 60s : 10s;
  std::atomic<bool> stop{false};
  std::vector<std::string> accepted;
  int other = 0;
  std::string otherBodies;
  std::thread poster([&] {
    gateway::AdminClient client = rig.daemon.client();
    for (int i = 0; !stop; ++i) {
      const std::string to = "+2547" + std::to_string(20000000 + i);
      const auto reply =
          rig.send(client, to, "flap " + std::to_string(i), "flap-" + std::to_string(i));
      if (reply.status == 202) {
        accepted.push_back(to.substr(1));
      } else {
        ++other;
        otherBodies += std::to_string(reply.status) + " " + reply.body + "\n";
      }
      std::this_thread::sleep_for(20ms);  // ~40 messages/s: steady traffic, modest CPU
    }
  });

  std::vector<SteadyClock::time_point> drops;
  const auto begin = SteadyClock::now();
  for (int k = 1; begin + k * 2s <= begin + flapping; ++k) {
    std::this_thread::sleep_until(begin + k * 2s);
    drops.push_back(SteadyClock::now());
    rig.sim.dropAll();
  }
  stop = true;
  poster.join();
  EXPECT_EQ(other, 0) << otherBodies;  // the API takes messages whatever the link does
  ASSERT_FALSE(accepted.empty());

  // The SMSC is back for good after the last drop: every drop has its rebind.
  ASSERT_TRUE(waitUntil([&] { return binds->firstAfter(drops.back()).has_value(); }, 15s))
      << "no rebind after the last drop\n"
      << rig.daemon.stderrText();
  std::vector<double> rebind;
  for (const auto drop : drops) {
    const auto bind = binds->firstAfter(drop);
    ASSERT_TRUE(bind);
    rebind.push_back(millis(*bind - drop));
  }
  const double last = rebind.back();
  std::sort(rebind.begin(), rebind.end());
  std::cout << "[ fault ] " << drops.size() << " drops in "
            << std::chrono::duration_cast<std::chrono::seconds>(flapping).count()
            << " s; rebind ms min " << rebind.front() << " median " << rebind[rebind.size() / 2]
            << " max " << rebind.back() << " last " << last << "\n";
  // reconnect_backoff_min (1 s) jittered by +-20% plus connect and bind: the back-off
  // restarts from its minimum after each bind, so no rebind waits for a grown delay.
  EXPECT_LT(rebind.back(), 3000.0) << "the reconnect delay grew across drops";

  // None lost: every accepted message went to the SMSC at least once and ends delivered.
  std::size_t missing = 0;
  const bool all = waitUntil(
      [&] {
        const std::set<std::string> sent = rig.submittedTo();
        missing = std::count_if(accepted.begin(), accepted.end(),
                                [&](const std::string& to) { return !sent.contains(to); });
        return missing == 0;
      },
      60s);
  EXPECT_TRUE(all) << missing << " of " << accepted.size() << " accepted never submitted\n"
                   << rig.queue().dump();
  const auto delivered = static_cast<int>(accepted.size());
  EXPECT_TRUE(waitUntil([&] { return rig.queue()["delivered"] == delivered; }, 60s))
      << rig.queue().dump();
  const auto counters = rig.sim.counters();
  std::cout << "[ fault ] " << accepted.size() << " messages accepted, " << counters.submits
            << " submit_sm (" << counters.submits - accepted.size() << " resent after drops), "
            << counters.binds << " binds\n";
}

}  // namespace
}  // namespace mfigw::testing
