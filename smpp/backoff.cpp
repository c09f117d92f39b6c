#include "smpp/backoff.hpp"

#include <algorithm>

namespace mfigw::smpp {

Backoff::Backoff(Duration min, Duration max, double jitter, UniformRandom random)
    : min_(std::max(min, Duration(1))),
      max_(std::max(max, std::max(min, Duration(1)))),
      jitter_(std::clamp(jitter, 0.0, 1.0)),
      random_(std::move(random)),
      base_(min_) {}

Backoff::Duration Backoff::next() {
  double u = random_ ? random_() : 0.5;
  // A misbehaving source must not push the delay outside the documented bounds.
  u = std::clamp(u, 0.0, 1.0);
  const double factor = 1.0 - jitter_ + 2.0 * jitter_ * u;
  const auto delay = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, Duration::period>(static_cast<double>(base_.count()) * factor));
  base_ = std::min(max_, base_ * 2);
  active_ = true;
  return std::max(delay, Duration(1));
}

void Backoff::shrink() {
  base_ = std::max(min_, base_ / 2);
  if (base_ == min_) active_ = false;
}

}  // namespace mfigw::smpp
