// The upstream `optout` event of a STOP by SMS: its key comes from the MO (a redelivered
// STOP gives the same key), its payload is the JSON docs/upstream-protocol.md 3.1 shows.
#include "gateway/optout_event.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mfigw::gateway {
namespace {

constexpr std::int64_t kNoon = 1709294400;  // 2024-03-01 12:00 UTC

TEST(OptOutEvent, ARedeliveredStopGivesTheSameKey) {
  const auto first = optOutEventKey("+254712000042", "STOP", kNoon);
  EXPECT_EQ(optOutEventKey("+254712000042", "STOP", kNoon + 3 * 3600), first);  // same day
  EXPECT_NE(first, store::EventKey{});
}

TEST(OptOutEvent, AnotherNumberTextOrDayIsAnotherEvent) {
  const auto first = optOutEventKey("+254712000042", "STOP", kNoon);
  EXPECT_NE(optOutEventKey("+254712000043", "STOP", kNoon), first);
  EXPECT_NE(optOutEventKey("+254712000042", "ARRET", kNoon), first);
  EXPECT_NE(optOutEventKey("+254712000042", "STOP", kNoon + 86400), first);
  // The separator keeps number and text apart: "+2547120000421" + "" is not "+254712000042" + "1".
  EXPECT_NE(optOutEventKey("+2547120000421", "", kNoon),
            optOutEventKey("+254712000042", "1", kNoon));
}

TEST(OptOutEvent, PayloadNamesTheNumberTheSourceAndTheLanguage) {
  const auto j = nlohmann::json::parse(optOutEventPayload("+254712000042", "fr"));
  EXPECT_EQ(j, (nlohmann::json{{"msisdn", "+254712000042"}, {"source", "sms"}, {"lang", "fr"}}));
  const auto noLang = nlohmann::json::parse(optOutEventPayload("+254712000042", ""));
  EXPECT_FALSE(noLang.contains("lang"));
}

}  // namespace
}  // namespace mfigw::gateway
