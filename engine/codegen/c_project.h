// The code generator: a QuantModel and its MemoryPlan (memory_model's scheduler, used as is)
// become a self-contained C99 project in a folder, TinyEngine-style (no interpreter, no malloc):
//
//   model.h      the API (tinynas_input / tinynas_output / tinynas_invoke), TINYNAS_ARENA_BYTES
//                (== plan.arena_bytes), input/output shapes and quantisation
//   model.json   the same sizes for programs (project_manifest.h): the firmware builder reads it
//   model.c      the arena, then one kernel call per op with constant arena offsets
//   weights.h/.c every layer's int8 weights and int32 parameters as const data (Flash)
//   tn_*.c/.h    only the kernels from engine/kernels/ref (and their arm/ twins) the model uses
//   CMakeLists.txt, Makefile, schedule.json (schedule_json.h)
//
//   CProjectInfo info = write_c_project(model, Scheduler().schedule(model.graph), "model/", {});
#pragma once

#include <string>
#include <vector>

#include "engine/quant_model.h"
#include "memory_model/memory_plan.h"

namespace tinynas::engine {

struct CProjectOptions {
  std::string title;  // first line of the generated files' comments (e.g. the arch summary)
};

struct CProjectInfo {
  std::vector<std::string> files;         // written, relative to the folder
  std::vector<std::string> kernel_files;  // the subset copied from engine/kernels
  int64_t arena_bytes = 0;
  int64_t weight_bytes = 0;  // const data in weights.c (int8 weights + int32 parameters)
};

struct CProject {
  std::vector<std::pair<std::string, std::string>> files;  // name -> contents
  CProjectInfo info;
};

// Generates the C text without touching the disk.
CProject generate_c_project(const QuantModel& model, const memory::MemoryPlan& plan,
                            const CProjectOptions& options);

// generate_c_project() written into dir (created if needed; each file atomically). Throws
// std::runtime_error when the folder cannot be written, std::logic_error when the plan does not
// belong to the model's graph.
CProjectInfo write_c_project(const QuantModel& model, const memory::MemoryPlan& plan,
                             const std::string& dir, const CProjectOptions& options);

}  // namespace tinynas::engine
