#include "scenario/placeholders.h"

#include <gtest/gtest.h>

namespace faultline::scenario {
namespace {

Addresses Example() {
  Addresses a;
  a.real_ports = {{"primary", 5001}, {"replica", 5002}};
  a.link_ports = {{{"replica", "primary"}, 6001}, {{"workload", "primary"}, 6002}};
  a.dirs = {{"primary", "/h/services/primary"}, {"replica", "/h/services/replica"}};
  a.history_dir = "/h";
  a.history_seed = 42;
  a.scenario_dir = "/s";
  return a;
}

std::string R(std::string_view raw, const std::string& viewpoint) {
  auto r = ResolvePlaceholders(raw, viewpoint, Example());
  EXPECT_TRUE(r.ok()) << raw << ": " << r.error();
  return r.ok() ? *r : "";
}

TEST(Placeholders, ResolveFromTheDialersPointOfView) {
  EXPECT_EQ(R("{dir}/data", "primary"), "/h/services/primary/data");
  EXPECT_EQ(R("{port}", "replica"), "5002");
  // replica -> primary is routed through the proxy; primary -> replica is not.
  EXPECT_EQ(R("{primary.port}", "replica"), "6001");
  EXPECT_EQ(R("{replica.port}", "primary"), "5002");
  EXPECT_EQ(R("{primary.port}", "workload"), "6002");
  EXPECT_EQ(R("{primary.real_port}", "workload"), "5001");
  // The workload configures what replica dials.
  EXPECT_EQ(R("port={primary.port@replica}", "workload"), "port=6001");
  EXPECT_EQ(R("{primary.host}:{primary.port}", "workload"), "127.0.0.1:6002");
  EXPECT_EQ(R("{history.dir} {history.seed} {scenario.dir}", "workload"), "/h 42 /s");
  EXPECT_EQ(R("{{literal}} {{{port}}}", "primary"), "{literal} {5001}");
}

TEST(Placeholders, ErrorsCarryTheirOffset) {
  std::vector<PlaceholderError> errors;
  ParsePlaceholders("abc {nope} {primary.prot} {x.port@} }", &errors);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].offset, 4u);
  EXPECT_NE(errors[0].message.find("unknown placeholder '{nope}'"), std::string::npos);
  EXPECT_EQ(errors[1].offset, 11u);
  EXPECT_NE(errors[1].message.find("unknown placeholder field 'prot'"), std::string::npos);
  EXPECT_NE(errors[2].message.find("@OTHER"), std::string::npos);
  EXPECT_NE(errors[3].message.find("unmatched '}'"), std::string::npos);
  errors.clear();
  ParsePlaceholders("x {port", &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("unterminated"), std::string::npos);
}

}  // namespace
}  // namespace faultline::scenario
