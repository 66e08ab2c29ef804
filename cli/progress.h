// A progress report for long CLI loops (sampling sub-nets, evolution generations, training epochs).
//
//   Progress bar("sampling", num_samples, !quiet);
//   parallel_for(..., [&](...) { ...; bar.advance(); });   // or bar.update(done) from any thread
//   bar.finish();                                          // final line; also done by the
//   destructor
//
// On a terminal it redraws one line on stderr ("\r"): label, a bar sized to the terminal width,
// done/total, percent, rate and ETA, at most about 10 times a second. When stderr is not a terminal
// (a log file, CI) it writes plain lines instead, at most one every ~2 s plus a final one:
//   sampling: 540/1000 (54%) 1234.5/s ETA 0:02
// enabled = false (--quiet) writes nothing. update() and advance() are thread-safe and cost a few
// atomic operations and a clock read unless a redraw is due.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace tinynas::cli {

// Where a Progress writes and how it learns the time; tests replace the parts they need.
struct ProgressOutput {
  // Receives complete chunks of text ("\r...line..." on a terminal, "line\n" otherwise).
  std::function<void(std::string_view)> write;
  // Terminal: redraw one line in place. Otherwise: log lines.
  bool is_terminal = false;
  // Terminal width in columns; empty = 80. Asked at each redraw so a resize is followed.
  std::function<int()> columns;
  // Seconds on a monotonic clock; empty = std::chrono::steady_clock.
  std::function<double()> now_s;

  // stderr, a terminal when isatty(fileno(stderr)), width from ioctl(TIOCGWINSZ) (fallback 80).
  static ProgressOutput standard_error();
};

class Progress {
 public:
  // Reports on stderr (ProgressOutput::standard_error()). total <= 0 means "unknown": no bar,
  // percent or ETA, only the count and rate.
  Progress(std::string label, int64_t total, bool enabled);
  Progress(std::string label, int64_t total, bool enabled, ProgressOutput output);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Sets the number of finished items. Values lower than one already seen are ignored, so workers
  // may report out of order.
  void update(int64_t done);
  // Adds n finished items.
  void advance(int64_t n = 1);
  // Writes the final line (with the elapsed time) and ends it with a newline. Later calls, and
  // updates after it, do nothing.
  void finish();

  int64_t done() const { return done_.load(std::memory_order_relaxed); }

 private:
  double now() const;
  void maybe_draw(int64_t done);
  void draw(int64_t done, bool final);

  std::string label_;
  int64_t total_;
  bool enabled_;
  ProgressOutput output_;
  double start_s_;
  double interval_s_;
  std::atomic<int64_t> done_{0};
  std::atomic<double> next_draw_s_;
  std::atomic<bool> finished_{false};
  std::mutex draw_mutex_;
};

// "2:05" for 125 s, "1:02:03" from an hour on, "--:--" when unknown (negative, NaN, infinite).
std::string format_eta(double seconds);

// "1234.5/s" for a rate of at least one item per second, "3.2s/it" below (slow items such as
// training epochs read better as seconds per item), "?/s" when unknown (zero, negative, NaN).
std::string format_rate(double items_per_second);

// One log line: "label: 540/1000 (54%) 1234.5/s ETA 0:02"; the final one ends "... in 0:03".
std::string format_log_line(const std::string& label, int64_t done, int64_t total, double elapsed_s,
                            bool final);

// One terminal line exactly `columns - 1` characters wide (the last column is left free so the
// terminal never wraps): "label [#####.....] 540/1000  54% 1234.5/s ETA 0:02". The bar takes
// what the text leaves and is dropped when that is under 10 columns; the text is cut if needed.
std::string format_bar_line(const std::string& label, int64_t done, int64_t total, double elapsed_s,
                            bool final, int columns);

}  // namespace tinynas::cli
