#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

namespace tinynas::cli {
namespace {

constexpr double kTerminalInterval = 0.1;  // ~10 redraws a second look live and cost nothing.
constexpr double kLogInterval = 2.0;       // Log files want a heartbeat, not a flood.
constexpr int kDefaultColumns = 80;
constexpr int kMinBarWidth = 10;

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

int percent_of(int64_t done, int64_t total) {
  if (total <= 0) return 0;
  const int64_t clamped = std::clamp<int64_t>(done, 0, total);
  // Through double: done * 100 could overflow for huge counts.
  return static_cast<int>(std::floor(static_cast<double>(clamped) * 100.0 / total));
}

double rate_of(int64_t done, double elapsed_s) {
  return elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0.0;
}

// "ETA 0:02" while running (from the mean rate so far), "in 0:03" at the end.
std::string time_part(int64_t done, int64_t total, double elapsed_s, bool final) {
  if (final) return "in " + format_eta(elapsed_s);
  const double rate = rate_of(done, elapsed_s);
  const double left = static_cast<double>(std::max<int64_t>(total - done, 0));
  return "ETA " + format_eta(rate > 0 ? left / rate : -1.0);
}

}  // namespace

ProgressOutput ProgressOutput::standard_error() {
  ProgressOutput output;
  output.write = [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  };
  output.is_terminal = ::isatty(::fileno(stderr)) == 1;
  output.columns = [] {
    winsize size{};
    if (::ioctl(::fileno(stderr), TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
      return int{size.ws_col};
    return kDefaultColumns;
  };
  return output;
}

Progress::Progress(std::string label, int64_t total, bool enabled)
    : Progress(std::move(label), total, enabled,
               enabled ? ProgressOutput::standard_error() : ProgressOutput{}) {}

Progress::Progress(std::string label, int64_t total, bool enabled, ProgressOutput output)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled && output.write != nullptr),
      output_(std::move(output)),
      start_s_(now()),
      interval_s_(output_.is_terminal ? kTerminalInterval : kLogInterval),
      // A terminal shows the bar at the first update; a log waits for the first interval, so a
      // quick loop leaves only its final line.
      next_draw_s_(output_.is_terminal ? start_s_ : start_s_ + kLogInterval) {}

Progress::~Progress() {
  try {
    finish();
  } catch (...) {
    // A destructor must not throw; the output is lost, nothing else.
  }
}

double Progress::now() const {
  return output_.now_s ? output_.now_s() : steady_seconds();
}

void Progress::update(int64_t done) {
  int64_t seen = done_.load(std::memory_order_relaxed);
  while (done > seen && !done_.compare_exchange_weak(seen, done, std::memory_order_relaxed)) {
  }
  maybe_draw(std::max(done, seen));
}

void Progress::advance(int64_t n) {
  maybe_draw(done_.fetch_add(n, std::memory_order_relaxed) + n);
}

void Progress::maybe_draw(int64_t done) {
  if (!enabled_ || finished_.load(std::memory_order_relaxed)) return;
  if (now() < next_draw_s_.load(std::memory_order_relaxed)) return;
  // One thread draws; the others carry on with their work instead of queueing for the lock.
  std::unique_lock<std::mutex> lock(draw_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || finished_.load(std::memory_order_relaxed)) return;
  const double t = now();
  if (t < next_draw_s_.load(std::memory_order_relaxed)) return;
  next_draw_s_.store(t + interval_s_, std::memory_order_relaxed);
  draw(std::max(done, done_.load(std::memory_order_relaxed)), false);
}

void Progress::finish() {
  if (finished_.exchange(true)) return;
  if (!enabled_) return;
  // Taken after finished_ is set, so no ordinary redraw can follow the final line.
  std::lock_guard<std::mutex> lock(draw_mutex_);
  draw(done_.load(std::memory_order_relaxed), true);
}

void Progress::draw(int64_t done, bool final) {
  const double elapsed = now() - start_s_;
  if (output_.is_terminal) {
    const int columns = output_.columns ? output_.columns() : kDefaultColumns;
    std::string text = "\r" + format_bar_line(label_, done, total_, elapsed, final, columns);
    if (final) text += '\n';
    output_.write(text);
  } else {
    output_.write(format_log_line(label_, done, total_, elapsed, final) + "\n");
  }
}

std::string format_eta(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  if (seconds >= 100.0 * 3600) return ">99h";
  const int64_t total = std::llround(seconds);
  const int64_t hours = total / 3600;
  const int64_t minutes = (total / 60) % 60;
  const int64_t secs = total % 60;
  char buffer[32];
  if (hours > 0) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", static_cast<long long>(hours),
                  static_cast<long long>(minutes), static_cast<long long>(secs));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld", static_cast<long long>(minutes),
                  static_cast<long long>(secs));
  }
  return buffer;
}

std::string format_rate(double items_per_second) {
  if (!std::isfinite(items_per_second) || items_per_second <= 0) return "?/s";
  if (items_per_second >= 1.0) return printf_string("%.1f/s", items_per_second);
  return printf_string("%.1fs/it", 1.0 / items_per_second);
}

std::string format_log_line(const std::string& label, int64_t done, int64_t total, double elapsed_s,
                            bool final) {
  std::string line = label + ": " + std::to_string(done);
  if (total > 0) {
    line += "/" + std::to_string(total) + " (" + std::to_string(percent_of(done, total)) + "%)";
  }
  line += " " + format_rate(rate_of(done, elapsed_s));
  if (final || total > 0) line += " " + time_part(done, total, elapsed_s, final);
  return line;
}

std::string format_bar_line(const std::string& label, int64_t done, int64_t total, double elapsed_s,
                            bool final, int columns) {
  const size_t width = static_cast<size_t>(std::max(columns, 2) - 1);
  std::string right = " " + std::to_string(done);
  if (total > 0) {
    char percent[8];
    std::snprintf(percent, sizeof percent, "%3d%%", percent_of(done, total));
    right += "/" + std::to_string(total) + " " + percent;
  }
  right += " " + format_rate(rate_of(done, elapsed_s));
  if (final || total > 0) right += " " + time_part(done, total, elapsed_s, final);

  std::string line;
  const size_t text = label.size() + 1 + right.size();
  if (total > 0 && width >= text + kMinBarWidth) {
    const size_t inner = width - text - 2;
    const double fraction =
        static_cast<double>(std::clamp<int64_t>(done, 0, total)) / static_cast<double>(total);
    const size_t filled = std::min(inner, static_cast<size_t>(std::floor(fraction * inner)));
    line = label + " [" + std::string(filled, '#') + std::string(inner - filled, '.') + "]" + right;
  } else {
    line = label + ":" + right;
  }
  line.resize(width, ' ');  // Pads over a longer previous line, or cuts to fit.
  return line;
}

}  // namespace tinynas::cli
