// menus/text_template.hpp: `{var}` templates, parsed once at load time.
//
// Purpose:   Menu texts name variables in braces: "Balance {balance} as of {as_of}".
//            `{{` and `}}` stand for literal braces. Parsing checks the syntax and lists
//            the variables, so the loader can check each is declared; rendering asks a
//            callback for each variable's (already formatted) value.
// Threading: Pure functions; safe from any thread.
// Errors:    parseTemplate() returns an error message for a malformed template.
// Ownership: Templates own their parts.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::menus {

struct TemplatePart {
  bool variable = false;
  std::string text;  // literal text, or the variable name
};

struct TextTemplate {
  std::vector<TemplatePart> parts;

  [[nodiscard]] std::vector<std::string> variables() const;
  [[nodiscard]] bool hasVariables() const;
};

struct TemplateParse {
  TextTemplate value;
  std::string error;  // empty when the template is well-formed
};

// Variable names are [a-z0-9_], starting with a letter.
TemplateParse parseTemplate(std::string_view text);

using VariableText = std::function<std::string(std::string_view name)>;
std::string renderTemplate(const TextTemplate& tmpl, const VariableText& value);

}  // namespace mfigw::menus
