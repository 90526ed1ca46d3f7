// `faultline sdk`: hands over to the SDK room, which owns its flags and work.
#include "cli/commands.h"
#include "sdk/shell_sdk.h"

namespace faultline::cli {

int SdkMain(int argc, char** argv) { return sdk::RunShellSdk(argc, argv); }

}  // namespace faultline::cli
