// How a pipeline reports while it works. Libraries never print: the pipelines call an Observer,
// and the CLI shows the calls as its progress line and log (cli/console_observer.h). The default
// methods do nothing, so a caller that wants silence passes a plain Observer.
//
//   observer.begin("evolution", generations);   // a long step with this many items
//   observer.update(done);                      // from any thread, possibly out of order
//   observer.end();
//   observer.note(NoteLevel::kInfo, "random baseline: 120 fitting sub-nets of 131 drawn");
#pragma once

#include <cstdint>
#include <string>

namespace tinynas::pipeline {

enum class NoteLevel { kInfo, kWarning };

class Observer {
 public:
  virtual ~Observer() = default;
  // A long step starts; total <= 0: unknown. Steps do not nest.
  virtual void begin(const std::string& /*step*/, int64_t /*total*/) {}
  // Items of the current step finished so far. Thread-safe implementations only: workers call it.
  virtual void update(int64_t /*done*/) {}
  // The current step is over.
  virtual void end() {}
  // One line for the log.
  virtual void note(NoteLevel /*level*/, const std::string& /*line*/) {}
};

}  // namespace tinynas::pipeline
