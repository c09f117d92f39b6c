// The configuration schema: one table that describes every setting of gateway.yaml.
//
// Purpose: a single source for the loader (keys, types, bounds, defaults), for
//   `mfi-gatewayd --help-config`, for docs/configuration.md and for the effective config
//   the admin API shows. Adding a setting means adding one row to the table in
//   config_schema.cpp (and its field to config.hpp); nothing else lists settings.
// Threading: the table is built once on first use (thread-safe static) and never changes;
//   every function here is pure and may be called from any thread.
// Errors: parseScalar() returns a message instead of throwing; messages never contain a
//   secret's content. The render functions do not fail.
// Ownership: SettingSpec rows live for the whole program; callers hold references.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config.hpp"
#include "gateway/secret.hpp"

namespace mfigw::gateway {

// GCC's -Wshadow flags the scoped enumerator Duration against the Duration alias in
// config.hpp although they can never be confused (SettingType::Duration is qualified).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
enum class SettingType {
  Bool,        // true | false, nothing else
  Int,         // decimal integer, or hexadecimal with 0x (TLV tags, op codes)
  Size,        // bytes with an optional binary suffix: 512, 64KiB, 256MiB, 8GiB, 1TiB
  Duration,    // integer with a unit: 500ms, 30s, 5m, 1h
  String,      // any scalar; bounds are on its length
  Enum,        // one of SettingSpec::allowed
  Path,        // file system path; relative paths are relative to the config file
  SecretFile,  // path of a file holding a secret; bounds are on the content's length
  HostPort,    // "host:port" or "[v6addr]:port"; port 0 means "any free port"
  List,        // a list of maps; its item keys are rows with the path "<list>[].<key>"
  IntList,     // a list of Int values ([1, 0x81]); bounds apply to each
};
#pragma GCC diagnostic pop

[[nodiscard]] std::string_view toString(SettingType type);

// A parsed value. Only the members that belong to the setting's type are meaningful.
struct SettingValue {
  bool boolean = false;
  std::int64_t integer = 0;  // Int; Size in bytes; Duration in milliseconds
  std::string text = {};     // String, Enum, Path, HostPort; SecretFile: the file's path
  Secret secret = {};        // SecretFile: the file's content
  std::vector<std::int64_t> integers = {};  // IntList
};

// Writes a parsed value into the config. `index` is the list item for "a.b[].c" rows
// (and, for a List row, the item to create); 0 otherwise.
using ApplyFn = void (*)(GatewayConfig& config, std::size_t index, const SettingValue& value);
// Reads the current value back out of a config (for defaults checks and rendering).
using ReadFn = SettingValue (*)(const GatewayConfig& config, std::size_t index);
// Extra validation after type and bounds; returns an error message or "" when fine.
using CheckFn = std::string (*)(const SettingValue& value);

// How a row reaches its field: both are captureless, so the table stays a plain constant.
struct FieldAccess {
  ApplyFn apply = nullptr;
  ReadFn read = nullptr;
};

// The default text of a list-item key that the operator must give.
inline constexpr std::string_view kRequired = "required";

struct SettingSpec {
  std::string_view path;  // dotted YAML path, lists as "smpp.links[].host"
  SettingType type;
  std::string_view defaultText;                // in the setting's own syntax, or kRequired
  std::string_view min = {};                   // inclusive bound in the setting's syntax; "" = none
  std::string_view max = {};                   // (String, SecretFile: bounds on the length)
  std::vector<std::string_view> allowed = {};  // Enum only
  std::string_view help;
  FieldAccess field;  // List rows: apply creates item `index`, read gives the count
  CheckFn check = nullptr;

  // The last path segment: the YAML key ("host" for "smpp.links[].host").
  [[nodiscard]] std::string_view key() const;
  [[nodiscard]] bool required() const { return defaultText == kRequired; }
};

// Every setting, in documentation order (grouped by section).
[[nodiscard]] const std::vector<SettingSpec>& settingsTable();
// The row for a schema path such as "store.map_size" or "smpp.links[].host".
[[nodiscard]] const SettingSpec* findSetting(std::string_view path);

// A rule across settings (max_map_size >= map_size, unique link names, ...), checked
// after every single value has parsed.
struct RuleViolation {
  std::string path;  // concrete path the error is reported at
  std::string message;
  std::vector<std::string> involved;  // concrete paths the rule read (to skip the rule
                                      // when one of them already failed on its own)
};
[[nodiscard]] std::vector<RuleViolation> checkCrossFieldRules(const GatewayConfig& config);

struct ParseOutcome {
  SettingValue value;
  std::string error;  // "" on success
  [[nodiscard]] bool ok() const { return error.empty(); }
};

// Type-checks one scalar against `spec` (type, bounds, allowed values, extra check).
// SecretFile: only the path is checked here; the loader reads the file and then calls
// checkSecretLength(). IntList: one item ("0x81") or a flow list ("[1, 0x81]"); the loader
// parses a YAML list item by item and concatenates the integers.
[[nodiscard]] ParseOutcome parseScalar(const SettingSpec& spec, std::string_view text);
// "" when the secret's length fits the row's bounds; the message never shows the content.
[[nodiscard]] std::string checkSecretLength(const SettingSpec& spec, const Secret& secret);

// The unit syntaxes, shared with the help text and the effective-config renderer.
[[nodiscard]] std::optional<std::uint64_t> parseSize(std::string_view text);
[[nodiscard]] std::optional<Duration> parseDuration(std::string_view text);
[[nodiscard]] std::string formatSize(std::uint64_t bytes);    // largest exact unit: "256MiB"
[[nodiscard]] std::string formatDuration(Duration duration);  // largest exact unit: "30s"

// `mfi-gatewayd --help-config`: one block per setting (path, type, default, bounds, help).
[[nodiscard]] std::string renderHelpConfig();
// The text of docs/configuration.md (a test keeps the checked-in file equal to it).
[[nodiscard]] std::string renderConfigMarkdown();
// The effective config as YAML in the loader's own syntax, every setting present.
// Secrets are never printed: a secret file's key shows its path, followed by the
// comment "# content: ***" (or "# no secret loaded"). Loading the output again gives
// the same config.
[[nodiscard]] std::string renderEffectiveConfig(const GatewayConfig& config);

}  // namespace mfigw::gateway
