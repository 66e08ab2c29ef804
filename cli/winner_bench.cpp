#include "cli/winner_bench.h"

#include "cli/latency_limit.h"
#include "engine/host_verify.h"
#include "engine/quant_model_io.h"
#include "firmware/cycle_estimate.h"
#include "firmware/hil.h"
#include "pipeline/export.h"

namespace tinynas::cli {

WinnerBench bench_winner(const std::string& arch_path, const std::string& space,
                         const memory::Board& board, const std::string& config_dir,
                         const std::string& out_dir, uint64_t seed) {
  WinnerBench bench;
  bench.target = qemu_target_for(board);
  bench.model_dir = out_dir + "/bench-model";
  pipeline::ExportOptions eo;
  eo.arch_path = arch_path;
  eo.config_dir = config_dir;
  eo.space = space;
  eo.out = bench.model_dir;
  eo.random_weights = true;
  eo.seed = seed;
  pipeline::Observer quiet;
  pipeline::export_model(eo, quiet);

  const engine::QuantModel q = engine::load_quant_model(bench.model_dir + "/quant_model.json");
  firmware::FirmwareRequest request;
  request.model_dir = bench.model_dir;
  request.work_dir = bench.model_dir + "/firmware-" + bench.target;
  request.target = bench.target;
  request.board = board;
  request.inputs = engine::random_int8_inputs(1, q.graph.tensor(q.graph.input()).bytes(), seed);
  request.timeout_s = 120;
  request.estimate_cycles = true;
  const firmware::FirmwareResult fw = firmware::run_model_on_qemu(request);
  bench.instructions = static_cast<double>(fw.instructions.at(0));
  if (fw.cycles.available)
    bench.estimated_cycles = firmware::mean_cycles(fw.cycles);
  else
    bench.no_cycles = fw.cycles.reason;
  return bench;
}

double bench_latency(const WinnerBench& bench, const std::string& measure) {
  return measure == "instructions" ? bench.instructions : bench.estimated_cycles;
}

}  // namespace tinynas::cli
