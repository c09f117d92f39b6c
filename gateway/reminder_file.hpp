// gateway/reminder_file.hpp: loading reminders.yaml (rules, windows, caps, languages,
// templates) with every mistake reported at FILE:LINE:COL.
//
// Purpose:   The operator's one file for SMS reminders (the shipped one is
//            menus/mfi/reminders.yaml; its comments document every key). The loader is
//            strict: unknown keys, wrong kinds, bad times/dates/durations, unknown time
//            zones, rules out of range or repeated, products naming no rule set, templates
//            missing a language, naming a variable their kind does not have, missing
//            {already_paid} (installment kinds), or failing the lint (one GSM-7 segment of
//            160 septets, or one UCS-2 segment of 70 units, with every variable at its
//            declared maximum) are all collected before it fails.
//            Each error reads "FILE:LINE:COL: key.path: message"; the column counts
//            characters (yaml-cpp counts bytes), as an editor shows a line of Arabic.
// Threading: No shared state; call from any thread.
// Errors:    Never throws for any input: yaml-cpp exceptions become errors.
// Ownership: The result owns its policy and templates.
#pragma once

#include "gateway/config_loader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/reminder_rules.hpp"
#include "gateway/reminder_templates.hpp"

namespace mfigw::gateway {

// The config file's error type: same position rules, same "FILE:LINE:COL: path: message".
using ReminderFileError = ConfigError;

struct ReminderConfig {
  std::string version;
  ReminderPolicy policy;
  ReminderTemplates templates;
};

struct ReminderLoadResult {
  std::optional<ReminderConfig> config;   // set only when there is no error
  std::vector<ReminderFileError> errors;  // in file order

  bool ok() const { return errors.empty() && config.has_value(); }
  // One error per line.
  std::string errorText() const;
};

ReminderLoadResult loadReminderFile(const std::string& path);
ReminderLoadResult loadReminderText(std::string_view yaml, const std::string& displayName);

}  // namespace mfigw::gateway
