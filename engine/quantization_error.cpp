#include "engine/quantization_error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "engine/float_interpreter.h"
#include "engine/reference_interpreter.h"

namespace tinynas::engine {

std::vector<LayerError> quantization_error(const QuantModel& model,
                                           const memory::FloatWeights& weights,
                                           const std::vector<std::vector<float>>& inputs) {
  if (inputs.empty()) throw std::invalid_argument("quantisation error needs at least one input");
  const memory::Graph& g = model.graph;
  const FloatInterpreter net(g, weights);
  const size_t n_ops = g.ops().size();
  std::vector<double> signal(n_ops, 0), noise(n_ops, 0);
  std::vector<LayerError> errors(n_ops);
  for (const std::vector<float>& x : inputs) {
    const std::vector<std::vector<float>> f = net.run_all(x);
    const std::vector<std::vector<int8_t>> q = run_reference_all(model, quantize_input(model, x));
    for (size_t i = 0; i < n_ops; ++i) {
      const auto t = static_cast<size_t>(g.ops()[i].output);
      const TensorQuant& tq = model.tensors[t];
      for (size_t j = 0; j < f[t].size(); ++j) {
        const double real = f[t][j];
        const double dq = tq.scale * (static_cast<double>(q[t][j]) - tq.zero_point);
        signal[i] += real * real;
        noise[i] += (real - dq) * (real - dq);
        errors[i].max_abs_error = std::max(errors[i].max_abs_error, std::fabs(real - dq));
        errors[i].max_abs_value = std::max(errors[i].max_abs_value, std::fabs(real));
      }
    }
  }
  for (size_t i = 0; i < n_ops; ++i) {
    errors[i].name = g.ops()[i].name();
    errors[i].snr_db = noise[i] > 0 ? 10.0 * std::log10(signal[i] / noise[i])
                                    : std::numeric_limits<double>::infinity();
  }
  return errors;
}

}  // namespace tinynas::engine
