// FaultControl: the fault schedule as the composer drives it, the seam the composer owns (the
// fault schedule implements it; composer tests use a fake). Called on the history's event-loop
// thread.
#pragma once

#include <functional>

namespace faultline::composer {

class FaultControl {
 public:
  virtual ~FaultControl() = default;
  // Setup is complete and the first_ command has finished: faults may begin.
  virtual void Enable() = 0;
  // Stop injecting and heal everything; call `healed` once the system is whole again.
  virtual void StopAndHeal(std::function<void()> healed) = 0;
};

}  // namespace faultline::composer
