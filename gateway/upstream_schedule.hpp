// When the upstream sync runs: the pure part of the sync service's state machine.
//
// Purpose: decides when the next sync window opens and whether it reconciles.
//     start            -> a window right away
//     window succeeded -> the next one `interval` later; back-off forgotten
//     window failed    -> the next one after a jittered, doubling back-off (backoffMin ..
//                         backoffMax); an upstream's Retry-After stretches it (never past
//                         backoffMax, so a confused server cannot park the box for days)
//     syncNow          -> a window right away, even while backing off
//   A window reconciles when `reconcileInterval` has passed since the last reconcile (or
//   there was none). Nothing here reads a clock: every call takes `now`, and jitter comes
//   from the injected random source, so tests drive it with a fake clock.
// Threading: not thread-safe; the sync service uses it from the loop thread.
// Errors: none; options are clamped (backoffMax >= backoffMin, jitter in [0, 1]).
// Ownership: value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "smpp/backoff.hpp"

namespace mfigw::gateway {

struct UpstreamScheduleOptions {
  std::chrono::milliseconds interval{15 * 60 * 1000};
  std::chrono::milliseconds reconcileInterval{24 * 60 * 60 * 1000};
  std::chrono::milliseconds backoffMin{10 * 1000};
  std::chrono::milliseconds backoffMax{30 * 60 * 1000};
  double jitter = 0.2;  // each back-off delay is scaled by U[1 - jitter, 1 + jitter]
};

class UpstreamSchedule {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;
  using Duration = Clock::duration;

  UpstreamSchedule(UpstreamScheduleOptions options, smpp::UniformRandom random);

  void start(TimePoint now);
  void requestNow(TimePoint now);
  [[nodiscard]] TimePoint nextWindow() const { return next_; }
  [[nodiscard]] bool due(TimePoint now) const { return now >= next_; }
  [[nodiscard]] bool reconcileDue(TimePoint now) const;

  void windowSucceeded(TimePoint now, bool reconciled);
  // Returns the delay until the retry.
  Duration windowFailed(TimePoint now, std::optional<Duration> retryAfter = std::nullopt);

  // The last reconcile as restored from the store (the box may restart daily).
  void setLastReconcile(TimePoint at) { lastReconcile_ = at; }
  [[nodiscard]] std::optional<TimePoint> lastReconcile() const { return lastReconcile_; }
  // A reload: new bounds from now on; failures so far keep counting.
  void setOptions(UpstreamScheduleOptions options);

  [[nodiscard]] std::uint32_t consecutiveFailures() const { return failures_; }
  [[nodiscard]] bool backingOff() const { return failures_ > 0; }
  [[nodiscard]] const UpstreamScheduleOptions& options() const { return options_; }

 private:
  static smpp::Backoff makeBackoff(const UpstreamScheduleOptions& options,
                                   smpp::UniformRandom random);

  UpstreamScheduleOptions options_;
  smpp::UniformRandom random_;
  smpp::Backoff backoff_;
  TimePoint next_{};
  std::optional<TimePoint> lastReconcile_;
  std::uint32_t failures_ = 0;
};

}  // namespace mfigw::gateway
