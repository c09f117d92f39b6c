#include "smpp/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace mfigw::smpp {
namespace {
// Guards against division by zero without rejecting a misconfigured rate outright; the
// config layer validates bounds, this only keeps the arithmetic defined.
constexpr double kMinRate = 1e-6;
// nextTokenAt() rounds to whole clock ticks; floating error must not leave 0.9999999 tokens
// at that instant, or the caller's timer would fire one tick too early and find nothing.
constexpr double kEpsilon = 1e-9;
}  // namespace

TokenBucket::TokenBucket(double rate, double burst, Clock::time_point now)
    : rate_(std::max(rate, kMinRate)), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

void TokenBucket::refill(Clock::time_point now) {
  if (now <= last_) return;  // time never runs backwards for us; an older `now` just adds nothing
  const double secs = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + secs * rate_);
  last_ = now;
}

bool TokenBucket::tryTake(Clock::time_point now) {
  refill(now);
  if (tokens_ >= 1.0 - kEpsilon) {
    tokens_ -= 1.0;
    return true;
  }
  return false;
}

double TokenBucket::available(Clock::time_point now) const {
  if (now <= last_) return tokens_;
  const double secs = std::chrono::duration<double>(now - last_).count();
  return std::min(burst_, tokens_ + secs * rate_);
}

TokenBucket::Clock::time_point TokenBucket::nextTokenAt(Clock::time_point now) const {
  const double have = available(now);
  if (have >= 1.0 - kEpsilon) return now;
  const double secs = (1.0 - have) / rate_;
  // Round up so that at the returned instant the token really is there.
  const auto wait = std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(secs));
  return std::max(now, last_) + wait;
}

void TokenBucket::reset(Clock::time_point now) {
  tokens_ = burst_;
  last_ = now;
}

}  // namespace mfigw::smpp
