// menus/effects.hpp: what a dialog asks the gateway to do, as typed values.
//
// Purpose:   Action screens turn session variables into effects: a credit request, a
//            deferral request, a referral, a survey answer, an SMS; choosing a language is
//            an effect too (the gateway remembers it per MSISDN), and so are a PIN try
//            (PinAttempt: the gateway counts wrong tries and locks) and a new PIN (PinSet:
//            the gateway hashes and stores it). The engine only returns
//            them; the gateway executes them exactly once, keyed by (dialog, step).
// Threading: Plain values.
// Errors:    None.
// Ownership: Values own their strings. A `pin` field holds a secret: never log it
//            (describe() leaves it out).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace mfigw::menus {

struct CreditRequest {
  int64_t amountMinor = 0;
  std::string currency;
  std::optional<int64_t> termDays;
  std::string product;
  std::string pin;  // secret; empty unless the tree passes one

  friend bool operator==(const CreditRequest&, const CreditRequest&) = default;
};

struct DeferralRequest {
  std::string installment;
  int64_t days = 0;
  std::string reason;
  std::string pin;  // secret

  friend bool operator==(const DeferralRequest&, const DeferralRequest&) = default;
};

struct Referral {
  std::string phone;  // empty: the caller wants their officer to call back
  std::string note;

  friend bool operator==(const Referral&, const Referral&) = default;
};

struct SurveyAnswer {
  std::string question;  // the action's tag
  std::string answer;

  friend bool operator==(const SurveyAnswer&, const SurveyAnswer&) = default;
};

struct SendSms {
  std::string to;  // empty: the caller
  std::string text;

  friend bool operator==(const SendSms&, const SendSms&) = default;
};

struct LanguageChosen {
  std::string language;

  friend bool operator==(const LanguageChosen&, const LanguageChosen&) = default;
};

// A verifying PIN input was answered: ok = the PIN was right (the gateway resets the count),
// else a wrong try (the gateway counts it and locks at the limit).
struct PinAttempt {
  bool ok = false;

  friend bool operator==(const PinAttempt&, const PinAttempt&) = default;
};

// The caller chose a new PIN (set or change).
struct PinSet {
  std::string pin;  // secret

  friend bool operator==(const PinSet&, const PinSet&) = default;
};

using EffectValue = std::variant<CreditRequest, DeferralRequest, Referral, SurveyAnswer, SendSms,
                                 LanguageChosen, PinAttempt, PinSet>;

struct Effect {
  EffectValue value;
  std::string screen;    // the action screen (or language screen) that produced it
  std::string tag;       // the action's tag, passed through
  std::string language;  // the dialog's language when it was produced
  uint32_t step = 0;     // Session::steps of the step that produced it

  friend bool operator==(const Effect&, const Effect&) = default;
};

// "credit_request amount=150000 currency=KES term=30 screen=loan_send step=4" (no PIN).
std::string describe(const Effect& effect);

}  // namespace mfigw::menus
