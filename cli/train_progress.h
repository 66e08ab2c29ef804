// The progress line of tinynas train and finetune: phase, epoch, step, loss, img/s and the ETA of
// the whole run, redrawn in place on a terminal (at most 5 times a second), a log line every
// ~10 s otherwise.
//
//   TrainProgressLine line(!quiet);
//   callbacks.on_step = [&](const supernet::StepInfo& s) { line.step(s); };
//   ...; line.clear();   // before printing anything else
#pragma once

#include "supernet/api.h"

namespace tinynas::cli {

class TrainProgressLine {
 public:
  explicit TrainProgressLine(bool enabled);
  void step(const supernet::StepInfo& s);
  void clear();  // ends a line drawn in place

 private:
  bool enabled_, tty_;
  bool dirty_ = false;
  double next_ = 0;
};

}  // namespace tinynas::cli
