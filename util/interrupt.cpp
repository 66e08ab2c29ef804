#include "util/interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <system_error>

namespace tinynas::util {
namespace {

// The handler may touch only lock-free atomics and async-signal-safe calls (write, kill).
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free ints");
static_assert(std::atomic<pid_t>::is_always_lock_free, "the signal handler needs lock-free pids");

std::atomic<int> g_signal{0};
std::atomic<int> g_wake_read{-1};
std::atomic<int> g_wake_write{-1};

// More than tinynas ever runs at once (train --nproc runs one child per rank).
constexpr size_t kChildGroupSlots = 64;
std::array<std::atomic<pid_t>, kChildGroupSlots> g_child_groups{};

extern "C" void on_interrupt_signal(int signal) {
  const int saved_errno = errno;
  int none = 0;
  g_signal.compare_exchange_strong(none, signal);
  const int wake = g_wake_write.load();
  if (wake >= 0) {
    const char byte = 1;
    // Non-blocking: once the pipe is full it is readable anyway, and that is all it is for.
    [[maybe_unused]] const ssize_t n = ::write(wake, &byte, 1);
  }
  signal_child_groups(SIGTERM);
  errno = saved_errno;
}

}  // namespace

Interrupted::Interrupted(int signal)
    : signal_(signal), message_("interrupted by " + signal_name(signal)) {}

std::string signal_name(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal);
}

void install_interrupt_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
      throw std::system_error(errno, std::generic_category(), "cannot create the interrupt pipe");
    g_wake_read = fds[0];
    g_wake_write = fds[1];
    struct sigaction action {};
    action.sa_handler = on_interrupt_signal;
    sigemptyset(&action.sa_mask);
    // Blocking calls inside libraries resume; our own waits poll the wake descriptor instead.
    action.sa_flags = SA_RESTART;
    for (int signal : {SIGINT, SIGTERM}) {
      if (::sigaction(signal, &action, nullptr) != 0)
        throw std::system_error(errno, std::generic_category(),
                                "cannot install the " + signal_name(signal) + " handler");
    }
  });
}

bool interrupted() {
  return g_signal.load(std::memory_order_relaxed) != 0;
}

int interrupt_signal() {
  return g_signal.load();
}

void throw_if_interrupted() {
  const int signal = g_signal.load(std::memory_order_relaxed);
  if (signal != 0) throw Interrupted(signal);
}

int interrupt_wake_fd() {
  return g_wake_read.load();
}

ChildGroupRegistration::ChildGroupRegistration(pid_t group) {
  for (size_t i = 0; i < g_child_groups.size(); ++i) {
    pid_t empty = 0;
    if (g_child_groups[i].compare_exchange_strong(empty, group)) {
      slot_ = static_cast<int>(i);
      break;
    }
  }
  // A signal that came before the group was registered did not reach it.
  if (interrupted()) ::kill(-group, SIGTERM);
}

ChildGroupRegistration::~ChildGroupRegistration() {
  if (slot_ >= 0) g_child_groups[static_cast<size_t>(slot_)] = 0;
}

void signal_child_groups(int signal) {
  for (std::atomic<pid_t>& slot : g_child_groups) {
    const pid_t group = slot.load();
    if (group > 0) ::kill(-group, signal);
  }
}

void clear_interrupt_for_testing() {
  g_signal = 0;
  const int wake = g_wake_read.load();
  char buffer[256];
  while (wake >= 0 && ::read(wake, buffer, sizeof buffer) > 0) {
  }
}

}  // namespace tinynas::util
