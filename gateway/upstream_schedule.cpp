#include "gateway/upstream_schedule.hpp"

#include <algorithm>
#include <utility>

namespace mfigw::gateway {

smpp::Backoff UpstreamSchedule::makeBackoff(const UpstreamScheduleOptions& options,
                                            smpp::UniformRandom random) {
  return smpp::Backoff(options.backoffMin, options.backoffMax, options.jitter, std::move(random));
}

UpstreamSchedule::UpstreamSchedule(UpstreamScheduleOptions options, smpp::UniformRandom random)
    : options_(options), random_(std::move(random)), backoff_(makeBackoff(options_, random_)) {}

void UpstreamSchedule::start(TimePoint now) {
  next_ = now;
}

void UpstreamSchedule::requestNow(TimePoint now) {
  next_ = std::min(next_, now);
}

bool UpstreamSchedule::reconcileDue(TimePoint now) const {
  return !lastReconcile_ || now - *lastReconcile_ >= options_.reconcileInterval;
}

void UpstreamSchedule::windowSucceeded(TimePoint now, bool reconciled) {
  failures_ = 0;
  backoff_.reset();
  if (reconciled) lastReconcile_ = now;
  next_ = now + options_.interval;
}

UpstreamSchedule::Duration UpstreamSchedule::windowFailed(TimePoint now,
                                                          std::optional<Duration> retryAfter) {
  ++failures_;
  Duration delay = backoff_.next();
  if (retryAfter) {
    // The server knows when it will be back; believe it, within our own bound.
    delay = std::max(delay, std::min(*retryAfter, Duration(options_.backoffMax)));
  }
  next_ = now + delay;
  return delay;
}

void UpstreamSchedule::setOptions(UpstreamScheduleOptions options) {
  options_ = options;
  backoff_ = makeBackoff(options_, random_);
}

}  // namespace mfigw::gateway
