// Keyword matching: first word, any case, accents folded, punctuation around it ignored;
// the language of the word picks the reply's language.
#include "gateway/sms_keywords.hpp"

#include <gtest/gtest.h>

namespace mfigw::gateway {
namespace {

TEST(SmsKeywords, StopWordsInEveryLanguageAndSpelling) {
  for (const char* text :
       {"STOP", "stop", " Stop. ", "stop please", "END", "Cancel", "quit", "UNSUBSCRIBE"}) {
    const KeywordMatch m = matchKeyword(text);
    EXPECT_EQ(m.keyword, Keyword::Stop) << text;
    EXPECT_EQ(m.lang, "en") << text;
  }
  EXPECT_EQ(matchKeyword("ARRÊT").keyword, Keyword::Stop);
  EXPECT_EQ(matchKeyword("arrêt").lang, "fr");
  EXPECT_EQ(matchKeyword("Alto").lang, "es");
}

TEST(SmsKeywords, OtherKeywordsAndWhatIsNotOne) {
  EXPECT_EQ(matchKeyword("start").keyword, Keyword::Start);
  EXPECT_EQ(matchKeyword("DÉMARRER").keyword, Keyword::Start);
  EXPECT_EQ(matchKeyword("aide").keyword, Keyword::Help);
  EXPECT_EQ(matchKeyword("Ayuda").lang, "es");
  EXPECT_EQ(matchKeyword("bal").keyword, Keyword::Balance);
  EXPECT_EQ(matchKeyword("SOLDE").lang, "fr");
  EXPECT_EQ(matchKeyword("stopped").keyword, Keyword::Unknown);  // whole words only
  EXPECT_EQ(matchKeyword("nonstop").keyword, Keyword::Unknown);
  EXPECT_EQ(matchKeyword("").keyword, Keyword::Unknown);
  EXPECT_EQ(matchKeyword("قف").keyword, Keyword::Unknown);
}

TEST(SmsKeywords, RepliesNameTheSenderAndTheWayBack) {
  EXPECT_NE(keywordReply(Keyword::Stop, "en", "MFI", "*123#").find("START"), std::string::npos);
  EXPECT_EQ(keywordReply(Keyword::Stop, "fr", "MFI", "*123#").rfind("MFI: vous", 0), 0u);
  EXPECT_NE(keywordReply(Keyword::Help, "es", "MFI", "*123#").find("*123#"), std::string::npos);
  // Every reply fits one GSM-7 SMS (160 characters), so a STOP costs the MFI one part.
  for (Keyword k : {Keyword::Stop, Keyword::Start, Keyword::Help})
    for (const char* lang : {"en", "fr", "es"})
      EXPECT_LE(keywordReply(k, lang, "MFI Bank", "*384*12#").size(), 160u) << lang;
}

}  // namespace
}  // namespace mfigw::gateway
