#include "testing/postgres_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/files.h"
#include "base/strings.h"
#include "base/unique_fd.h"

namespace faultline::testing {
namespace {

using std::chrono::milliseconds;

// A port that was free a moment ago. PostgreSQL binds it itself, so a race is possible; Start()
// retries with another port when the server cannot bind.
Result<int> FreeLoopbackPort() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Unexpected(Status::FromErrno("socket"));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Unexpected(Status::FromErrno("bind 127.0.0.1:0"));
  }
  socklen_t len = sizeof addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Unexpected(Status::FromErrno("getsockname"));
  }
  return static_cast<int>(ntohs(addr.sin_port));
}

// Runs argv as the postgres user and waits for it; the error carries its output.
Status RunAsPostgres(const std::vector<std::string>& argv, const std::string& log_path) {
  UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!log) return Status::FromErrno(log_path);
  std::vector<std::string> full = {"setpriv",       "--reuid=postgres", "--regid=postgres",
                                   "--init-groups", "--pdeathsig=KILL", "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  auto child = ChildProcess::Spawn({full, log.get(), log.get()});
  if (!child) return child.status();
  auto status = child->Wait(std::chrono::minutes(2));
  if (!status) return Status::Error(argv[0] + " did not finish within 2 minutes");
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    auto text = ReadFile(log_path);
    return Status::Error(fmt::format("{} failed ({}):\n{}", argv[0],
                                     DescribeWaitStatus(*status),
                                     text ? TailLines(*text, 20) : ""));
  }
  return Status::Ok();
}

// Pids whose parent is `parent`: the backends and auxiliary processes of a postmaster, which
// each call setsid() and so are not in the postmaster's process group.
std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> out;
  DIR* dir = ::opendir("/proc");
  if (!dir) return out;
  while (dirent* e = ::readdir(dir)) {
    auto pid = ParseInt(e->d_name);
    if (!pid) continue;
    auto stat = ReadFile(fmt::format("/proc/{}/stat", *pid));
    if (!stat) continue;
    // Field 4 (ppid) follows the command name, which is in parentheses and may hold spaces.
    size_t close = stat->rfind(')');
    if (close == std::string::npos) continue;
    auto fields = Split(std::string_view(*stat).substr(close + 2), ' ');
    if (fields.size() > 1 && ParseInt(fields[1]) == parent) out.push_back(static_cast<pid_t>(*pid));
  }
  ::closedir(dir);
  return out;
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start(PostgresOptions options) {
  std::unique_ptr<PostgresServer> server(new PostgresServer(std::move(options)));
  passwd* pw = ::getpwnam("postgres");
  if (!pw) return Unexpected("no 'postgres' user on this machine (apt-get install postgresql-15)");
  server->uid_ = pw->pw_uid;
  server->gid_ = pw->pw_gid;
  auto root = MakeTempDir("faultline-pg");
  if (!root) return Unexpected(root.error());
  server->root_ = *root;
  if (Status s = server->InitDb(); !s.ok()) return Unexpected(s);
  Status launched;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto port = FreeLoopbackPort();
    if (!port) return Unexpected(port.status());
    launched = server->Launch(*port);
    if (launched.ok()) launched = server->WaitReady();
    if (launched.ok()) return server;
    server->KillEverything();
  }
  return Unexpected(launched);
}

PostgresServer::~PostgresServer() {
  (void)Stop();
  if (!root_.empty()) (void)RemoveTree(root_);
}

Status PostgresServer::InitDb() {
  FL_RETURN_IF_ERROR(ChownTree(root_, uid_, gid_));
  return RunAsPostgres({options_.bin_dir + "/initdb", "-D", data_dir(), "-U", "postgres", "-A",
                        "trust", "-E", "UTF8", "--locale=C", "--no-sync"},
                       root_ + "/initdb.log");
}

Status PostgresServer::Launch(int port) {
  port_ = port;
  std::string log_path = root_ + "/postgres.log";
  UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!log) return Status::FromErrno(log_path);
  std::vector<std::string> argv = {"setpriv",
                                   "--reuid=postgres",
                                   "--regid=postgres",
                                   "--init-groups",
                                   "--pdeathsig=KILL",
                                   "--",
                                   options_.bin_dir + "/postgres",
                                   "-D",
                                   data_dir(),
                                   "-p",
                                   std::to_string(port_),
                                   "-k",
                                   root_,
                                   "-c",
                                   "listen_addresses=" + host_};
  for (const auto& s : options_.settings) {
    argv.push_back("-c");
    argv.push_back(s);
  }
  auto child = ChildProcess::Spawn({argv, log.get(), log.get()});
  if (!child) return child.status();
  postmaster_ = std::move(*child);
  return Status::Ok();
}

Status PostgresServer::WaitReady() {
  std::string conninfo =
      fmt::format("host={} port={} dbname=postgres user=postgres connect_timeout=2", host_, port_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return Status::Ok();
    // The postmaster's exit is the event that ends the wait early; between pings it is waited on.
    if (auto status = postmaster_.Wait(milliseconds(50))) {
      return Status::Error(fmt::format("postgres exited ({}) before accepting connections:\n{}",
                                       DescribeWaitStatus(*status), LogTail()));
    }
  }
  return Status::Error("postgres did not accept connections within 60s:\n" + LogTail());
}

std::string PostgresServer::Url(const std::string& database) const {
  return fmt::format("postgresql://postgres@{}:{}/{}", host_, port_, database);
}

std::string PostgresServer::Address() const { return fmt::format("{}:{}", host_, port_); }

std::string PostgresServer::LogTail(size_t lines) const {
  auto text = ReadFileTail(root_ + "/postgres.log", 16384);
  return text ? TailLines(*text, lines) : std::string();
}

void PostgresServer::KillEverything() {
  pid_t pm = postmaster_.pid();
  if (pm <= 0) return;
  std::vector<pid_t> children = ChildrenOf(pm);
  postmaster_.Kill();
  for (pid_t c : children) {
    ::kill(-c, SIGKILL);
    ::kill(c, SIGKILL);
  }
  // Backends are children of the postmaster, not ours: wait until they are gone so the data
  // folder can be reused or removed.
  for (int i = 0; i < 500; ++i) {
    bool alive = false;
    for (pid_t c : children) alive |= ::kill(c, 0) == 0;
    if (!alive) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

Status PostgresServer::Stop() {
  if (!postmaster_.running()) {
    KillEverything();
    return Status::Ok();
  }
  // SIGINT is PostgreSQL's fast shutdown: backends are told to exit and the postmaster exits last.
  ::kill(postmaster_.pid(), SIGINT);
  bool clean = postmaster_.Wait(std::chrono::seconds(10)).has_value();
  KillEverything();
  return clean ? Status::Ok() : Status::Error("postgres ignored fast shutdown; killed it");
}

Status PostgresServer::CrashAndRestart() {
  KillEverything();
  Status s;
  // The same port, so that every URL handed out stays valid; a port held by someone else in the
  // meantime fails the restart rather than moving the server.
  for (int attempt = 0; attempt < 3; ++attempt) {
    s = Launch(port_);
    if (!s.ok()) continue;
    s = WaitReady();
    if (s.ok()) return s;
    KillEverything();
  }
  return s;
}

}  // namespace faultline::testing
