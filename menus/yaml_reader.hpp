// menus/yaml_reader.hpp: reading YAML maps strictly, with errors at FILE:LINE:COL (internal).
//
// Purpose:   The plumbing of the menu loader: a map is read against the keys it may hold
//            (unknown keys get a "did you mean" hint, repeated keys an error), scalars are
//            read after their kind is checked, and every problem is collected as a
//            MenuError whose column counts characters, as an editor shows it.
// Threading: One reader per load; no shared state.
// Errors:    Collected in errors(); nothing here throws for any document.
// Ownership: Entries hold yaml-cpp nodes (reference-counted) of the document being read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "menus/menu_loader.hpp"

namespace mfigw::menus {

// One key/value of a map, with the dotted path of the value.
struct Entry {
  std::string name;
  YAML::Node key;
  YAML::Node value;
  std::string path;

  // A key with no value ("next:") gives a null node marked at the next token; the key is
  // where the author has to look.
  [[nodiscard]] YAML::Mark mark() const {
    return value.IsNull() || value.Mark().is_null() ? key.Mark() : value.Mark();
  }
};

// The entries of one map that passed the key checks.
struct Fields {
  bool ok = false;  // the node was a map
  YAML::Mark mark = YAML::Mark::null_mark();
  std::string path;
  std::vector<Entry> entries;

  [[nodiscard]] const Entry* get(std::string_view name) const {
    for (const auto& e : entries)
      if (e.name == name) return &e;
    return nullptr;
  }
};

class YamlReader {
 public:
  YamlReader(std::string file, std::string text) : file_(std::move(file)), text_(std::move(text)) {}

  [[nodiscard]] const std::string& text() const { return text_; }
  [[nodiscard]] std::vector<MenuError>& errors() { return errors_; }

  void error(const YAML::Mark& mark, std::string path, std::string message);
  void error(SourcePos pos, std::string path, std::string message);
  // 1-based line and column; the column counts characters (yaml-cpp counts bytes), as an
  // editor shows it on a line of Arabic text.
  [[nodiscard]] SourcePos posOf(const YAML::Mark& mark) const;

  // `allowed` empty: any key (a map of names). `itemKind` names a key in duplicate errors.
  Fields readMap(const YAML::Node& node, const YAML::Mark& fallback, const std::string& path,
                 const std::vector<std::string_view>& allowed, std::string_view itemKind = "key");
  // The entry, or an error at the map ("missing key") and nullptr.
  const Entry* require(const Fields& fields, std::string_view name);
  bool text(const Entry& e, std::string& out);
  bool integer(const Entry& e, int64_t min, int64_t max, int64_t& out);

 private:
  std::string file_;
  std::string text_;
  std::vector<MenuError> errors_;
};

// "a map", "a list", ... for messages.
std::string_view kindName(const YAML::Node& node);

// Where a second YAML document starts in `text`, if there is one.
std::optional<YAML::Mark> secondDocument(const std::string& text);

}  // namespace mfigw::menus
