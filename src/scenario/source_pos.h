// SourcePos: where something was written in scenario.yaml (1-based line and column; 0 when
// unknown). A plain value.
#pragma once

namespace faultline::scenario {

struct SourcePos {
  int line = 0;  // 1-based
  int column = 0;
};

}  // namespace faultline::scenario
