#include "gateway/msisdn_mask.hpp"

#include <cstddef>

namespace mfigw::gateway {

std::string maskMsisdn(std::string_view msisdn) {
  std::string out(msisdn);
  const std::size_t start = (!out.empty() && out.front() == '+') ? 1 : 0;
  const std::size_t digits = out.size() - start;
  // Keep a country-code-sized prefix only when the number is long enough that the
  // prefix and the last two digits still hide most of it.
  const std::size_t keepHead = digits >= 10 ? 3 : 0;
  const std::size_t keepTail = digits >= 4 ? 2 : 0;
  for (std::size_t i = start + keepHead; i + keepTail < out.size(); ++i) {
    out[i] = '*';
  }
  return out;
}

}  // namespace mfigw::gateway
