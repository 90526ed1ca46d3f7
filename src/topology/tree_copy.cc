#include "topology/tree_copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/unique_fd.h"

namespace faultline {
namespace {

// The data of `in` into `out`: a reflink when the file system shares extents, else the kernel's
// own copy, else plain reads and writes (copy_file_range refuses some file systems).
Status CopyData(int in, int out, int64_t size, const std::string& path, CopyStats& stats) {
  if (ioctl(out, FICLONE, in) == 0) {
    ++stats.reflinked;
    return Status::Ok();
  }
  int64_t left = size;
  while (left > 0) {
    ssize_t n = copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
    if (n > 0) {
      left -= n;
      continue;
    }
    if (n == 0) break;  // the file shrank while we copied
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
      return Status::FromErrno("copy " + path);
    }
    char buf[1 << 16];
    while (true) {
      ssize_t r = read(in, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return Status::FromErrno("read " + path);
      if (r == 0) return Status::Ok();
      for (ssize_t done = 0; done < r;) {
        ssize_t w = write(out, buf + done, static_cast<size_t>(r - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return Status::FromErrno("write " + path);
        done += w;
      }
    }
  }
  return Status::Ok();
}

Status CopyFile(const std::string& from, const std::string& to, const struct stat& st,
                CopyStats& stats) {
  UniqueFd in(open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return Status::FromErrno("open " + from);
  UniqueFd out(open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777));
  if (!out.valid()) return Status::FromErrno("create " + to);
  FL_RETURN_IF_ERROR(CopyData(in.get(), out.get(), st.st_size, from, stats));
  if (fchown(out.get(), st.st_uid, st.st_gid) != 0) return Status::FromErrno("chown " + to);
  // The creation mode went through the umask; set it exactly.
  if (fchmod(out.get(), st.st_mode & 07777) != 0) return Status::FromErrno("chmod " + to);
  ++stats.files;
  stats.bytes += st.st_size;
  return Status::Ok();
}

Status CopyEntry(const std::string& from, const std::string& to, CopyStats& stats);

Status CopyChildren(const std::string& from, const std::string& to, CopyStats& stats) {
  DIR* dir = opendir(from.c_str());
  if (!dir) return Status::FromErrno("opendir " + from);
  std::vector<std::string> names;
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  closedir(dir);
  for (const auto& name : names) {
    FL_RETURN_IF_ERROR(CopyEntry(from + "/" + name, to + "/" + name, stats));
  }
  return Status::Ok();
}

Status CopyEntry(const std::string& from, const std::string& to, CopyStats& stats) {
  struct stat st {};
  if (lstat(from.c_str(), &st) != 0) return Status::FromErrno("stat " + from);
  if (S_ISDIR(st.st_mode)) {
    if (mkdir(to.c_str(), 0700) != 0) return Status::FromErrno("mkdir " + to);
    FL_RETURN_IF_ERROR(CopyChildren(from, to, stats));
    if (chown(to.c_str(), st.st_uid, st.st_gid) != 0) return Status::FromErrno("chown " + to);
    if (chmod(to.c_str(), st.st_mode & 07777) != 0) return Status::FromErrno("chmod " + to);
    return Status::Ok();
  }
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = readlink(from.c_str(), target.data(), target.size());
    if (n < 0) return Status::FromErrno("readlink " + from);
    target.resize(static_cast<size_t>(n));
    if (symlink(target.c_str(), to.c_str()) != 0) return Status::FromErrno("symlink " + to);
    if (lchown(to.c_str(), st.st_uid, st.st_gid) != 0) return Status::FromErrno("chown " + to);
    return Status::Ok();
  }
  if (S_ISREG(st.st_mode)) return CopyFile(from, to, st, stats);
  // Sockets and FIFOs (a server's unix socket) belong to a running process, not to its state.
  return Status::Ok();
}

}  // namespace

Status CopyTree(const std::string& from, const std::string& to, CopyStats* stats) {
  CopyStats local;
  return CopyChildren(from, to, stats ? *stats : local);
}

}  // namespace faultline
