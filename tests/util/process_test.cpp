// Tests of the subprocess helper: capture, exit codes, signals, timeouts, large I/O, stdin.
#include "util/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace tinynas::util {
namespace {

using tinynas::testing::TempDir;

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ----------------------------------------------------------------------------------------------
// run_process

TEST(RunProcess, CapturesStdoutOfEcho) {
  const ProcessResult r = run_process({"/bin/echo", "hi"});
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_GE(r.seconds, 0.0);
}

TEST(RunProcess, CapturesStderrAndExitCode) {
  const ProcessResult r = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.timed_out);
}

TEST(RunProcess, ArgumentsPassVerbatimWithoutAShell) {
  const ProcessResult r = run_process({"printf", "%s|", "a b", "$HOME", "*", "it's"});
  EXPECT_EQ(r.out, "a b|$HOME|*|it's|");
}

TEST(RunProcess, ReportsTheSignalThatEndedTheChild) {
  const ProcessResult r = run_process({"sh", "-c", "kill -9 $$"});
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_FALSE(r.timed_out);
}

TEST(RunProcess, TimeoutKillsASleepingChildQuickly) {
  ProcessOptions opts;
  opts.timeout_s = 0.3;
  const ProcessResult r = run_process({"sleep", "10"}, opts);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGTERM);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_GE(r.seconds, 0.29);
  EXPECT_LT(r.seconds, 1.0);
}

TEST(RunProcess, TimeoutEscalatesToSigkillWhenSigtermIsIgnored) {
  ProcessOptions opts;
  opts.timeout_s = 0.2;
  opts.kill_grace_s = 0.3;
  // An ignored signal stays ignored across exec, so both sh and sleep shrug off SIGTERM.
  const ProcessResult r = run_process({"sh", "-c", "trap '' TERM; sleep 10; echo survived"}, opts);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_EQ(r.out, "");
  EXPECT_GE(r.seconds, 0.45);
  EXPECT_LT(r.seconds, 2.0);
}

// True when pid is gone or only a zombie (a container's init may be slow to reap orphans).
bool process_is_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

TEST(RunProcess, TimeoutKillsTheWholeProcessGroup) {
  ProcessOptions opts;
  opts.timeout_s = 0.3;
  const ProcessResult r = run_process({"sh", "-c", "sleep 30 & echo $!; wait"}, opts);
  EXPECT_TRUE(r.timed_out);
  ASSERT_FALSE(r.out.empty());
  const pid_t grandchild = static_cast<pid_t>(std::stol(r.out));
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = process_is_gone(grandchild);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the background sleep " << grandchild << " outlived the timeout";
}

TEST(RunProcess, LargeStdoutDoesNotDeadlock) {
  const ProcessResult r = run_process({"head", "-c", "1000000", "/dev/zero"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 1000000u);
}

TEST(RunProcess, LargeOutputOnBothStreamsDoesNotDeadlock) {
  ProcessOptions opts;
  opts.timeout_s = 20;
  const ProcessResult r = run_process(
      {"sh", "-c", "head -c 1000000 /dev/zero >&2; head -c 1000000 /dev/zero; echo end >&2"}, opts);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out.size(), 1000000u);
  EXPECT_EQ(r.err.size(), 1000004u);
}

TEST(RunProcess, OnOutputSeesEveryPieceOfBothStreams) {
  ProcessOptions opts;
  std::string seen_out, seen_err;
  opts.on_output = [&](const std::string& chunk, bool from_stderr) {
    (from_stderr ? seen_err : seen_out) += chunk;
  };
  const ProcessResult r =
      run_process({"sh", "-c", "echo one; echo two >&2; sleep 0.1; echo three"}, opts);
  EXPECT_EQ(seen_out, "one\nthree\n");
  EXPECT_EQ(seen_err, "two\n");
  EXPECT_EQ(r.out, seen_out);  // still captured
  EXPECT_EQ(r.err, seen_err);
}

// Another thread decides when to stop the child (how tinynas train --nproc stops the other ranks
// when one fails); the child is ended, and reported as stopped rather than timed out.
TEST(RunProcess, StopRequestedEndsTheChildGroup) {
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
  });
  ProcessOptions opts;
  opts.timeout_s = 60;
  opts.stop_requested = [&] { return stop.load(); };
  const ProcessResult r = run_process({"sh", "-c", "sleep 30 & wait"}, opts);
  stopper.join();
  EXPECT_TRUE(r.stopped);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGTERM);
  EXPECT_LT(r.seconds, 30);
}

TEST(RunProcess, StopRequestedIsNotReportedForAChildThatFinished) {
  ProcessOptions opts;
  opts.stop_requested = [] { return false; };
  const ProcessResult r = run_process({"/bin/echo", "hi"}, opts);
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.exit_code, 0);
}

TEST(RunProcess, MissingProgramThrowsProgramNotFoundNamingIt) {
  try {
    run_process({"tinynas-no-such-program-42", "--help"});
    FAIL() << "expected ProgramNotFound";
  } catch (const ProgramNotFound& e) {
    EXPECT_TRUE(contains(e.what(), "tinynas-no-such-program-42")) << e.what();
    EXPECT_EQ(e.program(), "tinynas-no-such-program-42");
  }
  EXPECT_THROW(run_process({"/nonexistent/dir/tool"}), ProgramNotFound);
  // It is a runtime_error, so a generic handler still reports it.
  EXPECT_THROW(run_process({"tinynas-no-such-program-42"}), std::runtime_error);
}

TEST(RunProcess, EmptyArgvIsRejected) {
  EXPECT_THROW(run_process({}), std::invalid_argument);
}

TEST(RunProcess, StdinTextIsDelivered) {
  ProcessOptions opts;
  opts.stdin_text = "line one\nline two\n";
  EXPECT_EQ(run_process({"cat"}, opts).out, opts.stdin_text);
}

TEST(RunProcess, LargeStdinTextIsDeliveredWhileOutputIsRead) {
  // Bigger than a pipe buffer in both directions: writing all input first would deadlock.
  ProcessOptions opts;
  opts.stdin_text.reserve(2'000'000);
  for (int i = 0; opts.stdin_text.size() < 2'000'000; ++i) {
    opts.stdin_text += std::to_string(i) + '\n';
  }
  const ProcessResult r = run_process({"cat"}, opts);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out == opts.stdin_text) << "got " << r.out.size() << " bytes";
}

TEST(RunProcess, ChildThatIgnoresStdinDoesNotKillTheCaller) {
  // The child exits without reading: our write gets EPIPE, which must not become a fatal SIGPIPE.
  ProcessOptions opts;
  opts.stdin_text = std::string(1 << 20, 'x');
  const ProcessResult r = run_process({"true"}, opts);
  EXPECT_EQ(r.exit_code, 0);
}

TEST(RunProcess, NoStdinTextMeansEmptyStdin) {
  ProcessOptions opts;
  opts.timeout_s = 5;
  const ProcessResult r = run_process({"cat"}, opts);  // Would hang if stdin were left open.
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "");
}

TEST(RunProcess, RunsInTheWorkingDirectory) {
  TempDir dir;
  ProcessOptions opts;
  opts.working_dir = dir.str();
  const ProcessResult r = run_process({"pwd", "-P"}, opts);
  EXPECT_EQ(r.out, fs::canonical(dir.path()).string() + "\n");
}

TEST(RunProcess, MissingWorkingDirectoryIsAClearError) {
  ProcessOptions opts;
  opts.working_dir = "/nonexistent/tinynas/dir";
  try {
    run_process({"true"}, opts);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "/nonexistent/tinynas/dir")) << e.what();
  }
}

TEST(RunProcess, ConcurrentCallsKeepTheirOutputsApart) {
  std::vector<std::thread> threads;
  std::atomic<int> correct{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &correct] {
      for (int i = 0; i < 10; ++i) {
        const std::string word = std::to_string(t) + "-" + std::to_string(i);
        if (run_process({"/bin/echo", word}).out == word + "\n") ++correct;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(correct.load(), 80);
}

TEST(FindProgram, SearchesPath) {
  EXPECT_TRUE(program_available("sh"));
  EXPECT_FALSE(program_available("tinynas-no-such-program-42"));
  EXPECT_FALSE(program_available(""));
  const std::string sh = find_program("sh");
  ASSERT_FALSE(sh.empty());
  EXPECT_EQ(sh.front(), '/');
  EXPECT_TRUE(program_available("/bin/sh"));
  EXPECT_FALSE(program_available("/etc/passwd"));  // Exists, but is not executable.
}

TEST(FormatCommand, QuotesOnlyWhatAShellWouldNeed) {
  EXPECT_EQ(format_command({"gnuplot", "plot.gp"}), "gnuplot plot.gp");
  EXPECT_EQ(format_command({"echo", "a b", "it's", ""}), "echo 'a b' 'it'\\''s' ''");
}

}  // namespace
}  // namespace tinynas::util
