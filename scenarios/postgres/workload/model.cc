#include "model.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

namespace pgworkload {
namespace {

constexpr int kBusyTimeoutMs = 30000;  // drivers hold the write lock for well under a millisecond

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode = WAL;
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE writers (id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL,
                      pid INTEGER NOT NULL, started_ms INTEGER NOT NULL);
CREATE TABLE writes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch TEXT NOT NULL,
  key TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
  value TEXT,
  version INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'failed', 'indeterminate')),
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER NOT NULL DEFAULT 0);
CREATE INDEX writes_by_batch ON writes (batch);
CREATE INDEX writes_by_key ON writes (key, version);
)sql";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ErrorOf(sqlite3* db, std::string_view what) {
  return fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : "out of memory");
}

// A prepared statement that finalizes itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) == 0; }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return ok_; }
  sqlite3_stmt* get() { return s_; }
  void Bind(int i, std::string_view text) {
    sqlite3_bind_text(s_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t n) { sqlite3_bind_int64(s_, i, n); }
  void BindNull(int i) { sqlite3_bind_null(s_, i); }
  std::string Text(int col) {
    const unsigned char* t = sqlite3_column_text(s_, col);
    return t ? reinterpret_cast<const char*>(t) : "";
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  bool ok_ = false;
};

sqlite3* OpenDb(const std::string& path, int flags, std::string* error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    *error = ErrorOf(db, "cannot open the model " + path);
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return db;
}

WriteStatus StatusOf(std::string_view s) {
  if (s == "ok") return WriteStatus::kOk;
  if (s == "failed") return WriteStatus::kFailed;
  if (s == "indeterminate") return WriteStatus::kIndeterminate;
  return WriteStatus::kPending;
}

}  // namespace

std::string_view OpName(Op op) { return op == Op::kUpsert ? "upsert" : "delete"; }

std::string_view StatusName(WriteStatus s) {
  switch (s) {
    case WriteStatus::kPending:
      return "pending";
    case WriteStatus::kOk:
      return "ok";
    case WriteStatus::kFailed:
      return "failed";
    case WriteStatus::kIndeterminate:
      return "indeterminate";
  }
  return "?";
}

Model::~Model() { sqlite3_close(db_); }

bool Model::ExecScript(const char* sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    *error = fmt::format("model {}: {}", path_, message ? message : "error");
    sqlite3_free(message);
    return false;
  }
  return true;
}

std::unique_ptr<Model> Model::Create(const std::string& path, const std::string& token,
                                     std::string* error) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) unlink((path + suffix).c_str());
  sqlite3* db = OpenDb(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
  if (!db) return nullptr;
  std::unique_ptr<Model> m(new Model(db, path));
  if (!m->ExecScript(kSchema, error)) return nullptr;
  Stmt put(db, "INSERT INTO meta (name, value) VALUES ('token', ?1), ('created_ms', ?2)");
  put.Bind(1, token);
  put.Bind(2, fmt::format("{}", NowMs()));
  if (!put.ok() || sqlite3_step(put.get()) != SQLITE_DONE) {
    *error = ErrorOf(db, "model " + path);
    return nullptr;
  }
  m->token_ = token;
  return m;
}

std::unique_ptr<Model> Model::Open(const std::string& path, std::string* error) {
  if (access(path.c_str(), F_OK) != 0) {
    *error = fmt::format("the model {} does not exist", path);
    return nullptr;
  }
  sqlite3* db = OpenDb(path, SQLITE_OPEN_READWRITE, error);
  if (!db) return nullptr;
  std::unique_ptr<Model> m(new Model(db, path));
  Stmt get(db, "SELECT value FROM meta WHERE name = 'token'");
  if (!get.ok() || sqlite3_step(get.get()) != SQLITE_ROW) {
    *error = fmt::format("{} is not a workload model (no token): {}", path, sqlite3_errmsg(db));
    return nullptr;
  }
  m->token_ = get.Text(0);
  return m;
}

int64_t Model::NewWriter(const std::string& source, std::string* error) {
  Stmt add(db_, "INSERT INTO writers (source, pid, started_ms) VALUES (?1, ?2, ?3)");
  add.Bind(1, source);
  add.Bind(2, static_cast<int64_t>(getpid()));
  add.Bind(3, NowMs());
  if (!add.ok() || sqlite3_step(add.get()) != SQLITE_DONE) {
    *error = ErrorOf(db_, "model " + path_);
    return 0;
  }
  return sqlite3_last_insert_rowid(db_);
}

bool Model::Record(std::vector<Write>& writes, WriteStatus status, std::string* error) {
  if (!ExecScript("BEGIN IMMEDIATE", error)) return false;
  Stmt add(db_,
           "INSERT INTO writes (batch, key, op, value, version, status, started_ms, ended_ms) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  int64_t now = NowMs();
  for (auto& w : writes) {
    sqlite3_reset(add.get());
    add.Bind(1, w.batch);
    add.Bind(2, w.key);
    add.Bind(3, OpName(w.op));
    if (w.op == Op::kDelete) {
      add.BindNull(4);
    } else {
      add.Bind(4, w.value);
    }
    add.Bind(5, w.version);
    add.Bind(6, StatusName(status));
    add.Bind(7, now);
    add.Bind(8, status == WriteStatus::kPending ? 0 : now);
    if (!add.ok() || sqlite3_step(add.get()) != SQLITE_DONE) {
      *error = ErrorOf(db_, "model " + path_);
      std::string ignored;
      ExecScript("ROLLBACK", &ignored);
      return false;
    }
    w.id = sqlite3_last_insert_rowid(db_);
    w.status = status;
  }
  return ExecScript("COMMIT", error);
}

bool Model::Resolve(const std::string& batch, WriteStatus status, std::string* error) {
  Stmt set(db_, "UPDATE writes SET status = ?1, ended_ms = ?2 WHERE batch = ?3");
  set.Bind(1, StatusName(status));
  set.Bind(2, NowMs());
  set.Bind(3, batch);
  if (!set.ok() || sqlite3_step(set.get()) != SQLITE_DONE) {
    *error = ErrorOf(db_, "model " + path_);
    return false;
  }
  return true;
}

bool Model::LoadApplicable(std::vector<Write>* out, std::string* error) {
  Stmt q(db_,
         "SELECT id, batch, key, op, coalesce(value, ''), version, status, ended_ms FROM writes "
         "WHERE status != 'failed' ORDER BY id");
  if (!q.ok()) {
    *error = ErrorOf(db_, "model " + path_);
    return false;
  }
  out->clear();
  int rc;
  while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
    Write w;
    w.id = sqlite3_column_int64(q.get(), 0);
    w.batch = q.Text(1);
    w.key = q.Text(2);
    w.op = q.Text(3) == "delete" ? Op::kDelete : Op::kUpsert;
    w.value = q.Text(4);
    w.version = sqlite3_column_int64(q.get(), 5);
    w.status = StatusOf(q.Text(6));
    w.ended_ms = sqlite3_column_int64(q.get(), 7);
    out->push_back(std::move(w));
  }
  if (rc != SQLITE_DONE) {
    *error = ErrorOf(db_, "model " + path_);
    return false;
  }
  return true;
}

bool Model::Counts(ModelCounts* out, std::string* error) {
  Stmt q(db_, "SELECT status, count(*) FROM writes GROUP BY status");
  if (!q.ok()) {
    *error = ErrorOf(db_, "model " + path_);
    return false;
  }
  *out = {};
  while (sqlite3_step(q.get()) == SQLITE_ROW) {
    int64_t n = sqlite3_column_int64(q.get(), 1);
    switch (StatusOf(q.Text(0))) {
      case WriteStatus::kOk:
        out->ok += n;
        break;
      case WriteStatus::kFailed:
        out->failed += n;
        break;
      case WriteStatus::kPending:
        out->pending += n;
        break;
      case WriteStatus::kIndeterminate:
        out->indeterminate += n;
        break;
    }
  }
  return true;
}

bool Model::LastWriteId(int64_t* out, std::string* error) {
  Stmt q(db_, "SELECT coalesce(max(id), 0) FROM writes");
  if (!q.ok() || sqlite3_step(q.get()) != SQLITE_ROW) {
    *error = ErrorOf(db_, "model " + path_);
    return false;
  }
  *out = sqlite3_column_int64(q.get(), 0);
  return true;
}

}  // namespace pgworkload
