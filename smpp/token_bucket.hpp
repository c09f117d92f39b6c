// token_bucket.hpp: rate limiter for submits to the SMSC (the operator's granted TPS).
//
// Purpose:   a classic token bucket: `rate` tokens per second, at most `burst` stored.
//            Pure: the caller passes the time; nothing sleeps or reads a clock.
// Threading: one bucket per Session, used from that session's strand only.
// Errors:    none; a non-positive rate is clamped to a tiny positive rate (the bucket then
//            effectively never refills) rather than dividing by zero.
// Ownership: value type.
#pragma once

#include <chrono>

namespace mfigw::smpp {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts full (a fresh bind may send `burst` at once).
  TokenBucket(double rate, double burst, Clock::time_point now);

  // Takes one token if one is available at `now`.
  bool tryTake(Clock::time_point now);
  // Tokens available at `now` (fractional).
  double available(Clock::time_point now) const;
  // When the next whole token is due: `now` when one is available already.
  Clock::time_point nextTokenAt(Clock::time_point now) const;
  // Refills to `burst` (a new bind starts with a full bucket).
  void reset(Clock::time_point now);

  double rate() const { return rate_; }
  double burst() const { return burst_; }

 private:
  void refill(Clock::time_point now);

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace mfigw::smpp
