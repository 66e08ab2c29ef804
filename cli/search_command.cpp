// tinynas search / space / evolve: the TinyNAS pipeline from the command line.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/config_dir.h"
#include "cli/console_observer.h"
#include "cli/cost_report.h"
#include "cli/latency_limit.h"
#include "cli/options.h"
#include "cli/plots.h"
#include "cli/reports.h"
#include "cli/run_context.h"
#include "cli/supernet_access.h"
#include "cli/winner_bench.h"
#include "memory_model/board.h"
#include "nas/arch_cost.h"
#include "nas/fitness.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "pipeline/search.h"
#include "util/byte_size.h"

namespace tinynas::cli {
namespace {

using util::format_byte_size;

const char* mode_name(SearchMode mode) {
  switch (mode) {
    case SearchMode::kSearch:
      return "search";
    case SearchMode::kSpace:
      return "space";
    case SearchMode::kEvolve:
      return "evolve";
  }
  return "?";
}

const char* mode_help(SearchMode mode) {
  switch (mode) {
    case SearchMode::kSearch:
      return "Find the best sub-net that fits the board: rank the (resolution, width) sub-spaces "
             "by the FLOPs CDF of the sub-nets that fit, then run evolution in the best one.";
    case SearchMode::kSpace:
      return "Rank the (resolution, width) sub-spaces of a search space by the FLOPs CDF of the "
             "sub-nets that fit the board (TinyNAS search-space optimisation).";
    case SearchMode::kEvolve:
      return "Evolutionary search in one (resolution, width) sub-space.";
  }
  return "";
}

std::string mmacs(double macs) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2fM", macs / 1e6);
  return text;
}

std::string subspace_label(int resolution, double width) {
  char text[48];
  std::snprintf(text, sizeof text, "R%d W%g", resolution, width);
  return text;
}

void report_plot(const PlotResult& plot) {
  if (plot.ok)
    spdlog::info("plot: {}", plot.png_path);
  else if (plot.skipped)
    spdlog::info("plot skipped: {}", plot.message);
  else
    spdlog::warn("plot not written: {}", plot.message);
}

// The search's reports as its stages finish: the space optimiser's CSVs, plot and table, the
// chosen sub-space, the evolution's CSV and plot.
class SearchReport final : public ConsoleObserver<pipeline::SearchObserver> {
 public:
  SearchReport(const RunContext& c, std::string fitness_label)
      : ConsoleObserver(!c.quiet), c_(c), fitness_label_(std::move(fitness_label)) {}

  void space_ranked(const std::vector<nas::SubspaceStats>& ranking) override {
    write_space_ranking_csv(c_.out_dir + "/space_ranking.csv", ranking);
    write_flops_cdf_csv(c_.out_dir + "/flops_cdf.csv", ranking, c_.settings.plot_top_spaces);

    std::vector<CdfSeries> series;
    for (size_t i = 0; i < ranking.size() && i < static_cast<size_t>(c_.settings.plot_top_spaces);
         ++i) {
      if (ranking[i].satisfying == 0) break;
      CdfSeries s;
      s.label = subspace_label(ranking[i].resolution, ranking[i].width_mult);
      for (int64_t m : ranking[i].satisfying_macs)
        s.sorted_mmacs.push_back(static_cast<double>(m) / 1e6);
      series.push_back(std::move(s));
    }
    if (!series.empty()) report_plot(plot_flops_cdf(c_.out_dir, series));

    std::printf("\nSub-spaces ranked by mean MACs of the sub-nets that fit (%s):\n",
                c_.constraints.describe().c_str());
    std::printf("  %4s  %-10s  %9s  %10s  %10s  %10s  %10s\n", "rank", "space", "fit", "mean",
                "p10", "p50", "p90");
    for (size_t i = 0; i < ranking.size() && i < 10; ++i) {
      const auto& s = ranking[i];
      std::printf("  %4zu  %-10s  %8.1f%%  %10s  %10s  %10s  %10s\n", i + 1,
                  subspace_label(s.resolution, s.width_mult).c_str(),
                  100.0 * s.satisfying_fraction(), mmacs(s.mean_macs).c_str(),
                  mmacs(double(s.p10_macs)).c_str(), mmacs(double(s.p50_macs)).c_str(),
                  mmacs(double(s.p90_macs)).c_str());
    }
  }

  void subspace_chosen(const nas::SubspaceStats& chosen) override {
    std::printf("\nChosen sub-space: %s (%.1f%% of its sub-nets fit, mean %s MACs)\n",
                subspace_label(chosen.resolution, chosen.width_mult).c_str(),
                100 * chosen.satisfying_fraction(), mmacs(chosen.mean_macs).c_str());
  }

  void evolved(const nas::EvolutionResult& evolved) override {
    write_evolution_csv(c_.out_dir + "/evolution.csv", evolved.history);
    std::vector<EvolutionRow> points;
    for (const auto& g : evolved.history)
      points.push_back({g.generation, g.best_fitness, g.mean_fitness});
    if (!points.empty()) report_plot(plot_evolution(c_.out_dir, points, fitness_label_));
  }

 private:
  const RunContext& c_;
  std::string fitness_label_;
};

// MobileNetV2 of the same budget: the fitting (R, W) member of the mbv2 family with the most MACs,
// on the searched space's resolution and width grids. Empty when none fits.
std::optional<nas::Arch> mobilenet_v2_baseline(const RunContext& c, nas::SearchSpace& mbv2) {
  try {
    mbv2 = nas::load_space("mbv2", c.config_dir);
  } catch (const std::exception& e) {
    spdlog::warn("no MobileNetV2 baseline: {}", e.what());
    return std::nullopt;
  }
  mbv2.num_classes = c.space.num_classes;
  mbv2.stem_stride = c.space.stem_stride;
  nas::CostModel model(mbv2);
  std::optional<nas::Arch> best;
  int64_t best_macs = -1;
  for (int r : c.space.resolutions)
    for (double w : c.space.width_mults) {
      const nas::Arch arch = nas::largest_arch(mbv2, r, w);
      const nas::ArchCost cost = model.evaluate(arch);
      if (c.constraints.fits(cost) && cost.macs > best_macs) {
        best = arch;
        best_macs = cost.macs;
      }
    }
  return best;
}

std::vector<int64_t> block_peaks(const nas::Arch& arch, const nas::SearchSpace& space) {
  std::vector<int64_t> peaks;
  for (const BlockMemory& b : block_memory(arch, space)) peaks.push_back(b.peak_bytes);
  return peaks;
}

void plot_winner_memory(const RunContext& c, const nas::Arch& winner) {
  const std::string label = "tinynas " + subspace_label(winner.resolution, winner.width_mult);
  nas::SearchSpace mbv2;
  const auto baseline = mobilenet_v2_baseline(c, mbv2);
  report_plot(plot_block_memory(
      c.out_dir, label, block_peaks(winner, c.space),
      baseline ? "MobileNetV2 " + subspace_label(baseline->resolution, baseline->width_mult) : "",
      baseline ? block_peaks(*baseline, mbv2) : std::vector<int64_t>{},
      c.constraints.sram_budget()));
}

void print_accuracy_comparison(const pipeline::AccuracyOutcome& o) {
  const auto row = [](const char* name, const pipeline::JudgedResult& j) {
    if (j.top_k.empty()) return;
    const pipeline::JudgedCandidate& c = j.top_k[j.chosen];
    std::printf("  %-16s fitness %7.2f  validation top-1 %6.2f%%  test top-1 %6.2f%%  %s MACs\n",
                name, c.candidate.fitness, c.validation_top1, j.test_top1,
                mmacs(double(c.candidate.cost.macs)).c_str());
  };
  std::printf("\nAccuracy (validation: %lld held-out training images; test: %lld images):\n",
              static_cast<long long>(o.search.validation_images),
              static_cast<long long>(o.search.test_images));
  row("evolution", o.search);
  if (!o.random.top_k.empty()) {
    char name[48];
    std::snprintf(name, sizeof name, "random (%lld)", static_cast<long long>(o.random_fitting));
    row(name, o.random);
  }
}

// With a latency limit: 400 seeded sub-nets of the searched sub-space that fit SRAM and Flash,
// their predicted latency against MACs, with the winner and the limit (latency_pareto.png).
void plot_latency_tradeoff(const RunContext& c, const pipeline::SearchResult& searched) {
  nas::Constraints memory_only = c.constraints;
  memory_only.latency_limit = 0;
  nas::CostModel model(c.space, c.constraints.latency_model.get());
  nas::Rng rng = nas::Rng::for_stream(c.settings.seed, 77);
  const std::vector<int> resolutions = searched.resolutions.empty()
                                           ? std::vector<int>{searched.subspace.resolution}
                                           : searched.resolutions;
  std::vector<LatencyPoint> sampled;
  for (int draw = 0; draw < 4000 && sampled.size() < 400; ++draw) {
    const nas::Arch arch =
        nas::sample_arch(c.space, rng.pick(resolutions), searched.width_mult, rng);
    const nas::ArchCost cost = model.evaluate(arch);
    if (memory_only.fits(cost))
      sampled.push_back({cost.latency / 1e6, static_cast<double>(cost.macs) / 1e6});
  }
  const nas::ArchCost& w = searched.winner.cost;
  char title[160];
  std::snprintf(title, sizeof title, "MACs against predicted latency: %s", c.space.name.c_str());
  report_plot(
      plot_latency_pareto(c.out_dir, sampled, {w.latency / 1e6, static_cast<double>(w.macs) / 1e6},
                          c.constraints.latency_limit / 1e6, c.constraints.measure(), title));
}

// --bench: the winner measured on the QEMU target of the board's core, set beside its predicted
// latency and the limit; what result.json keeps of it.
nlohmann::json bench_and_report(const RunContext& c, const nas::Candidate& best) {
  const WinnerBench bench = bench_winner(c.out_dir + "/arch.json", c.settings.space, c.board,
                                         c.config_dir, c.out_dir, c.settings.seed);
  nlohmann::json j = {{"target", bench.target}, {"instructions", bench.instructions}};
  std::printf("  measured on %s: %.2fM instructions", bench.target.c_str(),
              bench.instructions / 1e6);
  if (bench.estimated_cycles > 0) {
    j["estimated_cycles"] = bench.estimated_cycles;
    std::printf(", %.2fM estimated cycles (%.2f ms at %s's clock)", bench.estimated_cycles / 1e6,
                latency_ms(bench.estimated_cycles, "estimated cycles", c.board),
                c.board.name.c_str());
  } else {
    j["cycle_estimate"] = bench.no_cycles;
  }
  std::printf("\n");
  if (c.constraints.latency_limit <= 0) return j;
  const std::string& measure = c.constraints.latency_model->measure();
  const double measured = bench_latency(bench, measure);
  if (measured <= 0) return j;
  // --latency itself: the constraint is it less the margin (run_context.cpp).
  const double limit = c.constraints.latency_limit / (1 - c.settings.latency_margin);
  const double error = (best.cost.latency - measured) / measured;
  j["measure"] = measure;
  j["predicted"] = best.cost.latency;
  j["measured"] = measured;
  j["prediction_error"] = error;
  j["limit"] = limit;
  j["within_limit"] = measured <= limit;
  std::printf(
      "  %s: predicted %.2fM, measured %.2fM (prediction %+.2f %%): %s --latency %s "
      "(%.2fM)\n",
      measure.c_str(), best.cost.latency / 1e6, measured / 1e6, 100 * error,
      measured <= limit ? "within" : "OVER", c.settings.latency.c_str(), limit / 1e6);
  return j;
}

}  // namespace

int search_command(int argc, char** argv, SearchMode mode) {
  cxxopts::Options options(std::string("tinynas ") + mode_name(mode), mode_help(mode));
  add_search_options(options);
  if (mode == SearchMode::kEvolve)
    options.add_options()("resolution", "input resolution of the sub-space", cxxopts::value<int>())(
        "width", "width multiplier of the sub-space", cxxopts::value<double>());
  if (mode != SearchMode::kSpace)
    options.add_options()("bench",
                          "measure the winner on the QEMU target of the board's core at the end: "
                          "its latency beside the predicted one");
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  const CommonFlags flags = common_flags(parsed);
  spdlog::set_level(flags.quiet     ? spdlog::level::warn
                    : flags.verbose ? spdlog::level::debug
                                    : spdlog::level::info);

  Settings settings = settings_from_options(parsed);
  if (mode == SearchMode::kEvolve) {
    if (!parsed.count("resolution") || !parsed.count("width"))
      throw std::invalid_argument(
          "tinynas evolve needs --resolution and --width (the sub-space to search; "
          "`tinynas space` ranks them)");
    settings.resolution = parsed["resolution"].as<int>();
    settings.width_mult = parsed["width"].as<double>();
    if (*settings.resolution <= 0 || *settings.resolution > nas::kMaxResolution)
      throw std::invalid_argument("--resolution must be from 1 to " +
                                  std::to_string(nas::kMaxResolution));
    if (!(*settings.width_mult > 0 && *settings.width_mult <= 4))
      throw std::invalid_argument("--width must be in (0, 4]");
  }

  RunContext c = make_run_context(settings, find_config_dir(flags.config_dir), flags.quiet);
  require_feasible(c);
  pipeline::SearchOptions search;
  search.seed = c.settings.seed;
  search.threads = c.settings.threads;
  search.space_optimizer = c.settings.space_optimizer;
  search.evolution = c.settings.evolution;
  search.evolve = mode != SearchMode::kSpace;
  if (mode == SearchMode::kEvolve)
    search.subspace = pipeline::Subspace{*settings.resolution, *settings.width_mult};
  // Accuracy-driven: a trained supernet fixes the width and the resolutions it was trained on.
  std::unique_ptr<pipeline::AccuracySearch> accuracy;
  if (mode != SearchMode::kSpace && settings.search.enabled())
    accuracy = pipeline::open_accuracy_search(settings.search, settings.threads, c.space,
                                              supernet_access());
  const bool accuracy_search = accuracy != nullptr;
  pipeline::SearchPipeline pipeline(c.space, c.constraints, search, std::move(accuracy));
  if (settings.search.fitness != "flops") {
    if (accuracy_search)
      throw std::invalid_argument("--fitness " + settings.search.fitness +
                                  " is the fitness without --predictor or --supernet: give one "
                                  "or the other");
    if (search.evolve)
      pipeline.set_fitness(
          training_free_fitness(settings.search.fitness, pipeline.space(), c.settings.seed));
  }
  c.space = pipeline.space();
  c.out_dir = prepare_output_dir(
      accuracy_search && !settings.search.out.empty() ? settings.search.out : settings.out);
  const auto started = std::chrono::steady_clock::now();
  spdlog::info("space '{}', board '{}': {}; output in {}", c.space.name, c.board.name,
               c.constraints.describe(), c.out_dir);

  nlohmann::json result = {{"command", mode_name(mode)},
                           {"tinynas_version", TINYNAS_VERSION},
                           {"board", memory::board_to_json(c.board)},
                           {"constraints",
                            {{"sram_bytes", c.constraints.sram_bytes},
                             {"flash_bytes", c.constraints.flash_bytes},
                             {"reserved_sram_bytes", c.constraints.reserved_sram_bytes},
                             {"reserved_flash_bytes", c.constraints.reserved_flash_bytes}}},
                           {"settings", settings_to_json(c.settings)}};
  if (c.constraints.latency_limit > 0)
    result["constraints"]["latency"] = {
        {"limit", c.constraints.latency_limit},
        {"measure", c.constraints.measure()},
        {"setting", c.settings.latency},
        {"margin", c.settings.latency_margin},
        {"cycles_per_unit", cycles_per_unit(c.constraints.measure())}};
  // Where the run is written is not part of its result: the same settings give the same file.
  result["settings"].erase("out");

  SearchReport report(c, pipeline.accuracy() ? pipeline.accuracy()->fitness_label()
                         : settings.search.fitness != "flops"
                             ? settings.search.fitness + " score"
                             : nas::FlopsProxyFitness().kind() + " (MMACs)");
  const pipeline::SearchResult searched = pipeline.run(report);

  nlohmann::json space_json = {{"name", c.space.name}};
  if (!searched.ranking.empty()) {
    space_json.update(subspace_json(searched.ranking.front()));
  } else {
    space_json["resolution"] = searched.subspace.resolution;
    space_json["width_mult"] = searched.subspace.width_mult;
  }
  result["space"] = space_json;

  if (searched.evolved) {
    if (pipeline.accuracy()) result["accuracy_search"] = pipeline.accuracy()->describe();
    const std::optional<pipeline::AccuracyOutcome>& outcome = searched.accuracy;
    const nas::Candidate& best = searched.winner;
    const nas::Arch& winner = best.arch;
    const nlohmann::json cost = cost_report(winner, c.space, c.constraints);
    result["arch"] = nas::arch_to_json(winner);
    result["cost"] = cost;
    result["fitness"] = best.fitness;
    result["fitness_kind"] = searched.fitness_kind;
    result["evolution"] = {{"evaluated", searched.evolution.evaluated},
                           {"generations", search.evolution.generations}};
    if (outcome) {
      result["random_baseline"] = {{"drawn", outcome->random_drawn},
                                   {"fitting", outcome->random_fitting},
                                   {"best_fitness", outcome->random_best_fitness}};
      if (outcome->judged) {
        result["top1_validation"] = outcome->search.top_k[outcome->search.chosen].validation_top1;
        result["top1_test"] = outcome->search.test_top1;
        result["judged"] = {{"search", outcome->search.to_json()},
                            {"random_baseline", outcome->random.to_json()}};
      }
    }
    write_json(c.out_dir + "/arch.json", nas::arch_to_json(winner));
    plot_winner_memory(c, winner);
    if (c.constraints.latency_limit > 0) plot_latency_tradeoff(c, searched);

    std::printf("\nWinner (%s fitness %.3f):\n  %s\n", searched.fitness_kind.c_str(), best.fitness,
                winner.summary().c_str());
    std::printf("  MACs %s, params %.3fM\n", mmacs(double(best.cost.macs)).c_str(),
                double(best.cost.params) / 1e6);
    std::printf("  SRAM %s arena (+%s reserved) of %s; naive in+out rule %s; lower bound %s\n",
                format_byte_size(best.cost.sram_bytes).c_str(),
                format_byte_size(c.constraints.reserved_sram_bytes).c_str(),
                format_byte_size(c.constraints.sram_bytes).c_str(),
                format_byte_size(cost["sram_bytes_naive"].get<int64_t>()).c_str(),
                format_byte_size(cost["sram_lower_bound"].get<int64_t>()).c_str());
    std::printf("  Flash %s (+%s reserved) of %s\n",
                format_byte_size(best.cost.flash_bytes).c_str(),
                format_byte_size(c.constraints.reserved_flash_bytes).c_str(),
                format_byte_size(c.constraints.flash_bytes).c_str());
    if (c.constraints.latency_limit > 0)
      std::printf(
          "  latency %.2fM %s predicted (%.2f ms at %s's clock, %s); the search's limit "
          "%.2fM (--latency less the margin)\n",
          best.cost.latency / 1e6, c.constraints.measure().c_str(),
          latency_ms(best.cost.latency, c.constraints.measure(), c.board), c.board.name.c_str(),
          latency_basis(c.constraints.measure()).c_str(), c.constraints.latency_limit / 1e6);
    if (parsed.count("bench")) result["latency_bench"] = bench_and_report(c, best);
    if (outcome && outcome->judged) print_accuracy_comparison(*outcome);
    if (outcome && outcome->random_fitting > 0)
      std::printf("  random search, %lld fitting sub-nets: best fitness %.3f\n",
                  static_cast<long long>(outcome->random_fitting), outcome->random_best_fitness);
  }

  write_json(c.out_dir + "/result.json", result);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("\nResults in %s (%.1f s)\n", c.out_dir.c_str(), seconds);
  return 0;
}

}  // namespace tinynas::cli
