#include "cli/interrupt_exit.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "util/interrupt.h"

namespace tinynas::cli {
namespace {

struct SavedState {
  std::mutex mutex;
  std::string description = "nothing needed saving";
  bool held = false;
};

// Never destroyed: the watchdog may read it while exit() runs static destructors.
SavedState& saved_state() {
  static SavedState* state = new SavedState();
  return *state;
}

std::atomic<bool> g_reported{false};

void write_to_stderr(const std::string& text) {
  size_t offset = 0;
  while (offset < text.size()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data() + offset, text.size() - offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    offset += static_cast<size_t>(n);
  }
}

void wait_for_signal() {
  pollfd wake{util::interrupt_wake_fd(), POLLIN, 0};
  while (!util::interrupted()) ::poll(&wake, 1, -1);
}

}  // namespace

void set_saved_state(const std::string& description) {
  SavedState& state = saved_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (!state.held) state.description = description;
}

void hold_saved_state(const std::string& description) {
  SavedState& state = saved_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.description = description;
  state.held = true;
}

std::string interrupt_line(int signal) {
  SavedState& state = saved_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  return "tinynas: interrupted (" + util::signal_name(signal) + "): " + state.description + "\n";
}

int report_interrupt(int signal) {
  // write(2), not stdio: the watchdog may print while another thread holds stderr's lock.
  if (!g_reported.exchange(true)) write_to_stderr(interrupt_line(signal));
  return 128 + signal;
}

void start_interrupt_deadline(double deadline_s) {
  if (util::interrupt_wake_fd() < 0)
    throw std::logic_error("start_interrupt_deadline: install the interrupt handlers first");
  static std::once_flag once;
  std::call_once(once, [deadline_s] {
    std::thread([deadline_s] {
      wait_for_signal();
      std::this_thread::sleep_for(std::chrono::duration<double>(deadline_s));
      const int signal = util::interrupt_signal();
      util::signal_child_groups(SIGKILL);
      ::_exit(report_interrupt(signal));
    }).detach();
  });
}

}  // namespace tinynas::cli
