#include "composer/templates.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>

#include "base/files.h"
#include "base/strings.h"
#include "base/terminal.h"

namespace faultline::composer {
namespace {

constexpr std::array<std::pair<Prefix, std::string_view>, 7> kPrefixes = {{
    {Prefix::kFirst, "first_"},
    {Prefix::kParallelDriver, "parallel_driver_"},
    {Prefix::kSerialDriver, "serial_driver_"},
    {Prefix::kSingletonDriver, "singleton_driver_"},
    {Prefix::kAnytime, "anytime_"},
    {Prefix::kEventually, "eventually_"},
    {Prefix::kFinally, "finally_"},
}};

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) return names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// Why the '#!' line `line` (without its newline) cannot start the script, or empty when it can:
// the kernel runs the interpreter it names, so a missing one, or one whose name ends in a carriage
// return (a file saved with Windows line endings), fails only when the command runs.
std::string BadShebang(std::string_view line) {
  if (line.ends_with('\r')) {
    return "has a '#!' line that ends in a carriage return (Windows line endings: run dos2unix "
           "on it)";
  }
  std::string_view rest = line.substr(2);
  size_t start = rest.find_first_not_of(" \t");
  if (start == std::string_view::npos) return "has a '#!' line that names no interpreter";
  rest = rest.substr(start);
  std::string interpreter(rest.substr(0, rest.find_first_of(" \t")));
  if (interpreter.find('\r') != std::string::npos) {
    return "has a '#!' line with a carriage return in it (Windows line endings: run dos2unix)";
  }
  struct stat st {};
  if (stat(interpreter.c_str(), &st) != 0) {
    return fmt::format("names the interpreter '{}' in its '#!' line, which does not exist",
                       ForTerminal(interpreter));
  }
  if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
    return fmt::format(
        "names the interpreter '{}' in its '#!' line, which is not an executable "
        "file",
        ForTerminal(interpreter));
  }
  return {};
}

// Why `path` cannot run as a command, or empty when it can: it needs an exec bit, and must be a
// binary or a script whose '#!' line names an interpreter that exists.
std::string NotRunnable(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "cannot be read";
  if (!S_ISREG(st.st_mode)) return "is not a regular file";
  if ((st.st_mode & 0111) == 0) {
    return fmt::format("is not executable (run: chmod +x {})", ShellQuote(path));
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot be read";
  char head[256] = {};
  ssize_t n = read(fd, head, sizeof head);
  close(fd);
  std::string_view text(head, n > 0 ? static_cast<size_t>(n) : 0);
  bool shebang = text.starts_with("#!");
  bool elf = text.starts_with(
      "\x7f"
      "ELF");
  if (!shebang && !elf) {
    return "is neither a binary nor a script with a '#!' line (add one, such as #!/bin/sh)";
  }
  if (shebang) return BadShebang(text.substr(0, text.find('\n')));
  return {};
}

// Why a file or folder name cannot name a command or template (it goes into the timeline, the
// report and the terminal), or empty.
std::string BadName(std::string_view name) {
  if (InvalidUtf8At(name) != std::string_view::npos) return "is not valid UTF-8";
  if (ForTerminal(name) != name) return "holds control characters";
  return {};
}

std::string ValidPrefixes() {
  std::vector<std::string> names;
  for (const auto& [p, name] : kPrefixes) names.emplace_back(name);
  return Join(names, ", ");
}

void ReadTemplate(const std::string& root, const std::string& name, Template& t,
                  std::vector<Diagnostic>& errors) {
  std::string dir = root + "/" + name;
  for (const auto& entry : ListDir(dir)) {
    std::string path = dir + "/" + entry;
    // Shared code lives in helper_ files and folders; dotfiles are editor and VCS litter.
    if (entry.starts_with("helper_") || entry.starts_with(".") || IsDirectory(path)) continue;
    if (std::string why = BadName(entry); !why.empty()) {
      errors.push_back(
          {ForTerminal(path), 0, 0, fmt::format("the file name '{}' {}", ForTerminal(entry), why)});
      continue;
    }
    auto prefix = PrefixOf(entry);
    if (!prefix) {
      errors.push_back({path, 0, 0,
                        fmt::format("'{}' does not start with a Test Composer prefix (expected one "
                                    "of: {}; or helper_ for files that are not commands)",
                                    entry, ValidPrefixes())});
      continue;
    }
    if (std::string why = NotRunnable(path); !why.empty()) {
      errors.push_back({path, 0, 0, fmt::format("command '{}' {}", entry, why)});
      continue;
    }
    auto same = std::find_if(t.commands.begin(), t.commands.end(),
                             [&](const Command& c) { return c.name == entry; });
    if (same != t.commands.end()) {
      errors.push_back(
          {path, 0, 0,
           fmt::format("command '{}' of template '{}' is also in {}", entry, name, same->dir)});
      continue;
    }
    t.commands.push_back(Command{name, entry, path, dir, *prefix});
  }
}

}  // namespace

std::string_view PrefixName(Prefix p) {
  for (const auto& [prefix, name] : kPrefixes) {
    if (prefix == p) return name;
  }
  return "";
}

std::optional<Prefix> PrefixOf(std::string_view file_name) {
  for (const auto& [prefix, name] : kPrefixes) {
    if (file_name.starts_with(name) && file_name.size() > name.size()) return prefix;
  }
  return std::nullopt;
}

bool IsDriver(Prefix p) {
  return p == Prefix::kParallelDriver || p == Prefix::kSerialDriver ||
         p == Prefix::kSingletonDriver;
}

std::vector<const Command*> Template::With(Prefix p) const {
  std::vector<const Command*> out;
  for (const auto& c : commands) {
    if (c.prefix == p) out.push_back(&c);
  }
  return out;
}

Discovery DiscoverTemplatesIn(const std::vector<std::string>& roots) {
  Discovery d;
  std::map<std::string, Template> merged;
  for (const auto& root : roots) {
    if (!IsDirectory(root)) {
      d.errors.push_back({root, 0, 0, "the templates folder does not exist"});
      continue;
    }
    for (const auto& name : ListDir(root)) {
      if (name.starts_with("helper_") || name.starts_with(".")) continue;
      if (std::string why = BadName(name); !why.empty()) {
        d.errors.push_back({ForTerminal(root + "/" + name), 0, 0,
                            fmt::format("the template name '{}' {}", ForTerminal(name), why)});
        continue;
      }
      if (!IsDirectory(root + "/" + name)) {
        d.errors.push_back({root + "/" + name, 0, 0,
                            "templates folders hold one folder per template; this is a file "
                            "(move it into a template folder, or name it helper_...)"});
        continue;
      }
      Template& t = merged[name];
      t.name = name;
      ReadTemplate(root, name, t, d.errors);
    }
  }
  for (auto& [name, t] : merged) {
    std::sort(t.commands.begin(), t.commands.end(),
              [](const Command& a, const Command& b) { return a.name < b.name; });
    bool runnable = t.Has(Prefix::kParallelDriver) || t.Has(Prefix::kSerialDriver) ||
                    t.Has(Prefix::kSingletonDriver) || t.Has(Prefix::kAnytime);
    if (!runnable) {
      d.errors.push_back({fmt::format("{}/{}", roots.front(), name), 0, 0,
                          fmt::format("template '{}' has no parallel_driver_, serial_driver_, "
                                      "singleton_driver_ or anytime_ command",
                                      name)});
    }
    d.templates.push_back(std::move(t));
  }
  if (merged.empty() && d.errors.empty()) {
    d.errors.push_back(
        {roots.front(), 0, 0, "no templates found (expected test/v1/<template>/<command>)"});
  }
  if (!d.errors.empty()) d.templates.clear();
  return d;
}

Discovery DiscoverTemplates(const scenario::Scenario& scenario) {
  std::vector<std::string> roots = {scenario.dir + "/test/v1"};
  for (const auto& s : scenario.services) {
    if (!s.templates.empty()) roots.push_back(scenario.dir + "/" + s.templates);
  }
  Discovery d = DiscoverTemplatesIn(roots);
  if (!d.errors.empty()) return d;
  return SelectTemplates(scenario, std::move(d));
}

Discovery SelectTemplates(const scenario::Scenario& scenario, Discovery found) {
  const auto& wanted = scenario.workload.templates;
  if (wanted.empty()) return found;
  std::vector<std::string> names;
  for (const auto& t : found.templates) names.push_back(t.name);
  Discovery d;
  for (const auto& w : wanted) {
    auto it = std::find_if(found.templates.begin(), found.templates.end(),
                           [&](const Template& t) { return t.name == w.raw; });
    if (it != found.templates.end()) continue;
    auto suggestion = Suggest(w.raw, names);
    d.errors.push_back(
        {scenario.file, w.pos.line, w.pos.column,
         fmt::format("workload.templates names '{}', which is not a template of "
                     "the scenario{} (templates: {})",
                     ForTerminal(w.raw),
                     suggestion ? fmt::format(" (did you mean '{}'?)", *suggestion) : std::string(),
                     fmt::join(names, ", "))});
  }
  if (!d.errors.empty()) return d;
  for (auto& t : found.templates) {
    bool keep = std::any_of(wanted.begin(), wanted.end(),
                            [&](const scenario::Text& w) { return w.raw == t.name; });
    if (keep) d.templates.push_back(std::move(t));
  }
  return d;
}

}  // namespace faultline::composer
