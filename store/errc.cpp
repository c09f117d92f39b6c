#include "store/errc.hpp"

#include <string>

namespace mfigw::store {
namespace {

class StoreCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mfigw.store"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::map_full:
        return "store map is full (raise store map size or free space)";
      case errc::write_failed:
        return "store write failed";
      case errc::shutting_down:
        return "store writer is shutting down";
      case errc::queue_full:
        return "store write queue is full";
    }
    return "unknown store error " + std::to_string(value);
  }
};

}  // namespace

std::string_view toString(errc e) noexcept {
  switch (e) {
    case errc::map_full:
      return "map_full";
    case errc::write_failed:
      return "write_failed";
    case errc::shutting_down:
      return "shutting_down";
    case errc::queue_full:
      return "queue_full";
  }
  return "unknown";
}

const std::error_category& storeCategory() noexcept {
  static const StoreCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), storeCategory()};
}

}  // namespace mfigw::store
