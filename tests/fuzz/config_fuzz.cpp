// Fuzz target for the config loader: any bytes must give a ConfigResult, never a crash,
// a hang or an exception. Secret files named by an input are opened like any config would
// (regular files only, non-blocking), so the replay is safe on a developer's box.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/config_loader.hpp"
#include "gateway/config_schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const mfigw::gateway::ConfigResult result = mfigw::gateway::loadConfigText(text, "fuzz.yaml");
  // The renderers run on whatever the loader produced, valid or not.
  (void)result.errorText();
  (void)mfigw::gateway::renderEffectiveConfig(result.config);
  return 0;
}
