// A small, strict parser of Prometheus text exposition format 0.0.4, for tests only.
//
// It accepts only what our renderer should produce and fails loudly on anything else:
// every sample must follow its family's # HELP and # TYPE lines, families must not be
// interleaved, label values must use only the three defined escapes, and no series may
// appear twice.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::gateway::testing {

struct ParsedSample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  std::string value;                          // as written
};

struct ParsedFamily {
  std::string help;  // unescaped
  std::string type;
};

struct ParsedExposition {
  std::map<std::string, ParsedFamily> families;
  std::vector<ParsedSample> samples;

  // The value of the one sample with this name and exactly these labels; throws if absent.
  [[nodiscard]] std::string value(const std::string& name,
                                  const std::map<std::string, std::string>& labels = {}) const {
    for (const ParsedSample& s : samples) {
      if (s.name == name && s.labels == labels) {
        return s.value;
      }
    }
    throw std::runtime_error("no sample " + name);
  }
};

class ExpositionParser {
 public:
  static ParsedExposition parse(std::string_view text) {
    ExpositionParser p;
    if (!text.empty() && text.back() != '\n') {
      throw std::runtime_error("exposition must end with a newline");
    }
    std::size_t lineNo = 0;
    while (!text.empty()) {
      const auto nl = text.find('\n');
      const std::string_view line = text.substr(0, nl);
      text.remove_prefix(nl + 1);
      ++lineNo;
      try {
        p.parseLine(line);
      } catch (const std::exception& e) {
        throw std::runtime_error("line " + std::to_string(lineNo) + ": " + e.what() + ": " +
                                 std::string(line));
      }
    }
    return std::move(p.out_);
  }

 private:
  static bool isNameStart(char c, bool colonOk) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colonOk && c == ':');
  }
  static bool isNameChar(char c, bool colonOk) {
    return isNameStart(c, colonOk) || (c >= '0' && c <= '9');
  }
  static std::string takeName(std::string_view& s, bool colonOk) {
    if (s.empty() || !isNameStart(s.front(), colonOk)) {
      throw std::runtime_error("expected a name");
    }
    std::size_t n = 1;
    while (n < s.size() && isNameChar(s[n], colonOk)) {
      ++n;
    }
    std::string name(s.substr(0, n));
    s.remove_prefix(n);
    return name;
  }
  static void expect(std::string_view& s, char c) {
    if (s.empty() || s.front() != c) {
      throw std::runtime_error(std::string("expected '") + c + "'");
    }
    s.remove_prefix(1);
  }
  static void checkValue(std::string_view v) {
    if (v == "NaN" || v == "+Inf" || v == "-Inf") {
      return;
    }
    // Go's ParseFloat subset: [-+]digits[.digits][e[-+]digits]
    std::size_t i = 0;
    if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
    std::size_t digits = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9')
      ++i, ++digits;
    if (i < v.size() && v[i] == '.') {
      ++i;
      while (i < v.size() && v[i] >= '0' && v[i] <= '9')
        ++i, ++digits;
    }
    if (digits == 0) throw std::runtime_error("bad sample value");
    if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
      ++i;
      if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
      std::size_t exp = 0;
      while (i < v.size() && v[i] >= '0' && v[i] <= '9')
        ++i, ++exp;
      if (exp == 0) throw std::runtime_error("bad exponent");
    }
    if (i != v.size()) throw std::runtime_error("bad sample value");
  }

  void parseLine(std::string_view line) {
    if (line.empty()) {
      throw std::runtime_error("empty line");
    }
    if (line.front() == '#') {
      if (line.starts_with("# HELP ")) {
        line.remove_prefix(7);
        const std::string name = takeName(line, true);
        expect(line, ' ');
        std::string help;
        for (std::size_t i = 0; i < line.size(); ++i) {
          if (line[i] == '\\') {
            if (i + 1 >= line.size()) throw std::runtime_error("dangling escape in HELP");
            const char e = line[++i];
            if (e == '\\')
              help += '\\';
            else if (e == 'n')
              help += '\n';
            else
              throw std::runtime_error("bad escape in HELP");
          } else {
            help += line[i];
          }
        }
        startFamily(name);
        if (!helpSeen_.insert(name).second) throw std::runtime_error("second HELP");
        out_.families[name].help = help;
        return;
      }
      if (line.starts_with("# TYPE ")) {
        line.remove_prefix(7);
        const std::string name = takeName(line, true);
        expect(line, ' ');
        static const std::set<std::string_view> kTypes = {"counter", "gauge", "histogram",
                                                          "summary", "untyped"};
        if (!kTypes.contains(line)) throw std::runtime_error("bad TYPE");
        startFamily(name);
        if (!typeSeen_.insert(name).second) throw std::runtime_error("second TYPE");
        if (samplesSeen_.contains(name)) throw std::runtime_error("TYPE after samples");
        out_.families[name].type = std::string(line);
        return;
      }
      throw std::runtime_error("unexpected comment");
    }
    ParsedSample sample;
    sample.name = takeName(line, true);
    if (!line.empty() && line.front() == '{') {
      line.remove_prefix(1);
      while (true) {
        if (!line.empty() && line.front() == '}') {
          line.remove_prefix(1);
          break;
        }
        const std::string label = takeName(line, false);
        expect(line, '=');
        expect(line, '"');
        std::string value;
        while (true) {
          if (line.empty()) throw std::runtime_error("unterminated label value");
          const char c = line.front();
          line.remove_prefix(1);
          if (c == '"') break;
          if (c == '\n') throw std::runtime_error("raw newline in label value");
          if (c == '\\') {
            if (line.empty()) throw std::runtime_error("dangling escape");
            const char e = line.front();
            line.remove_prefix(1);
            if (e == '\\')
              value += '\\';
            else if (e == '"')
              value += '"';
            else if (e == 'n')
              value += '\n';
            else
              throw std::runtime_error("bad escape in label value");
          } else {
            value += c;
          }
        }
        if (!sample.labels.emplace(label, value).second) throw std::runtime_error("label twice");
        if (!line.empty() && line.front() == ',') {
          line.remove_prefix(1);
        } else if (line.empty() || line.front() != '}') {
          throw std::runtime_error("expected ',' or '}'");
        }
      }
    }
    expect(line, ' ');
    const auto space = line.find(' ');
    sample.value = std::string(line.substr(0, space));
    checkValue(sample.value);
    if (space != std::string_view::npos) {
      // An optional integer timestamp; we never write one.
      throw std::runtime_error("unexpected timestamp");
    }
    if (sample.name != current_) throw std::runtime_error("sample outside its family");
    if (!helpSeen_.contains(sample.name) || !typeSeen_.contains(sample.name)) {
      throw std::runtime_error("sample before HELP and TYPE");
    }
    std::string key = sample.name;
    for (const auto& [k, v] : sample.labels)
      key += "\x1f" + k + "=" + v;
    if (!series_.insert(key).second) throw std::runtime_error("duplicate series");
    samplesSeen_.insert(sample.name);
    out_.samples.push_back(std::move(sample));
  }

  void startFamily(const std::string& name) {
    if (name == current_) return;
    if (finished_.contains(name)) throw std::runtime_error("family interleaved");
    if (!current_.empty()) finished_.insert(current_);
    current_ = name;
  }

  ParsedExposition out_;
  std::string current_;
  std::set<std::string> finished_;
  std::set<std::string> helpSeen_;
  std::set<std::string> typeSeen_;
  std::set<std::string> samplesSeen_;
  std::set<std::string> series_;
};

}  // namespace mfigw::gateway::testing
