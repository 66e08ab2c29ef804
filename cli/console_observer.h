// How the CLI shows a pipeline's work (pipeline/observer.h): steps as the Progress line on stderr
// (nothing with --quiet), notes through spdlog. Base is pipeline::Observer or one of its
// extensions (pipeline::SearchObserver), so a command adds its stage hooks by deriving.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "cli/progress.h"
#include "pipeline/observer.h"

namespace tinynas::cli {

template <typename Base = pipeline::Observer>
class ConsoleObserver : public Base {
 public:
  explicit ConsoleObserver(bool show_progress) : show_progress_(show_progress) {}

  void begin(const std::string& step, int64_t total) override {
    progress_ = std::make_unique<Progress>(step, total, show_progress_);
  }
  void update(int64_t done) override {
    if (progress_) progress_->update(done);
  }
  void end() override {
    if (progress_) progress_->finish();
    progress_.reset();
  }
  void note(pipeline::NoteLevel level, const std::string& line) override {
    if (level == pipeline::NoteLevel::kWarning)
      spdlog::warn("{}", line);
    else
      spdlog::info("{}", line);
  }

 private:
  bool show_progress_;
  std::unique_ptr<Progress> progress_;
};

}  // namespace tinynas::cli
