// Session encoding, format 1:
//   u8 format(=1) | str treeVersion | str screen | str language | varint page | varint steps
//   | u8 ended | varint nVars, (str name, str value)* | varint nBack, (str screen, varint page)*
// where str = varint length + bytes, varint = LEB128 (at most 5 bytes, 32 bits).
#include "menus/session.hpp"

namespace mfigw::menus {

namespace {

// Generous bounds: a session holds a few short inputs; anything larger is corrupt.
constexpr std::size_t kMaxString = 4096;
constexpr std::size_t kMaxVars = 256;

void putVarint(std::string& out, uint32_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

void putString(std::string& out, std::string_view s) {
  putVarint(out, static_cast<uint32_t>(s.size()));
  out += s;
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool byte(uint8_t& out) {
    if (at_ >= bytes_.size()) return false;
    out = static_cast<uint8_t>(bytes_[at_++]);
    return true;
  }
  bool varint(uint32_t& out) {
    out = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      uint8_t b = 0;
      if (!byte(b)) return false;
      if (shift == 28 && (b & 0xF0) != 0) return false;  // beyond 32 bits
      out |= static_cast<uint32_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool string(std::string& out) {
    uint32_t size = 0;
    if (!varint(size) || size > kMaxString || size > bytes_.size() - at_) return false;
    out.assign(bytes_.substr(at_, size));
    at_ += size;
    return true;
  }
  [[nodiscard]] bool done() const { return at_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

}  // namespace

std::string encodeSession(const Session& session) {
  std::string out;
  out += static_cast<char>(kSessionFormat);
  putString(out, session.treeVersion);
  putString(out, session.screen);
  putString(out, session.language);
  putVarint(out, session.page);
  putVarint(out, session.steps);
  out += static_cast<char>(session.ended ? 1 : 0);
  putVarint(out, static_cast<uint32_t>(session.vars.size()));
  for (const auto& [name, value] : session.vars) {
    putString(out, name);
    putString(out, value);
  }
  putVarint(out, static_cast<uint32_t>(session.backStack.size()));
  for (const auto& entry : session.backStack) {
    putString(out, entry.screen);
    putVarint(out, entry.page);
  }
  return out;
}

std::optional<Session> decodeSession(std::string_view bytes) {
  Reader in(bytes);
  Session s;
  uint8_t format = 0;
  uint8_t ended = 0;
  uint32_t count = 0;
  if (!in.byte(format) || format != kSessionFormat) return std::nullopt;
  if (!in.string(s.treeVersion) || !in.string(s.screen) || !in.string(s.language) ||
      !in.varint(s.page) || !in.varint(s.steps) || !in.byte(ended) || ended > 1 ||
      !in.varint(count) || count > kMaxVars) {
    return std::nullopt;
  }
  s.ended = ended == 1;
  for (uint32_t i = 0; i < count; ++i) {
    std::string name;
    std::string value;
    if (!in.string(name) || !in.string(value)) return std::nullopt;
    // Names are written from a std::map, so they arrive sorted and unique.
    if (!s.vars.empty() && !(s.vars.rbegin()->first < name)) return std::nullopt;
    s.vars.emplace_hint(s.vars.end(), std::move(name), std::move(value));
  }
  if (!in.varint(count) || count > kMaxBackStack) return std::nullopt;
  s.backStack.resize(count);
  for (auto& entry : s.backStack)
    if (!in.string(entry.screen) || !in.varint(entry.page)) return std::nullopt;
  if (!in.done()) return std::nullopt;
  return s;
}

}  // namespace mfigw::menus
