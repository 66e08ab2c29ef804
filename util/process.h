// The one way tinynas runs another program (gnuplot, arm-none-eabi-gcc, cmake, qemu-system-arm,
// pyocd): argv without a shell, a timeout, stdout and stderr captured, optional text on stdin, and
// a clear error when the program is not installed.
//
//   ProcessOptions opts;
//   opts.timeout_s = 30;
//   opts.working_dir = out_dir;
//   ProcessResult r = run_process({"gnuplot", "plot.gp"}, opts);  // throws ProgramNotFound
//   if (r.timed_out || r.exit_code != 0) report(r.err);
//
// The child runs in its own process group; on timeout the whole group gets SIGTERM and, after a
// grace period, SIGKILL, so tools that fork helpers (compilers, QEMU wrappers) do not outlive it.
// Being in its own group, the child never sees the terminal's Ctrl-C: once
// install_interrupt_handlers() ran (util/interrupt.h), SIGINT / SIGTERM send its group SIGTERM at
// once, SIGKILL follows after at most 0.5 s, and run_process throws util::Interrupted.
// Only the standard library and POSIX are used, so this file can move to a lower library as is.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tinynas::util {

struct ProcessOptions {
  // Wall-clock limit in seconds; <= 0 waits for ever.
  double timeout_s = 60;
  // Seconds between SIGTERM and SIGKILL when the timeout hits.
  double kill_grace_s = 1.0;
  // Directory the child starts in; empty = the caller's. A program given as a relative path with a
  // slash ("./tool") is still found relative to the caller's directory.
  std::string working_dir;
  // Written to the child's stdin, which is then closed. Empty = stdin is /dev/null.
  std::string stdin_text;
  // Called (on the calling thread) with each piece of output as it arrives, besides capturing it:
  // for passing a long-running child's progress through.
  std::function<void(const std::string& chunk, bool from_stderr)> on_output;
  // Polled about every 50 ms; once it returns true the child's group is ended as on a timeout.
  // For stopping one of several children run from different threads when another fails.
  std::function<bool()> stop_requested;
};

struct ProcessResult {
  // The program's exit status; 128 + N when signal N ended it (the shell's convention).
  int exit_code = -1;
  // The signal that ended the program, or 0 when it exited normally.
  int term_signal = 0;
  // True when the timeout ended the program (exit_code then reflects the kill signal).
  bool timed_out = false;
  // True when stop_requested ended the program.
  bool stopped = false;
  std::string out;
  std::string err;
  // Wall-clock seconds from start to exit.
  double seconds = 0;
};

// Thrown when the program is not on PATH (or, for a name with a slash, does not exist or is not
// executable). what() names the program; program() returns it.
class ProgramNotFound : public std::runtime_error {
 public:
  explicit ProgramNotFound(const std::string& program);
  const std::string& program() const { return program_; }

 private:
  std::string program_;
};

// Runs argv[0] with arguments argv[1..] and waits for it (or the timeout). Reads stdout and stderr
// concurrently with poll(), so neither pipe can fill up and deadlock. Throws ProgramNotFound when
// the program is missing, std::invalid_argument for an empty argv, std::runtime_error /
// std::system_error when the working directory is bad or the system refuses to start it, and
// util::Interrupted (after ending the child's group) when SIGINT / SIGTERM arrived before or while
// it ran. A non-zero exit is not an error here: the caller reads exit_code.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& opts = {});

// Full path of the executable that run_process would start for `name` (searched on PATH unless it
// contains a slash), or "" when there is none.
std::string find_program(const std::string& name);

// True when find_program(name) finds an executable.
bool program_available(const std::string& name);

// argv as one line for messages, with arguments quoted where a shell would need it.
std::string format_command(const std::vector<std::string>& argv);

}  // namespace tinynas::util
