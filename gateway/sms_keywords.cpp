#include "gateway/sms_keywords.hpp"

#include <array>
#include <cctype>

#include <fmt/format.h>

namespace mfigw::gateway {

namespace {

struct Word {
  std::string_view text;  // upper case
  Keyword keyword;
  std::string_view lang;
};

// ../shared/reference: STOP words borrowers and operators use (regulators often require
// STOP, END, CANCEL, QUIT, UNSUBSCRIBE in English-speaking markets).
constexpr std::array<Word, 20> kWords{{
    {"STOP", Keyword::Stop, "en"},        {"END", Keyword::Stop, "en"},
    {"CANCEL", Keyword::Stop, "en"},      {"QUIT", Keyword::Stop, "en"},
    {"UNSUBSCRIBE", Keyword::Stop, "en"}, {"ARRET", Keyword::Stop, "fr"},
    {"ARRETER", Keyword::Stop, "fr"},     {"ALTO", Keyword::Stop, "es"},
    {"BAJA", Keyword::Stop, "es"},        {"START", Keyword::Start, "en"},
    {"UNSTOP", Keyword::Start, "en"},     {"DEMARRER", Keyword::Start, "fr"},
    {"INICIO", Keyword::Start, "es"},     {"HELP", Keyword::Help, "en"},
    {"AIDE", Keyword::Help, "fr"},        {"AYUDA", Keyword::Help, "es"},
    {"BAL", Keyword::Balance, "en"},      {"BALANCE", Keyword::Balance, "en"},
    {"SOLDE", Keyword::Balance, "fr"},    {"SALDO", Keyword::Balance, "es"},
}};

// Folds the accented capitals and small letters French and Spanish borrowers type (UTF-8
// two-byte sequences of Latin-1 Supplement) to ASCII, so "ARRÊT" and "arrêt" match "ARRET".
std::string foldFirstWord(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && !std::isalnum(static_cast<unsigned char>(text[i])) &&
         static_cast<unsigned char>(text[i]) < 0x80)
    ++i;
  for (; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      const auto d = static_cast<unsigned char>(text[i + 1]) | 0x20;  // to lower-case row
      char folded = 0;
      if (d >= 0xA0 && d <= 0xA5) folded = 'A';
      if (d == 0xA7) folded = 'C';
      if (d >= 0xA8 && d <= 0xAB) folded = 'E';
      if (d >= 0xAC && d <= 0xAF) folded = 'I';
      if (d == 0xB1) folded = 'N';
      if (d >= 0xB2 && d <= 0xB6) folded = 'O';
      if (d >= 0xB9 && d <= 0xBC) folded = 'U';
      if (folded == 0) break;
      out += folded;
      ++i;
      continue;
    }
    if (!std::isalpha(c)) break;
    out += static_cast<char>(std::toupper(c));
  }
  return out;
}

}  // namespace

std::string_view toString(Keyword keyword) {
  switch (keyword) {
    case Keyword::Stop:
      return "stop";
    case Keyword::Start:
      return "start";
    case Keyword::Help:
      return "help";
    case Keyword::Balance:
      return "balance";
    case Keyword::Unknown:
      break;
  }
  return "unknown";
}

KeywordMatch matchKeyword(std::string_view text) {
  const std::string word = foldFirstWord(text);
  for (const Word& w : kWords)
    if (w.text == word) return {w.keyword, std::string(w.lang)};
  return {};
}

std::string keywordReply(Keyword keyword, std::string_view lang, std::string_view sender,
                         std::string_view service) {
  const bool fr = lang == "fr";
  const bool es = lang == "es";
  switch (keyword) {
    case Keyword::Stop:
      if (fr)
        return fmt::format(
            "{}: vous ne recevrez plus de SMS. Envoyez START pour les "
            "recevoir a nouveau.",
            sender);
      if (es)
        return fmt::format(
            "{}: ya no recibira SMS. Envie START para volver a "
            "recibirlos.",
            sender);
      return fmt::format(
          "{}: you will no longer receive SMS from us. Send START to receive "
          "them again.",
          sender);
    case Keyword::Start:
      if (fr)
        return fmt::format(
            "{}: vous recevrez a nouveau nos SMS. Envoyez STOP pour "
            "arreter.",
            sender);
      if (es)
        return fmt::format(
            "{}: volvera a recibir nuestros SMS. Envie ALTO para "
            "detenerlos.",
            sender);
      return fmt::format("{}: you will receive our SMS again. Send STOP to end them.", sender);
    default:
      if (fr)
        return fmt::format(
            "{}: composez {} pour votre solde et vos prets. SOLDE: solde. "
            "STOP: plus de SMS.",
            sender, service);
      if (es)
        return fmt::format(
            "{}: marque {} para su saldo y prestamos. SALDO: saldo. "
            "ALTO: no mas SMS.",
            sender, service);
      return fmt::format(
          "{}: dial {} for your balance and loans. BAL: balance. STOP: no more "
          "SMS.",
          sender, service);
  }
}

}  // namespace mfigw::gateway
