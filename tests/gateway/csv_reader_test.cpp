#include "gateway/csv_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mfigw::gateway {
namespace {

using Cells = std::vector<std::string>;

std::vector<Cells> cellsOf(const CsvDocument& document) {
  std::vector<Cells> out;
  for (const CsvRecord& record : document.records)
    out.push_back(record.cells);
  return out;
}

TEST(CsvReader, PlainRecordsWithLfOrCrlf) {
  for (const char* text : {"a,b,c\n1,2,3\n", "a,b,c\r\n1,2,3\r\n", "a,b,c\r\n1,2,3"}) {
    const CsvDocument doc = readCsv(text);
    EXPECT_TRUE(doc.ok()) << text;
    EXPECT_EQ(cellsOf(doc), (std::vector<Cells>{{"a", "b", "c"}, {"1", "2", "3"}})) << text;
    ASSERT_EQ(doc.records.size(), 2u);
    EXPECT_EQ(doc.records[0].row, 1u);
    EXPECT_EQ(doc.records[1].row, 2u);
  }
}

TEST(CsvReader, LoneCarriageReturnEndsARecord) {
  const CsvDocument doc = readCsv("a,b\r1,2\r");
  EXPECT_TRUE(doc.ok());
  EXPECT_EQ(cellsOf(doc), (std::vector<Cells>{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvReader, QuotedCellsKeepCommasQuotesAndLineBreaks) {
  const CsvDocument doc = readCsv(
      "id,landmark,note\r\n"
      "P1,\"Kenyatta Ave, opp. GPO\",\"say \"\"hi\"\"\"\r\n"
      "P2,\"first line\r\nsecond line\",\"\"\r\n"
      "P3,x,\"a\nb\"\n");
  ASSERT_TRUE(doc.ok()) << doc.errors.front().message;
  EXPECT_EQ(cellsOf(doc), (std::vector<Cells>{{"id", "landmark", "note"},
                                              {"P1", "Kenyatta Ave, opp. GPO", "say \"hi\""},
                                              {"P2", "first line\r\nsecond line", ""},
                                              {"P3", "x", "a\nb"}}));
  // A record spanning lines is one spreadsheet row: rows follow records, not lines.
  EXPECT_EQ(doc.records[2].row, 3u);
  EXPECT_EQ(doc.records[3].row, 4u);
}

TEST(CsvReader, ByteOrderMarkIsSkipped) {
  const CsvDocument doc = readCsv("\xEF\xBB\xBFlid,acct\nL1,A1\n");
  EXPECT_TRUE(doc.ok());
  EXPECT_EQ(cellsOf(doc), (std::vector<Cells>{{"lid", "acct"}, {"L1", "A1"}}));
  // A quoted first cell after the mark too.
  EXPECT_EQ(cellsOf(readCsv("\xEF\xBB\xBF\"lid\",acct\n")), (std::vector<Cells>{{"lid", "acct"}}));
  EXPECT_TRUE(readCsv("\xEF\xBB\xBF").records.empty());
}

TEST(CsvReader, EmptyTextAndTrailingLineBreaks) {
  EXPECT_TRUE(readCsv("").records.empty());
  // One final line break ends the last record; a second one is a blank row.
  EXPECT_EQ(cellsOf(readCsv("a\n")), (std::vector<Cells>{{"a"}}));
  EXPECT_EQ(cellsOf(readCsv("a\n\n")), (std::vector<Cells>{{"a"}, {""}}));
  EXPECT_EQ(cellsOf(readCsv("a\r\n\r\nb\r\n")), (std::vector<Cells>{{"a"}, {""}, {"b"}}));
}

TEST(CsvReader, EmptyCellsAndTrailingDelimiter) {
  EXPECT_EQ(cellsOf(readCsv(",a,,\n")), (std::vector<Cells>{{"", "a", "", ""}}));
}

TEST(CsvReader, QuoteInsideAnUnquotedCellIsAnErrorAtItsCell) {
  const CsvDocument doc = readCsv("a,b,c\n1,5\" screen,3\n4,5,6\n");
  ASSERT_EQ(doc.errors.size(), 1u);
  EXPECT_EQ(doc.errors[0].row, 2u);
  EXPECT_EQ(doc.errors[0].column, 2u);
  EXPECT_NE(doc.errors[0].message.find("quote inside an unquoted cell"), std::string::npos);
  // Reading goes on: the quote is kept and the next row is intact.
  EXPECT_EQ(doc.records[1].cells, (Cells{"1", "5\" screen", "3"}));
  EXPECT_EQ(doc.records[2].cells, (Cells{"4", "5", "6"}));
}

TEST(CsvReader, TextAfterAClosingQuoteIsAnError) {
  const CsvDocument doc = readCsv("a,b\n\"x\"y\"z,2\n");
  ASSERT_EQ(doc.errors.size(), 1u);  // once per cell
  EXPECT_EQ(doc.errors[0].row, 2u);
  EXPECT_EQ(doc.errors[0].column, 1u);
  EXPECT_NE(doc.errors[0].message.find("after the closing quote"), std::string::npos);
}

TEST(CsvReader, UnclosedQuoteIsReportedWhereItOpened) {
  const CsvDocument doc = readCsv("a,b,c\n1,2,3\n4,\"open\n5,6\n");
  ASSERT_EQ(doc.errors.size(), 1u);
  EXPECT_EQ(doc.errors[0].row, 3u);
  EXPECT_EQ(doc.errors[0].column, 2u);
  EXPECT_NE(doc.errors[0].message.find("not closed"), std::string::npos);
  ASSERT_EQ(doc.records.size(), 3u);
  EXPECT_EQ(doc.records[2].cells, (Cells{"4", "open\n5,6\n"}));
}

TEST(CsvReader, EveryErrorIsCollected) {
  const CsvDocument doc = readCsv("a,b\nx\"1,y\"2\nok,ok\n\"q\"r,s\n");
  ASSERT_EQ(doc.errors.size(), 3u);
  EXPECT_EQ((std::pair(doc.errors[0].row, doc.errors[0].column)),
            (std::pair<size_t, size_t>(2, 1)));
  EXPECT_EQ((std::pair(doc.errors[1].row, doc.errors[1].column)),
            (std::pair<size_t, size_t>(2, 2)));
  EXPECT_EQ((std::pair(doc.errors[2].row, doc.errors[2].column)),
            (std::pair<size_t, size_t>(4, 1)));
}

TEST(CsvReader, OtherDelimiters) {
  const CsvDocument doc = readCsv("a;b\n\"1;5\";1,5\n", {';'});
  EXPECT_TRUE(doc.ok());
  EXPECT_EQ(cellsOf(doc), (std::vector<Cells>{{"a", "b"}, {"1;5", "1,5"}}));
}

TEST(CsvReader, DetectsTheDelimiterFromTheHeaderLine) {
  EXPECT_EQ(detectDelimiter("lid,acct\n1;2\n"), ',');
  EXPECT_EQ(detectDelimiter("lid;acct;tout\n1,5;2;3\n"), ';');
  EXPECT_EQ(detectDelimiter("\xEF\xBB\xBFlid;acct\n"), ';');
  EXPECT_EQ(detectDelimiter("lid\tacct\n"), '\t');
  EXPECT_EQ(detectDelimiter("\"a,b\";c\n"), ';');  // the comma is quoted
  EXPECT_EQ(detectDelimiter("lid\n1;2\n"), ',');   // one column: the default
  EXPECT_EQ(detectDelimiter(""), ',');
}

TEST(CsvReader, FormatIsTheInverseOfRead) {
  const std::vector<Cells> records = {
      {"plain", "with,comma", "with \"quote\""},
      {"line\r\nbreak", "", "lone\rcr"},
      {""},
      {"\xEF\xBB\xBF"
       "bom",
       "x"},
  };
  for (const char delimiter : {',', ';'}) {
    std::string text;
    // The cell that starts with a byte-order mark comes first: quoting keeps it a cell.
    for (const Cells& r : {records[3], records[0], records[1], records[2]}) {
      text += formatCsvRecord(r, delimiter);
    }
    const CsvDocument doc = readCsv(text, {delimiter});
    EXPECT_TRUE(doc.ok());
    EXPECT_EQ(cellsOf(doc), (std::vector<Cells>{records[3], records[0], records[1], records[2]}));
  }
  EXPECT_EQ(formatCsvRecord({"a", "b,c", "d\"e"}), "a,\"b,c\",\"d\"\"e\"\r\n");
}

}  // namespace
}  // namespace mfigw::gateway
