#include "run/sdk_ingest.h"

namespace faultline::run {
namespace {

Json WithSource(const Json& source, Json fields) {
  for (auto it = source.begin(); it != source.end(); ++it) fields[it.key()] = it.value();
  return fields;
}

}  // namespace

SdkIngest::SdkIngest(Clock& clock, Millis poll, Timeline& timeline, SetupLine on_setup)
    : clock_(clock), poll_(poll), timeline_(timeline), on_setup_(std::move(on_setup)) {
  Arm();
}

SdkIngest::FileSet SdkIngest::Follow(std::vector<std::string> paths, Json source) {
  Followed f{std::move(source), {}};
  for (auto& p : paths) f.readers.push_back(std::make_unique<sdk::SdkFileReader>(std::move(p)));
  FileSet id = next_++;
  followed_.emplace(id, std::move(f));
  return id;
}

void SdkIngest::Finish(FileSet set) {
  auto it = followed_.find(set);
  if (it == followed_.end()) return;
  Followed f = std::move(it->second);
  followed_.erase(it);
  Poll(f, /*final=*/true);
}

void SdkIngest::PollNow() {
  // Ingesting may start or finish other sets (a setup line starts the schedule): poll a snapshot.
  std::vector<FileSet> ids;
  for (const auto& [id, f] : followed_) ids.push_back(id);
  for (FileSet id : ids) {
    auto it = followed_.find(id);
    if (it != followed_.end()) Poll(it->second, /*final=*/false);
  }
}

void SdkIngest::FinishAll() {
  stopped_ = true;
  timer_.Cancel();
  while (!followed_.empty()) Finish(followed_.begin()->first);
}

void SdkIngest::Arm() {
  if (stopped_) return;
  timer_ = clock_.After(poll_, [this] {
    timer_ = Timer();
    PollNow();
    Arm();
  });
}

void SdkIngest::Poll(Followed& f, bool final) {
  Json source = f.source;  // `f` may move while a line is ingested
  for (auto& reader : f.readers) {
    reader->Poll(final, [&](sdk::SdkLine&& line) { Ingest(source, std::move(line)); });
    if (!final) continue;
    const auto& st = reader->stats();
    if (st.lost()) {
      // Counted per reason: the property book fails "SDK output was read whole" and the
      // report warns with these counts.
      Json fields = source;
      fields.update(sdk::SkippedFields(reader->path(), st));
      timeline_.Record(EventType::kSdkSkipped, std::move(fields));
    }
  }
}

void SdkIngest::Ingest(const Json& source, sdk::SdkLine&& line) {
  if (auto* a = std::get_if<sdk::Assertion>(&line)) {
    timeline_.RecordAssertion(source, std::move(*a));
  } else if (auto* s = std::get_if<sdk::SetupComplete>(&line)) {
    on_setup_(source, s->details);
  } else if (auto* g = std::get_if<sdk::Guidance>(&line)) {
    timeline_.Record(EventType::kGuidance, WithSource(source, {{"guidance", g->body}}));
  } else if (auto* e = std::get_if<sdk::UserEvent>(&line)) {
    timeline_.Record(EventType::kSdkEvent,
                     WithSource(source, {{"name", e->name}, {"details", e->details}}));
  }
}

}  // namespace faultline::run
