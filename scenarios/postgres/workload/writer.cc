// parallel_driver_ (write): random batches of upserts and deletes on the primary, one transaction
// each, every write with a unique value and the per-key version the primary gives it; every
// outcome goes to the model (see model.h for when a write is pending, ok, failed or
// indeterminate).
#include <faultline/sdk.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "workload.h"

namespace pgworkload {
namespace {

constexpr std::string_view kMode = "write";
constexpr auto kStatementTimeout = 10s;

// Each write is two statements in one round trip: the first bumps the key's counter and returns
// the new version, the second writes the row. The counter row stays locked until the transaction
// ends, so the version is the one the write commits with, and the second statement's snapshot
// (taken after the lock was granted) sees every earlier write of the key. One statement with a
// data-modifying CTE would not: its DELETE would miss a row that a concurrent transaction
// inserted before it released the lock.
std::string Quoted(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\'') out += '\'';
    out += ch;
  }
  return out + "'";
}

std::string WriteSql(const Write& w) {
  std::string key = Quoted(w.key);
  std::string bump = fmt::format(
      "UPDATE key_versions SET version = version + 1 WHERE k = {} RETURNING version; ", key);
  if (w.op == Op::kDelete) return bump + fmt::format("DELETE FROM kv WHERE k = {}", key);
  return bump + fmt::format(
                    "INSERT INTO kv (k, v, version) SELECT k, {}, version FROM key_versions "
                    "WHERE k = {} ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, "
                    "version = EXCLUDED.version",
                    Quoted(w.value), key);
}

enum class BatchOutcome { kOk, kFailed, kIndeterminate, kUnreachable, kFatal };

class Writer {
 public:
  Writer(const Config& c, Model& model, Endpoint& primary, int64_t writer)
      : c_(c), model_(model), primary_(primary), writer_(writer) {}

  int Run();

 private:
  std::vector<Write> NextBatch();
  BatchOutcome WriteBatch(std::vector<Write>& batch);
  // Sends the batch's statements inside BEGIN; fills in each write's version.
  BatchOutcome SendStatements(std::vector<Write>& batch);
  BatchOutcome Commit(std::vector<Write>& batch);
  BatchOutcome Abandon(std::vector<Write>& batch, const PgResult& why);

  const Config& c_;
  Model& model_;
  Endpoint& primary_;
  int64_t writer_;
  int64_t batches_ = 0;
  int64_t values_ = 0;
  std::string fatal_;
  std::map<BatchOutcome, int64_t> counts_;
};

std::vector<Write> Writer::NextBatch() {
  ++batches_;
  std::set<int> keys;  // distinct and sorted: batches lock their counters in one order
  uint64_t n = 1 + faultline::random_below(6);
  while (keys.size() < n) keys.insert(static_cast<int>(faultline::random_below(kKeys)));
  std::vector<Write> batch;
  for (int k : keys) {
    Write w;
    w.batch = fmt::format("w{}-b{}", writer_, batches_);
    w.key = KeyName(k);
    w.op = faultline::random_below(5) == 0 ? Op::kDelete : Op::kUpsert;
    if (w.op == Op::kUpsert) w.value = fmt::format("w{}-{}", writer_, ++values_);
    batch.push_back(std::move(w));
  }
  return batch;
}

BatchOutcome Writer::Abandon(std::vector<Write>& batch, const PgResult& why) {
  StepOutcome o = Classify(why);
  if (primary_.connected()) (void)primary_.Exec("ROLLBACK", {}, 2s);
  if (o == StepOutcome::kFatal) {
    fatal_ = fmt::format("{}: {}", primary_.Address(), why.Describe());
    return BatchOutcome::kFatal;
  }
  // COMMIT was never sent: the transaction cannot have committed.
  std::string error;
  if (!model_.Record(batch, WriteStatus::kFailed, &error)) {
    fatal_ = error;
    return BatchOutcome::kFatal;
  }
  return BatchOutcome::kFailed;
}

BatchOutcome Writer::SendStatements(std::vector<Write>& batch) {
  PgResult begin = primary_.Exec("BEGIN", {}, kStatementTimeout);
  if (!begin.ok()) {
    return Classify(begin) == StepOutcome::kFatal ? Abandon(batch, begin)
                                                  : BatchOutcome::kUnreachable;
  }
  for (Write& w : batch) {
    PgResult r = primary_.Exec(WriteSql(w), {}, kStatementTimeout);
    if (!r.ok()) return Abandon(batch, r);
    int64_t version = 0;
    const auto& cell = r.rows.size() == 1 ? r.rows[0][0] : std::nullopt;
    if (!cell ||
        std::from_chars(cell->data(), cell->data() + cell->size(), version).ec != std::errc()) {
      fatal_ = fmt::format(
          "{}: key {} has no counter row in key_versions (the setup's rows are "
          "gone)",
          primary_.Address(), w.key);
      (void)primary_.Exec("ROLLBACK", {}, 2s);
      return BatchOutcome::kFatal;
    }
    w.version = version;
  }
  return BatchOutcome::kOk;
}

BatchOutcome Writer::Commit(std::vector<Write>& batch) {
  std::string error;
  // Pending before COMMIT leaves: if this process dies now, the write is known to be possible.
  if (!model_.Record(batch, WriteStatus::kPending, &error)) {
    (void)primary_.Exec("ROLLBACK", {}, 2s);
    fatal_ = error;
    return BatchOutcome::kFatal;
  }
  PgResult r = primary_.Exec("COMMIT", {}, kStatementTimeout);
  BatchOutcome outcome;
  if (r.ok()) {
    // A transaction that had failed answers COMMIT with ROLLBACK.
    outcome = r.command_tag == "COMMIT" ? BatchOutcome::kOk : BatchOutcome::kFailed;
  } else if (r.status == PgResult::Status::kServerError) {
    outcome = BatchOutcome::kFailed;  // the server refused the commit and is still talking
  } else {
    outcome = BatchOutcome::kIndeterminate;
  }
  WriteStatus status = outcome == BatchOutcome::kOk       ? WriteStatus::kOk
                       : outcome == BatchOutcome::kFailed ? WriteStatus::kFailed
                                                          : WriteStatus::kIndeterminate;
  if (!model_.Resolve(batch.front().batch, status, &error)) {
    fatal_ = error;
    return BatchOutcome::kFatal;
  }
  return outcome;
}

BatchOutcome Writer::WriteBatch(std::vector<Write>& batch) {
  if (!primary_.Get(3s)) return BatchOutcome::kUnreachable;
  BatchOutcome sent = SendStatements(batch);
  if (sent != BatchOutcome::kOk) return sent;
  return Commit(batch);
}

int Writer::Run() {
  auto start = Clock::now();
  bool answered = false;
  while (true) {
    auto now = Clock::now();
    if (now - start >= c_.driver_time && (answered || now - start >= c_.reach_time)) break;
    std::vector<Write> batch = NextBatch();
    BatchOutcome o = WriteBatch(batch);
    ++counts_[o];
    if (o == BatchOutcome::kFatal) return Fail(kMode, fatal_);
    if (o == BatchOutcome::kUnreachable) {
      Pause(std::chrono::milliseconds(100 + faultline::random_below(400)));
      continue;
    }
    answered = true;
    FAULTLINE_SOMETIMES(o == BatchOutcome::kOk, "a write was acknowledged by the primary");
    Pause(std::chrono::milliseconds(faultline::random_below(5)));
  }
  std::string summary = fmt::format(
      "{} batches: {} acknowledged, {} failed, {} indeterminate, {} found the primary away",
      batches_, counts_[BatchOutcome::kOk], counts_[BatchOutcome::kFailed],
      counts_[BatchOutcome::kIndeterminate], counts_[BatchOutcome::kUnreachable]);
  if (!answered) {
    return Fail(kMode, fmt::format("{} never answered in {}: {}", primary_.Address(),
                                   FormatSeconds(Clock::now() - start), primary_.last_error()));
  }
  Say(kMode, summary);
  return kExitOk;
}

}  // namespace

int RunWriter(const Config& c) {
  Endpoint primary(c, Server::kPrimary, "faultline-write");
  std::string error;
  std::unique_ptr<Model> model;
  if (OpenModelChecked(c, primary, c.reach_time, &model, &error) != StepOutcome::kOk) {
    return Fail(kMode, error);
  }
  int64_t writer = model->NewWriter(c.source, &error);
  if (writer == 0) return Fail(kMode, error);
  return Writer(c, *model, primary, writer).Run();
}

}  // namespace pgworkload
