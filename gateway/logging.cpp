#include "gateway/logging.hpp"

#include <array>
#include <cstdlib>
#include <utility>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace mfigw::gateway {
namespace {

// "%*" in a pattern: the sd-daemon(3) priority prefix ("<3>" for error) that journald
// turns into the entry's PRIORITY, so `journalctl -p warning` works.
class SyslogPriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr std::array<std::string_view, 7> kPrefix = {
        "<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};  // trace..critical, off
    const auto index = static_cast<std::size_t>(msg.level);
    const std::string_view prefix = index < kPrefix.size() ? kPrefix[index] : "<6>";
    dest.append(prefix.data(), prefix.data() + prefix.size());
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SyslogPriorityFlag>();
  }
};

spdlog::sink_ptr sharedStderrSink() {
  static const spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  return sink;
}

}  // namespace

LogStyle detectLogStyle() {
  return std::getenv("JOURNAL_STREAM") != nullptr ? LogStyle::Journal : LogStyle::Terminal;
}

bool parseLogLevel(std::string_view name, spdlog::level::level_enum& out) {
  static constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 7> kLevels = {
      {
          {"trace", spdlog::level::trace},
          {"debug", spdlog::level::debug},
          {"info", spdlog::level::info},
          {"warn", spdlog::level::warn},
          {"error", spdlog::level::err},
          {"critical", spdlog::level::critical},
          {"off", spdlog::level::off},
      }};
  for (const auto& [text, level] : kLevels) {
    if (text == name) {
      out = level;
      return true;
    }
  }
  return false;
}

Loggers::Loggers(LogStyle style)
    : smpp_(make("smpp", style)),
      store_(make("store", style)),
      menus_(make("menus", style)),
      gateway_(make("gateway", style)),
      http_(make("http", style)) {}

std::shared_ptr<spdlog::logger> Loggers::make(const std::string& name, LogStyle style) {
  auto logger = std::make_shared<spdlog::logger>(name, sharedStderrSink());
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (style == LogStyle::Journal) {
    formatter->add_flag<SyslogPriorityFlag>('*').set_pattern("%*%n: %v");
  } else {
    formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l %n: %v");
  }
  logger->set_formatter(std::move(formatter));
  // Errors must reach the journal even if the process dies right after.
  logger->flush_on(spdlog::level::warn);
  return logger;
}

void Loggers::applyLevels(const LogConfig& config) {
  // The loader has validated the names; an unknown one keeps the default.
  spdlog::level::level_enum base = spdlog::level::info;
  (void)parseLogLevel(config.level, base);
  const auto apply = [base](spdlog::logger& logger, const std::string& override) {
    spdlog::level::level_enum level = base;
    if (!override.empty()) {
      (void)parseLogLevel(override, level);
    }
    logger.set_level(level);
  };
  apply(*smpp_, config.smpp);
  apply(*store_, config.store);
  apply(*menus_, config.menus);
  apply(*gateway_, config.gateway);
  apply(*http_, config.http);
}

}  // namespace mfigw::gateway
