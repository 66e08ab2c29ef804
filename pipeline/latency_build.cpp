#include "pipeline/latency_build.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "engine/host_verify.h"
#include "engine/quant_model_io.h"
#include "firmware/cycle_estimate.h"
#include "firmware/hil.h"
#include "firmware/layer_profile.h"
#include "firmware/qemu_target.h"
#include "nas/arch.h"
#include "nas/arch_cost.h"
#include "nas/constraints.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "nas/search_space.h"
#include "pipeline/export.h"
#include "util/file_io.h"
#include "util/json_reader.h"

namespace tinynas::pipeline {

namespace {

namespace fs = std::filesystem;

constexpr int kDrawsPerNetwork = 1000;

struct NetworkToMeasure {
  std::string name;  // "mcunet-3"
  std::string space;
  std::string space_arg;  // as the user gave it: a name or a file
  nas::Arch arch;
};

// The i-th network of each space comes from that space's own stream of the seed, so a space's
// networks do not change when other spaces are added or the count grows.
std::vector<NetworkToMeasure> draw_networks(const LatencyBuildOptions& o,
                                            const memory::Board& board) {
  if (o.spaces.empty()) throw std::invalid_argument("latency: no spaces to draw networks from");
  if (o.networks < 1) throw std::invalid_argument("latency: --networks must be at least 1");
  const nas::Constraints limits = nas::Constraints::for_board(board);
  std::vector<std::vector<NetworkToMeasure>> per_space(o.spaces.size());
  for (size_t s = 0; s < o.spaces.size(); ++s) {
    const int wanted = o.networks / static_cast<int>(o.spaces.size()) +
                       (static_cast<int>(s) < o.networks % static_cast<int>(o.spaces.size()));
    const nas::SearchSpace space = nas::load_space(o.spaces[s], o.config_dir);
    nas::Rng rng = nas::Rng::for_stream(o.seed, 1000 + s);
    nas::CostModel cost(space);
    for (int draw = 0; draw < kDrawsPerNetwork * std::max(1, wanted) &&
                       static_cast<int>(per_space[s].size()) < wanted;
         ++draw) {
      nas::Arch arch =
          nas::sample_arch(space, rng.pick(space.resolutions), rng.pick(space.width_mults), rng);
      arch.space = space.name;
      if (!limits.fits(cost.evaluate(arch))) continue;
      per_space[s].push_back({space.name + "-" + std::to_string(per_space[s].size() + 1),
                              space.name, o.spaces[s], arch});
    }
    if (static_cast<int>(per_space[s].size()) < wanted)
      throw std::invalid_argument("latency: only " + std::to_string(per_space[s].size()) +
                                  " of space " + space.name + "'s random sub-nets fit " +
                                  limits.describe() + "; " + std::to_string(wanted) + " wanted");
  }
  std::vector<NetworkToMeasure> out;  // in turn: space 1, space 2, ..., space 1, ...
  for (size_t i = 0; out.size() < static_cast<size_t>(o.networks); ++i)
    for (auto& networks : per_space)
      if (i < networks.size()) out.push_back(std::move(networks[i]));
  return out;
}

// Exports the network with random weights and runs one input on the target: per layer and in all
// (profiled), or in all only (plain).
nas::LatencySample measure(const NetworkToMeasure& n, const LatencyBuildOptions& o,
                           const std::string& dir) {
  fs::create_directories(dir);
  const std::string arch_path = dir + "/arch.json";
  util::write_file_atomically(arch_path, nas::arch_to_json(n.arch).dump(2) + "\n");
  ExportOptions eo;
  eo.arch_path = arch_path;
  eo.config_dir = o.config_dir;
  eo.space = n.space_arg;
  eo.out = dir + "/model";
  eo.random_weights = true;
  eo.seed = o.seed;
  Observer quiet;
  export_model(eo, quiet);

  const engine::QuantModel q = engine::load_quant_model(eo.out + "/quant_model.json");
  firmware::FirmwareRequest req;
  req.model_dir = eo.out;
  req.work_dir = dir + (o.profile ? "/firmware-profile" : "/firmware");
  req.target = o.target;
  req.board = o.board;
  req.inputs = engine::random_int8_inputs(1, q.graph.tensor(q.graph.input()).bytes(), o.seed);
  req.timeout_s = o.timeout_s;
  req.profile = o.profile;
  const bool cycles = o.measure == "cycles";
  req.estimate_cycles = cycles;
  const firmware::FirmwareResult fw = firmware::run_model_on_qemu(req);
  if (cycles && !fw.cycles.available)
    throw std::runtime_error("latency: " + n.name + ": " + fw.cycles.reason);

  nas::LatencySample s;
  s.name = n.name;
  s.space = n.space;
  s.arch = n.arch.summary();
  s.layers = nas::latency_features(q.graph);
  if (!o.profile) {  // the layers' features, to predict from, but no per-layer counts
    s.total =
        cycles ? firmware::mean_cycles(fw.cycles) : static_cast<double>(fw.instructions.at(0));
    return s;
  }
  const firmware::LayerProfile p = firmware::make_layer_profile(q.graph, fw);
  const double layers = static_cast<double>(p.rows.size());
  if (!cycles) {
    for (const firmware::LayerProfileRow& row : p.rows)
      s.measured.push_back(static_cast<double>(row.instructions) - p.marker_instructions);
    s.total = static_cast<double>(p.whole_inference) - p.marker_instructions * layers;
    return s;
  }
  // Each layer's cycles hold one marker call too; the plugin times no marker alone, so one
  // costs its measured instructions at the inference's mean cycles per instruction.
  const double marker_cycles = p.marker_instructions * firmware::mean_cpi(fw.cycles);
  for (double c : firmware::mean_layer_cycles(fw.cycles)) s.measured.push_back(c - marker_cycles);
  if (s.measured.size() != s.layers.size())
    throw std::runtime_error("latency: " + n.name + ": the cycle estimate has " +
                             std::to_string(s.measured.size()) + " layers, the model " +
                             std::to_string(s.layers.size()));
  s.total = firmware::mean_cycles(fw.cycles) - marker_cycles * layers;
  return s;
}

LatencyErrorSummary summarise(const std::vector<const LatencyPrediction*>& predictions) {
  LatencyErrorSummary s;
  s.networks = static_cast<int>(predictions.size());
  if (predictions.empty()) return s;
  std::vector<double> abs_errors;
  for (const LatencyPrediction* p : predictions) {
    abs_errors.push_back(std::abs(p->error));
    s.mean_error += p->error;
  }
  s.mean_error /= static_cast<double>(predictions.size());
  std::sort(abs_errors.begin(), abs_errors.end());
  const size_t n = abs_errors.size();
  s.median_abs_error =
      n % 2 ? abs_errors[n / 2] : 0.5 * (abs_errors[n / 2 - 1] + abs_errors[n / 2]);
  s.worst_abs_error = abs_errors.back();
  return s;
}

nlohmann::json summary_to_json(const LatencyErrorSummary& s) {
  return {{"networks", s.networks},
          {"median_abs_error", s.median_abs_error},
          {"worst_abs_error", s.worst_abs_error},
          {"mean_error", s.mean_error}};
}

}  // namespace

std::string latency_measure_name(const std::string& measure) {
  if (measure == "instructions") return "instructions";
  if (measure == "cycles") return "estimated cycles";
  throw std::invalid_argument("latency: measure must be cycles or instructions, got '" + measure +
                              "'");
}

std::vector<nas::LatencySample> measure_random_networks(const LatencyBuildOptions& options,
                                                        Observer& observer) {
  firmware::find_qemu_target(options.target);  // an unknown target fails before any work
  latency_measure_name(options.measure);
  LatencyBuildOptions o = options;
  if (!o.board) o.board = memory::load_board(options.target, o.config_dir);
  const std::vector<NetworkToMeasure> networks = draw_networks(o, *o.board);
  fs::create_directories(o.work_dir);
  std::vector<nas::LatencySample> out;
  observer.begin(o.profile ? "measuring networks per layer" : "measuring networks",
                 static_cast<int64_t>(networks.size()));
  for (const NetworkToMeasure& n : networks) {
    const std::string dir = o.work_dir + "/" + n.name;
    const std::string kept =
        dir + "/" + o.measure + (o.profile ? "-per-layer.json" : "-total.json");
    std::optional<nas::LatencySample> previous;
    if (fs::exists(kept))
      previous = nas::latency_sample_from_json(util::read_json_file(kept), kept);
    if (previous && previous->arch == n.arch.summary()) {  // else other options drew another
      out.push_back(std::move(*previous));
    } else {
      out.push_back(measure(n, o, dir));
      util::write_file_atomically(kept, nas::latency_sample_to_json(out.back()).dump() + "\n");
    }
    observer.update(static_cast<int64_t>(out.size()));
  }
  observer.end();
  return out;
}

LatencyEvaluation evaluate_latency_model(const nas::LatencyModel& model,
                                         const std::vector<nas::LatencySample>& measured) {
  LatencyEvaluation e;
  std::vector<std::string> spaces;
  for (const nas::LatencySample& s : measured) {
    const double predicted = model.predict(s.layers);
    e.networks.push_back(
        {s.name, s.space, s.arch, s.total, predicted, (predicted - s.total) / s.total});
    if (std::find(spaces.begin(), spaces.end(), s.space) == spaces.end()) spaces.push_back(s.space);
  }
  std::vector<const LatencyPrediction*> all;
  for (const LatencyPrediction& p : e.networks) all.push_back(&p);
  e.all = summarise(all);
  for (const std::string& space : spaces) {
    std::vector<const LatencyPrediction*> in_space;
    for (const LatencyPrediction& p : e.networks)
      if (p.space == space) in_space.push_back(&p);
    e.by_space.emplace_back(space, summarise(in_space));
  }
  return e;
}

nlohmann::json latency_evaluation_to_json(const LatencyEvaluation& evaluation) {
  nlohmann::json networks = nlohmann::json::array();
  for (const LatencyPrediction& p : evaluation.networks)
    networks.push_back({{"name", p.name},
                        {"space", p.space},
                        {"arch", p.arch},
                        {"measured", p.measured},
                        {"predicted", p.predicted},
                        {"error", p.error}});
  nlohmann::json by_space = nlohmann::json::object();
  for (const auto& [space, summary] : evaluation.by_space)
    by_space[space] = summary_to_json(summary);
  return {{"all", summary_to_json(evaluation.all)},
          {"by_space", std::move(by_space)},
          {"networks", std::move(networks)}};
}

}  // namespace tinynas::pipeline
