// Every shipped scenario's docker-compose.yaml and Dockerfile.workload are committed next to its
// scenario.yaml; these tests fail when they are out of date, and check them with docker-compose.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "base/files.h"
#include "base/temp_dir.h"
#include "compose/compose_test_util.h"
#include "compose/render_dir.h"

namespace faultline::compose {
namespace {

TEST(ShippedScenarios, ThereIsAtLeastOne) { EXPECT_FALSE(ShippedScenarios().empty()); }

TEST(ShippedScenarios, RenderedFilesAreUpToDate) {
  for (const auto& dir : ShippedScenarios()) {
    SCOPED_TRACE(dir);
    auto r = RenderDir(dir);
    ASSERT_TRUE(r.rendered) << FormatDiagnostics(r.errors, r.source);
    const std::string fix = "out of date with scenario.yaml: run `faultline render-compose " + dir +
                            "` and commit the result";
    auto compose = ReadFile(dir + "/" + std::string(kComposeFile));
    ASSERT_TRUE(compose.ok()) << compose.error() << "; " << fix;
    EXPECT_EQ(*compose, r.rendered->compose) << kComposeFile << " is " << fix;
    auto dockerfile = ReadFile(dir + "/" + std::string(kDockerfile));
    ASSERT_TRUE(dockerfile.ok()) << dockerfile.error() << "; " << fix;
    EXPECT_EQ(*dockerfile, r.rendered->dockerfile) << kDockerfile << " is " << fix;
  }
}

TEST(ShippedScenarios, DockerComposeAcceptsEachRenderedFile) {
  TempDir tmp("faultline-shipped-compose");
  for (const auto& dir : ShippedScenarios()) {
    SCOPED_TRACE(dir);
    auto compose = ReadFile(dir + "/" + std::string(kComposeFile));
    ASSERT_TRUE(compose.ok()) << compose.error();
    Status s = DockerComposeConfig(*compose, tmp.path());
    EXPECT_TRUE(s.ok()) << s.message();
  }
}

}  // namespace
}  // namespace faultline::compose
