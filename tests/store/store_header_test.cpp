// The umbrella header compiles on its own and exposes the whole public API.
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <type_traits>

namespace mfigw::store {
namespace {

TEST(StoreHeader, UmbrellaExposesThePublicTypes) {
  static_assert(!std::is_copy_constructible_v<WriteTxn>);
  static_assert(std::is_nothrow_move_constructible_v<WriteTxn>);
  static_assert(std::is_nothrow_move_constructible_v<ReadTxn>);
  static_assert(!std::is_copy_constructible_v<Cursor>);
  static_assert(!std::is_move_constructible_v<Env>);
  static_assert(std::is_base_of_v<StoreError, MapFull>);
  static_assert(std::is_base_of_v<StoreError, SchemaTooNew>);
  static_assert(std::is_base_of_v<StoreError, DecodeError>);
  static_assert(std::is_error_code_enum_v<errc>);
  EXPECT_EQ(std::error_code(errc::queue_full).category().name(), std::string("mfigw.store"));
}

}  // namespace
}  // namespace mfigw::store
