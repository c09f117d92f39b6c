#include "gateway/config_schema.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mfigw::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const SettingSpec& spec(std::string_view path) {
  const SettingSpec* s = findSetting(path);
  if (s == nullptr) throw std::runtime_error("no setting " + std::string(path));
  return *s;
}

std::string parseError(std::string_view path, std::string_view text) {
  return parseScalar(spec(path), text).error;
}

// ---- the table itself ----

TEST(ConfigSchema, PathsAreUniqueAndListItemsHaveTheirList) {
  std::set<std::string_view> paths;
  for (const auto& s : settingsTable()) {
    EXPECT_TRUE(paths.insert(s.path).second) << "duplicate " << s.path;
    EXPECT_NE(s.field.apply, nullptr) << s.path;
    EXPECT_NE(s.field.read, nullptr) << s.path;
    EXPECT_FALSE(s.help.empty()) << s.path;
    const auto brackets = s.path.find("[].");
    if (brackets != std::string_view::npos) {
      const SettingSpec* list = findSetting(s.path.substr(0, brackets));
      ASSERT_NE(list, nullptr) << s.path;
      EXPECT_EQ(list->type, SettingType::List);
    } else {
      EXPECT_FALSE(s.required()) << s.path << ": only list-item keys can be required";
    }
    EXPECT_EQ(s.type == SettingType::Enum, !s.allowed.empty()) << s.path;
  }
}

// The defaults in the table (docs, --help-config) must be the defaults in config.hpp
// (what the daemon runs with): parse each default text and compare with a fresh struct.
TEST(ConfigSchema, DefaultTextsMatchTheStructDefaults) {
  GatewayConfig fresh;
  fresh.smpp.links.emplace_back();  // list-item rows read item 0
  fresh.ussd.dialects.emplace_back();
  for (const auto& s : settingsTable()) {
    if (s.required() || s.type == SettingType::List) continue;
    const ParseOutcome parsed = parseScalar(s, s.defaultText);
    // Secret-file defaults are "" (no file); the length bounds are about the content.
    ASSERT_TRUE(parsed.ok() || s.type == SettingType::SecretFile) << s.path << ": " << parsed.error;
    const SettingValue actual = s.field.read(fresh, 0);
    switch (s.type) {
      case SettingType::Bool:
        EXPECT_EQ(actual.boolean, parsed.value.boolean) << s.path;
        break;
      case SettingType::Int:
      case SettingType::Size:
      case SettingType::Duration:
        EXPECT_EQ(actual.integer, parsed.value.integer) << s.path;
        break;
      case SettingType::IntList:
        EXPECT_EQ(actual.integers, parsed.value.integers) << s.path;
        break;
      default:
        EXPECT_EQ(actual.text, std::string(s.defaultText)) << s.path;
        break;
    }
  }
}

TEST(ConfigSchema, BoundsParseInTheirOwnSyntax) {
  for (const auto& s : settingsTable()) {
    for (const auto bound : {s.min, s.max}) {
      if (bound.empty()) continue;
      switch (s.type) {
        case SettingType::Size:
          EXPECT_TRUE(parseSize(bound)) << s.path;
          break;
        case SettingType::Duration:
          EXPECT_TRUE(parseDuration(bound)) << s.path;
          break;
        case SettingType::Int:
        case SettingType::IntList:
        case SettingType::String:
        case SettingType::SecretFile:
          EXPECT_EQ(bound.find_first_not_of("0123456789"), std::string_view::npos) << s.path;
          break;
        default:
          ADD_FAILURE() << s.path << ": type " << toString(s.type) << " has no bounds";
      }
    }
  }
}

// Every applied value can be read back unchanged: the row's apply and read agree on
// the field, so no row writes one field and renders another.
TEST(ConfigSchema, ApplyAndReadUseTheSameField) {
  for (const auto& s : settingsTable()) {
    if (s.type == SettingType::List) continue;
    GatewayConfig c;
    c.smpp.links.resize(2);
    c.ussd.dialects.resize(2);
    SettingValue v;
    v.boolean = !s.field.read(c, 1).boolean;
    v.integer = 7;
    v.integers = {7, 0x81};
    v.text = "changed";
    v.secret = Secret("hidden");
    s.field.apply(c, 1, v);
    const SettingValue back = s.field.read(c, 1);
    switch (s.type) {
      case SettingType::Bool:
        EXPECT_EQ(back.boolean, v.boolean) << s.path;
        break;
      case SettingType::Int:
      case SettingType::Size:
      case SettingType::Duration:
        EXPECT_EQ(back.integer, 7) << s.path;
        break;
      case SettingType::IntList:
        EXPECT_EQ(back.integers, v.integers) << s.path;
        break;
      case SettingType::SecretFile:
        EXPECT_EQ(back.secret.reveal(), "hidden") << s.path;
        [[fallthrough]];
      default:
        EXPECT_EQ(back.text, "changed") << s.path;
        break;
    }
  }
}

TEST(ConfigSchema, CoversTheSettingsTheBriefNames) {
  for (const char* path : {"log.level",
                           "log.smpp",
                           "log.store",
                           "log.menus",
                           "log.gateway",
                           "log.http",
                           "log.mask_msisdn",
                           "store.path",
                           "store.map_size",
                           "store.max_map_size",
                           "store.session_map_size",
                           "store.session_sync_interval",
                           "store.group_commit_max_batch",
                           "admin.listen",
                           "admin.token_file",
                           "admin.body_limit",
                           "admin.read_timeout",
                           "admin.max_connections",
                           "smpp.simulator",
                           "smpp.links",
                           "smpp.links[].name",
                           "smpp.links[].host",
                           "smpp.links[].port",
                           "smpp.links[].system_id",
                           "smpp.links[].password_file",
                           "smpp.links[].system_type",
                           "smpp.links[].bind",
                           "smpp.links[].window",
                           "smpp.links[].tps",
                           "smpp.links[].enquire_link_interval",
                           "smpp.links[].response_timeout",
                           "smpp.links[].tls",
                           "smpp.links[].tls_ca_file",
                           "smpp.links[].tls_verify",
                           "smpp.links[].tls_server_name",
                           "smpp.links[].tls_cert_file",
                           "smpp.links[].tls_key_file",
                           "smpp.links[].receipt_id_format",
                           "smpp.links[].split",
                           "smpp.links[].latin1",
                           "smpp.links[].ussd_dialect",
                           "sms.source",
                           "sms.max_parts",
                           "sms.transliterate",
                           "sms.retry_min",
                           "sms.retry_max",
                           "sms.keep_final",
                           "menus.dir",
                           "menus.service_code",
                           "ussd.idle_timeout",
                           "ussd.dialog_cap",
                           "ussd.resume_window",
                           "ussd.http_key_file",
                           "ussd.pin_max_tries",
                           "ussd.pin_lockout",
                           "ussd.step_deadline",
                           "ussd.dialects",
                           "ussd.dialects[].name",
                           "ussd.dialects[].begin_ops",
                           "ussd.dialects[].continue_ops",
                           "ussd.dialects[].end_ops",
                           "ussd.dialects[].abort_ops",
                           "ussd.dialects[].reply_continue_op",
                           "ussd.dialects[].reply_end_op",
                           "ussd.dialects[].session_key",
                           "ussd.dialects[].session_tlv",
                           "ussd.dialects[].service_code",
                           "ussd.dialects[].service_code_tlv",
                           "ussd.dialects[].cell_tlv",
                           "ussd.dialects[].reply_with",
                           "ussd.dialects[].data_coding",
                           "phone.default_region",
                           "upstream.enabled",
                           "upstream.url",
                           "upstream.auth",
                           "upstream.token_file",
                           "upstream.username",
                           "upstream.password_file",
                           "upstream.interval",
                           "upstream.reconcile_interval",
                           "upstream.backoff_min",
                           "upstream.backoff_max",
                           "upstream.timeout",
                           "upstream.page_size",
                           "upstream.push_batch",
                           "upstream.tls_ca_file",
                           "upstream.tls_verify",
                           "upstream.tls_server_name",
                           "upstream.tls_cert_file",
                           "upstream.tls_key_file",
                           "upstream.adapter",
                           "upstream.fineract_tenant",
                           "upstream.fineract_credit_request",
                           "upstream.fineract_loan_product_id",
                           "upstream.fineract_reschedule_reason_id",
                           "shutdown.drain_timeout"}) {
    EXPECT_NE(findSetting(path), nullptr) << path;
  }
  EXPECT_EQ(settingsTable().size(), 96u) << "a new row? add it to the list above and to "
                                            "ConfigLoader.FullFileSetsEveryField";
}

// ---- scalar syntaxes ----

TEST(ConfigSchema, IntListSyntax) {
  const SettingSpec& ops = spec("ussd.dialects[].abort_ops");
  EXPECT_EQ(parseScalar(ops, "[1, 0x81, 65]").value.integers,
            (std::vector<std::int64_t>{1, 0x81, 65}));
  EXPECT_EQ(parseScalar(ops, "0x81").value.integers, (std::vector<std::int64_t>{0x81}));
  EXPECT_TRUE(parseScalar(ops, "[]").ok());
  EXPECT_TRUE(parseScalar(ops, "[]").value.integers.empty());
  EXPECT_EQ(parseError("ussd.dialects[].abort_ops", "[1, x]"), "expected an integer (got \"x\")");
  EXPECT_EQ(parseError("ussd.dialects[].abort_ops", "[1,,2]"), "expected an integer (got \"\")");
  EXPECT_EQ(parseError("ussd.dialects[].abort_ops", "[256]"),
            "must be between 0 and 255 (got \"256\")");
  EXPECT_EQ(toString(ops.type), "int list");
}

TEST(ConfigSchema, SizeSyntax) {
  EXPECT_EQ(parseSize("0"), 0u);
  EXPECT_EQ(parseSize("512"), 512u);
  EXPECT_EQ(parseSize("512B"), 512u);
  EXPECT_EQ(parseSize("64KiB"), 64u << 10);
  EXPECT_EQ(parseSize("256MiB"), 256u << 20);
  EXPECT_EQ(parseSize("8GiB"), 8ull << 30);
  EXPECT_EQ(parseSize("1TiB"), 1ull << 40);
  for (const char* bad : {"", "MiB", "64 KiB", "64kib", "64KB", "1.5GiB", "-1", "0x10", "8GiBs",
                          "99999999999TiB", "99999999999999999999"}) {
    EXPECT_FALSE(parseSize(bad)) << bad;
  }
  EXPECT_EQ(formatSize(0), "0");
  EXPECT_EQ(formatSize(1000), "1000B");
  EXPECT_EQ(formatSize(64u << 10), "64KiB");
  EXPECT_EQ(formatSize(1536u << 20), "1536MiB");
  EXPECT_EQ(formatSize(8ull << 30), "8GiB");
}

TEST(ConfigSchema, DurationSyntax) {
  EXPECT_EQ(parseDuration("500ms"), Duration{500});
  EXPECT_EQ(parseDuration("30s"), Duration{30000});
  EXPECT_EQ(parseDuration("5m"), Duration{300000});
  EXPECT_EQ(parseDuration("1h"), Duration{3600000});
  EXPECT_EQ(parseDuration("0ms"), Duration{0});
  for (const char* bad : {"", "30", "s", "1.5s", "30 s", "30sec", "-1s", "1d", "10S"}) {
    EXPECT_FALSE(parseDuration(bad)) << bad;
  }
  EXPECT_EQ(formatDuration(Duration{0}), "0ms");
  EXPECT_EQ(formatDuration(Duration{1500}), "1500ms");
  EXPECT_EQ(formatDuration(Duration{30000}), "30s");
  EXPECT_EQ(formatDuration(Duration{90000}), "90s");
  EXPECT_EQ(formatDuration(Duration{300000}), "5m");
  EXPECT_EQ(formatDuration(Duration{7200000}), "2h");
}

TEST(ConfigSchema, IntAndBounds) {
  EXPECT_EQ(parseScalar(spec("smpp.links[].window"), "256").value.integer, 256);
  EXPECT_EQ(parseScalar(spec("smpp.links[].window"), "1").value.integer, 1);
  EXPECT_EQ(parseError("smpp.links[].window", "0"), "must be between 1 and 256 (got \"0\")");
  EXPECT_EQ(parseError("smpp.links[].window", "257"), "must be between 1 and 256 (got \"257\")");
  EXPECT_EQ(parseError("smpp.links[].tps", "10001"), "must be between 1 and 10000 (got \"10001\")");
  EXPECT_EQ(parseError("smpp.links[].port", "65536"),
            "must be between 1 and 65535 (got \"65536\")");
  EXPECT_EQ(parseScalar(spec("smpp.links[].window"), "0x20").value.integer, 32);  // hex
  EXPECT_EQ(parseError("smpp.links[].window", "0x"), "expected an integer (got \"0x\")");
  EXPECT_EQ(parseError("smpp.links[].window", "0x-1"), "expected an integer (got \"0x-1\")");
  EXPECT_EQ(parseError("smpp.links[].window", "ten"), "expected an integer (got \"ten\")");
  EXPECT_EQ(parseError("smpp.links[].window", "1.0"), "expected an integer (got \"1.0\")");
  EXPECT_EQ(parseError("smpp.links[].window", "+5"), "expected an integer (got \"+5\")");
  EXPECT_EQ(parseError("smpp.links[].window", "99999999999999999999"),
            "expected an integer (got \"99999999999999999999\")");
}

TEST(ConfigSchema, SizeAndDurationBounds) {
  EXPECT_EQ(parseScalar(spec("store.map_size"), "1MiB").value.integer, 1 << 20);
  EXPECT_EQ(parseScalar(spec("store.map_size"), "1TiB").value.integer, 1ll << 40);
  EXPECT_EQ(parseError("store.map_size", "1023KiB"),
            "must be between 1MiB and 1TiB (got \"1023KiB\")");
  EXPECT_EQ(parseError("store.map_size", "99999999999TiB"),
            "must be between 1MiB and 1TiB (got \"99999999999TiB\")");
  EXPECT_EQ(parseError("store.map_size", "256MB"),
            "expected a size such as 512, 64KiB, 256MiB or 8GiB (got \"256MB\")");
  EXPECT_EQ(parseScalar(spec("smpp.links[].enquire_link_interval"), "5s").value.integer, 5000);
  EXPECT_EQ(parseScalar(spec("smpp.links[].enquire_link_interval"), "5m").value.integer, 300000);
  EXPECT_EQ(parseError("smpp.links[].enquire_link_interval", "4999ms"),
            "must be between 5s and 300s (got \"4999ms\")");
  EXPECT_EQ(parseError("smpp.links[].enquire_link_interval", "301s"),
            "must be between 5s and 300s (got \"301s\")");
  EXPECT_EQ(parseError("shutdown.drain_timeout", "30"),
            "expected a duration such as 500ms, 30s, 5m or 1h (got \"30\")");
  EXPECT_EQ(parseError("shutdown.drain_timeout", "121s"),
            "must be between 1s and 120s (got \"121s\")");
}

TEST(ConfigSchema, BoolEnumAndStrings) {
  EXPECT_TRUE(parseScalar(spec("log.mask_msisdn"), "true").value.boolean);
  EXPECT_FALSE(parseScalar(spec("log.mask_msisdn"), "false").value.boolean);
  EXPECT_EQ(parseError("log.mask_msisdn", "yes"), "expected true or false (got \"yes\")");
  for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    EXPECT_TRUE(parseScalar(spec("log.level"), level).ok()) << level;
    EXPECT_TRUE(parseScalar(spec("log.smpp"), level).ok()) << level;
  }
  EXPECT_TRUE(parseScalar(spec("log.smpp"), "").ok());
  EXPECT_EQ(parseError("log.level", ""),
            "must be one of trace, debug, info, warn, error, critical, off (got \"\")");
  EXPECT_EQ(parseError("log.level", "warning"),
            "must be one of trace, debug, info, warn, error, critical, off (got \"warning\")");
  EXPECT_EQ(parseError("smpp.links[].system_id", "abcdefghijklmnop"),
            "value must be 1 to 15 characters long (got 16)");
  EXPECT_EQ(parseError("smpp.links[].system_id", "caf\xc3\xa9"),
            "must be printable ASCII (SMPP 3.4 C-Octet string) (got \"caf\xc3\xa9\")");
  EXPECT_EQ(parseError("smpp.links[].name", ""), "value must be 1 to 32 characters long (got 0)");
  EXPECT_EQ(parseError("store.path", ""), "must not be empty");
  // Control characters are escaped and long values cut short in messages.
  EXPECT_EQ(parseError("log.level", "a\nb"),
            "must be one of trace, debug, info, warn, error, critical, off (got \"a\\x0ab\")");
  EXPECT_THAT(parseError("log.level", std::string(100, 'x')), HasSubstr("xxx...\")"));
}

TEST(ConfigSchema, HostPort) {
  for (const char* good : {"127.0.0.1:8470", "localhost:0", "[::1]:8470", "gw.example.org:65535"}) {
    EXPECT_TRUE(parseScalar(spec("admin.listen"), good).ok()) << good;
  }
  for (const char* bad : {"", "127.0.0.1", ":8470", "127.0.0.1:", "127.0.0.1:65536", "::1:8470",
                          "[::1]8470", "host:80a", "a b:80", "[]:80"}) {
    EXPECT_THAT(parseError("admin.listen", bad), HasSubstr("expected host:port")) << bad;
  }
}

TEST(ConfigSchema, ServiceCodeAndRegion) {
  for (const char* good : {"*123#", "*384*12#", "*1*2*3#"}) {
    EXPECT_TRUE(parseScalar(spec("menus.service_code"), good).ok()) << good;
  }
  for (const char* bad : {"123#", "*123", "*##", "**123#", "*123*#", "*12a#"}) {
    EXPECT_THAT(parseError("menus.service_code", bad), HasSubstr("must look like *123#")) << bad;
  }
  EXPECT_TRUE(parseScalar(spec("phone.default_region"), "TZ").ok());
  EXPECT_THAT(parseError("phone.default_region", "UK"), HasSubstr("\"GB\""));
  EXPECT_THAT(parseError("phone.default_region", "XX"), HasSubstr("ISO 3166-1"));
  EXPECT_THAT(parseError("phone.default_region", "ke"), HasSubstr("ISO 3166-1"));
}

TEST(ConfigSchema, SecretLengthMessageHidesTheSecret) {
  const std::string e = checkSecretLength(spec("smpp.links[].password_file"), Secret("123456789"));
  EXPECT_EQ(e, "secret must be 0 to 8 characters long (got 9)");
  EXPECT_EQ(checkSecretLength(spec("smpp.links[].password_file"), Secret("12345678")), "");
}

TEST(ConfigSchema, CrossFieldRules) {
  GatewayConfig c;
  EXPECT_TRUE(checkCrossFieldRules(c).empty());
  c.store.maxMapSize = c.store.mapSize - 1;
  c.smpp.links.resize(3);
  c.smpp.links[0].name = "a";
  c.smpp.links[1].name = "b";
  c.smpp.links[2].name = "a";
  c.smpp.links[1].responseTimeout = c.smpp.links[1].enquireLinkInterval;
  const auto v = checkCrossFieldRules(c);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].path, "store.max_map_size");
  EXPECT_EQ(v[1].path, "smpp.links[1].response_timeout");
  EXPECT_EQ(v[2].path, "smpp.links[2].name");
  EXPECT_EQ(v[2].message, "duplicate link name \"a\" (also smpp.links[0])");
}

// ---- renderers ----

TEST(ConfigSchema, HelpConfigHasOneBlockPerSetting) {
  const std::string help = renderHelpConfig();
  for (const auto& s : settingsTable()) {
    EXPECT_THAT(help, HasSubstr("\n" + std::string(s.path) + "\n  type: ")) << s.path;
  }
  EXPECT_THAT(help, HasSubstr("smpp.links[].enquire_link_interval\n  type: duration   default: "
                              "30s   range: 5s .. 300s\n"));
  EXPECT_THAT(help, HasSubstr("log.level\n  type: enum   default: info   values: trace, debug, "
                              "info, warn, error, critical, off\n"));
  EXPECT_THAT(help, HasSubstr("smpp.links[].host\n  type: string   default: required"));
}

TEST(ConfigSchema, EffectiveConfigShowsDefaultsAndHidesSecrets) {
  GatewayConfig c;
  c.admin.tokenFile = "/etc/mfi-gateway/admin.token";
  c.admin.token = Secret("do-not-print-me");
  c.smpp.links.emplace_back();
  c.smpp.links[0].name = "mno-a";
  c.smpp.links[0].passwordFile = "/etc/mfi-gateway/mno-a.pw";
  c.smpp.links[0].password = Secret("pw-also-hidden");
  const std::string y = renderEffectiveConfig(c);
  EXPECT_THAT(y, Not(HasSubstr("do-not-print-me")));
  EXPECT_THAT(y, Not(HasSubstr("pw-also-hidden")));
  EXPECT_THAT(y, HasSubstr("token_file: \"/etc/mfi-gateway/admin.token\"  # content: ***"));
  EXPECT_THAT(y, HasSubstr("map_size: 256MiB"));
  EXPECT_THAT(y, HasSubstr("enquire_link_interval: 30s"));
  EXPECT_THAT(y, HasSubstr("service_code: \"*123#\""));
  EXPECT_THAT(y, HasSubstr("  links:\n    - name: mno-a\n"));
  EXPECT_THAT(renderEffectiveConfig(GatewayConfig{}), HasSubstr("links: []"));
}

// docs/configuration.md is generated; this keeps the checked-in copy from drifting.
TEST(ConfigDocs, MarkdownIsUpToDate) {
  const std::string path = std::string(MFIGW_SOURCE_DIR) + "/docs/configuration.md";
  const std::string rendered = renderConfigMarkdown();
  const char* regenerate = std::getenv("MFIGW_REGENERATE");
  if (regenerate != nullptr && std::string(regenerate) == "1") {
    std::ofstream(path, std::ios::binary) << rendered;
  }
  std::ifstream in(path, std::ios::binary);
  const std::string checkedIn{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(checkedIn, rendered)
      << "docs/configuration.md is out of date. Regenerate it with:\n  MFIGW_REGENERATE=1 "
         "<build>/tests/gateway/gateway_test --gtest_filter='ConfigDocs.*'";
}

TEST(ConfigDocs, MarkdownHasARowPerSetting) {
  const std::string md = renderConfigMarkdown();
  for (const auto& s : settingsTable()) {
    EXPECT_THAT(md, HasSubstr("| `" + std::string(s.path) + "` |")) << s.path;
  }
  EXPECT_THAT(md, HasSubstr("| `smpp.links[].host` | string | *required* |"));
}

}  // namespace
}  // namespace mfigw::gateway
