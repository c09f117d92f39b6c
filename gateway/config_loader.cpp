// The config loader: a small walker that follows the settings table through the YAML tree.
//
// The walker only descends where the table has sections, so its depth is bounded by the
// schema (root -> smpp -> links -> item -> scalar), whatever the input nests or aliases.
#include "gateway/config_loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "gateway/config_schema.hpp"

namespace mfigw::gateway {

std::string ConfigError::toString() const {
  std::string out = file;
  if (line > 0) out += fmt::format(":{}:{}", line, column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

std::string ConfigResult::errorText() const {
  std::string out;
  for (const auto& e : errors)
    out += e.toString() + "\n";
  return out;
}

namespace {

// A config file is a few KiB; anything far larger is the wrong file.
constexpr std::uintmax_t kMaxConfigBytes = 1u << 20;
// A secret is a password or token; a large file is the wrong file (or a device).
constexpr std::size_t kMaxSecretBytes = 64u << 10;

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

std::string withArticle(std::string_view noun) {
  const bool vowel =
      !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos;
  return fmt::format("{} {}", vowel ? "an" : "a", noun);
}

std::string systemError(int err) {
  return std::error_code(err, std::generic_category()).message();
}

// The children of one map level in the schema: leaf rows by key, and sub-sections.
struct Level {
  std::map<std::string_view, const SettingSpec*> leaves;
  std::set<std::string_view> sections;

  [[nodiscard]] std::vector<std::string_view> names() const {
    std::vector<std::string_view> out;
    for (const auto& [k, spec] : leaves)
      out.push_back(k);
    out.insert(out.end(), sections.begin(), sections.end());
    return out;
  }
};

// `schemaPrefix` is "" for the root, "store." for a section, "smpp.links[]." for a list item.
Level levelOf(std::string_view schemaPrefix) {
  Level level;
  for (const auto& spec : settingsTable()) {
    if (spec.path.substr(0, schemaPrefix.size()) != schemaPrefix) continue;
    const std::string_view rest = spec.path.substr(schemaPrefix.size());
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos) {
      level.leaves.emplace(rest, &spec);
    } else if (rest.substr(0, dot).find("[]") == std::string_view::npos) {
      // "links[].host" is reached through the "links" List row, not as a section.
      level.sections.insert(rest.substr(0, dot));
    }
  }
  return level;
}

class Loader {
 public:
  Loader(std::string displayName, std::filesystem::path baseDir)
      : file_(std::move(displayName)), baseDir_(std::move(baseDir)) {}

  ConfigResult run(std::string_view yaml);

 private:
  void walkMap(const YAML::Node& map, const std::string& schemaPrefix, const std::string& path,
               std::size_t index);
  void walkList(const SettingSpec& spec, const YAML::Node& list, const YAML::Node& key,
                const std::string& path);
  void applyLeaf(const SettingSpec& spec, const YAML::Node& key, const YAML::Node& value,
                 const std::string& path, std::size_t index);
  void applyIntList(const SettingSpec& spec, const YAML::Node& list, const YAML::Mark& mark,
                    const std::string& path, std::size_t index);
  bool readSecret(const SettingSpec& spec, SettingValue& value, const YAML::Mark& mark,
                  const std::string& path);
  void checkRules();
  [[nodiscard]] std::string resolve(const std::string& text) const;
  // The mark of a concrete path, or of the closest enclosing map that was given.
  [[nodiscard]] YAML::Mark markOf(std::string path) const;
  void error(const YAML::Mark& mark, std::string path, std::string message);

  std::string file_;
  std::filesystem::path baseDir_;
  GatewayConfig config_;
  std::vector<ConfigError> errors_;
  std::map<std::string, YAML::Mark> marks_;  // concrete path -> where it was given
  std::set<std::string> failed_;             // concrete paths with their own error
};

void Loader::error(const YAML::Mark& mark, std::string path, std::string message) {
  ConfigError e;
  e.file = file_;
  if (!mark.is_null()) {
    e.line = mark.line + 1;
    e.column = mark.column + 1;
  }
  failed_.insert(path);
  e.path = std::move(path);
  e.message = std::move(message);
  errors_.push_back(std::move(e));
}

YAML::Mark Loader::markOf(std::string path) const {
  while (true) {
    if (const auto it = marks_.find(path); it != marks_.end()) return it->second;
    if (path.empty()) return YAML::Mark::null_mark();
    const auto cut = path.find_last_of(".[");
    path.resize(cut == std::string::npos ? 0 : cut);
  }
}

std::string Loader::resolve(const std::string& text) const {
  const std::filesystem::path p(text);
  if (p.is_absolute() || baseDir_.empty()) return text;
  return (baseDir_ / p).lexically_normal().string();
}

// Records where a document's root starts, and whether it is empty. Used only to find
// out whether the text holds a second document, without building it.
class RootEvents : public YAML::EventHandler {
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

ConfigResult Loader::run(std::string_view yaml) {
  try {
    const std::string text(yaml);
    std::optional<YAML::Node> root;
    try {
      root = YAML::Load(text);
      // Not YAML::LoadAll: in yaml-cpp 0.7 it loops forever, allocating, on a stray ','
      // ']' or '}' (yaml-cpp #1040, fixed upstream by #1319). Step the parser by hand,
      // one document past the first, to see whether there is more.
      std::istringstream in(text);
      YAML::Parser parser(in);
      RootEvents firstDoc;
      RootEvents secondDoc;
      parser.HandleNextDocument(firstDoc);
      if (parser.HandleNextDocument(secondDoc)) {
        const YAML::Mark& mark = secondDoc.mark();
        const auto pos = static_cast<std::size_t>(mark.pos);
        const char stray = (!mark.is_null() && pos < text.size()) ? text[pos] : '\0';
        if (stray == ',' || stray == ']' || stray == '}') {
          error(mark, "", fmt::format("unexpected '{}' outside a list or map", stray));
        } else {
          error(mark, "", "only one YAML document is allowed");
        }
      }
    } catch (const YAML::Exception& e) {
      std::string message = e.msg;
      if (message == YAML::ErrorMsg::UNKNOWN_ANCHOR) {
        message += "; a value starting with '*' must be quoted, e.g. service_code: \"*123#\"";
      }
      error(e.mark, "", std::move(message));
      root.reset();
    }
    if (root && !root->IsNull()) walkMap(*root, "", "", 0);
    // Rules over a document that did not parse would only repeat the defaults' verdict.
    if (root) checkRules();
  } catch (const std::exception& e) {
    // The walker checks node kinds before every access; reaching this is a bug in the
    // loader, reported as an error rather than taking the daemon down.
    error(YAML::Mark::null_mark(), "", fmt::format("internal error while loading: {}", e.what()));
  }
  std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return ConfigResult{std::move(config_), std::move(errors_)};
}

void Loader::walkMap(const YAML::Node& map, const std::string& schemaPrefix,
                     const std::string& path, std::size_t index) {
  if (!map.IsMap()) {
    error(map.Mark(), path, fmt::format("expected a map of settings, got {}", kindName(map)));
    return;
  }
  marks_.emplace(path, map.Mark());
  const Level level = levelOf(schemaPrefix);
  const std::string prefix = path.empty() ? "" : path + ".";
  std::map<std::string, YAML::Mark> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      error(key.Mark(), path, fmt::format("keys must be plain names, got {}", kindName(key)));
      continue;
    }
    const std::string& name = key.Scalar();
    const std::string here = prefix + name;
    // yaml-cpp keeps both pairs of a repeated key; silently taking one would hide a typo.
    if (const auto first = seen.find(name); first != seen.end()) {
      error(key.Mark(), here,
            fmt::format("duplicate key (first given at line {})", first->second.line + 1));
      continue;
    }
    seen.emplace(name, key.Mark());
    if (const auto leaf = level.leaves.find(name); leaf != level.leaves.end()) {
      if (leaf->second->type == SettingType::List) {
        walkList(*leaf->second, value, key, here);
      } else {
        applyLeaf(*leaf->second, key, value, here, index);
      }
    } else if (level.sections.count(name) != 0) {
      // "log:" with nothing under it (or only comments) is an empty section, not an error.
      if (!value.IsNull()) walkMap(value, schemaPrefix + name + ".", here, index);
    } else {
      std::string message = "unknown key";
      std::string_view best;
      std::size_t bestDistance = 3;
      for (const auto candidate : level.names()) {
        const auto d = editDistance(name, candidate);
        if (d < bestDistance) {
          bestDistance = d;
          best = candidate;
        }
      }
      if (!best.empty()) message += fmt::format("; did you mean '{}'?", best);
      error(key.Mark(), here, std::move(message));
    }
  }
  for (const auto& [name, spec] : level.leaves) {
    if (spec->required() && seen.count(std::string(name)) == 0) {
      error(map.Mark(), prefix + std::string(name), "missing required key");
    }
  }
}

void Loader::walkList(const SettingSpec& spec, const YAML::Node& list, const YAML::Node& key,
                      const std::string& path) {
  if (list.IsNull()) return;  // "links:" with no items
  if (!list.IsSequence()) {
    const YAML::Mark mark = list.Mark().is_null() ? key.Mark() : list.Mark();
    error(mark, path, fmt::format("expected a list, got {}", kindName(list)));
    return;
  }
  marks_.emplace(path, list.Mark());
  const std::string itemPrefix = std::string(spec.path) + "[].";
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    const std::string itemPath = fmt::format("{}[{}]", path, i);
    if (!item.IsMap()) {
      error(item.Mark(), itemPath, fmt::format("expected a map, got {}", kindName(item)));
      continue;
    }
    spec.field.apply(config_, i, SettingValue{});
    walkMap(item, itemPrefix, itemPath, i);
  }
}

void Loader::applyLeaf(const SettingSpec& spec, const YAML::Node& key, const YAML::Node& value,
                       const std::string& path, std::size_t index) {
  // "key:" with no value gives a null node marked at the next token (often the next
  // line); the key is where the operator has to look.
  const YAML::Mark mark = value.IsNull() || value.Mark().is_null() ? key.Mark() : value.Mark();
  if (spec.type == SettingType::IntList && value.IsSequence()) {
    applyIntList(spec, value, mark, path, index);
    return;
  }
  if (!value.IsScalar()) {
    const std::string_view got = value.IsNull() ? "no value" : kindName(value);
    error(mark, path, fmt::format("expected {}, got {}", withArticle(toString(spec.type)), got));
    return;
  }
  ParseOutcome parsed = parseScalar(spec, value.Scalar());
  if (!parsed.ok()) {
    error(mark, path, std::move(parsed.error));
    return;
  }
  if (spec.type == SettingType::Path && !parsed.value.text.empty())
    parsed.value.text = resolve(parsed.value.text);
  if (spec.type == SettingType::SecretFile && !parsed.value.text.empty()) {
    parsed.value.text = resolve(parsed.value.text);
    if (!readSecret(spec, parsed.value, mark, path)) return;
  }
  spec.field.apply(config_, index, parsed.value);
  marks_.emplace(path, mark);
}

// [1, 0x81] or a block list: each item is checked on its own, so an error points at it.
void Loader::applyIntList(const SettingSpec& spec, const YAML::Node& list, const YAML::Mark& mark,
                          const std::string& path, std::size_t index) {
  SettingValue all;
  bool ok = true;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    const std::string itemPath = fmt::format("{}[{}]", path, i);
    if (!item.IsScalar()) {
      error(item.Mark().is_null() ? mark : item.Mark(), itemPath,
            fmt::format("expected an integer, got {}", kindName(item)));
      ok = false;
      continue;
    }
    ParseOutcome parsed = parseScalar(spec, item.Scalar());
    if (!parsed.ok()) {
      error(item.Mark(), itemPath, std::move(parsed.error));
      ok = false;
      continue;
    }
    all.integers.insert(all.integers.end(), parsed.value.integers.begin(),
                        parsed.value.integers.end());
  }
  if (!ok) {
    failed_.insert(path);  // rules over this list would only repeat the item's error
    return;
  }
  spec.field.apply(config_, index, all);
  marks_.emplace(path, mark);
}

bool Loader::readSecret(const SettingSpec& spec, SettingValue& value, const YAML::Mark& mark,
                        const std::string& path) {
  const std::string& file = value.text;
  // O_NONBLOCK: a FIFO named here must not hang the loader; fstat then rejects it.
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    error(mark, path, fmt::format("cannot open {}: {}", file, systemError(errno)));
    return false;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error(mark, path, fmt::format("cannot stat {}: {}", file, systemError(errno)));
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error(mark, path, fmt::format("{} is not a regular file", file));
    return false;
  }
  if ((st.st_mode & S_IROTH) != 0) {
    error(mark, path, fmt::format("{} is readable by other users; chmod 600 it", file));
    return false;
  }
  if ((st.st_mode & S_IWOTH) != 0) {
    error(mark, path, fmt::format("{} is writable by other users; chmod 600 it", file));
    return false;
  }
  std::string content;
  char buffer[4096];
  while (content.size() <= kMaxSecretBytes) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error(mark, path, fmt::format("cannot read {}: {}", file, systemError(errno)));
      return false;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  if (content.size() > kMaxSecretBytes) {
    error(mark, path, fmt::format("{} is larger than 64KiB; is it the right file?", file));
    return false;
  }
  // Editors add a final newline; a password never ends in one. "\r\n" from Windows too.
  if (!content.empty() && content.back() == '\n') {
    content.pop_back();
    if (!content.empty() && content.back() == '\r') content.pop_back();
  }
  if (content.empty()) {
    error(mark, path, fmt::format("{} is empty", file));
    return false;
  }
  Secret secret(std::move(content));
  if (auto e = checkSecretLength(spec, secret); !e.empty()) {
    error(mark, path, fmt::format("{}: {}", file, e));
    return false;
  }
  value.secret = std::move(secret);
  return true;
}

void Loader::checkRules() {
  for (auto& v : checkCrossFieldRules(config_)) {
    // A value that already failed kept its default; a rule over it would be noise.
    const bool skip = std::any_of(v.involved.begin(), v.involved.end(),
                                  [&](const std::string& p) { return failed_.count(p) != 0; });
    if (skip) continue;
    const YAML::Mark mark = markOf(v.path);
    error(mark, std::move(v.path), std::move(v.message));
  }
}

}  // namespace

ConfigResult loadConfigText(std::string_view yaml, const std::string& displayName) {
  return Loader(displayName, std::filesystem::path(displayName).parent_path()).run(yaml);
}

ConfigResult loadConfigFile(const std::string& path) {
  auto fail = [&](std::string message) {
    ConfigResult result;
    result.errors.push_back(ConfigError{path, 0, 0, "", std::move(message)});
    return result;
  };
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(fmt::format("cannot read: {}", ec.message()));
  if (size > kMaxConfigBytes) return fail("larger than 1MiB; is it the right file?");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(fmt::format("cannot read: {}", systemError(errno)));
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return loadConfigText(text, path);
}

}  // namespace mfigw::gateway
