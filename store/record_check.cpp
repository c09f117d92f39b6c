#include "store/record_check.hpp"

#include <utility>

namespace mfigw::store {
namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool isUpper(char c) {
  return c >= 'A' && c <= 'Z';
}

template <class Pred>
bool all(std::string_view s, Pred pred) {
  for (char c : s) {
    if (!pred(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string describeProblems(std::string_view recordKind, std::string_view recordId,
                             const std::vector<FieldProblem>& problems) {
  std::string out(recordKind);
  out += " '";
  // An id that itself broke its bound could be long: quote a bounded prefix.
  constexpr size_t kMaxQuotedId = 40;
  for (char c : recordId.substr(0, kMaxQuotedId)) {
    // what() is a C string for loggers: a NUL or control byte would cut or garble it.
    const auto byte = static_cast<unsigned char>(c);
    out += byte < 0x20 || byte == 0x7F ? '?' : c;
  }
  if (recordId.size() > kMaxQuotedId) {
    out += "...";
  }
  out += "': ";
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i > 0) {
      out += "; ";
    }
    out += problems[i].field;
    out += ' ';
    out += problems[i].message;
  }
  return out;
}

InvalidRecord::InvalidRecord(std::string_view recordKind, std::string_view recordId,
                             std::vector<FieldProblem> problems)
    : std::invalid_argument(describeProblems(recordKind, recordId, problems)),
      problems_(std::move(problems)) {}

void FieldChecks::text(std::string_view field, std::string_view value, size_t minBytes,
                       size_t maxBytes) {
  if (value.size() < minBytes || value.size() > maxBytes) {
    fail(field, "is " + std::to_string(value.size()) + " bytes, must be " +
                    std::to_string(minBytes) + ".." + std::to_string(maxBytes));
  }
}

void FieldChecks::id(std::string_view field, std::string_view value, size_t maxBytes) {
  if (value.empty() || value.size() > maxBytes) {
    fail(field,
         "is " + std::to_string(value.size()) + " bytes, must be 1.." + std::to_string(maxBytes));
  } else if (value.find('\0') != std::string_view::npos) {
    fail(field, "contains a NUL byte");
  }
}

void FieldChecks::msisdn(std::string_view field, std::string_view value, bool optional) {
  if (value.empty() && optional) {
    return;
  }
  // E.164: at most 15 digits; country codes never start with 0.
  if (value.empty() || value.size() > 15 || !all(value, isDigit) || value.front() == '0') {
    fail(field, "must be 1..15 E.164 digits without '+' and not starting with 0 (" +
                    std::to_string(value.size()) + " characters given)");
  }
}

void FieldChecks::language(std::string_view field, std::string_view value) {
  if (value.size() < 2 || value.size() > 3 || !all(value, isLower)) {
    fail(field, "must be 2 or 3 lower-case letters (ISO 639)");
  }
}

void FieldChecks::currency(std::string_view field, std::string_view value) {
  if (value.size() != 3 || !all(value, isUpper)) {
    fail(field, "must be 3 upper-case letters (ISO 4217)");
  }
}

void FieldChecks::range(std::string_view field, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    fail(field, "is " + std::to_string(value) + ", must be " + std::to_string(min) + ".." +
                    std::to_string(max));
  }
}

void FieldChecks::bits(std::string_view field, uint64_t value, uint64_t knownBits) {
  if ((value & ~knownBits) != 0) {
    fail(field, "has unknown bits " + std::to_string(value & ~knownBits));
  }
}

void FieldChecks::fail(std::string_view field, std::string message) {
  problems_.push_back(FieldProblem{std::string(field), std::move(message)});
}

void throwIfInvalid(std::string_view recordKind, std::string_view recordId,
                    std::vector<FieldProblem> problems) {
  if (!problems.empty()) {
    throw InvalidRecord(recordKind, recordId, std::move(problems));
  }
}

}  // namespace mfigw::store
