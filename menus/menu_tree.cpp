// Names of the menu model's enums, for errors and logs.
#include "menus/menu_tree.hpp"

namespace mfigw::menus {

std::string_view toString(VarType type) {
  switch (type) {
    case VarType::Text:
      return "text";
    case VarType::Number:
      return "number";
    case VarType::Money:
      return "money";
    case VarType::Date:
      return "date";
    case VarType::Distance:
      return "distance";
    case VarType::Flag:
      return "flag";
    case VarType::Secret:
      return "secret";
  }
  return "?";
}

std::string_view toString(ScreenType type) {
  switch (type) {
    case ScreenType::Menu:
      return "menu";
    case ScreenType::Input:
      return "input";
    case ScreenType::Display:
      return "display";
    case ScreenType::Confirm:
      return "confirm";
    case ScreenType::Action:
      return "action";
    case ScreenType::Locator:
      return "locator";
    case ScreenType::Language:
      return "language";
    case ScreenType::End:
      return "end";
  }
  return "?";
}

std::string_view toString(ValidatorKind kind) {
  switch (kind) {
    case ValidatorKind::Integer:
      return "integer";
    case ValidatorKind::Amount:
      return "amount";
    case ValidatorKind::Pin:
      return "pin";
    case ValidatorKind::Date:
      return "date";
    case ValidatorKind::Phone:
      return "phone";
    case ValidatorKind::Regex:
      return "regex";
    case ValidatorKind::Choice:
      return "choice";
  }
  return "?";
}

std::string_view toString(EffectType type) {
  switch (type) {
    case EffectType::CreditRequest:
      return "credit_request";
    case EffectType::DeferralRequest:
      return "deferral_request";
    case EffectType::Referral:
      return "referral";
    case EffectType::SurveyAnswer:
      return "survey_answer";
    case EffectType::SendSms:
      return "send_sms";
    case EffectType::PinSet:
      return "pin_set";
  }
  return "?";
}

}  // namespace mfigw::menus
