#include "gateway/config_loader.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/config_schema.hpp"

namespace mfigw::gateway {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kTestdata = std::string(MFIGW_SOURCE_DIR) + "/tests/gateway/testdata/config/";

std::vector<std::string> errorStrings(const ConfigResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors)
    out.push_back(e.toString());
  return out;
}

// A private directory for files whose mode matters (git checks everything out 0644).
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "mfigw-config-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const fs::path& path() const { return path_; }

  fs::path write(const std::string& name, const std::string& content, fs::perms mode) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    fs::permissions(p, mode);
    return p;
  }

 private:
  fs::path path_;
};

constexpr auto kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;
constexpr auto kWorldReadable = kOwnerOnly | fs::perms::group_read | fs::perms::others_read;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---- defaults and the error format ----

TEST(ConfigLoader, EmptyTextMeansAllDefaults) {
  for (const std::string text : {"", "\n", "# only a comment\n", "---\n", "~\n"}) {
    const auto r = loadConfigText(text, "gateway.yaml");
    EXPECT_TRUE(r.ok()) << text << "\n" << r.errorText();
    EXPECT_EQ(renderEffectiveConfig(r.config), renderEffectiveConfig(GatewayConfig{}));
    EXPECT_EQ(r.config.store.mapSize, 256ull << 20);
    EXPECT_EQ(r.config.admin.listen, "127.0.0.1:8470");
    EXPECT_TRUE(r.config.smpp.links.empty());
  }
}

TEST(ConfigLoader, EmptySectionsAreAllowed) {
  const auto r = loadConfigText("log:\nstore:\n  # nothing yet\nsmpp:\n  links:\n", "g.yaml");
  EXPECT_TRUE(r.ok()) << r.errorText();
}

TEST(ConfigLoader, ErrorToStringFormat) {
  EXPECT_EQ((ConfigError{"/etc/g.yaml", 14, 7, "smpp.links[0].tps", "too big"}).toString(),
            "/etc/g.yaml:14:7: smpp.links[0].tps: too big");
  EXPECT_EQ((ConfigError{"/etc/g.yaml", 3, 1, "", "bad yaml"}).toString(),
            "/etc/g.yaml:3:1: bad yaml");
  EXPECT_EQ((ConfigError{"/etc/g.yaml", 0, 0, "", "cannot read"}).toString(),
            "/etc/g.yaml: cannot read");
}

// ---- every field ----

TEST(ConfigLoader, FullFileSetsEveryField) {
  TempDir dir;
  dir.write("gateway.yaml", readFile(kTestdata + "full.yaml"), kOwnerOnly);
  dir.write("admin.token", "0123456789abcdef-token\n", kOwnerOnly);
  dir.write("secrets/mno-a.password", "s3cr3t\n", kOwnerOnly);
  dir.write("secrets/upstream.token", "upstream-bearer-token\n", kOwnerOnly);
  dir.write("secrets/upstream.password", "upstream-pw\n", kOwnerOnly);
  dir.write("secrets/ussd.key", "aggregator-key-0123456789\n", kOwnerOnly);
  const auto r = loadConfigFile((dir.path() / "gateway.yaml").string());
  ASSERT_TRUE(r.ok()) << r.errorText();
  EXPECT_EQ(r.config.ussd.idleTimeout, Duration{45000});
  EXPECT_EQ(r.config.ussd.dialogCap, Duration{240000});
  EXPECT_EQ(r.config.ussd.resumeWindow, Duration{0});
  EXPECT_EQ(r.config.ussd.httpKey.reveal(), "aggregator-key-0123456789");
  EXPECT_EQ(r.config.ussd.pinMaxTries, 5u);
  EXPECT_EQ(r.config.ussd.pinLockout, Duration{2 * 3600000});
  ASSERT_EQ(r.config.ussd.dialects.size(), 1u);
  const UssdDialectConfig& dialect = r.config.ussd.dialects[0];
  EXPECT_EQ(dialect.name, "comverse");
  EXPECT_EQ(dialect.beginOps, (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(dialect.continueOps, (std::vector<std::uint32_t>{0x12, 2}));
  EXPECT_EQ(dialect.endOps, (std::vector<std::uint32_t>{0x80}));
  EXPECT_EQ(dialect.abortOps, (std::vector<std::uint32_t>{0x81, 65}));
  EXPECT_EQ(dialect.replyContinueOp, 0x82u);
  EXPECT_EQ(dialect.replyEndOp, 0x83u);
  EXPECT_EQ(dialect.sessionKey, "tlv");
  EXPECT_EQ(dialect.sessionTlv, 0x1501u);
  EXPECT_EQ(dialect.serviceCode, "tlv");
  EXPECT_EQ(dialect.serviceCodeTlv, 0x1502u);
  EXPECT_EQ(dialect.replyWith, "data_sm");
  EXPECT_EQ(dialect.dataCoding, "latin1");
  const GatewayConfig& c = r.config;
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.smpp, "trace");
  EXPECT_EQ(c.log.store, "warn");
  EXPECT_EQ(c.log.menus, "error");
  EXPECT_EQ(c.log.gateway, "critical");
  EXPECT_EQ(c.log.http, "off");
  EXPECT_FALSE(c.log.maskMsisdn);
  EXPECT_EQ(c.store.path, (dir.path() / "state").string());  // relative to the file
  EXPECT_EQ(c.store.mapSize, 512ull << 20);
  EXPECT_EQ(c.store.maxMapSize, 2ull << 30);
  EXPECT_EQ(c.store.sessionMapSize, 16ull << 20);
  EXPECT_EQ(c.store.sessionSyncInterval, Duration{250});
  EXPECT_EQ(c.store.groupCommitMaxBatch, 64u);
  EXPECT_EQ(c.admin.listen, "[::1]:9000");
  EXPECT_EQ(c.admin.tokenFile, (dir.path() / "admin.token").string());
  EXPECT_EQ(c.admin.token.reveal(), "0123456789abcdef-token");
  EXPECT_EQ(c.admin.bodyLimit, 1ull << 20);
  EXPECT_EQ(c.admin.readTimeout, Duration{2000});
  EXPECT_EQ(c.admin.maxConnections, 8u);
  EXPECT_TRUE(c.smpp.simulator);
  ASSERT_EQ(c.smpp.links.size(), 2u);
  const SmppLinkConfig& a = c.smpp.links[0];
  EXPECT_EQ(a.name, "mno-a");
  EXPECT_EQ(a.host, "smsc.example.org");
  EXPECT_EQ(a.port, 3775);
  EXPECT_EQ(a.systemId, "mfi01");
  EXPECT_EQ(a.passwordFile, (dir.path() / "secrets/mno-a.password").string());
  EXPECT_EQ(a.password.reveal(), "s3cr3t");
  EXPECT_EQ(a.systemType, "USSD");
  EXPECT_EQ(a.bindMode, "pair");
  EXPECT_EQ(a.window, 32u);
  EXPECT_EQ(a.tps, 50u);
  EXPECT_EQ(a.enquireLinkInterval, Duration{60000});
  EXPECT_EQ(a.responseTimeout, Duration{5000});
  EXPECT_TRUE(a.tls);
  EXPECT_EQ(a.tlsCaFile, (dir.path() / "certs/operator-ca.pem").string());
  EXPECT_FALSE(a.tlsVerify);
  EXPECT_EQ(a.tlsServerName, "smsc.operator.example");
  EXPECT_EQ(a.tlsCertFile, (dir.path() / "certs/client.pem").string());
  EXPECT_EQ(a.tlsKeyFile, "/etc/mfi-gateway/client.key");
  EXPECT_EQ(a.receiptIdFormat, "hex_to_decimal");
  EXPECT_EQ(a.split, "sar");
  EXPECT_TRUE(a.latin1);
  EXPECT_EQ(a.ussdDialect, "comverse");
  // The second link keeps the per-item defaults.
  const SmppLinkConfig& b = c.smpp.links[1];
  EXPECT_EQ(b.name, "mno-b");
  EXPECT_EQ(b.port, 2775);
  EXPECT_EQ(b.bindMode, "transceiver");
  EXPECT_TRUE(b.password.empty());
  EXPECT_EQ(b.passwordFile, "");
  EXPECT_EQ(b.tlsCaFile, "");
  EXPECT_TRUE(b.tlsVerify);
  EXPECT_EQ(b.split, "udh8");
  EXPECT_EQ(b.ussdDialect, "smpp34");
  EXPECT_EQ(c.sms.source, "MFI Bank");
  EXPECT_EQ(c.sms.maxParts, 3u);
  EXPECT_TRUE(c.sms.transliterate);
  EXPECT_EQ(c.sms.retryMin, Duration{10000});
  EXPECT_EQ(c.sms.retryMax, Duration{600000});
  EXPECT_EQ(c.sms.keepFinal, Duration{48LL * 3600 * 1000});
  EXPECT_EQ(c.menus.dir, "/opt/menus");
  EXPECT_EQ(c.menus.serviceCode, "*384*12#");
  EXPECT_EQ(c.phone.defaultRegion, "UG");
  const UpstreamConfig& up = c.upstream;
  EXPECT_TRUE(up.enabled);
  EXPECT_EQ(up.url, "https://sync.mfi.example:8443/api/");
  EXPECT_EQ(up.auth, "basic");
  EXPECT_EQ(up.tokenFile, (dir.path() / "secrets/upstream.token").string());
  EXPECT_EQ(up.token.reveal(), "upstream-bearer-token");
  EXPECT_EQ(up.username, "gateway-01");
  EXPECT_EQ(up.passwordFile, (dir.path() / "secrets/upstream.password").string());
  EXPECT_EQ(up.password.reveal(), "upstream-pw");
  EXPECT_EQ(up.interval, Duration{300000});
  EXPECT_EQ(up.reconcileInterval, Duration{12 * 3600000});
  EXPECT_EQ(up.backoffMin, Duration{2000});
  EXPECT_EQ(up.backoffMax, Duration{600000});
  EXPECT_EQ(up.timeout, Duration{20000});
  EXPECT_EQ(up.pageSize, 1000u);
  EXPECT_EQ(up.pushBatch, 50u);
  EXPECT_EQ(up.tlsCaFile, (dir.path() / "certs/upstream-ca.pem").string());
  EXPECT_FALSE(up.tlsVerify);
  EXPECT_EQ(up.tlsServerName, "sync.mfi.example");
  EXPECT_EQ(up.tlsCertFile, (dir.path() / "certs/gateway.pem").string());
  EXPECT_EQ(up.tlsKeyFile, "/etc/mfi-gateway/gateway.key");
  EXPECT_EQ(c.shutdown.drainTimeout, Duration{30000});
}

TEST(ConfigLoader, EffectiveConfigRoundTripsAndHidesSecrets) {
  TempDir dir;
  dir.write("gateway.yaml", readFile(kTestdata + "full.yaml"), kOwnerOnly);
  dir.write("admin.token", "0123456789abcdef-token\n", kOwnerOnly);
  dir.write("secrets/mno-a.password", "s3cr3t\n", kOwnerOnly);
  dir.write("secrets/upstream.token", "upstream-bearer-token\n", kOwnerOnly);
  dir.write("secrets/upstream.password", "upstream-pw\n", kOwnerOnly);
  dir.write("secrets/ussd.key", "aggregator-key-0123456789\n", kOwnerOnly);
  const auto first = loadConfigFile((dir.path() / "gateway.yaml").string());
  ASSERT_TRUE(first.ok()) << first.errorText();
  const std::string rendered = renderEffectiveConfig(first.config);
  EXPECT_THAT(rendered, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(rendered, Not(HasSubstr("0123456789abcdef-token")));
  EXPECT_THAT(rendered, Not(HasSubstr("upstream-bearer-token")));
  EXPECT_THAT(rendered, Not(HasSubstr("upstream-pw")));
  EXPECT_THAT(rendered, HasSubstr("content: ***"));
  EXPECT_THAT(rendered, HasSubstr("no secret loaded"));  // mno-b has no password file

  const auto second = loadConfigText(rendered, (dir.path() / "effective.yaml").string());
  ASSERT_TRUE(second.ok()) << second.errorText() << rendered;
  EXPECT_EQ(renderEffectiveConfig(second.config), rendered);
  EXPECT_EQ(second.config.smpp.links.at(0).password.reveal(), "s3cr3t");
}

// ---- collected errors with positions ----

TEST(ConfigLoader, ThreeMistakesGiveThreeErrorsWithPositions) {
  const std::string file = kTestdata + "three_mistakes.yaml";
  const auto r = loadConfigFile(file);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(errorStrings(r),
              ElementsAre(file + ":5:3: store.mapsize: unknown key; did you mean 'map_size'?",
                          file + ":6:27: store.group_commit_max_batch: must be between 1 and "
                                 "100000 (got \"0\")",
                          file + ":8:20: admin.max_connections: expected an integer (got "
                                 "\"lots\")"));
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 5);
  EXPECT_EQ(r.errors[0].column, 3);
  EXPECT_EQ(r.errors[0].path, "store.mapsize");
}

TEST(ConfigLoader, DuplicateKeysAreRejected) {
  const std::string file = kTestdata + "duplicate_keys.yaml";
  const auto r = loadConfigFile(file);
  EXPECT_THAT(errorStrings(r),
              ElementsAre(file + ":3:3: store.map_size: duplicate key (first given at line 2)",
                          file + ":6:1: log: duplicate key (first given at line 4)"));
}

TEST(ConfigLoader, SyntaxErrorHasItsMark) {
  const std::string file = kTestdata + "bad_syntax.yaml";
  const auto r = loadConfigFile(file);
  ASSERT_EQ(r.errors.size(), 1u) << r.errorText();
  EXPECT_EQ(r.errors[0].file, file);
  // yaml-cpp reports where it notices the unclosed '[' of line 2: the ':' after "log".
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].column, 4);
  EXPECT_EQ(r.errors[0].path, "");
  EXPECT_THAT(r.errors[0].message, HasSubstr("sequence flow"));
}

TEST(ConfigLoader, UnquotedServiceCodeGetsAHint) {
  const auto r = loadConfigText("menus:\n  service_code: *123#\n", "g.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << r.errorText();
  EXPECT_THAT(r.errors[0].message, HasSubstr("must be quoted"));
  EXPECT_EQ(r.errors[0].line, 2);
}

TEST(ConfigLoader, OnlyOneDocument) {
  const auto r = loadConfigText("log:\n  level: info\n---\nlog:\n  level: debug\n", "g.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << r.errorText();
  EXPECT_THAT(r.errors[0].message, HasSubstr("one YAML document"));
}

// yaml-cpp 0.7's LoadAll spins forever on these (found by the fuzzer); we must not.
TEST(ConfigLoader, StrayFlowCharactersAreErrorsNotHangs) {
  EXPECT_THAT(errorStrings(loadConfigText(",", "g.yaml")),
              ElementsAre("g.yaml:1:1: unexpected ',' outside a list or map"));
  EXPECT_THAT(errorStrings(loadConfigText("# comment\n\n  ,\n", "g.yaml")),
              ElementsAre("g.yaml:3:3: unexpected ',' outside a list or map"));
  EXPECT_THAT(errorStrings(loadConfigText("log:\n  level: info\n,\n", "g.yaml")),
              ElementsAre("g.yaml:3:1: end of map not found"));
  EXPECT_THAT(errorStrings(loadConfigText("log:\n  level: info\n]\n", "g.yaml")),
              ElementsAre("g.yaml:3:1: illegal flow end"));
  EXPECT_FALSE(loadConfigText("}", "g.yaml").ok());
}

TEST(ConfigLoader, WrongNodeKinds) {
  const std::string text =
      "log: debug\n"  // 1: section given a scalar
      "store:\n"
      "  map_size: {a: 1}\n"         // 3: scalar given a map
      "  path: [a, b]\n"             // 4: scalar given a list
      "  group_commit_max_batch:\n"  // 5: scalar given nothing
      "smpp:\n"
      "  links: {name: a}\n"  // 7: list given a map
      "admin:\n"
      "  - listen\n";  // 9: section given a list
  const auto r = loadConfigText(text, "g.yaml");
  EXPECT_THAT(errorStrings(r),
              ElementsAre("g.yaml:1:6: log: expected a map of settings, got a scalar",
                          "g.yaml:3:13: store.map_size: expected a size, got a map",
                          "g.yaml:4:9: store.path: expected a path, got a list",
                          "g.yaml:5:3: store.group_commit_max_batch: expected an int, got no "
                          "value",
                          "g.yaml:7:10: smpp.links: expected a list, got a map",
                          "g.yaml:9:3: admin: expected a map of settings, got a list"));
}

TEST(ConfigLoader, TopLevelMustBeAMap) {
  const auto r = loadConfigText("just words\n", "g.yaml");
  EXPECT_THAT(errorStrings(r), ElementsAre("g.yaml:1:1: expected a map of settings, got a scalar"));
}

TEST(ConfigLoader, NonScalarKeyIsRejected) {
  const auto r = loadConfigText("? [a, b]\n: 1\n", "g.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << r.errorText();
  EXPECT_THAT(r.errors[0].message, HasSubstr("keys must be plain names"));
}

TEST(ConfigLoader, UnknownKeysWithAndWithoutSuggestion) {
  const auto r = loadConfigText(
      "store:\n  mapSize: 1MiB\n  colour: blue\nadmn:\n  listen: 1.2.3.4:5\n", "g.yaml");
  EXPECT_THAT(errorStrings(r),
              ElementsAre("g.yaml:2:3: store.mapSize: unknown key; did you mean 'map_size'?",
                          "g.yaml:3:3: store.colour: unknown key",
                          "g.yaml:4:1: admn: unknown key; did you mean 'admin'?"));
}

TEST(ConfigLoader, BoolIsOnlyTrueOrFalse) {
  EXPECT_TRUE(loadConfigText("smpp:\n  simulator: true\n", "g").config.smpp.simulator);
  for (const char* word : {"yes", "on", "1", "True", "y"}) {
    const auto r = loadConfigText(std::string("smpp:\n  simulator: ") + word + "\n", "g");
    ASSERT_EQ(r.errors.size(), 1u) << word;
    EXPECT_EQ(r.errors[0].message, std::string("expected true or false (got \"") + word + "\")");
  }
}

// ---- lists ----

TEST(ConfigLoader, ListItemMissingHostIsReportedAtTheItem) {
  const std::string file = kTestdata + "link_missing_host.yaml";
  const auto r = loadConfigFile(file);
  EXPECT_THAT(errorStrings(r),
              ElementsAre(file + ":6:7: smpp.links[1].host: missing required key"));
}

TEST(ConfigLoader, DuplicateLinkNamesAreRejected) {
  const std::string file = kTestdata + "duplicate_link_names.yaml";
  const auto r = loadConfigFile(file);
  EXPECT_THAT(errorStrings(r), ElementsAre(file + ":6:13: smpp.links[1].name: duplicate link "
                                                  "name \"mno-a\" (also smpp.links[0])"));
}

TEST(ConfigLoader, ListItemErrorsNameTheIndex) {
  const std::string text =
      "smpp:\n"
      "  links:\n"
      "    - name: a\n"
      "      host: h\n"
      "      system_id: s\n"
      "      window: 1000\n"               // 6: out of range
      "      enquire_link_interval: 2s\n"  // 7: out of range
      "    - plain scalar\n"               // 8: not a map
      "    - name: bad name\n"             // 9: check fails
      "      host: h\n"
      "      system_id: s\n"
      "      bind: both\n";  // 12: not in enum
  const auto r = loadConfigText(text, "g.yaml");
  EXPECT_THAT(
      errorStrings(r),
      ElementsAre("g.yaml:6:15: smpp.links[0].window: must be between 1 and 256 (got \"1000\")",
                  "g.yaml:7:30: smpp.links[0].enquire_link_interval: must be between 5s and "
                  "300s (got \"2s\")",
                  "g.yaml:8:7: smpp.links[1]: expected a map, got a scalar",
                  "g.yaml:9:13: smpp.links[2].name: may contain only letters, digits, '-', '_' "
                  "and '.' (got \"bad name\")",
                  "g.yaml:12:13: smpp.links[2].bind: must be one of transceiver, pair (got "
                  "\"both\")"));
}

TEST(ConfigLoader, ResponseTimeoutMustBeShorterThanEnquireLink) {
  const auto r = loadConfigText(
      "smpp:\n  links:\n    - name: a\n      host: h\n      system_id: s\n"
      "      enquire_link_interval: 10s\n      response_timeout: 10s\n",
      "g.yaml");
  EXPECT_THAT(errorStrings(r),
              ElementsAre("g.yaml:7:25: smpp.links[0].response_timeout: must be shorter than "
                          "enquire_link_interval (10s; got 10s)"));
}

// ---- cross-field rules ----

TEST(ConfigLoader, MaxMapSizeBelowMapSizeIsRejected) {
  const auto r = loadConfigText("store:\n  map_size: 1GiB\n  max_map_size: 512MiB\n", "g.yaml");
  EXPECT_THAT(errorStrings(r),
              ElementsAre("g.yaml:3:17: store.max_map_size: must be at least store.map_size "
                          "(1GiB; got 512MiB)"));
  // Only map_size given: the error points at the store section, where the other key goes.
  const auto r2 = loadConfigText("store:\n  map_size: 16GiB\n", "g.yaml");
  EXPECT_THAT(errorStrings(r2),
              ElementsAre("g.yaml:2:3: store.max_map_size: must be at least store.map_size "
                          "(16GiB; got 8GiB)"));
}

TEST(ConfigLoader, RuleIsSkippedWhenAnInputAlreadyFailed) {
  const auto r = loadConfigText("store:\n  map_size: 2TiB\n  max_map_size: 4MiB\n", "g.yaml");
  EXPECT_THAT(errorStrings(r), ElementsAre("g.yaml:2:13: store.map_size: must be between 1MiB "
                                           "and 1TiB (got \"2TiB\")"));
}

// ---- secret files ----

TEST(ConfigLoader, GoodSecretFileIsReadWithOneNewlineStripped) {
  TempDir dir;
  dir.write("token", "abcdefghijklmnopqrstuvwxyz\n\n", kOwnerOnly);
  dir.write("crlf", "abcdefghijklmnopqrstuvwxyz\r\n", kOwnerOnly);
  const std::string name = (dir.path() / "g.yaml").string();
  auto r = loadConfigText("admin:\n  token_file: token\n", name);
  ASSERT_TRUE(r.ok()) << r.errorText();
  EXPECT_EQ(r.config.admin.token.reveal(), "abcdefghijklmnopqrstuvwxyz\n");
  EXPECT_EQ(r.config.admin.tokenFile, (dir.path() / "token").string());
  r = loadConfigText("admin:\n  token_file: " + (dir.path() / "crlf").string() + "\n", "/x/g");
  ASSERT_TRUE(r.ok()) << r.errorText();
  EXPECT_EQ(r.config.admin.token.reveal(), "abcdefghijklmnopqrstuvwxyz");
}

TEST(ConfigLoader, WorldReadableSecretIsRejectedWithoutLeakingIt) {
  TempDir dir;
  const std::string secret = "TOPSECRET-pw-0123456789";
  const fs::path file = dir.write("admin.token", secret + "\n", kWorldReadable);
  const std::string name = (dir.path() / "g.yaml").string();
  const auto r = loadConfigText("admin:\n  token_file: admin.token\n", name);
  EXPECT_THAT(errorStrings(r), ElementsAre(name + ":2:15: admin.token_file: " + file.string() +
                                           " is readable by other users; chmod 600 it"));
  EXPECT_TRUE(r.config.admin.token.empty());
  EXPECT_THAT(r.errorText(), Not(HasSubstr("TOPSECRET")));
}

TEST(ConfigLoader, SecretErrorsNeverShowTheContent) {
  TempDir dir;
  const std::string secret = "TOPSECRET-too-long-for-smpp";
  dir.write("pw", secret, kOwnerOnly);
  dir.write("empty", "\n", kOwnerOnly);
  dir.write("short", "TOPSECRET", kOwnerOnly);
  dir.write("writable", "TOPSECRET-xxxxxxxxx", kOwnerOnly | fs::perms::others_write);
  fs::create_directory(dir.path() / "adir");
  const std::string text =
      "admin:\n"
      "  token_file: short\n"  // 2: under 16 characters
      "smpp:\n"
      "  links:\n"
      "    - name: a\n"
      "      host: h\n"
      "      system_id: s\n"
      "      password_file: pw\n"  // 8: over 8 characters
      "    - name: b\n"
      "      host: h\n"
      "      system_id: s\n"
      "      password_file: empty\n"  // 12
      "    - name: c\n"
      "      host: h\n"
      "      system_id: s\n"
      "      password_file: missing\n"  // 16
      "    - name: d\n"
      "      host: h\n"
      "      system_id: s\n"
      "      password_file: adir\n"  // 20
      "    - name: e\n"
      "      host: h\n"
      "      system_id: s\n"
      "      password_file: writable\n";  // 24
  const std::string name = (dir.path() / "g.yaml").string();
  const auto r = loadConfigText(text, name);
  const std::string d = dir.path().string();
  EXPECT_THAT(errorStrings(r),
              ElementsAre(name + ":2:15: admin.token_file: " + d +
                              "/short: secret must be 16 to 4096 characters long (got 9)",
                          name + ":8:22: smpp.links[0].password_file: " + d +
                              "/pw: secret must be 0 to 8 characters long (got 27)",
                          name + ":12:22: smpp.links[1].password_file: " + d + "/empty is empty",
                          name + ":16:22: smpp.links[2].password_file: cannot open " + d +
                              "/missing: No such file or directory",
                          name + ":20:22: smpp.links[3].password_file: " + d +
                              "/adir is not a regular file",
                          name + ":24:22: smpp.links[4].password_file: " + d +
                              "/writable is writable by other users; chmod 600 it"));
  EXPECT_THAT(r.errorText(), Not(HasSubstr("TOPSECRET")));
}

// ---- files ----

TEST(ConfigLoader, MissingFileIsOneErrorWithoutPosition) {
  const auto r = loadConfigFile("/nonexistent/mfi-gateway/gateway.yaml");
  EXPECT_THAT(errorStrings(r), ElementsAre("/nonexistent/mfi-gateway/gateway.yaml: cannot read: "
                                           "No such file or directory"));
}

TEST(ConfigLoader, NeverThrowsOnOddInput) {
  const std::vector<std::string> inputs = {std::string("\0\xff\xfe", 3),
                                           "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                                           "&a [*a]",
                                           "a: &x {b: *x}",
                                           "smpp: &s {links: [*s]}",
                                           "{{{",
                                           "key: \"unterminated",
                                           "- - - -",
                                           "? ? ?",
                                           "%YAML 9.9\n",
                                           std::string(5000, '['),
                                           "store: !!binary aGVsbG8=\n",
                                           "log: {level: [*]}\n"};
  for (const auto& text : inputs) {
    EXPECT_NO_THROW({
      const auto r = loadConfigText(text, "fuzz.yaml");
      (void)renderEffectiveConfig(r.config);
    }) << text.substr(0, 40);
  }
}

}  // namespace
}  // namespace mfigw::gateway
