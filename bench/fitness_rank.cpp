// How well each fitness ranks sub-nets: Kendall's tau between a fitness and the top-1 a supernet
// measured, over a file of measured sub-nets (a predictor build's predictor_samples.jsonl). The
// fitnesses: the FLOPs proxy, the training-free proxies (Zen-score, NASWOT; supernet/
// zero_cost_proxy.h) and, with --predictor, an MLP predictor (fitted on other samples: give it a
// predictor built from a different set, or its tau is measured on its own training data). Also
// the time per evaluation, which decides what a search can afford.
//
//   build/bench/fitness_rank --samples runs/x/predictor_samples.jsonl [--predictor P.json]
//                            [--space resnet] [--repeats 2] [--batch 0] [--threads 2]
//                            [--csv scores.csv]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nas/accuracy_predictor.h"
#include "nas/arch.h"
#include "nas/arch_cost.h"
#include "nas/fitness.h"
#include "nas/search_space.h"
#include "supernet/zero_cost_proxy.h"

namespace {

using namespace tinynas;

struct Sample {
  nas::Arch arch;
  nas::ArchCost cost;
  double top1 = 0;
};

struct Column {
  std::string name;
  std::vector<double> scores;
  double seconds = 0;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "fitness_rank: %s\nusage: fitness_rank --samples FILE.jsonl [--predictor P.json] "
               "[--space NAME|PATH] [--repeats N] [--batch N] [--threads N] [--csv FILE]\n",
               why);
  std::exit(2);
}

void print_tau(const Column& c, const std::vector<Sample>& samples) {
  std::vector<double> top1;
  for (const Sample& s : samples) top1.push_back(s.top1);
  std::printf("%-10s tau %6.3f", c.name.c_str(), nas::kendall_tau(c.scores, top1));
  // Within one resolution: what the search compares when the resolution is fixed.
  std::map<int, std::pair<std::vector<double>, std::vector<double>>> by_resolution;
  for (size_t i = 0; i < samples.size(); ++i) {
    auto& r = by_resolution[samples[i].arch.resolution];
    r.first.push_back(c.scores[i]);
    r.second.push_back(samples[i].top1);
  }
  for (const auto& [resolution, r] : by_resolution)
    std::printf("  R%d (%zu) %6.3f", resolution, r.first.size(),
                nas::kendall_tau(r.first, r.second));
  std::printf("  %8.2f ms per sub-net\n", 1e3 * c.seconds / static_cast<double>(samples.size()));
}

}  // namespace

int main(int argc, char** argv) {
  std::string samples_path, predictor_path, space_name, csv_path;
  supernet::ZeroCostOptions options;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value of " + a).c_str());
    const std::string v = argv[++i];
    if (a == "--samples")
      samples_path = v;
    else if (a == "--predictor")
      predictor_path = v;
    else if (a == "--space")
      space_name = v;
    else if (a == "--repeats")
      options.repeats = std::atoi(v.c_str());
    else if (a == "--batch")
      options.batch = std::atoi(v.c_str());
    else if (a == "--threads")
      threads = std::atoi(v.c_str());
    else if (a == "--csv")
      csv_path = v;
    else
      usage(("unknown option " + a).c_str());
  }
  if (samples_path.empty()) usage("--samples is required");
  torch::set_num_threads(threads);
  try {
    std::optional<nas::AccuracyPredictor> predictor;
    if (!predictor_path.empty()) predictor = nas::AccuracyPredictor::load(predictor_path);
    std::ifstream in(samples_path);
    if (!in) usage(("cannot read " + samples_path).c_str());
    std::vector<Sample> samples;
    std::optional<nas::SearchSpace> space;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const nlohmann::json j = nlohmann::json::parse(line);
      nas::Arch arch = nas::arch_from_json(j.at("arch"), samples_path);
      if (!space) {
        space = predictor ? predictor->space()
                          : nas::load_space(space_name.empty() ? arch.space : space_name,
                                            TINYNAS_BENCH_CONFIG_DIR);
      }
      nas::validate(arch, *space);
      nas::ArchCost cost = nas::CostModel(*space).evaluate(arch);
      samples.push_back({std::move(arch), std::move(cost), j.at("top1").get<double>()});
    }
    if (samples.size() < 2) usage("fewer than 2 samples");

    std::vector<Column> columns;
    auto measure = [&](const std::string& name, nas::FitnessEvaluator& fitness) {
      Column c{name, {}, 0};
      const auto t0 = std::chrono::steady_clock::now();
      for (const Sample& s : samples) c.scores.push_back(fitness.fitness(s.arch, s.cost));
      c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      columns.push_back(std::move(c));
    };
    nas::FlopsProxyFitness flops;
    measure("flops", flops);
    for (auto proxy : {supernet::ZeroCostProxy::kZen, supernet::ZeroCostProxy::kNaswot}) {
      supernet::ZeroCostOptions o = options;
      o.proxy = proxy;
      supernet::ZeroCostFitness fitness(*space, o);
      measure(supernet::to_string(proxy), fitness);
    }
    if (predictor) {
      nas::PredictorFitness fitness(*predictor);
      measure("predictor", fitness);
    }

    std::printf("%zu sub-nets of %s, measured top-1 %s\n", samples.size(), space->name.c_str(),
                samples_path.c_str());
    for (const Column& c : columns) print_tau(c, samples);
    if (!csv_path.empty()) {
      std::ofstream csv(csv_path);
      csv << "resolution,macs,top1";
      for (const Column& c : columns) csv << ',' << c.name;
      csv << '\n';
      for (size_t i = 0; i < samples.size(); ++i) {
        csv << samples[i].arch.resolution << ',' << samples[i].cost.macs << ',' << samples[i].top1;
        for (const Column& c : columns) csv << ',' << c.scores[i];
        csv << '\n';
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fitness_rank: %s\n", e.what());
    return 2;
  }
  return 0;
}
