// Tests of SIGINT / SIGTERM handling: the flag and its exception, and run_process ending its
// child's whole process group promptly when a signal arrives (util/interrupt.h).
#include "util/interrupt.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>

#include "util/process.h"

namespace tinynas::util {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Installs the handlers and forgets any earlier signal, so each test starts clean.
class InterruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    install_interrupt_handlers();
    clear_interrupt_for_testing();
  }
  void TearDown() override { clear_interrupt_for_testing(); }
};

// True when no process of the group is left but zombies (a container's init may reap late).
bool group_is_gone(pid_t group) {
  for (int i = 0; i < 200; ++i) {
    if (::kill(-group, 0) != 0 && errno == ESRCH) return true;
    std::ifstream stat("/proc/" + std::to_string(group) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    const size_t paren = line.rfind(')');
    if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z')
      return true;
    ::usleep(10000);
  }
  return false;
}

// Runs `script` (which must print its shell's pid first), sends this process `signal` as soon
// as the pid arrives, and returns what run_process threw, how long it took and the child's group.
struct InterruptedRun {
  std::optional<int> thrown_signal;
  double seconds_after_signal = 0;
  pid_t child = 0;
};

InterruptedRun interrupt_while_running(const std::string& script, int signal) {
  InterruptedRun run;
  Clock::time_point sent{};
  ProcessOptions opts;
  opts.timeout_s = 30;
  std::string out;
  opts.on_output = [&](const std::string& chunk, bool from_stderr) {
    if (from_stderr || run.child != 0) return;
    out += chunk;
    if (out.find('\n') == std::string::npos) return;
    run.child = static_cast<pid_t>(std::stol(out));
    sent = Clock::now();
    ::kill(::getpid(), signal);  // as a terminal's Ctrl-C reaches only us, not the child's group
  };
  try {
    run_process({"sh", "-c", script}, opts);
  } catch (const Interrupted& e) {
    run.thrown_signal = e.signal();
  }
  run.seconds_after_signal = seconds_since(sent);
  return run;
}

TEST_F(InterruptTest, ASignalSetsTheFlagAndThrowIfInterruptedNamesIt) {
  EXPECT_FALSE(interrupted());
  EXPECT_NO_THROW(throw_if_interrupted());
  ::raise(SIGINT);
  EXPECT_TRUE(interrupted());
  EXPECT_EQ(interrupt_signal(), SIGINT);
  try {
    throw_if_interrupted();
    FAIL() << "throw_if_interrupted did not throw";
  } catch (const Interrupted& e) {
    EXPECT_EQ(e.signal(), SIGINT);
    EXPECT_STREQ(e.what(), "interrupted by SIGINT");
  }
}

TEST_F(InterruptTest, TheFirstSignalIsTheOneRemembered) {
  ::raise(SIGTERM);
  ::raise(SIGINT);
  EXPECT_EQ(interrupt_signal(), SIGTERM);
}

TEST_F(InterruptTest, TheWakeDescriptorBecomesReadableAndStaysSo) {
  ASSERT_GE(interrupt_wake_fd(), 0);
  pollfd wake{interrupt_wake_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&wake, 1, 0), 0);
  ::raise(SIGTERM);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(::poll(&wake, 1, 0), 1) << "poll number " << i;
}

TEST_F(InterruptTest, RunProcessEndsTheChildGroupAndThrowsOnSigint) {
  // The grandchild sleep keeps the group alive after sh is gone: the whole group must go.
  const InterruptedRun run =
      interrupt_while_running("echo $$; sleep 30 & sleep 30; echo survived", SIGINT);
  ASSERT_NE(run.child, 0);
  ASSERT_TRUE(run.thrown_signal.has_value()) << "run_process returned instead of throwing";
  EXPECT_EQ(*run.thrown_signal, SIGINT);
  EXPECT_LT(run.seconds_after_signal, 1.0);
  EXPECT_TRUE(group_is_gone(run.child));
}

TEST_F(InterruptTest, AChildThatIgnoresSigtermIsKilledAfterAShortGrace) {
  // An ignored signal stays ignored across exec, so sh and sleep both shrug off SIGTERM.
  const InterruptedRun run =
      interrupt_while_running("trap '' TERM; echo $$; sleep 30; echo survived", SIGTERM);
  ASSERT_NE(run.child, 0);
  ASSERT_TRUE(run.thrown_signal.has_value());
  EXPECT_EQ(*run.thrown_signal, SIGTERM);
  EXPECT_GE(run.seconds_after_signal, 0.45);  // the grace: SIGTERM first, then SIGKILL
  EXPECT_LT(run.seconds_after_signal, 1.5);
  EXPECT_TRUE(group_is_gone(run.child));
}

TEST_F(InterruptTest, RunProcessStartsNothingOnceInterrupted) {
  ::raise(SIGINT);
  const Clock::time_point start = Clock::now();
  EXPECT_THROW(run_process({"sleep", "5"}), Interrupted);
  EXPECT_LT(seconds_since(start), 0.5);
}

TEST_F(InterruptTest, RegisteredGroupsGetSigtermFromTheHandlerItself) {
  // No run_process loop is watching this child: the handler alone must reach its group.
  // The pipe closes on exec: until then the child would run our handler, not die of SIGTERM.
  int exec_done[2];
  ASSERT_EQ(::pipe2(exec_done, O_CLOEXEC), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::setpgid(0, 0);
    ::execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(child, child);  // both sides, so the group exists whoever runs first
  ::close(exec_done[1]);
  char byte = 0;
  while (::read(exec_done[0], &byte, 1) < 0 && errno == EINTR) {
  }
  ::close(exec_done[0]);
  int status = 0;
  {
    ChildGroupRegistration registration(child);
    ::raise(SIGTERM);
    ASSERT_EQ(::waitpid(child, &status, 0), child);
  }
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

TEST(SignalName, NamesTheTwoSignalsAndNumbersTheRest) {
  EXPECT_EQ(signal_name(SIGINT), "SIGINT");
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGUSR1), "signal " + std::to_string(SIGUSR1));
}

}  // namespace
}  // namespace tinynas::util
