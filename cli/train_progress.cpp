#include "cli/train_progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "cli/progress.h"

namespace tinynas::cli {
namespace {

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

TrainProgressLine::TrainProgressLine(bool enabled)
    : enabled_(enabled), tty_(isatty(fileno(stderr)) != 0) {}

void TrainProgressLine::step(const supernet::StepInfo& s) {
  if (!enabled_) return;
  const double now = seconds_now();
  if (now < next_ && s.step != s.steps_per_epoch) return;
  next_ = now + (tty_ ? 0.2 : 10.0);
  char line[256];
  std::snprintf(line, sizeof line,
                "%s [%d/%d] epoch %d/%d step %lld/%lld loss %.4f %.1f img/s ETA %s",
                s.phase.c_str(), s.phase_index + 1, s.phases, s.epoch + 1, s.epochs,
                static_cast<long long>(s.step), static_cast<long long>(s.steps_per_epoch), s.loss,
                s.images_per_s, format_eta(s.eta_s).c_str());
  std::fprintf(stderr, tty_ ? "\r%-100s" : "%s\n", line);
  std::fflush(stderr);
  dirty_ = tty_;
}

void TrainProgressLine::clear() {
  if (dirty_) std::fputc('\n', stderr);
  dirty_ = false;
}

}  // namespace tinynas::cli
