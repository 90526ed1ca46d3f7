#include "composer/templates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/files.h"
#include "base/temp_dir.h"
#include "scenario/scenario.h"

namespace faultline::composer {
namespace {

using ::testing::HasSubstr;

class TemplatesTest : public ::testing::Test {
 protected:
  void Write(const std::string& rel, const std::string& text, int mode = 0755) {
    std::string path = root_ + "/" + rel;
    ASSERT_TRUE(MakeDirs(path.substr(0, path.rfind('/'))).ok());
    ASSERT_TRUE(WriteFile(path, text, mode).ok());
    chmod(path.c_str(), mode);
  }
  TempDir tmp_{"templates-test"};
  const std::string root_ = tmp_.path();
};

TEST_F(TemplatesTest, DiscoversCommandsByPrefixAndSkipsHelpers) {
  Write("v1/basic/first_setup.sh", "#!/bin/sh\n");
  Write("v1/basic/parallel_driver_a", "#!/bin/sh\n");
  Write("v1/basic/anytime_check.py", "#!/usr/bin/env python3\n");
  Write("v1/basic/helper_lib.sh", "not a command", 0644);
  Write("v1/basic/helper_dir/whatever", "x", 0644);
  Write("v1/basic/sub/parallel_driver_ignored", "#!/bin/sh\n");
  Write("v1/basic/.gitkeep", "", 0644);
  Write("v1/helper_shared/x", "", 0644);
  auto d = DiscoverTemplatesIn({root_ + "/v1"});
  ASSERT_TRUE(d.errors.empty()) << FormatDiagnostics(d.errors);
  ASSERT_EQ(d.templates.size(), 1u);
  const Template& t = d.templates[0];
  ASSERT_EQ(t.commands.size(), 3u);
  EXPECT_EQ(t.commands[0].name, "anytime_check.py");
  EXPECT_EQ(t.commands[0].prefix, Prefix::kAnytime);
  EXPECT_EQ(t.commands[1].Id(), "basic/first_setup.sh");
  EXPECT_EQ(t.commands[2].prefix, Prefix::kParallelDriver);
}

TEST_F(TemplatesTest, ReportsEveryProblemNamingTheFile) {
  Write("v1/a/parallel_drivr_typo", "#!/bin/sh\n");
  Write("v1/a/serial_driver_noexec", "#!/bin/sh\n", 0644);
  Write("v1/a/anytime_noshebang", "echo hi\n");
  Write("v1/a/parallel_driver_ok", "#!/bin/sh\n");
  Write("v1/b/first_only", "#!/bin/sh\n");
  Write("v1/b/finally_f", "#!/bin/sh\n");
  Write("v1/stray.txt", "x", 0644);
  auto d = DiscoverTemplatesIn({root_ + "/v1"});
  EXPECT_TRUE(d.templates.empty());
  std::string e = FormatDiagnostics(d.errors);
  EXPECT_THAT(
      e,
      HasSubstr(root_ + "/v1/a/parallel_drivr_typo: error: 'parallel_drivr_typo' does not start "
                        "with a Test Composer prefix (expected one of: first_, parallel_driver_, "
                        "serial_driver_, singleton_driver_, anytime_, eventually_, finally_"));
  EXPECT_THAT(e, HasSubstr(root_ +
                           "/v1/a/serial_driver_noexec: error: command 'serial_driver_noexec' is "
                           "not executable (run: chmod +x " +
                           root_ + "/v1/a/serial_driver_noexec)"));
  EXPECT_THAT(
      e,
      HasSubstr("command 'anytime_noshebang' is neither a binary nor a script with a '#!' line"));
  EXPECT_THAT(e, HasSubstr("template 'b' has no parallel_driver_, serial_driver_, "
                           "singleton_driver_ or anytime_ command"));
  EXPECT_THAT(e, HasSubstr("stray.txt: error: templates folders hold one folder per template"));
  EXPECT_EQ(d.errors.size(), 5u);
}

// A script whose interpreter cannot run would fail only when the command runs, with the kernel's
// bare "No such file or directory": discovery names the interpreter instead.
TEST_F(TemplatesTest, BadInterpretersAreCaughtAtDiscovery) {
  Write("v1/t/parallel_driver_ok", "#!/bin/sh\n");
  Write("v1/t/parallel_driver_env", "#! /usr/bin/env sh\n");
  Write("v1/t/parallel_driver_crlf", "#!/bin/sh\r\necho hi\r\n");
  Write("v1/t/parallel_driver_missing", "#!/bin/bsh\n");
  Write("v1/t/parallel_driver_dir", "#!/tmp\n");
  Write("v1/t/parallel_driver_empty", "#!\n");
  auto d = DiscoverTemplatesIn({root_ + "/v1"});
  std::string all;
  for (const auto& e : d.errors) all += e.file + ": " + e.message + "\n";
  EXPECT_EQ(d.errors.size(), 4u) << all;
  EXPECT_THAT(all, HasSubstr("parallel_driver_crlf: command 'parallel_driver_crlf' has a '#!' line "
                             "that ends in a carriage return"));
  EXPECT_THAT(all, HasSubstr("names the interpreter '/bin/bsh' in its '#!' line, which does not "
                             "exist"));
  EXPECT_THAT(all, HasSubstr("names the interpreter '/tmp' in its '#!' line, which is not an "
                             "executable file"));
  EXPECT_THAT(all, HasSubstr("has a '#!' line that names no interpreter"));
}

// Names go into the timeline (JSON, which must be UTF-8) and to the terminal.
TEST_F(TemplatesTest, NamesThatAreNotUtf8OrHoldControlsAreErrors) {
  Write("v1/t/parallel_driver_ok", "#!/bin/sh\n");
  Write("v1/t/parallel_driver_\xff", "#!/bin/sh\n");
  Write("v1/t/parallel_driver_\x1b[2J", "#!/bin/sh\n");
  Write("v1/bad\nname/parallel_driver_x", "#!/bin/sh\n");
  auto d = DiscoverTemplatesIn({root_ + "/v1"});
  std::string all;
  for (const auto& e : d.errors) all += e.file + ": " + e.message + "\n";
  EXPECT_EQ(d.errors.size(), 3u) << all;
  EXPECT_THAT(all, HasSubstr("the file name 'parallel_driver_\\xff' is not valid UTF-8"));
  EXPECT_THAT(all, HasSubstr("the file name 'parallel_driver_\\x1b[2J' holds control characters"));
  EXPECT_THAT(all, HasSubstr("the template name 'bad\\nname' holds control characters"));
  EXPECT_EQ(all.find('\x1b'), std::string::npos);
}

TEST_F(TemplatesTest, SameNamedTemplatesFromSeveralFoldersMerge) {
  Write("v1/t/parallel_driver_a", "#!/bin/sh\n");
  Write("svc/t/anytime_b", "#!/bin/sh\n");
  Write("svc/u/serial_driver_c", "#!/bin/sh\n");
  auto d = DiscoverTemplatesIn({root_ + "/v1", root_ + "/svc"});
  ASSERT_TRUE(d.errors.empty()) << FormatDiagnostics(d.errors);
  ASSERT_EQ(d.templates.size(), 2u);
  EXPECT_EQ(d.templates[0].commands.size(), 2u);
  Write("svc/t/parallel_driver_a", "#!/bin/sh\n");
  auto dup = DiscoverTemplatesIn({root_ + "/v1", root_ + "/svc"});
  EXPECT_THAT(FormatDiagnostics(dup.errors),
              HasSubstr("command 'parallel_driver_a' of template 't' is also in"));
}

TEST_F(TemplatesTest, MissingOrEmptyTreeIsAnError) {
  EXPECT_THAT(FormatDiagnostics(DiscoverTemplatesIn({root_ + "/nope"}).errors),
              HasSubstr("the templates folder does not exist"));
  ASSERT_TRUE(MakeDirs(root_ + "/empty").ok());
  EXPECT_THAT(FormatDiagnostics(DiscoverTemplatesIn({root_ + "/empty"}).errors),
              HasSubstr("no templates found"));
}

TEST(Prefixes, NamesAndDrivers) {
  EXPECT_EQ(PrefixOf("eventually_x"), Prefix::kEventually);
  EXPECT_FALSE(PrefixOf("eventually_"));
  EXPECT_FALSE(PrefixOf("driver_x"));
  EXPECT_TRUE(IsDriver(Prefix::kSingletonDriver));
  EXPECT_FALSE(IsDriver(Prefix::kAnytime));
  EXPECT_EQ(PrefixName(Prefix::kSerialDriver), "serial_driver_");
}

// workload.templates keeps the listed templates of a shared tree, for run and render alike.
TEST_F(TemplatesTest, WorkloadTemplatesSelectFromTheTree) {
  Write("test/v1/bank/parallel_driver_transfer", "#!/bin/sh\n");
  Write("test/v1/queue/parallel_driver_push", "#!/bin/sh\n");
  Write("test/v1/stock/parallel_driver_order", "#!/bin/sh\n");
  const std::string text =
      "name: x\nservices:\n  s: {command: [s]}\nworkload:\n  templates: [stock, bank]\n";
  auto loaded = scenario::ParseScenario(text, "scenario.yaml", root_);
  ASSERT_TRUE(loaded.scenario) << FormatDiagnostics(loaded.errors);
  auto d = DiscoverTemplates(*loaded.scenario);
  ASSERT_TRUE(d.errors.empty()) << FormatDiagnostics(d.errors);
  ASSERT_EQ(d.templates.size(), 2u);
  EXPECT_EQ(d.templates[0].name, "bank");
  EXPECT_EQ(d.templates[1].name, "stock");
}

TEST_F(TemplatesTest, WorkloadTemplatesWithoutSuchTemplateIsAnErrorAtItsPosition) {
  Write("test/v1/bank/parallel_driver_transfer", "#!/bin/sh\n");
  Write("test/v1/queue/parallel_driver_push", "#!/bin/sh\n");
  const std::string text =
      "name: x\nservices:\n  s: {command: [s]}\nworkload:\n  templates:\n    - bank\n    - queu\n";
  auto loaded = scenario::ParseScenario(text, "scenario.yaml", root_);
  ASSERT_TRUE(loaded.scenario) << FormatDiagnostics(loaded.errors);
  auto d = DiscoverTemplates(*loaded.scenario);
  EXPECT_TRUE(d.templates.empty());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_THAT(FormatDiagnostic(d.errors[0]),
              HasSubstr("scenario.yaml:7:7: error: workload.templates names 'queu', which is not "
                        "a template of the scenario (did you mean 'queue'?) (templates: bank, "
                        "queue)"));
}

TEST_F(TemplatesTest, WorkloadTemplatesMustBeAListOfNames) {
  for (const char* bad : {"templates: bank", "templates: []", "templates: [a/b]"}) {
    std::string text =
        std::string("name: x\nservices:\n  s: {command: [s]}\nworkload:\n  ") + bad + "\n";
    auto loaded = scenario::ParseScenario(text, "scenario.yaml", root_);
    EXPECT_FALSE(loaded.scenario) << bad;
    ASSERT_FALSE(loaded.errors.empty()) << bad;
    EXPECT_EQ(loaded.errors[0].line, 5) << bad;
  }
}

}  // namespace
}  // namespace faultline::composer
