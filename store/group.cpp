#include "store/group.hpp"

#include "store/encoding.hpp"
#include "store/error.hpp"

#include <array>

namespace mfigw::store {
namespace {

constexpr std::array<std::string_view, 8> kWeekdayNames = {
    "none", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

}  // namespace

std::string_view toString(Weekday day) noexcept {
  const auto index = static_cast<size_t>(day);
  return index < kWeekdayNames.size() ? kWeekdayNames[index] : "unknown";
}

std::vector<FieldProblem> groupProblems(const Group& group) {
  FieldChecks check;
  check.id("id", group.id, kMaxIdBytes);
  check.text("name", group.name, 0, kMaxGroupNameBytes);
  if (!group.leaderCid.empty()) {
    check.id("leader", group.leaderCid, kMaxIdBytes);
  }
  check.range("weekday", static_cast<uint8_t>(group.meetingWeekday), 0, 7);
  check.range("minute", group.meetingMinute, 0, kMinutesPerDay - 1);
  check.range("next_meeting", group.nextMeetingDay, 0, kMaxDayNumber);
  return check.take();
}

// v1: version u8, id str, name str, leader str, weekday u8, minute u16, next day u32,
//     branch u16, ver u64.
std::string GroupCodec::encodeValue(const Group& group) {
  throwIfInvalid("group", group.id, groupProblems(group));
  return Encoder(32 + group.id.size() + group.name.size() + group.leaderCid.size())
      .version(kVersion)
      .str(group.id)
      .str(group.name)
      .str(group.leaderCid)
      .u8(static_cast<uint8_t>(group.meetingWeekday))
      .u16(group.meetingMinute)
      .u32(static_cast<uint32_t>(group.nextMeetingDay))
      .u16(group.branch)
      .u64(group.ver)
      .take();
}

Group GroupCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  Group group;
  group.id = in.str();
  group.name = in.str();
  group.leaderCid = in.str();
  const uint8_t weekday = in.u8();
  if (weekday > 7) {
    throw DecodeError("group record: weekday " + std::to_string(weekday) + " is out of range");
  }
  group.meetingWeekday = static_cast<Weekday>(weekday);
  group.meetingMinute = in.u16();
  const uint32_t next = in.u32();
  if (next > static_cast<uint32_t>(kMaxDayNumber)) {
    throw DecodeError("group record: next meeting day " + std::to_string(next) +
                      " is out of range");
  }
  group.nextMeetingDay = static_cast<DayNumber>(next);
  group.branch = in.u16();
  group.ver = in.u64();
  in.expectEnd();
  return group;
}

}  // namespace mfigw::store
