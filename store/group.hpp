// store/group.hpp: a village-bank / solidarity group.
//
// Purpose:   One record per group id (the key): name, leader, when it meets, branch.
//            Membership is not stored here: a client's `groupId` is the source of truth,
//            and LoanBook keeps the (group id, cid) index in step with the clients, so
//            "members of a group" is one prefix scan.
// Threading: Table rules (see table.hpp).
// Errors:    GroupCodec::encodeValue throws InvalidRecord when a field is out of bounds
//            (see groupProblems()); DecodeError for an undecodable record.
// Ownership: Plain values.
#pragma once

#include "store/day_number.hpp"
#include "store/record_check.hpp"
#include "store/table.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::store {

inline constexpr size_t kMaxGroupNameBytes = 40;
inline constexpr uint16_t kMinutesPerDay = 24 * 60;

// ISO weekday numbers; None when the group has no fixed weekly meeting.
enum class Weekday : uint8_t {
  None = 0,
  Monday = 1,
  Tuesday = 2,
  Wednesday = 3,
  Thursday = 4,
  Friday = 5,
  Saturday = 6,
  Sunday = 7,
};
std::string_view toString(Weekday day) noexcept;

struct Group {
  std::string id;         // 1..36 bytes, the key
  std::string name;       // 0..40 bytes
  std::string leaderCid;  // empty when no leader is named
  // A regular meeting (weekday and local time) and/or the next known meeting day; either
  // may be unset (Weekday::None / kNoDay). The minute is ignored without a weekday.
  Weekday meetingWeekday = Weekday::None;
  uint16_t meetingMinute = 0;  // minutes after local midnight, 0..1439
  DayNumber nextMeetingDay = kNoDay;
  uint16_t branch = 0;
  uint64_t ver = 0;  // upstream modification stamp

  bool operator==(const Group&) const = default;
};

std::vector<FieldProblem> groupProblems(const Group& group);

struct GroupCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const std::string& id) { return id; }
  static std::string encodeValue(const Group& group);  // checks bounds first
  static Group decodeValue(std::string_view bytes);
};

using GroupTable = Table<std::string, Group, GroupCodec>;

}  // namespace mfigw::store
