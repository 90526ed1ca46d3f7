#include "faults/fault_events.h"

namespace faultline::faults {

Json FaultSwarm::Fields() const { return {{"configured", configured}, {"enabled", enabled}}; }

Json FaultBegun::Fields() const {
  Json f = {{"action", "begin"},  {"id", id},         {"kind", kind},
            {"targets", targets}, {"params", params}, {"planned_ms", planned.count()}};
  if (!detail.is_null()) f["detail"] = detail;
  return f;
}

Json FaultHealed::Fields() const {
  Json j = {{"action", "heal"},   {"id", id},         {"kind", kind},
            {"targets", targets}, {"reason", reason}, {"ms", lasted.count()}};
  if (!effect.is_null()) j["effect"] = effect;
  return j;
}

Json FaultFailed::Fields() const {
  return {{"action", "failed"}, {"id", id}, {"kind", kind}, {"targets", targets}, {"error", error}};
}

std::optional<FaultAction> FaultActionOf(const Event& e) {
  if (e.type != EventType::kFault) return std::nullopt;
  return FaultAction{JsonString(e.fields, "action"), JsonString(e.fields, "kind")};
}

}  // namespace faultline::faults
