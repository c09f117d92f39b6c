// Sample loan-book records for the store tests: realistic values, and records with every
// field at its maximum size.
#pragma once

#include "store/area.hpp"
#include "store/client.hpp"
#include "store/day_number.hpp"
#include "store/group.hpp"
#include "store/loan_snapshot.hpp"
#include "store/payment_point.hpp"
#include "store/sync_cursor.hpp"

#include <cstdint>
#include <limits>
#include <string>

namespace mfigw::store::testing {

inline Client sampleClient(const std::string& cid, const std::string& msisdn,
                           const std::string& groupId = "") {
  Client c;
  c.cid = cid;
  c.msisdn = msisdn;
  c.shortName = "Amina W.";
  c.language = "sw";
  c.consent = static_cast<uint8_t>(Consent::ReminderSms);
  c.groupId = groupId;
  c.homeBranch = 12;
  c.ver = 1700000000;
  return c;
}

inline LoanSnapshot sampleLoan(const std::string& lid, const std::string& cid, uint16_t branch = 12,
                               uint64_t ver = 1700000100) {
  LoanSnapshot l;
  l.loanId = lid;
  l.accountNo = "000123456";
  l.clientId = cid;
  l.msisdn = "254712345678";
  l.language = "sw";
  l.status = LoanStatus::Active;
  l.currency = "KES";
  l.decimals = 2;
  l.disbursed = 5'000'000;  // KES 50,000.00
  l.principalOutstanding = 3'200'000;
  l.totalOutstanding = 3'450'000;
  l.totalOverdue = 0;
  l.installments = {{toDayNumber(2024, 3, 5), 450'000, 0}, {toDayNumber(2024, 4, 5), 450'000, 0}};
  l.lastPaymentDay = toDayNumber(2024, 2, 5);
  l.lastPaymentAmount = 450'000;
  l.product = "Biashara";
  l.officer = "J. Otieno";
  l.branch = branch;
  l.ver = ver;
  l.asOf = 1709251200;
  return l;
}

// Every string at its bound, every number at an extreme.
inline LoanSnapshot maxLoan() {
  LoanSnapshot l;
  l.loanId = std::string(kMaxIdBytes, 'L');
  l.accountNo = std::string(kMaxAccountNoBytes, '9');
  l.clientId = std::string(kMaxIdBytes, 'C');
  l.msisdn = "999999999999999";
  l.language = "swa";
  l.status = LoanStatus::WrittenOff;
  l.currency = "UGX";
  l.decimals = kMaxCurrencyDecimals;
  l.disbursed = kMaxAmountMinor;
  l.principalOutstanding = kMaxAmountMinor;
  l.totalOutstanding = kMaxAmountMinor;
  l.totalOverdue = kMaxAmountMinor;
  l.overdueSince = kMaxDayNumber;
  l.installments = {{kMaxDayNumber - 2, kMaxAmountMinor, 1},
                    {kMaxDayNumber - 1, kMaxAmountMinor, 0},
                    {kMaxDayNumber, kMaxAmountMinor, 1}};
  l.lastPaymentDay = kMaxDayNumber;
  l.lastPaymentAmount = kMaxAmountMinor;
  l.product = std::string(kMaxProductBytes, 'p');
  l.officer = std::string(kMaxOfficerBytes - 2, 'o') + "\xc3\xa9";  // UTF-8 counts bytes
  l.branch = std::numeric_limits<uint16_t>::max();
  l.flags = kKnownLoanFlagBits;
  l.ver = std::numeric_limits<uint64_t>::max();
  l.asOf = std::numeric_limits<uint32_t>::max();
  return l;
}

inline Client maxClient() {
  Client c;
  c.cid = std::string(kMaxIdBytes, 'C');
  c.msisdn = "999999999999999";
  c.shortName = std::string(kMaxClientNameBytes, 'n');
  c.language = "lug";
  c.consent = kKnownConsentBits;
  c.groupId = std::string(kMaxIdBytes, 'G');
  c.homeBranch = std::numeric_limits<uint16_t>::max();
  c.ver = std::numeric_limits<uint64_t>::max();
  return c;
}

inline Group sampleGroup(const std::string& id, const std::string& leader = "") {
  Group g;
  g.id = id;
  g.name = "Umoja Women";
  g.leaderCid = leader;
  g.meetingWeekday = Weekday::Tuesday;
  g.meetingMinute = 14 * 60 + 30;
  g.nextMeetingDay = toDayNumber(2024, 3, 12);
  g.branch = 12;
  g.ver = 42;
  return g;
}

inline Group maxGroup() {
  Group g;
  g.id = std::string(kMaxIdBytes, 'G');
  g.name = std::string(kMaxGroupNameBytes, 'g');
  g.leaderCid = std::string(kMaxIdBytes, 'C');
  g.meetingWeekday = Weekday::Sunday;
  g.meetingMinute = kMinutesPerDay - 1;
  g.nextMeetingDay = kMaxDayNumber;
  g.branch = std::numeric_limits<uint16_t>::max();
  g.ver = std::numeric_limits<uint64_t>::max();
  return g;
}

// Latitude/longitude in degrees to a point record.
inline PaymentPoint samplePoint(const std::string& id, double latDeg, double lonDeg,
                                uint16_t branch = 12) {
  PaymentPoint p;
  p.id = id;
  p.name = "Agent " + id;
  p.kind = PaymentPointKind::Agent;
  p.latitudeE6 = static_cast<int32_t>(latDeg * kMicrodegrees + (latDeg < 0 ? -0.5 : 0.5));
  p.longitudeE6 = static_cast<int32_t>(lonDeg * kMicrodegrees + (lonDeg < 0 ? -0.5 : 0.5));
  p.branch = branch;
  p.landmark = "near the market";
  p.openingHours = "Mon-Sat 8-18";
  p.ver = 7;
  return p;
}

inline PaymentPoint maxPoint(bool southWest) {
  PaymentPoint p;
  p.id = std::string(kMaxIdBytes, 'P');
  p.name = std::string(kMaxPointNameBytes, 'n');
  p.kind = PaymentPointKind::Bank;
  p.latitudeE6 = (southWest ? -90 : 90) * kMicrodegrees;
  p.longitudeE6 = (southWest ? -180 : 180) * kMicrodegrees;
  p.branch = std::numeric_limits<uint16_t>::max();
  p.landmark = std::string(kMaxLandmarkBytes, 'l');
  p.openingHours = std::string(kMaxOpeningHoursBytes, 'h');
  p.ver = std::numeric_limits<uint64_t>::max();
  p.areaCode = kMaxAreaCode;
  p.services = std::string(kMaxServicesBytes, 's');
  return p;
}

}  // namespace mfigw::store::testing
