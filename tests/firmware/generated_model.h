// A small generated model for the QEMU tests: a random sub-net of a shipped space, quantised with
// random weights and written as a C project (tinynas export's output, without the CLI).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "engine/codegen/c_project.h"
#include "engine/quantizer.h"
#include "engine/random_weights.h"
#include "memory_model/scheduler.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"

namespace tinynas::firmware::testing {

struct Case {
  const char* space;
  const char* target;
  uint64_t seed;
};

struct GeneratedModel {
  nas::Arch arch;
  engine::QuantModel model;
  memory::MemoryPlan plan;
};

// A small random sub-net of the space (every kernel family still appears), quantised with random
// weights and written as a C project into model_dir.
inline GeneratedModel generate(const Case& c, const std::string& model_dir) {
  const nas::SearchSpace space = nas::load_space(c.space, TINYNAS_TEST_CONFIG_DIR);
  nas::Rng rng(c.seed);
  // Small sub-nets keep the emulated run short; every kernel family still appears.
  nas::Arch arch = nas::sample_arch(space, space.resolutions.front(), space.width_mults[1], rng);
  arch.num_classes = 10;
  const memory::Graph graph = nas::lower(arch, space);
  const memory::FloatWeights weights = engine::random_float_weights(graph, c.seed);
  std::mt19937 gen(static_cast<uint32_t>(c.seed));
  std::uniform_real_distribution<float> pixel(-1.0f, 1.0f);
  std::vector<std::vector<float>> calibration(
      4, std::vector<float>(static_cast<size_t>(graph.tensor(graph.input()).bytes())));
  for (auto& input : calibration)
    for (float& v : input) v = pixel(gen);
  const engine::QuantModel model = engine::quantize(graph, weights, calibration);
  memory::MemoryPlan plan = memory::Scheduler().schedule(model.graph);
  engine::write_c_project(model, plan, model_dir, {});
  return {arch, model, plan};
}

}  // namespace tinynas::firmware::testing
