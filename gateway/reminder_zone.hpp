// gateway/reminder_zone.hpp: a borrower's time zone, as the reminder rules need it.
//
// Purpose:   Turns instants (unix seconds) into the borrower's local calendar day, minute of
//            day and weekday, and a local (day, minute) back into an instant, with the IANA
//            rules of the system's tzdata (Debian's date library with USE_OS_TZDB: it reads
//            /usr/share/zoneinfo; g++ 12's libstdc++ has no std::chrono tzdb).
//            Daylight-saving changes: a local time that does not exist (skipped forward)
//            maps to the instant the gap ends; one that occurs twice (set back) maps to its
//            first occurrence. So a rule time is never moved earlier than the wall clock
//            says, and never lost.
// Threading: Immutable after find(); share freely (the zone data is loaded once, under
//            the library's own once-flag).
// Errors:    find() returns nullopt for a name the tzdata does not know (or no tzdata).
// Ownership: Points into the library's process-wide database, which lives until exit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/day_number.hpp"

namespace date {
class time_zone;
}

namespace mfigw::gateway {

inline constexpr int kMinutesPerDay = 24 * 60;

struct LocalMoment {
  store::DayNumber day = store::kNoDay;
  int minute = 0;   // 0..1439 after local midnight
  int weekday = 1;  // ISO: 1 = Monday .. 7 = Sunday
};

// ISO weekday of a day number (1970-01-01 was a Thursday).
int isoWeekday(store::DayNumber day) noexcept;

class ReminderZone {
 public:
  // "Africa/Nairobi", "America/Lima", "Europe/Madrid", "UTC", ...
  static std::optional<ReminderZone> find(std::string_view name);

  const std::string& name() const noexcept { return name_; }
  LocalMoment toLocal(int64_t unixSeconds) const;
  // The instant of local `day` at `minute` (minute may be 0..1440; 1440 is the next
  // midnight). See the header comment for times a DST change skips or repeats.
  int64_t toUnix(store::DayNumber day, int minute) const;
  // UTC offset in seconds at that instant (for tests and logs).
  int64_t offsetSeconds(int64_t unixSeconds) const;

 private:
  ReminderZone(const date::time_zone* zone, std::string name)
      : zone_(zone), name_(std::move(name)) {}
  const date::time_zone* zone_ = nullptr;
  std::string name_;
};

}  // namespace mfigw::gateway
