// YAML reading plumbing for the menu loader.
#include "menus/yaml_reader.hpp"

#include <algorithm>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include "menus/value_format.hpp"

namespace mfigw::menus {

namespace {

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Records where a document's root starts. Used only to find out whether the text holds a
// second document, without building it.
class FirstEvent : public YAML::EventHandler {
 public:
  [[nodiscard]] const YAML::Mark& mark() const { return mark_; }
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { first(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { first(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    first(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    first(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    first(mark);
  }
  void OnMapEnd() override {}

 private:
  void first(const YAML::Mark& mark) {
    if (!seen_) mark_ = mark;
    seen_ = true;
  }
  bool seen_ = false;
  YAML::Mark mark_ = YAML::Mark::null_mark();
};

}  // namespace

std::string_view kindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Undefined:
      break;
  }
  return "an undefined node";
}

std::optional<YAML::Mark> secondDocument(const std::string& text) {
  // Not YAML::LoadAll: in yaml-cpp 0.7 it loops forever on a stray ',' ']' or '}'
  // (yaml-cpp #1040). Step the parser one document past the first instead.
  std::istringstream in(text);
  YAML::Parser parser(in);
  FirstEvent firstDoc;
  FirstEvent secondDoc;
  parser.HandleNextDocument(firstDoc);
  if (!parser.HandleNextDocument(secondDoc)) return std::nullopt;
  return secondDoc.mark();
}

SourcePos YamlReader::posOf(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.pos < 0) return {};
  const auto end = std::min(static_cast<std::size_t>(mark.pos), text_.size());
  const std::size_t lineStart = end == 0 ? 0 : text_.rfind('\n', end - 1) + 1;  // npos + 1 == 0
  int column = 1;
  for (std::size_t i = lineStart; i < end; ++i)
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
  return SourcePos{mark.line + 1, column};
}

void YamlReader::error(const YAML::Mark& mark, std::string path, std::string message) {
  error(posOf(mark), std::move(path), std::move(message));
}

void YamlReader::error(SourcePos pos, std::string path, std::string message) {
  errors_.push_back(MenuError{file_, pos.line, pos.column, std::move(path), std::move(message)});
}

Fields YamlReader::readMap(const YAML::Node& node, const YAML::Mark& fallback,
                           const std::string& path, const std::vector<std::string_view>& allowed,
                           std::string_view itemKind) {
  Fields fields;
  fields.path = path;
  fields.mark = node.Mark().is_null() ? fallback : node.Mark();
  if (!node.IsMap()) {
    error(fields.mark, path, fmt::format("expected a map, got {}", kindName(node)));
    return fields;
  }
  fields.ok = true;
  const std::string prefix = path.empty() ? "" : path + ".";
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node k = it->first;
    if (!k.IsScalar()) {
      error(k.Mark(), path, fmt::format("keys must be plain names, got {}", kindName(k)));
      continue;
    }
    const std::string& name = k.Scalar();
    // yaml-cpp keeps both pairs of a repeated key; taking one silently would hide a typo.
    if (const Entry* first = fields.get(name)) {
      error(k.Mark(), prefix + name,
            fmt::format("duplicate {} '{}' (first given at line {})", itemKind, name,
                        first->key.Mark().line + 1));
      continue;
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string message = fmt::format("unknown key '{}'", name);
      std::string_view best;
      std::size_t bestDistance = 3;
      for (const auto candidate : allowed) {
        const std::size_t d = editDistance(name, candidate);
        if (d < bestDistance) {
          bestDistance = d;
          best = candidate;
        }
      }
      if (!best.empty()) message += fmt::format("; did you mean '{}'?", best);
      error(k.Mark(), prefix + name, std::move(message));
      continue;
    }
    fields.entries.push_back(Entry{name, k, it->second, prefix + name});
  }
  return fields;
}

const Entry* YamlReader::require(const Fields& fields, std::string_view name) {
  const Entry* e = fields.get(name);
  if (e == nullptr && fields.ok)
    error(fields.mark, fields.path, fmt::format("missing key '{}'", name));
  return e;
}

bool YamlReader::text(const Entry& e, std::string& out) {
  if (!e.value.IsScalar()) {
    error(e.mark(), e.path, fmt::format("expected a value, got {}", kindName(e.value)));
    return false;
  }
  out = e.value.Scalar();
  return true;
}

bool YamlReader::integer(const Entry& e, int64_t min, int64_t max, int64_t& out) {
  std::string s;
  if (!text(e, s)) return false;
  if (!parseInt64(s, out) || out < min || out > max) {
    error(e.mark(), e.path,
          fmt::format("expected a whole number from {} to {}, got \"{}\"", min, max, s));
    return false;
  }
  return true;
}

}  // namespace mfigw::menus
