// CopyTree on real files: contents, modes, owners and symlinks arrive as they were.
#include "topology/tree_copy.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/files.h"

namespace faultline {
namespace {

struct stat StatOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st;
}

TEST(CopyTree, KeepsContentsModesOwnersAndLinks) {
  std::string root = MakeTempDir("tree-copy-test").value();
  std::string from = root + "/from", to = root + "/to";
  ASSERT_TRUE(MakeDirs(from + "/data/base").ok());
  ASSERT_TRUE(MakeDirs(to).ok());
  ASSERT_TRUE(WriteFile(from + "/data/PG_VERSION", "15\n", 0600).ok());
  std::string big(3 << 20, 'x');  // several copy_file_range chunks' worth
  big[12345] = 'y';
  ASSERT_TRUE(WriteFile(from + "/data/base/1", big, 0640).ok());
  ASSERT_TRUE(WriteFile(from + "/data/empty", "", 0644).ok());
  ASSERT_EQ(symlink("base/1", (from + "/data/link").c_str()), 0);
  ASSERT_EQ(chmod((from + "/data").c_str(), 0700), 0);
  passwd* nobody = getpwnam("nobody");
  bool chowned = geteuid() == 0 && nobody;
  if (chowned) {
    ASSERT_TRUE(ChownTree(from + "/data", nobody->pw_uid, nobody->pw_gid).ok());
  }

  CopyStats stats;
  ASSERT_TRUE(CopyTree(from, to, &stats).ok());
  EXPECT_EQ(stats.files, 3);
  EXPECT_EQ(stats.bytes, static_cast<int64_t>(big.size() + 3));
  EXPECT_EQ(ReadFile(to + "/data/PG_VERSION").value(), "15\n");
  EXPECT_EQ(ReadFile(to + "/data/base/1").value(), big);
  EXPECT_EQ(ReadFile(to + "/data/empty").value(), "");
  EXPECT_EQ(StatOf(to + "/data").st_mode & 07777, 0700u);
  EXPECT_EQ(StatOf(to + "/data/PG_VERSION").st_mode & 07777, 0600u);
  EXPECT_EQ(StatOf(to + "/data/base/1").st_mode & 07777, 0640u);
  EXPECT_TRUE(S_ISLNK(StatOf(to + "/data/link").st_mode));
  char target[64] = {};
  ASSERT_GT(readlink((to + "/data/link").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "base/1");
  if (chowned) {
    for (const char* p : {"/data", "/data/base", "/data/base/1", "/data/link"}) {
      EXPECT_EQ(StatOf(to + p).st_uid, nobody->pw_uid) << p;
    }
  }
  // The copy is its own: writing to it leaves the original alone (a reflink is copy-on-write).
  ASSERT_TRUE(WriteFile(to + "/data/base/1", "changed").ok());
  EXPECT_EQ(ReadFile(from + "/data/base/1").value(), big);
  ASSERT_TRUE(RemoveTree(root).ok());
}

TEST(CopyTree, NamesWhatItCouldNotCopy) {
  std::string root = MakeTempDir("tree-copy-test").value();
  ASSERT_TRUE(MakeDirs(root + "/from/x").ok());
  ASSERT_TRUE(MakeDirs(root + "/to/x").ok());  // already there
  Status s = CopyTree(root + "/from", root + "/to");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(root + "/to/x"), std::string::npos) << s.message();
  EXPECT_FALSE(CopyTree(root + "/nowhere", root + "/to").ok());
  ASSERT_TRUE(RemoveTree(root).ok());
}

}  // namespace
}  // namespace faultline
