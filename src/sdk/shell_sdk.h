// `faultline sdk`: the SDK protocol's lines from shell scripts. Every assertion kind, declarations
// (the registrations a C++ binary writes before main), setup complete and events, plus seeded
// randomness (`random`, `choice`). Lines are built by the public header's own builders, so they
// have exactly the shape of a C++ workload's. Each call is one short process; what the calls of
// one command invocation share (which outcomes were written, how many numbers were drawn) lives
// in a state file beside the invocation's output file, under flock.
// Main thread only.
#pragma once

#include <faultline/sdk.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace faultline::sdk {

// Runs `faultline sdk <subcommand> ...` (argv[0] is "faultline sdk"). Returns 0 when the
// arguments were right, whatever an assertion said and even when the line could not be written
// (a warning goes to stderr): an assertion never changes a script's flow. Returns 2, with the
// error and a usage hint on stderr, when the arguments were wrong.
int RunShellSdk(int argc, char** argv);

// Where an invocation's lines go: `local_output` (ANTITHESIS_SDK_LOCAL_OUTPUT) when set and not
// empty, else `output_dir` (ANTITHESIS_OUTPUT_DIR) + "/sdk.jsonl", else "" (nowhere).
std::string ShellOutputPath(const char* local_output, const char* output_dir);

// The state file of an output file: "<output>.faultline-state".
std::string ShellStatePath(const std::string& output);

// Adds one detail argument to `details`: KEY=TEXT sets KEY to the string TEXT; KEY:=JSON sets KEY
// to any JSON value (a number, a boolean, an object...); an argument that starts with '{' is a JSON
// object whose members are all set. An error says what is wrong with the argument.
Status AddDetail(std::string_view arg, Details& details);

// "true" or "false"; nullopt for anything else (0/1 are refused: `$?` reads the other way round).
std::optional<bool> ParseCondition(std::string_view text);

// The script that runs us, for the location of a shell assertion: the script argument of a
// shell parent process (`bash ./driver.sh`), else the parent's program; "" when unknown.
std::string CallerScript();

}  // namespace faultline::sdk
