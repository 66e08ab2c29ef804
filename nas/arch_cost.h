// The price of a sub-net on a microcontroller: MACs, parameters, Flash for its int8 weights, and
// SRAM as the scheduler's arena (the exact buffer the generated code allocates), beside MCUNet's
// naive rule and the live-set lower bound. One CostModel per thread; it reuses its buffers.
//
//   CostModel model(space);                  // or CostModel(space, &latency_model)
//   ArchCost cost = model.evaluate(arch);
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "memory_model/graph.h"
#include "memory_model/scheduler.h"
#include "nas/arch.h"
#include "nas/latency_model.h"
#include "nas/search_space.h"

namespace tinynas::nas {

struct ArchCost {
  int64_t macs = 0;
  int64_t params = 0;
  int64_t flash_bytes = 0;  // model weights and quantisation data, without the board's reserve
  int64_t sram_bytes = 0;   // scheduled arena: activations + scratch, input and output included
  // Predicted by the cost model's latency model, in its measure (instructions of one inference);
  // 0 when the cost model has none.
  double latency = 0;
};

class CostModel {
 public:
  // With a latency model, evaluate() predicts each sub-net's latency too.
  explicit CostModel(const SearchSpace& space, const LatencyModel* latency = nullptr)
      : space_(space), latency_(latency) {}

  // The hot path of the search: lowering, MACs / params / Flash, the scheduled arena size and,
  // with a latency model, the predicted latency.
  ArchCost evaluate(const Arch& arch);

  const SearchSpace& space() const { return space_; }

 private:
  const SearchSpace& space_;
  const LatencyModel* latency_;
  memory::Graph graph_;
  memory::Scheduler scheduler_;
};

nlohmann::json cost_to_json(const ArchCost& cost);

}  // namespace tinynas::nas
