// Test templates: the folders of executable commands under test/v1/<template>/ (and any folder a
// service declares with `templates:`), named by their Test Composer role. DiscoverTemplates
// validates the whole tree at once — bad names, missing exec bits, templates without a driver —
// and reports every problem with the file it concerns. Plain values; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "scenario/scenario.h"

namespace faultline::composer {

enum class Prefix {
  kFirst,
  kParallelDriver,
  kSerialDriver,
  kSingletonDriver,
  kAnytime,
  kEventually,
  kFinally,
};

// "parallel_driver_" for kParallelDriver, and so on.
std::string_view PrefixName(Prefix p);
// The prefix a file name starts with; nullopt when none.
std::optional<Prefix> PrefixOf(std::string_view file_name);
bool IsDriver(Prefix p);

struct Command {
  std::string template_name;
  std::string name;  // the file name, e.g. "parallel_driver_transfer.sh"
  std::string path;  // absolute
  std::string dir;   // the folder it sits in (its working folder)
  Prefix prefix = Prefix::kFirst;
  // "template/name": the command's identity in properties and reports.
  std::string Id() const { return template_name + "/" + name; }
};

struct Template {
  std::string name;
  std::vector<Command> commands;  // sorted by name
  std::vector<const Command*> With(Prefix p) const;
  bool Has(Prefix p) const { return !With(p).empty(); }
};

struct Discovery {
  std::vector<Template> templates;  // sorted by name
  std::vector<Diagnostic> errors;
};

// Reads test/v1/ under the scenario folder and every service's `templates` folder; same-named
// templates merge, and only those workload.templates lists are kept (SelectTemplates). Every
// problem is reported; templates are only returned when there is none.
Discovery DiscoverTemplates(const scenario::Scenario& scenario);
// Keeps the templates `scenario.workload.templates` lists (all when it lists none); a listed name
// that is not among `found` is an error at its scenario.yaml line and column.
Discovery SelectTemplates(const scenario::Scenario& scenario, Discovery found);
// The same over explicit roots (each holding <template>/<command> entries), for tests.
Discovery DiscoverTemplatesIn(const std::vector<std::string>& roots);

}  // namespace faultline::composer
