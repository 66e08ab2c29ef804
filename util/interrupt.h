// SIGINT (Ctrl-C) and SIGTERM as a request to stop, not a sudden death: once the handlers are
// installed, a signal only sets a flag; long loops poll it, run_process ends its child's process
// group and throws, and the program unwinds to its top level, which reports and exits 128 + N.
//
//   util::install_interrupt_handlers();                      // once, in main
//   for (...) { util::throw_if_interrupted(); work(); }     // long loops
//   catch (const util::Interrupted& e) { return 128 + e.signal(); }
//
// Children run in their own process groups (so a timeout can end their helpers), which also
// means the terminal's Ctrl-C never reaches them. run_process therefore registers each live
// child's group here; the handler sends SIGTERM to every registered group at once, and
// run_process follows up with SIGKILL after a short grace. Without install_interrupt_handlers()
// nothing changes: the signals keep their default action and interrupted() stays false.
// Only the standard library and POSIX are used.
#pragma once

#include <sys/types.h>

#include <exception>
#include <string>

namespace tinynas::util {

// Thrown where work stops because SIGINT or SIGTERM arrived. Not a runtime_error or
// invalid_argument on purpose: handlers of ordinary failures should let it pass.
class Interrupted : public std::exception {
 public:
  explicit Interrupted(int signal);
  // The signal that arrived first (SIGINT or SIGTERM).
  int signal() const { return signal_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  int signal_;
  std::string message_;
};

// Installs the SIGINT and SIGTERM handlers (idempotent and thread-safe). Throws std::system_error
// when the system refuses.
void install_interrupt_handlers();

// True once SIGINT or SIGTERM arrived after install_interrupt_handlers(). Stays true.
bool interrupted();

// The first signal that arrived, or 0.
int interrupt_signal();

// Throws Interrupted when interrupted().
void throw_if_interrupted();

// A descriptor that becomes readable when the first signal arrives and stays readable, so any
// number of threads can poll() it beside their own descriptors and wake up at once. -1 before
// install_interrupt_handlers(). Never read from it.
int interrupt_wake_fd();

// "SIGINT", "SIGTERM", else "signal N".
std::string signal_name(int signal);

// While alive, the process group `group` (a child started with its own group) is sent SIGTERM
// as soon as a signal arrives, and is reached by signal_child_groups(). Holds one of a fixed
// number of slots; when all are taken the group is simply not registered (run_process still
// ends it when it notices the interruption).
class ChildGroupRegistration {
 public:
  explicit ChildGroupRegistration(pid_t group);
  ~ChildGroupRegistration();
  ChildGroupRegistration(const ChildGroupRegistration&) = delete;
  ChildGroupRegistration& operator=(const ChildGroupRegistration&) = delete;

 private:
  int slot_ = -1;
};

// Sends `signal` to every registered child process group (async-signal-safe).
void signal_child_groups(int signal);

// Forgets an interruption, so one test process can check several. For tests only: code that
// already saw the flag has acted on it.
void clear_interrupt_for_testing();

}  // namespace tinynas::util
