// File-system helpers: whole-file reads and writes, folder trees, owners. Each returns a Status or
// Result whose message names the path and the system error. Any thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace faultline {

// Reads the whole file; an error names the path.
Result<std::string> ReadFile(const std::string& path);
// Reads at most `max_bytes` from the end of the file (the tail of a log).
Result<std::string> ReadFileTail(const std::string& path, size_t max_bytes);
// Writes `data` to `path` through a temporary file and rename, so readers never see half a file.
Status WriteFileAtomic(const std::string& path, std::string_view data);
Status WriteFile(const std::string& path, std::string_view data, int mode = 0644);
// Creates `path` and its missing parents (mode 0755). OK if it exists.
Status MakeDirs(const std::string& path);
// Removes a tree; OK if it does not exist.
Status RemoveTree(const std::string& path);
// Changes the owner of `path` and, recursively, of everything below it.
Status ChownTree(const std::string& path, uid_t uid, gid_t gid);
bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);
// The absolute, symlink-free form of `path`; an error when it does not exist.
Result<std::string> RealPath(const std::string& path);
// The folder that holds the running executable (from /proc/self/exe).
std::string SelfExeDir();
std::string SelfExePath();
// A fresh folder under $TMPDIR (or /tmp) named prefix-XXXXXX.
Result<std::string> MakeTempDir(std::string_view prefix);

}  // namespace faultline
