// SIGINT / SIGTERM through the executable: tinynas stops within 2 s, ends its QEMU child's process
// group, exits 130 / 143 and says in one stderr line what was saved (cli/interrupt_exit.h).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"
#include "util/process.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using tinynas::testing::TempDir;

// The promise under test: gone within 2 s of the signal, measured on this (loaded) machine.
constexpr double kStopWithinSeconds = 2.0;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One line of /proc/PID/stat, the fields this test needs.
struct ProcStat {
  pid_t pid = 0;
  std::string name;  // comm: at most 15 characters ("qemu-system-arm" fits exactly)
  char state = '?';
  pid_t parent = 0;
  pid_t group = 0;
};

std::optional<ProcStat> read_stat(const fs::path& dir) {
  std::ifstream in(dir / "stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const size_t open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  ProcStat s;
  s.pid = static_cast<pid_t>(std::stol(line.substr(0, open)));
  s.name = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 2));
  rest >> s.state >> s.parent >> s.group;
  return s;
}

std::vector<ProcStat> all_processes() {
  std::vector<ProcStat> list;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::optional<ProcStat> s = read_stat(e.path())) list.push_back(*s);
  }
  return list;
}

// Live (not zombie) processes of a group: a container's init may be slow to reap orphans.
int live_members(pid_t group) {
  int n = 0;
  for (const ProcStat& s : all_processes())
    if (s.group == group && s.state != 'Z') ++n;
  return n;
}

// tinynas started in the background (its own process group, as a shell job), stdout and stderr
// in files; killed with SIGKILL if a test ends while it runs.
class BackgroundTinynas {
 public:
  BackgroundTinynas(std::vector<std::string> args, const TempDir& dir)
      : err_path_(dir / "stderr.txt") {
    args.insert(args.begin(), TINYNAS_EXECUTABLE);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out_path = dir / "stdout.txt";
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&files, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&files, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    if (posix_spawn(&pid_, argv[0], &files, &attr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&files);
  }
  ~BackgroundTinynas() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  BackgroundTinynas(const BackgroundTinynas&) = delete;
  BackgroundTinynas& operator=(const BackgroundTinynas&) = delete;

  pid_t pid() const { return pid_; }
  bool running() { return pid_ > 0 && !wait_for_exit(0); }

  // A direct child named `name`, waited for up to timeout_s while tinynas runs.
  std::optional<ProcStat> wait_for_child(const std::string& name, double timeout_s) {
    const Clock::time_point start = Clock::now();
    while (seconds_since(start) < timeout_s && running()) {
      for (const ProcStat& s : all_processes())
        if (s.parent == pid_ && s.name == name && s.state != 'Z') return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

  // The exit code once tinynas has ended (128 + N for a signal), waiting up to timeout_s.
  std::optional<int> wait_for_exit(double timeout_s) {
    const Clock::time_point start = Clock::now();
    while (!exit_code_) {
      int status = 0;
      const pid_t w = ::waitpid(pid_, &status, WNOHANG);
      if (w == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      } else if (seconds_since(start) >= timeout_s) {
        break;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    return exit_code_;
  }

  std::string err() const { return tinynas::testing::read_text(err_path_); }

 private:
  std::string err_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

struct StopReport {
  std::optional<int> exit_code;
  double seconds = 0;  // from the signal to the exit
};

// Sends `signal` to tinynas alone (not to its children's groups) and waits for it to end.
StopReport stop(BackgroundTinynas& t, int signal) {
  StopReport r;
  const Clock::time_point sent = Clock::now();
  ::kill(t.pid(), signal);
  // Bounded well above the promise, so a failure reports the real time instead of hanging.
  r.exit_code = t.wait_for_exit(30);
  r.seconds = seconds_since(sent);
  return r;
}

// stderr ends with exactly one line "tinynas: interrupted (SIGNAL): ..." and has no other
// "tinynas:" verdict (error, failed) besides it.
void expect_one_interrupt_line(const std::string& err, const std::string& signal_name) {
  const std::string prefix = "tinynas: interrupted (" + signal_name + "): ";
  size_t count = 0;
  for (size_t at = err.find("tinynas: interrupted"); at != std::string::npos;
       at = err.find("tinynas: interrupted", at + 1))
    ++count;
  EXPECT_EQ(count, 1u) << err;
  const size_t last = err.rfind(prefix);
  ASSERT_NE(last, std::string::npos) << err;
  EXPECT_TRUE(last == 0 || err[last - 1] == '\n') << err;
  const std::string line = err.substr(last);
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "not the last line, or not one line: " << line;
  EXPECT_GT(line.size(), prefix.size() + 1) << "says nothing about what was saved: " << line;
  EXPECT_EQ(err.find("tinynas: failed"), std::string::npos) << err;
  EXPECT_EQ(err.find("tinynas: error"), std::string::npos) << err;
}

// An exported mcunet-in0 with random weights, made once for the QEMU tests.
class InterruptQemuCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!tinynas::util::program_available("qemu-system-arm") ||
        !tinynas::util::program_available("arm-none-eabi-gcc"))
      return;
    models_ = new TempDir();
    const tinynas::util::ProcessResult r = tinynas::testing::run_tinynas(
        {"export", std::string(TINYNAS_TEST_CONFIG_DIR) + "/archs/mcunet-in0.json",
         "--random-weights", "--out", *models_ / "model"});
    if (r.exit_code != 0) export_error_ = new std::string(r.err);
  }
  static void TearDownTestSuite() {
    delete models_;
    models_ = nullptr;
    delete export_error_;
    export_error_ = nullptr;
  }
  void SetUp() override {
    if (models_ == nullptr)
      GTEST_SKIP() << "qemu-system-arm or arm-none-eabi-gcc is not installed (scripts/setup.sh)";
    ASSERT_EQ(export_error_, nullptr) << "tinynas export failed: " << *export_error_;
  }

  // verify on qemu-m4 with enough inputs to keep QEMU busy for seconds, signalled once QEMU runs.
  void expect_verify_stops_on(int signal, const std::string& signal_name) {
    TempDir dir;
    BackgroundTinynas t({"verify", *models_ / "model", "--target", "qemu-m4", "--inputs", "200",
                         "--work", dir / "work"},
                        dir);
    ASSERT_GT(t.pid(), 0);
    // Building the firmware comes first; generous for a loaded machine, bounded all the same.
    const std::optional<ProcStat> qemu = t.wait_for_child("qemu-system-arm", 300);
    ASSERT_TRUE(qemu.has_value()) << "no QEMU child appeared; stderr: " << t.err();
    ASSERT_NE(qemu->group, t.pid()) << "QEMU runs in its own process group";
    const StopReport r = stop(t, signal);
    ASSERT_TRUE(r.exit_code.has_value()) << "still running 30 s after " << signal_name;
    EXPECT_EQ(*r.exit_code, 128 + signal) << t.err();
    EXPECT_LT(r.seconds, kStopWithinSeconds);
    EXPECT_EQ(live_members(qemu->group), 0) << "QEMU's process group outlived tinynas";
    expect_one_interrupt_line(t.err(), signal_name);
  }

  static TempDir* models_;
  static std::string* export_error_;
};

TempDir* InterruptQemuCliTest::models_ = nullptr;
std::string* InterruptQemuCliTest::export_error_ = nullptr;

TEST_F(InterruptQemuCliTest, SigintDuringQemuExits130WithinTwoSecondsAndEndsQemu) {
  expect_verify_stops_on(SIGINT, "SIGINT");
}

TEST_F(InterruptQemuCliTest, SigtermDuringQemuExits143WithinTwoSecondsAndEndsQemu) {
  expect_verify_stops_on(SIGTERM, "SIGTERM");
}

TEST(InterruptCliTest, SigintDuringALongSearchExits130WithinTwoSeconds) {
  TempDir dir;
  // Millions of samples per sub-space: minutes of work, no child process.
  BackgroundTinynas t({"search", "--samples", "5000000", "--quiet", "--out", dir / "run"}, dir);
  ASSERT_GT(t.pid(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(t.running()) << "the search ended before the signal; stderr: " << t.err();
  const StopReport r = stop(t, SIGINT);
  ASSERT_TRUE(r.exit_code.has_value()) << "still running 30 s after SIGINT";
  EXPECT_EQ(*r.exit_code, 130) << t.err();
  EXPECT_LT(r.seconds, kStopWithinSeconds);
  expect_one_interrupt_line(t.err(), "SIGINT");
  EXPECT_NE(t.err().find("nothing needed saving"), std::string::npos) << t.err();
}

}  // namespace
