// Tests of the CLI's way out after SIGINT / SIGTERM (cli/interrupt_exit.h): the line it prints,
// and the watchdog that ends a process whose code never polls the flag.
#include "cli/interrupt_exit.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "util/interrupt.h"

namespace tinynas::cli {
namespace {

using Clock = std::chrono::steady_clock;

TEST(InterruptLine, NamesTheSignalAndWhatWasKept) {
  set_saved_state("the last checkpoint in out/ is kept");
  EXPECT_EQ(interrupt_line(SIGINT),
            "tinynas: interrupted (SIGINT): the last checkpoint in out/ is kept\n");
  EXPECT_EQ(interrupt_line(SIGTERM),
            "tinynas: interrupted (SIGTERM): the last checkpoint in out/ is kept\n");
}

TEST(InterruptLine, AHeldDescriptionIsNotReplacedByInnerCommands) {
  hold_saved_state("run.json records the finished stages");
  set_saved_state("an inner command's checkpoint");
  EXPECT_EQ(interrupt_line(SIGINT),
            "tinynas: interrupted (SIGINT): run.json records the finished stages\n");
}

// A child process that installs the handlers and the watchdog, then spins without ever polling;
// SIGINT must still end it within the deadline, with the line on stderr and exit 130.
TEST(InterruptDeadline, EndsAProcessThatNeverPollsWithTheLineAndExit130) {
  int err_pipe[2];
  int ready_pipe[2];
  ASSERT_EQ(::pipe(err_pipe), 0);
  ASSERT_EQ(::pipe(ready_pipe), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::dup2(err_pipe[1], STDERR_FILENO);
    util::install_interrupt_handlers();
    start_interrupt_deadline(0.3);
    const char byte = 1;
    if (::write(ready_pipe[1], &byte, 1) != 1) ::_exit(99);
    for (volatile unsigned long spin = 0;; spin = spin + 1) {
    }
  }
  ::close(err_pipe[1]);
  ::close(ready_pipe[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready_pipe[0], &byte, 1), 1);
  const Clock::time_point sent = Clock::now();
  ::kill(child, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  const double seconds = std::chrono::duration<double>(Clock::now() - sent).count();
  std::string err;
  char buffer[256];
  for (ssize_t n; (n = ::read(err_pipe[0], buffer, sizeof buffer)) > 0;) err.append(buffer, n);
  ::close(err_pipe[0]);
  ::close(ready_pipe[0]);
  ASSERT_TRUE(WIFEXITED(status)) << "ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 130);
  // What was kept depends on the tests before (the description is process-wide).
  EXPECT_EQ(err, interrupt_line(SIGINT));
  EXPECT_GE(seconds, 0.25);
  EXPECT_LT(seconds, 1.5);
}

}  // namespace
}  // namespace tinynas::cli
