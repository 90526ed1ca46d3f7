// Model: the workload's expected state, shared by every command of a history. Commands are
// separate processes (drivers run side by side, get killed, start again), so the model lives in
// one SQLite file in the history's folder, in WAL mode so that readers never block writers.
//
// Every write is recorded with its outcome: `pending` before its COMMIT is sent (so a driver
// killed mid-commit leaves a trace), then `ok` (acknowledged), `failed` (certainly not applied) or
// `indeterminate` (the connection broke after COMMIT was sent: it may or may not have happened).
// A pending write whose driver is gone counts as indeterminate. A write carries the per-key
// version the primary gave it (its counter row was locked by the write's transaction, so the
// version is the one the write commits with, if it commits).
//
// `first_` creates the model with a token that it also stores on the primary; every later
// command opens it (never creates it) and can tell a model reset since setup by the token.
// One Model object per thread; any number of processes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct sqlite3;

namespace pgworkload {

enum class Op { kUpsert, kDelete };
enum class WriteStatus { kPending, kOk, kFailed, kIndeterminate };
std::string_view OpName(Op op);
std::string_view StatusName(WriteStatus s);

struct Write {
  int64_t id = 0;
  std::string batch;  // writes of one batch share one transaction, hence one outcome
  std::string key;
  Op op = Op::kUpsert;
  std::string value;  // unique within the model; empty for a delete
  int64_t version = 0;
  WriteStatus status = WriteStatus::kPending;
  int64_t ended_ms = 0;  // when the outcome became known (Unix ms); 0 while pending
};

struct ModelCounts {
  int64_t ok = 0;
  int64_t failed = 0;
  int64_t indeterminate = 0;  // the connection broke after COMMIT was sent
  int64_t pending = 0;        // no outcome recorded: the driver was killed mid-commit (or runs)
};

class Model {
 public:
  // Creates a fresh model at `path` (replacing any file there) holding `token`. Returns nullptr
  // with the reason in *error.
  static std::unique_ptr<Model> Create(const std::string& path, const std::string& token,
                                       std::string* error);
  // Opens the model `first_` created. Fails (nullptr, *error) when the file is missing or is not
  // a model.
  static std::unique_ptr<Model> Open(const std::string& path, std::string* error);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const std::string& token() const { return token_; }
  const std::string& path() const { return path_; }

  // Registers a writer process; its id makes the values it writes unique. 0 on failure.
  int64_t NewWriter(const std::string& source, std::string* error);
  // Records the writes of one batch with `status` (pending before a COMMIT is sent, failed for a
  // batch that never got that far), in one SQLite transaction; fills in their ids and status.
  bool Record(std::vector<Write>& writes, WriteStatus status, std::string* error);
  // Sets the outcome of every write of `batch`.
  bool Resolve(const std::string& batch, WriteStatus status, std::string* error);
  // Every write that may have been applied (all but the failed ones), in id order.
  bool LoadApplicable(std::vector<Write>* out, std::string* error);
  bool Counts(ModelCounts* out, std::string* error);
  // The id of the newest write recorded (whatever its outcome), 0 when there is none; a cheap
  // way to tell whether any driver wrote since an earlier call. False with *error on failure.
  bool LastWriteId(int64_t* out, std::string* error);

 private:
  Model(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  bool ExecScript(const char* sql, std::string* error);

  sqlite3* db_ = nullptr;
  std::string path_;
  std::string token_;
};

}  // namespace pgworkload
