// backoff.hpp: exponential back-off with multiplicative jitter (reconnects, throttling).
//
// Purpose:   delay = min(max, min * 2^attempts) * U[1 - jitter, 1 + jitter]. next() returns
//            the delay for this attempt and counts it; reset() after a success; shrink()
//            halves the base after a success where a full reset would be too eager
//            (ESME_RTHROTTLED recovery).
// Threading: one instance per Session; used from that session's strand only.
// Errors:    none; options are clamped (max >= min, jitter in [0, 1]).
// Ownership: value type; the random source is a caller-supplied function returning [0, 1).
#pragma once

#include <chrono>
#include <functional>

namespace mfigw::smpp {

// Returns a uniformly distributed value in [0, 1). Injected so tests are deterministic.
using UniformRandom = std::function<double()>;

class Backoff {
 public:
  using Duration = std::chrono::steady_clock::duration;

  Backoff(Duration min, Duration max, double jitter, UniformRandom random);

  // The next delay (jittered) and advances the exponent.
  Duration next();
  // The un-jittered delay next() would scale.
  Duration currentBase() const { return base_; }
  // Back to `min` (after a successful bind).
  void reset() {
    base_ = min_;
    active_ = false;
  }
  // Halves the base, not below `min` (gradual recovery after throttling).
  void shrink();
  // True after next() until reset() or shrink() brings the base back to min.
  bool active() const { return active_; }

  Duration min() const { return min_; }
  Duration max() const { return max_; }
  double jitter() const { return jitter_; }

 private:
  Duration min_;
  Duration max_;
  double jitter_;
  UniformRandom random_;
  Duration base_;
  bool active_ = false;
};

}  // namespace mfigw::smpp
