// store/error.hpp: the exceptions the store throws.
//
// Purpose:   One exception hierarchy for "the store could not do what you asked".
//            Expected outcomes are never exceptions: a missing key is std::nullopt, an
//            existing key under "insert" is `false`.
// Threading: Plain value types; safe to copy between threads.
// Errors:    StoreError           any LMDB or file-system failure (mdbCode() says which).
//            MapFull              MDB_MAP_FULL: the map reached its bound. Callers turn it
//                                 into a temporary refusal (ESME_RMSGQFUL / HTTP 503).
//            SchemaTooNew         the store was written by a newer build; refuse to start.
//            DecodeError          a record's bytes do not parse (truncated, unknown format
//                                 version). mdbCode() is 0: it is our format, not LMDB's.
// Ownership: n/a.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace mfigw::store {

class StoreError : public std::runtime_error {
 public:
  // `context` says what we were doing ("cannot open store at /var/lib/x"); when mdbCode
  // is non-zero the LMDB/errno text is appended ("...: Permission denied").
  StoreError(int mdbCode, const std::string& context);

  // The LMDB return code (MDB_* or an errno value); 0 when the error is not LMDB's.
  int mdbCode() const noexcept { return mdbCode_; }

 private:
  int mdbCode_;
};

class MapFull : public StoreError {
 public:
  explicit MapFull(const std::string& context);
};

class SchemaTooNew : public StoreError {
 public:
  SchemaTooNew(const std::string& path, unsigned storedVersion, unsigned knownVersion);

  unsigned storedVersion() const noexcept { return storedVersion_; }
  unsigned knownVersion() const noexcept { return knownVersion_; }

 private:
  unsigned storedVersion_;
  unsigned knownVersion_;
};

class DecodeError : public StoreError {
 public:
  explicit DecodeError(const std::string& context);
};

// Throws the exception that matches `rc` (MapFull for MDB_MAP_FULL, else StoreError).
// `rc` must be non-zero.
[[noreturn]] void throwStoreError(int rc, const std::string& context);

// Calls throwStoreError when rc != 0. The common "check an LMDB call" helper.
//
// The context must cost nothing when rc == 0: these checks sit on the hot path (every
// get/put/cursor step), so a message is only built on failure. Pass a literal, an
// existing string, or a callable that builds the message:
//     check(rc, [&] { return "cannot read from store at " + path; });
// Passing a temporary std::string (`check(rc, "..." + path)`) would allocate on every
// successful call, so that overload is deleted.
inline void check(int rc, const char* context) {
  if (rc != 0) [[unlikely]] {
    throwStoreError(rc, context);
  }
}
inline void check(int rc, const std::string& context) {
  if (rc != 0) [[unlikely]] {
    throwStoreError(rc, context);
  }
}
void check(int rc, std::string&& context) = delete;

template <class MakeContext>
requires std::is_invocable_r_v<std::string, MakeContext&>
inline void check(int rc, MakeContext&& makeContext) {
  if (rc != 0) [[unlikely]] {
    throwStoreError(rc, makeContext());
  }
}

}  // namespace mfigw::store
