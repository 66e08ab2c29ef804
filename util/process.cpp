#include "util/process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>

#include "util/interrupt.h"

extern char** environ;

namespace tinynas::util {
namespace {

using Clock = std::chrono::steady_clock;

// After SIGINT / SIGTERM, the seconds a child gets between SIGTERM and SIGKILL (or its own
// kill_grace_s when shorter): the whole program has to be gone within 2 s.
constexpr double kInterruptGraceSeconds = 0.5;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Owns one file descriptor; closes it when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

// Close-on-exec, so a pipe made for one child never leaks into another started by a second thread.
Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot create a pipe");
  }
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot make a pipe non-blocking");
  }
}

class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class SpawnAttr {
 public:
  SpawnAttr() { posix_spawnattr_init(&attr_); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr_); }
  SpawnAttr(const SpawnAttr&) = delete;
  SpawnAttr& operator=(const SpawnAttr&) = delete;
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

void check_spawn_call(int rc, const char* what) {
  if (rc != 0) throw std::system_error(rc, std::generic_category(), what);
}

// Writing to a child that closed its stdin raises SIGPIPE, whose default action would kill us.
// Block it in this thread while we write (write() then fails with EPIPE) and swallow the signal
// we caused, leaving the process's signal setup untouched.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_set_);
    sigaddset(&pipe_set_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_mask_);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        while (sigtimedwait(&pipe_set_, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_set_;
  sigset_t old_mask_;
  bool was_pending_ = false;
};

bool is_executable_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Appends everything readable now; closes fd at end of file or on error.
void drain(Fd& fd, std::string& into) {
  char buffer[65536];
  while (fd.is_open()) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      into.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      fd.reset();
    }
  }
}

// Writes as much of text[offset..] as the pipe takes now; closes fd when done or the reader left.
void feed(Fd& fd, const std::string& text, size_t& offset) {
  while (fd.is_open() && offset < text.size()) {
    const size_t chunk = std::min<size_t>(text.size() - offset, 65536);
    const ssize_t n = ::write(fd.get(), text.data() + offset, chunk);
    if (n > 0) {
      offset += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      fd.reset();  // EPIPE: the child stopped reading; the rest of the text is dropped.
    }
  }
  if (offset >= text.size()) fd.reset();  // EOF tells the child the input is complete.
}

}  // namespace

ProgramNotFound::ProgramNotFound(const std::string& program)
    : std::runtime_error(program.find('/') == std::string::npos
                             ? "program '" + program + "' not found on PATH (is it installed?)"
                             : "program '" + program + "' does not exist or is not executable"),
      program_(program) {}

std::string find_program(const std::string& name) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return is_executable_file(name) ? name : "";
  const char* env_path = std::getenv("PATH");
  // execvp's fallback when PATH is unset.
  const std::string path = env_path != nullptr ? env_path : "/bin:/usr/bin";
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = path.find(':', begin);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(begin, end - begin);
    if (dir.empty()) dir = ".";  // An empty PATH entry means the current directory.
    const std::string candidate = dir + "/" + name;
    if (is_executable_file(candidate)) return candidate;
    begin = end + 1;
  }
  return "";
}

bool program_available(const std::string& name) {
  return !find_program(name).empty();
}

std::string format_command(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) ||
             std::string_view("_-./=:,+@%").find(c) != std::string_view::npos;
    });
    if (plain) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg) {
      if (c == '\'') {
        line += "'\\''";
      } else {
        line += c;
      }
    }
    line += '\'';
  }
  return line;
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& opts) {
  if (argv.empty()) throw std::invalid_argument("run_process: argv is empty (no program to run)");
  throw_if_interrupted();
  std::string exe = find_program(argv[0]);
  if (exe.empty()) throw ProgramNotFound(argv[0]);
  // Resolve a relative "./tool" against our directory before the child changes into working_dir.
  if (exe[0] != '/') exe = std::filesystem::absolute(exe).string();
  if (!opts.working_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(opts.working_dir, ec)) {
      throw std::runtime_error("cannot run '" + argv[0] + "': working directory '" +
                               opts.working_dir + "' does not exist or is not a directory");
    }
  }

  Pipe out = make_pipe();
  Pipe err = make_pipe();
  Pipe in;
  const bool has_stdin = !opts.stdin_text.empty();
  if (has_stdin) in = make_pipe();

  SpawnActions actions;
  if (has_stdin) {
    check_spawn_call(posix_spawn_file_actions_adddup2(actions.get(), in.read.get(), 0),
                     "posix_spawn_file_actions_adddup2");
  } else {
    check_spawn_call(posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0),
                     "posix_spawn_file_actions_addopen");
  }
  check_spawn_call(posix_spawn_file_actions_adddup2(actions.get(), out.write.get(), 1),
                   "posix_spawn_file_actions_adddup2");
  check_spawn_call(posix_spawn_file_actions_adddup2(actions.get(), err.write.get(), 2),
                   "posix_spawn_file_actions_adddup2");
  if (!opts.working_dir.empty()) {
    // glibc >= 2.29 and macOS >= 10.15 provide this.
    check_spawn_call(posix_spawn_file_actions_addchdir_np(actions.get(), opts.working_dir.c_str()),
                     "posix_spawn_file_actions_addchdir_np");
  }

  // Own process group (so a timeout can kill helpers the child forked), no blocked signals and
  // default SIGPIPE, whatever the calling thread had.
  SpawnAttr attr;
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  check_spawn_call(
      posix_spawnattr_setflags(
          attr.get(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
      "posix_spawnattr_setflags");
  check_spawn_call(posix_spawnattr_setpgroup(attr.get(), 0), "posix_spawnattr_setpgroup");
  check_spawn_call(posix_spawnattr_setsigmask(attr.get(), &no_signals),
                   "posix_spawnattr_setsigmask");
  check_spawn_call(posix_spawnattr_setsigdefault(attr.get(), &default_signals),
                   "posix_spawnattr_setsigdefault");

  std::vector<char*> c_argv;
  c_argv.reserve(argv.size() + 1);
  for (const std::string& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);

  const Clock::time_point start = Clock::now();
  pid_t pid = -1;
  const int spawn_rc =
      ::posix_spawn(&pid, exe.c_str(), actions.get(), attr.get(), c_argv.data(), environ);
  if (spawn_rc == ENOENT) throw ProgramNotFound(argv[0]);
  if (spawn_rc != 0) {
    throw std::system_error(spawn_rc, std::generic_category(),
                            "cannot run '" + argv[0] + "' (" + exe + ")");
  }

  // From here until the loop below ends, SIGINT / SIGTERM reach the child's group at once.
  std::optional<ChildGroupRegistration> registration(std::in_place, pid);

  // Our copies of the child's ends must go, or we would never see end of file.
  out.write.reset();
  err.write.reset();
  in.read.reset();
  set_nonblocking(out.read.get());
  set_nonblocking(err.read.get());
  if (has_stdin) set_nonblocking(in.write.get());

  ProcessResult result;
  size_t stdin_offset = 0;
  bool exited = false;
  bool status_known = true;
  int status = 0;
  bool term_sent = false;
  bool kill_sent = false;
  int interrupted_by = 0;
  Clock::time_point kill_at{};
  Clock::time_point give_up_at{};
  const bool has_deadline = opts.timeout_s > 0;
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(has_deadline ? opts.timeout_s : 0.0));

  {
    SigpipeBlock no_sigpipe;
    while (true) {
      if (!exited) {
        const pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) {
          exited = true;
        } else if (w < 0 && errno == ECHILD) {
          exited = true;  // Someone else reaped it (SIGCHLD ignored); the status is unknown.
          status_known = false;
        }
      }
      const bool streams_open = out.read.is_open() || err.read.is_open() || in.write.is_open();
      if (exited && !streams_open) break;

      const Clock::time_point now = Clock::now();
      const auto after = [&](double seconds) {
        return now + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(std::max(0.0, seconds)));
      };
      const bool newly_interrupted = interrupted_by == 0 && interrupted();
      if (newly_interrupted) {
        interrupted_by = interrupt_signal();
        // A timeout may have sent SIGTERM already; the user's request shortens its grace.
        if (term_sent && !kill_sent)
          kill_at = std::min(kill_at, after(std::min(opts.kill_grace_s, kInterruptGraceSeconds)));
      }
      const bool stop =
          !term_sent && (interrupted_by != 0 || (opts.stop_requested && opts.stop_requested()));
      if ((has_deadline && !term_sent && now >= deadline) || stop) {
        // If the child already exited, something it started still holds our pipes: end it too.
        (stop ? result.stopped : result.timed_out) = !exited;
        ::kill(-pid, SIGTERM);
        term_sent = true;
        kill_at = after(interrupted_by != 0 ? std::min(opts.kill_grace_s, kInterruptGraceSeconds)
                                            : opts.kill_grace_s);
      }
      if (term_sent && !kill_sent && now >= kill_at) {
        ::kill(-pid, SIGKILL);
        kill_sent = true;
        give_up_at = now + std::chrono::seconds(2);
      }
      // A process that left our group could keep the pipes open for ever; stop reading then.
      if (kill_sent && now >= give_up_at) break;

      pollfd fds[4];
      Fd* owners[3];
      nfds_t count = 0;
      for (Fd* fd : {&out.read, &err.read}) {
        if (!fd->is_open()) continue;
        fds[count] = pollfd{fd->get(), POLLIN, 0};
        owners[count++] = fd;
      }
      if (in.write.is_open()) {
        fds[count] = pollfd{in.write.get(), POLLOUT, 0};
        owners[count++] = &in.write;
      }
      // Pipes report the child's exit as end of file; without pipes, check for exit often.
      int wait_ms = count > 0 ? 50 : 2;
      // Wakes the wait when SIGINT / SIGTERM arrives; not once acted on (it stays readable).
      const int wake_fd = interrupt_wake_fd();
      if (wake_fd >= 0 && interrupted_by == 0) fds[count++] = pollfd{wake_fd, POLLIN, 0};
      auto limit_by = [&](Clock::time_point when) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
        wait_ms = std::clamp<int>(static_cast<int>(left.count()) + 1, 0, wait_ms);
      };
      if (has_deadline && !term_sent) limit_by(deadline);
      if (term_sent && !kill_sent) limit_by(kill_at);
      const int ready = ::poll(fds, count, wait_ms);
      if (ready < 0) {
        if (errno == EINTR) continue;
        const int saved = errno;
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw std::system_error(saved, std::generic_category(), "poll on the child's pipes");
      }
      for (nfds_t i = 0; i < count; ++i) {
        if (fds[i].revents == 0 || fds[i].fd == wake_fd) continue;
        if (owners[i] == &in.write) {
          if (fds[i].revents & (POLLERR | POLLHUP)) {
            in.write.reset();
          } else {
            feed(in.write, opts.stdin_text, stdin_offset);
          }
        } else {
          std::string& into = owners[i] == &out.read ? result.out : result.err;
          const size_t before = into.size();
          drain(*owners[i], into);
          if (opts.on_output && into.size() > before)
            opts.on_output(into.substr(before), &into == &result.err);
        }
      }
    }
  }

  if (!exited) {
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) {
        status_known = false;
        break;
      }
    }
  }
  registration.reset();
  // The caller must not take a child killed on the user's request for a failed tool.
  if (interrupted_by != 0) throw Interrupted(interrupted_by);
  result.seconds = seconds_between(start, Clock::now());
  if (status_known && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (status_known && WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
    result.exit_code = 128 + result.term_signal;
  }
  return result;
}

}  // namespace tinynas::util
