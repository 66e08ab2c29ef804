// PNG plots of a search's evidence, drawn by gnuplot (run through run_process, never a shell).
//
//   PlotResult r = plot_evolution(out_dir, rows);
//   if (!r.ok) note(r.message);            // "skipped: gnuplot not found ..." or gnuplot's error
//
// Each function writes NAME.dat (the data) and NAME.gp (the script) into `dir`, then runs
// `gnuplot NAME.gp` there to make NAME.png. The .dat and .gp stay, so a user without gnuplot can
// draw the plot later, or restyle it. Nothing here throws for a missing gnuplot or a failed plot:
// the result says what happened and the caller decides how loudly to say it. Plain numbers in, no
// dependence on the search's types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::cli {

struct PlotOptions {
  // The gnuplot program (a name on PATH or a path); tests name a missing one.
  std::string gnuplot = "gnuplot";
  double timeout_s = 60;
};

struct PlotResult {
  bool ok = false;
  // True when the plot was not attempted because gnuplot is missing (ok is then false).
  bool skipped = false;
  // Where the PNG is (or would have been).
  std::string png_path;
  // Empty on success; otherwise why not, e.g. "skipped: gnuplot not found ..." or gnuplot's stderr.
  std::string message;
};

// One line of the FLOPs CDF: a (resolution, width) sub-space and the MACs, in millions, of its
// sampled sub-nets that satisfy the constraints, sorted ascending.
struct CdfSeries {
  std::string label;  // e.g. "R160 W0.5"
  std::vector<double> sorted_mmacs;
};

// flops_cdf.png: cumulative fraction (0..1) of satisfying sub-nets against MMACs, one step line
// per space. A space with no satisfying sub-net gets no line.
PlotResult plot_flops_cdf(const std::string& dir, const std::vector<CdfSeries>& series,
                          const PlotOptions& options = {});

// block_memory.png: per-block peak SRAM (kB, 1 kB = 1024 bytes) of the winner and of a baseline
// (MobileNetV2 at the same budget) over block index, with the SRAM budget as a horizontal line.
// The two lists may differ in length. budget_bytes <= 0 leaves the budget line out.
PlotResult plot_block_memory(const std::string& dir, const std::string& winner_label,
                             const std::vector<int64_t>& winner_per_block_bytes,
                             const std::string& baseline_label,
                             const std::vector<int64_t>& baseline_per_block_bytes,
                             int64_t budget_bytes, const PlotOptions& options = {});

struct EvolutionRow {
  int generation = 0;
  double best = 0;
  double mean = 0;
};

// evolution.png: best and mean fitness of the population per generation. fitness_label names the
// y axis, e.g. "top-1 accuracy (%)" or "predicted accuracy".
PlotResult plot_evolution(const std::string& dir, const std::vector<EvolutionRow>& rows,
                          const std::string& fitness_label = "fitness",
                          const PlotOptions& options = {});

// predictor.png: predicted against measured top-1 (%) of the predictor's held-out sub-nets, with
// the diagonal where a perfect predictor's points would lie. The lists have equal length.
PlotResult plot_predictor(const std::string& dir, const std::vector<double>& measured,
                          const std::vector<double>& predicted, const std::string& title,
                          const PlotOptions& options = {});

// latency.png: predicted against measured latency of held-out networks, in millions of `measure`
// ("instructions", "estimated cycles"), with the diagonal. The lists have equal length.
PlotResult plot_latency(const std::string& dir, const std::vector<double>& measured,
                        const std::vector<double>& predicted, const std::string& measure,
                        const std::string& title, const PlotOptions& options = {});

// A sub-net on the MACs-latency plane: predicted latency and MACs, both in millions.
struct LatencyPoint {
  double latency = 0;
  double mmacs = 0;
};

// latency_pareto.png: sampled sub-nets of the searched sub-space that fit SRAM and Flash (MACs
// against predicted latency in millions of `measure`), their Pareto front (the most MACs at each
// latency), the winner, and the latency limit as a vertical line.
PlotResult plot_latency_pareto(const std::string& dir, const std::vector<LatencyPoint>& sampled,
                               const LatencyPoint& winner, double limit, const std::string& measure,
                               const std::string& title, const PlotOptions& options = {});

// One bar of the per-layer profile: a layer's name and its instructions.
struct LayerBar {
  std::string layer;  // "b3.dw"
  double instructions = 0;
};

// profile.png: instructions (millions) per layer, in execution order, one bar per layer named
// under it. title says what ran (model, target).
PlotResult plot_layer_profile(const std::string& dir, const std::vector<LayerBar>& bars,
                              const std::string& title, const PlotOptions& options = {});

// One line of a training-curve plot: top-1 (%) after each epoch, epochs counted from 1.
struct CurveSeries {
  std::string label;  // "supernet, largest sub-net"
  std::vector<double> top1;
};

// training.png: top-1 against epoch, one line per series (series may differ in length).
PlotResult plot_training_curves(const std::string& dir, const std::vector<CurveSeries>& series,
                                const std::string& title, const PlotOptions& options = {});

}  // namespace tinynas::cli
