// store/errc.hpp: error codes the GroupCommitWriter hands to `done` callbacks.
//
// Purpose:   Async outcomes of a submitted write, as std::error_code so the gateway can
//            compare and log them like any other I/O error (ec.message() reads well).
// Threading: The category is a function-local static; safe from any thread.
// Errors:    n/a (this *is* the error vocabulary).
// Ownership: n/a.
#pragma once

#include <string_view>
#include <system_error>
#include <type_traits>

namespace mfigw::store {

enum class errc {
  // The map reached its configured maximum even after growing: refuse temporarily
  // (ESME_RMSGQFUL / HTTP 503) and raise an operator alert; nothing was written.
  map_full = 1,
  // The work item threw, or LMDB failed for another reason; nothing of it was written.
  write_failed,
  // The writer was stopped before the item could run; nothing was written.
  shutting_down,
  // The writer's queue is at its bound; the caller should refuse and retry later.
  queue_full,
};

std::string_view toString(errc e) noexcept;

const std::error_category& storeCategory() noexcept;

std::error_code make_error_code(
    errc e) noexcept;  // NOLINT(readability-identifier-naming): found by ADL

}  // namespace mfigw::store

template <>
struct std::is_error_code_enum<mfigw::store::errc> : std::true_type {};
