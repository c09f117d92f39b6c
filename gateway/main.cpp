// mfi-gatewayd: the daemon's entry point. Parses argv, then hands over to Daemon.
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/config_loader.hpp"
#include "gateway/config_schema.hpp"
#include "gateway/daemon.hpp"
#include "gateway/ussd_page_measure.hpp"
#include "menus/menu_loader.hpp"

namespace {

constexpr std::string_view kDefaultConfig = "/etc/mfi-gateway/gateway.yaml";

constexpr std::string_view kUsage =
    "usage: mfi-gatewayd [--config FILE] [--state-dir DIR] [--menus-dir DIR] [--foreground]\n"
    "       mfi-gatewayd --check-config FILE\n"
    "       mfi-gatewayd --check-menus FILE\n"
    "       mfi-gatewayd --help-config | --version | --help\n"
    "\n"
    "  --config FILE       configuration (default /etc/mfi-gateway/gateway.yaml)\n"
    "  --state-dir DIR     use DIR for the LMDB store instead of store.path\n"
    "  --menus-dir DIR     load DIR/menu.yaml instead of menus.dir's\n"
    "  --foreground        accepted for compatibility; the daemon never forks\n"
    "  --check-config FILE validate FILE, print every error as FILE:LINE:COL: key: message,\n"
    "                      exit 0 when valid and 1 otherwise\n"
    "  --check-menus FILE  validate a USSD menu tree: every error as FILE:LINE:COL: message\n"
    "                      (dangling targets, missing translations, pages over budget...)\n"
    "  --help-config       every setting with its type, default, bounds and help\n"
    "\n"
    "Signals: SIGHUP reloads the configuration; SIGTERM or SIGINT drains and stops.\n";

int checkConfig(const std::string& path) {
  const mfigw::gateway::ConfigResult result = mfigw::gateway::loadConfigFile(path);
  if (!result.ok()) {
    std::cerr << result.errorText();
    std::cerr << path << ": " << result.errors.size() << " error(s)\n";
    return 1;
  }
  std::cout << path << ": ok\n";
  return 0;
}

int checkMenus(const std::string& path) {
  const auto errors = mfigw::menus::checkMenuFile(path, mfigw::gateway::ussdPageMeasure());
  for (const auto& error : errors)
    std::cerr << error.toString() << "\n";
  if (!errors.empty()) {
    std::cerr << path << ": " << errors.size() << " error(s)\n";
    return 1;
  }
  std::cout << path << ": ok\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  mfigw::gateway::DaemonOptions options;
  options.configPath = std::string(kDefaultConfig);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) {
        std::cerr << "mfi-gatewayd: " << arg << " needs a value\n" << kUsage;
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--version") {
      std::cout << "mfi-gatewayd " << MFIGW_VERSION << "\n";
      return 0;
    }
    if (arg == "--help-config") {
      std::cout << mfigw::gateway::renderHelpConfig();
      return 0;
    }
    if (arg == "--foreground") continue;
    if (arg == "--check-config") {
      const auto path = value();
      return path ? checkConfig(*path) : 2;
    }
    if (arg == "--check-menus") {
      const auto path = value();
      return path ? checkMenus(*path) : 2;
    }
    if (arg == "--config") {
      const auto path = value();
      if (!path) return 2;
      options.configPath = *path;
    } else if (arg == "--state-dir") {
      const auto dir = value();
      if (!dir) return 2;
      options.stateDir = *dir;
    } else if (arg == "--menus-dir") {
      const auto dir = value();
      if (!dir) return 2;
      options.menusDir = *dir;
    } else {
      std::cerr << "mfi-gatewayd: unknown argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }

  try {
    mfigw::gateway::Daemon daemon(options);
    try {
      daemon.start();
    } catch (const std::exception& e) {
      // One line for the operator (journalctl shows it as the reason for the failure).
      std::cerr << "mfi-gatewayd: cannot start: " << e.what() << "\n";
      return 1;
    }
    return daemon.run();
  } catch (const std::exception& e) {
    std::cerr << "mfi-gatewayd: fatal: " << e.what() << "\n";
    return 1;
  }
}
