// tinynas latency build|eval: a latency model for a board from QEMU measurements of random
// sub-nets (pipeline/latency_build.h), and its error on held-out networks measured as `tinynas
// verify` measures them. A real board's model is measured on the QEMU target of its core
// (stm32f746 -> qemu-m7) under the board's SRAM and Flash limits: instruction counts, which a
// board's cycles follow at its own cycles per instruction.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/console_observer.h"
#include "cli/interrupt_exit.h"
#include "cli/latency_limit.h"
#include "cli/options.h"
#include "cli/plots.h"
#include "engine/quant_model_io.h"
#include "memory_model/board.h"
#include "nas/latency_model.h"
#include "nas/search_space.h"
#include "pipeline/latency_build.h"
#include "util/file_io.h"
#include "util/json_reader.h"

namespace tinynas::cli {
namespace {

namespace fs = std::filesystem;

// Every space under configs/spaces, by name, in name order.
std::vector<std::string> shipped_spaces(const std::string& config_dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(config_dir + "/spaces"))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

void add_common_options(cxxopts::Options& options) {
  options.add_options()("board", "board or QEMU target (configs/boards): limits and core",
                        cxxopts::value<std::string>()->default_value("qemu-m4"))(
      "spaces", "spaces to draw networks from, comma-separated (default: every shipped space)",
      cxxopts::value<std::string>())("networks", "networks to measure, in all",
                                     cxxopts::value<int>())("seed", "which random networks",
                                                            cxxopts::value<int64_t>())(
      "work", "folder for the networks' builds (a re-run measures only what is missing)",
      cxxopts::value<std::string>())("config-dir", "configs folder", cxxopts::value<std::string>())(
      "quiet", "no progress line")("h,help", "show this help");
}

// Which count the model predicts: estimated cycles (the QEMU timing plugin, Arm's timing tables)
// or QEMU's exact instructions.
void add_measure_option(cxxopts::Options& options) {
  options.add_options()(
      "measure", "cycles (estimated by the QEMU timing plugin) or instructions (QEMU, exact)",
      cxxopts::value<std::string>()->default_value("cycles"));
}

pipeline::LatencyBuildOptions build_options(const cxxopts::ParseResult& parsed,
                                            const std::string& config_dir, int default_networks,
                                            uint64_t default_seed) {
  pipeline::LatencyBuildOptions o;
  o.config_dir = config_dir;
  const memory::Board board = memory::load_board(parsed["board"].as<std::string>(), config_dir);
  o.board = board;
  o.target = qemu_target_for(board);
  o.spaces = parsed.count("spaces") ? comma_list("--spaces", parsed["spaces"].as<std::string>())
                                    : shipped_spaces(config_dir);
  for (const std::string& space : o.spaces) nas::load_space(space, config_dir);  // fail early
  o.networks = parsed.count("networks") ? parsed["networks"].as<int>()
                                        : default_networks * static_cast<int>(o.spaces.size());
  if (o.networks < 1) throw std::invalid_argument("--networks must be at least 1");
  o.seed =
      parsed.count("seed") ? static_cast<uint64_t>(parsed["seed"].as<int64_t>()) : default_seed;
  return o;
}

void print_evaluation(const pipeline::LatencyEvaluation& e, const std::string& measure) {
  std::printf("%-12s %9s %12s %12s %10s\n", "space", "networks", "median |err|", "worst |err|",
              "bias");
  const auto row = [](const std::string& name, const pipeline::LatencyErrorSummary& s) {
    std::printf("%-12s %9d %11.2f%% %11.2f%% %+9.2f%%\n", name.c_str(), s.networks,
                100 * s.median_abs_error, 100 * s.worst_abs_error, 100 * s.mean_error);
  };
  for (const auto& [space, summary] : e.by_space) row(space, summary);
  row("all", e.all);
  const pipeline::LatencyPrediction* worst = nullptr;
  for (const pipeline::LatencyPrediction& p : e.networks)
    if (!worst || std::abs(p.error) > std::abs(worst->error)) worst = &p;
  if (worst)
    std::printf("worst: %s (%s): measured %.0f, predicted %.0f %s\n", worst->name.c_str(),
                worst->arch.c_str(), worst->measured, worst->predicted, measure.c_str());
}

PlotResult plot(const std::string& dir, const pipeline::LatencyEvaluation& e,
                const std::string& measure, const std::string& title) {
  std::vector<double> measured, predicted;
  for (const pipeline::LatencyPrediction& p : e.networks) {
    measured.push_back(p.measured / 1e6);
    predicted.push_back(p.predicted / 1e6);
  }
  return plot_latency(dir, measured, predicted, measure, title);
}

int build(int argc, char** argv) {
  cxxopts::Options options("tinynas latency build",
                           "Measure random sub-nets layer by layer on QEMU and fit the latency "
                           "model (one linear model per op kind); `tinynas latency eval` measures "
                           "its error on held-out networks.");
  add_common_options(options);
  add_measure_option(options);
  options.add_options()("out", "latency model file (default: latency-BOARD.json)",
                        cxxopts::value<std::string>());
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  const std::string config_dir = config_dir_option(parsed);
  pipeline::LatencyBuildOptions o = build_options(parsed, config_dir, 20, 1);
  o.measure = parsed["measure"].as<std::string>();
  const std::string measure = pipeline::latency_measure_name(o.measure);
  const std::string board = parsed["board"].as<std::string>();
  const std::string out =
      parsed.count("out") ? parsed["out"].as<std::string>() : "latency-" + board + ".json";
  o.work_dir = parsed.count("work") ? parsed["work"].as<std::string>()
                                    : fs::path(out).replace_extension("").string() + "-work";
  set_saved_state("the networks measured so far are kept in " + o.work_dir +
                  "; the same command measures only the rest");
  ConsoleObserver<> observer(parsed.count("quiet") == 0);
  spdlog::info("latency: {} networks of {} on {} ({}), builds in {}", o.networks, o.spaces.size(),
               o.target, board, o.work_dir);
  const nas::LatencyModel model =
      nas::LatencyModel::fit(pipeline::measure_random_networks(o, observer), o.target, measure);
  if (const fs::path dir = fs::path(out).parent_path(); !dir.empty()) fs::create_directories(dir);
  nas::save_latency_model(model, out);
  int layers = 0;
  for (const auto& [kind, n] : model.kinds()) layers += n;
  std::printf("latency model for %s (%s): %zu networks, %d layers, %zu op kinds\n", board.c_str(),
              o.target.c_str(), model.samples().size(), layers, model.kinds().size());
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

int eval(int argc, char** argv) {
  cxxopts::Options options("tinynas latency eval",
                           "Predict and measure held-out random sub-nets (the plain build, as "
                           "tinynas verify measures it): median and worst absolute error per "
                           "space, latency_eval.json and latency.png.");
  add_common_options(options);
  options.add_options()("model", "latency model file (tinynas latency build)",
                        cxxopts::value<std::string>())(
      "json", "evaluation file (default: WORK/latency_eval.json)", cxxopts::value<std::string>());
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("model"))
    throw std::invalid_argument("tinynas latency eval needs --model FILE");
  const std::string model_path = parsed["model"].as<std::string>();
  const nas::LatencyModel model = nas::load_latency_model(model_path);
  const std::string config_dir = config_dir_option(parsed);
  // Seed 2 by default: build draws with 1, so these are other networks.
  pipeline::LatencyBuildOptions o = build_options(parsed, config_dir, 50, 2);
  o.profile = false;
  o.measure = model.measure() == "instructions" ? "instructions" : "cycles";
  if (o.target != model.target())
    throw std::invalid_argument("--model " + model_path + " was measured on " + model.target() +
                                ", --board " + parsed["board"].as<std::string>() + " runs on " +
                                o.target);
  o.work_dir = parsed.count("work") ? parsed["work"].as<std::string>()
                                    : fs::path(model_path).replace_extension("").string() + "-eval";
  set_saved_state("the networks measured so far are kept in " + o.work_dir +
                  "; the same command measures only the rest");
  ConsoleObserver<> observer(parsed.count("quiet") == 0);
  const pipeline::LatencyEvaluation e =
      pipeline::evaluate_latency_model(model, pipeline::measure_random_networks(o, observer));
  print_evaluation(e, model.measure());
  const std::string json =
      parsed.count("json") ? parsed["json"].as<std::string>() : o.work_dir + "/latency_eval.json";
  util::write_file_atomically(json, pipeline::latency_evaluation_to_json(e).dump(2) + "\n");
  std::printf("wrote %s\n", json.c_str());
  char title[160];
  std::snprintf(title, sizeof title,
                "Latency model on %d held-out networks: median %.2f %%, worst %.2f %%",
                e.all.networks, 100 * e.all.median_abs_error, 100 * e.all.worst_abs_error);
  const PlotResult p = plot(fs::path(json).parent_path().string(), e, model.measure(), title);
  if (p.ok)
    spdlog::info("plot: {}", p.png_path);
  else
    spdlog::warn("plot not written: {}", p.message);
  return 0;
}

// A bench.json's latency in the model's measure: a board's DWT cycles calibrate any model; on
// QEMU, instructions calibrate an instruction model and the plugin's estimate a cycle model.
double bench_latency_for(const nlohmann::json& bench, const std::string& measure,
                         const std::string& path) {
  const std::string counter = bench.at("counter").get<std::string>();
  if (counter == "cycles" || (counter == "instructions" && measure == "instructions"))
    return bench.at("per_inference").at("median").get<double>();
  const nlohmann::json& estimate = bench.value("estimated_cycles", nlohmann::json::object());
  if (measure == "estimated cycles" && estimate.value("available", false))
    return estimate.at("mean").get<double>();
  throw std::invalid_argument(path + " holds " + counter +
                              " without a cycle estimate; the model "
                              "predicts " +
                              measure);
}

int calibrate(int argc, char** argv) {
  cxxopts::Options options("tinynas latency calibrate",
                           "Scale a latency model to a board: the geometric mean of measured / "
                           "predicted over models run there with `tinynas bench MODEL_DIR --board "
                           "B` (each MODEL_DIR/bench-B/bench.json).");
  options.add_options()("model", "latency model file", cxxopts::value<std::string>())(
      "board", "the board the models were benched on", cxxopts::value<std::string>())(
      "models", "exported model folders, comma-separated", cxxopts::value<std::string>())(
      "out", "calibrated model file (default: overwrite --model)", cxxopts::value<std::string>())(
      "config-dir", "configs folder", cxxopts::value<std::string>())("h,help", "show this help");
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  for (const char* flag : {"model", "board", "models"})
    if (!parsed.count(flag))
      throw std::invalid_argument(std::string("tinynas latency calibrate needs --") + flag);
  const std::string model_path = parsed["model"].as<std::string>();
  nas::LatencyModel model = nas::load_latency_model(model_path);
  model.calibrate({});  // predictions from the QEMU fit alone
  const memory::Board board =
      memory::load_board(parsed["board"].as<std::string>(), config_dir_option(parsed));
  if (qemu_target_for(board) != model.target())
    throw std::invalid_argument("--model " + model_path + " was measured on " + model.target() +
                                "; board " + board.name + " needs one measured on " +
                                qemu_target_for(board));
  std::vector<nas::LatencyCalibrationPoint> points;
  for (const std::string& dir : comma_list("--models", parsed["models"].as<std::string>())) {
    const std::string bench_path = dir + "/bench-" + board.name + "/bench.json";
    if (!fs::exists(bench_path))
      throw std::invalid_argument(bench_path + " does not exist: run `tinynas bench " + dir +
                                  " --board " + board.name + "` first");
    const nlohmann::json bench = util::read_json_file(bench_path);
    const engine::QuantModel q = engine::load_quant_model(dir + "/quant_model.json");
    points.push_back(
        {dir, model.predict(q.graph), bench_latency_for(bench, model.measure(), bench_path)});
  }
  model.calibrate(nas::fit_latency_calibration(board.name, points));
  const std::string out = parsed.count("out") ? parsed["out"].as<std::string>() : model_path;
  nas::save_latency_model(model, out);
  for (const nas::LatencyCalibrationPoint& p : points)
    std::printf("%-30s predicted %10.3fM  measured %10.3fM  ratio %.4f\n", p.name.c_str(),
                p.predicted / 1e6, p.measured / 1e6, p.measured / p.predicted);
  std::printf("scale %.4f on %s from %zu network(s); wrote %s\n", model.calibration().scale,
              board.name.c_str(), points.size(), out.c_str());
  return 0;
}

}  // namespace

int latency_command(int argc, char** argv) {
  static constexpr const char* kUsage =
      "usage: tinynas latency build [--board B] [--networks N] [--out FILE]\n"
      "       tinynas latency eval --model FILE [--board B] [--networks N]\n"
      "       tinynas latency calibrate --model FILE --board B --models DIR,...\n"
      "  build   measure random sub-nets per layer on QEMU, fit the latency model\n"
      "  eval    its error on held-out networks, measured as tinynas verify measures them\n"
      "  calibrate  scale it to a board from models benched there (tinynas bench)\n";
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string action = argv[1];
  if (action == "-h" || action == "--help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (action == "build") return build(argc - 1, argv + 1);
  if (action == "eval") return eval(argc - 1, argv + 1);
  if (action == "calibrate") return calibrate(argc - 1, argv + 1);
  throw std::invalid_argument("unknown latency action '" + action + "' (build, eval, calibrate)");
}

}  // namespace tinynas::cli
