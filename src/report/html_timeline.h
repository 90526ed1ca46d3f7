// The timeline of one history as SVG, for report.html: a time axis; the setup and terminal phases
// as bands; a lane of fault spans (and of the stretches when faults were off or quiet); one lane
// per service (its starts, health and exits, with the faults on it shaded); one lane per command
// slot (invocations as bars coloured by outcome); property failures as red marks with a faint
// line across every lane. Every mark carries its details in a <title> (hover) that the page's
// script also shows on click. Invocations too narrow to see are drawn as one cluster bar per run
// of them, so the SVG stays small however long the history. Pure; any thread.
#pragma once

#include <string>

#include "report/trace.h"

namespace faultline::report::html {

// The SVG element. `id_prefix` keeps element ids unique in the page.
std::string TimelineSvg(const HistoryTrace& t, const std::string& id_prefix);
// The legend that explains the timeline's colours (the same for every history).
std::string TimelineLegend();
// The CSS class of a fault kind's colour ("f-kill", ..., "f-custom" for the scenario's own).
std::string FaultClass(const std::string& kind);

}  // namespace faultline::report::html
