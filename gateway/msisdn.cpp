#include "gateway/msisdn.hpp"

#include <set>

#include <phonenumbers/phonenumberutil.h>

namespace mfigw::gateway {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

MsisdnParse normalizeMsisdn(std::string_view input, std::string_view defaultRegion) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string text(input);
  // SMPP carries international numbers without the '+' (TON=1): "2547..." would otherwise
  // be read as a national number of the default region.
  if (!text.empty() && text.front() != '+' && text.front() != '0' && text.size() > 10) {
    PhoneNumber asInternational;
    if (util.Parse("+" + text, "ZZ", &asInternational) == PhoneNumberUtil::NO_PARSING_ERROR &&
        util.IsValidNumber(asInternational)) {
      std::string e164;
      util.Format(asInternational, PhoneNumberUtil::E164, &e164);
      return {e164, {}};
    }
  }
  PhoneNumber number;
  const auto rc = util.Parse(text, std::string(defaultRegion), &number);
  if (rc != PhoneNumberUtil::NO_PARSING_ERROR) {
    switch (rc) {
      case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
        return {std::nullopt, "unknown country code"};
      case PhoneNumberUtil::TOO_SHORT_NSN:
      case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        return {std::nullopt, "too short"};
      case PhoneNumberUtil::TOO_LONG_NSN:
        return {std::nullopt, "too long"};
      default:
        return {std::nullopt, "not a phone number"};
    }
  }
  if (!util.IsValidNumber(number)) {
    return {std::nullopt, "not a valid number"};
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return {e164, {}};
}

bool isKnownRegion(std::string_view region) {
  std::set<std::string> regions;
  PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
  return regions.count(std::string(region)) > 0;
}

}  // namespace mfigw::gateway
