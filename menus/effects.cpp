// Effect descriptions for logs and tests. Secrets (PINs) are left out on purpose, and
// free text (SMS bodies, notes) is summarised by length.
#include "menus/effects.hpp"

#include <fmt/format.h>

#include "menus/data_source.hpp"

namespace mfigw::menus {

std::string_view toString(PinOutcome outcome) {
  switch (outcome) {
    case PinOutcome::Ok:
      return "ok";
    case PinOutcome::Wrong:
      return "wrong";
    case PinOutcome::Locked:
      return "locked";
    case PinOutcome::NotSet:
      return "not_set";
  }
  return "?";
}

namespace {

struct Describe {
  std::string operator()(const CreditRequest& e) const {
    std::string out =
        fmt::format("credit_request amount={} currency={}", e.amountMinor, e.currency);
    if (e.termDays) out += fmt::format(" term={}", *e.termDays);
    if (!e.product.empty()) out += fmt::format(" product={}", e.product);
    if (!e.pin.empty()) out += " pin=(given)";
    return out;
  }
  std::string operator()(const DeferralRequest& e) const {
    std::string out = fmt::format("deferral_request installment={} days={}", e.installment, e.days);
    if (!e.reason.empty()) out += fmt::format(" reason={}", e.reason);
    if (!e.pin.empty()) out += " pin=(given)";
    return out;
  }
  std::string operator()(const Referral& e) const {
    return fmt::format("referral phone={} note_chars={}", e.phone.empty() ? "-" : "(given)",
                       e.note.size());
  }
  std::string operator()(const SurveyAnswer& e) const {
    return fmt::format("survey_answer question={} answer={}", e.question, e.answer);
  }
  std::string operator()(const SendSms& e) const {
    return fmt::format("send_sms to={} text_bytes={}", e.to.empty() ? "caller" : "(given)",
                       e.text.size());
  }
  std::string operator()(const LanguageChosen& e) const {
    return fmt::format("language_chosen language={}", e.language);
  }
  std::string operator()(const PinAttempt& e) const {
    return fmt::format("pin_attempt ok={}", e.ok ? 1 : 0);
  }
  std::string operator()(const PinSet&) const { return "pin_set pin=(given)"; }
};

}  // namespace

std::string describe(const Effect& effect) {
  std::string out = std::visit(Describe{}, effect.value);
  if (!effect.tag.empty()) out += fmt::format(" tag={}", effect.tag);
  out += fmt::format(" screen={} step={}", effect.screen, effect.step);
  return out;
}

}  // namespace mfigw::menus
