#include "gateway/reminder_zone.hpp"

#include <date/tz.h>

#include <chrono>
#include <exception>

namespace mfigw::gateway {

int isoWeekday(store::DayNumber day) noexcept {
  // Day 0 (1970-01-01) was a Thursday (ISO 4); floor-mod keeps days before 1970 right.
  const int mod = ((day + 3) % 7 + 7) % 7;  // 0 = Monday
  return mod + 1;
}

std::optional<ReminderZone> ReminderZone::find(std::string_view name) {
  try {
    return ReminderZone(date::locate_zone(name), std::string(name));
  } catch (const std::exception&) {
    return std::nullopt;  // unknown name, or no readable tzdata
  }
}

LocalMoment ReminderZone::toLocal(int64_t unixSeconds) const {
  const date::sys_seconds at{std::chrono::seconds(unixSeconds)};
  const auto local = zone_->to_local(at);
  const auto day = std::chrono::floor<date::days>(local);
  LocalMoment m;
  m.day = static_cast<store::DayNumber>(day.time_since_epoch().count());
  m.minute = static_cast<int>(std::chrono::floor<std::chrono::minutes>(local - day).count());
  m.weekday = isoWeekday(m.day);
  return m;
}

int64_t ReminderZone::toUnix(store::DayNumber day, int minute) const {
  const date::local_seconds local{
      std::chrono::seconds(static_cast<int64_t>(day) * 86400 + static_cast<int64_t>(minute) * 60)};
  // earliest: a skipped time gives the end of the gap, a repeated one its first occurrence.
  return zone_->to_sys(local, date::choose::earliest).time_since_epoch().count();
}

int64_t ReminderZone::offsetSeconds(int64_t unixSeconds) const {
  return zone_->get_info(date::sys_seconds{std::chrono::seconds(unixSeconds)}).offset.count();
}

}  // namespace mfigw::gateway
