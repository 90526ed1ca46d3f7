// TempDir: a fresh folder (MakeTempDir) removed, with everything in it, when the value ends, on
// every way out of its scope: a test whose assertion fails half-way leaves nothing behind.
// Not thread-safe (one owner).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "base/fatal.h"
#include "base/files.h"

namespace faultline {

class TempDir {
 public:
  // Ends the process (Fatal) when no folder can be made: nothing that needs one could go on.
  explicit TempDir(std::string_view prefix) {
    auto made = MakeTempDir(prefix);
    if (!made) Fatal("cannot make a temporary folder: " + made.error());
    path_ = std::move(*made);
  }
  ~TempDir() {
    if (!path_.empty()) (void)RemoveTree(path_);
  }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir& operator=(TempDir&&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace faultline
