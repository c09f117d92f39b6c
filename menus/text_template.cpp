// `{var}` templates: a small scanner, no regex (menu texts are parsed for every language of
// every screen at load time).
#include "menus/text_template.hpp"

namespace mfigw::menus {

namespace {

bool isNameStart(char c) {
  return c >= 'a' && c <= 'z';
}
bool isNameChar(char c) {
  return isNameStart(c) || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::vector<std::string> TextTemplate::variables() const {
  std::vector<std::string> out;
  for (const auto& part : parts)
    if (part.variable) out.push_back(part.text);
  return out;
}

bool TextTemplate::hasVariables() const {
  for (const auto& part : parts)
    if (part.variable) return true;
  return false;
}

TemplateParse parseTemplate(std::string_view text) {
  TemplateParse result;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) result.value.parts.push_back(TemplatePart{false, std::move(literal)});
    literal.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      result.error = "unmatched '}' (write '}}' for a literal brace)";
      return result;
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) {
      result.error = "unclosed '{' (write '{{' for a literal brace)";
      return result;
    }
    const std::string_view name = text.substr(i + 1, close - i - 1);
    bool valid = !name.empty() && isNameStart(name.front());
    for (const char n : name)
      valid = valid && isNameChar(n);
    if (!valid) {
      result.error = "bad variable name '{" + std::string(name) +
                     "}' (lower-case letters, digits and '_', starting with a letter)";
      return result;
    }
    flush();
    result.value.parts.push_back(TemplatePart{true, std::string(name)});
    i = close;
  }
  flush();
  return result;
}

std::string renderTemplate(const TextTemplate& tmpl, const VariableText& value) {
  std::string out;
  for (const auto& part : tmpl.parts)
    out += part.variable ? value(part.text) : part.text;
  return out;
}

}  // namespace mfigw::menus
