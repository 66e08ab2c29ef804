// The float network a FloatWeights folder describes, run op by op on HWC float tensors
// (BatchNorm applied as a separate step, ReLU6 as min(max(x, 0), 6)). The quantiser calibrates
// activation ranges with it, and quantization_error() compares the int8 model against it.
//
//   FloatInterpreter net(graph, weights);        // checks that the weights fit the graph
//   std::vector<std::vector<float>> all = net.run_all(input);   // every tensor of the graph
//   const std::vector<float>& logits = all[graph.output()];
#pragma once

#include <vector>

#include "memory_model/float_weights.h"
#include "memory_model/graph.h"

namespace tinynas::engine {

class FloatInterpreter {
 public:
  // Throws std::invalid_argument when the weights do not match the graph.
  FloatInterpreter(const memory::Graph& graph, const memory::FloatWeights& weights);

  // input: graph input tensor, HWC floats. Returns every tensor indexed by tensor id.
  std::vector<std::vector<float>> run_all(const std::vector<float>& input) const;
  std::vector<float> run(const std::vector<float>& input) const;

 private:
  const memory::Graph& graph_;
  std::vector<const memory::LayerWeights*> layer_of_op_;
};

}  // namespace tinynas::engine
