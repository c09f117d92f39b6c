// sms_keywords.hpp: what a borrower's SMS asks for, in the languages borrowers write.
//
// Purpose:   classify an MO text into a keyword (STOP, START, HELP, BAL) and the language
//            the word belongs to, so the reply can answer in it: "ARRET" gets French, "ALTO"
//            Spanish. Matching is on the first word, case- and accent-insensitive for ASCII
//            letters, ignoring surrounding spaces and punctuation ("Stop.", " stop ").
// Threading: pure functions over a constant table.
// Errors:    none: anything unrecognised is Keyword::Unknown.
// Ownership: plain values.
#pragma once

#include <string>
#include <string_view>

namespace mfigw::gateway {

enum class Keyword { Stop, Start, Help, Balance, Unknown };
std::string_view toString(Keyword keyword);

struct KeywordMatch {
  Keyword keyword = Keyword::Unknown;
  std::string lang = "en";  // the language of the word that matched
};

KeywordMatch matchKeyword(std::string_view text);

// The reply to a keyword in a language (en, fr, es; others fall back to en). `sender` is how
// the MFI signs (sms.source), `service` the USSD code to dial.
std::string keywordReply(Keyword keyword, std::string_view lang, std::string_view sender,
                         std::string_view service);

}  // namespace mfigw::gateway
