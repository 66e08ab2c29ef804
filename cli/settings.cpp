#include "cli/settings.h"

#include "util/json_reader.h"

namespace tinynas::cli {

using util::ObjectReader;

namespace {

void apply_space_optimizer(ObjectReader& parent, Settings& s) {
  ObjectReader r(parent.at("space_optimizer"), parent.context() + " space_optimizer");
  s.space_optimizer.samples_per_space =
      r.optional<int>("samples", s.space_optimizer.samples_per_space);
  s.plot_top_spaces = r.optional<int>("plot_top_spaces", s.plot_top_spaces);
  r.finish();
  if (s.space_optimizer.samples_per_space < 1) r.fail("samples", "must be at least 1");
  if (s.plot_top_spaces < 1) r.fail("plot_top_spaces", "must be at least 1");
}

void apply_evolution(ObjectReader& parent, Settings& s) {
  ObjectReader r(parent.at("evolution"), parent.context() + " evolution");
  nas::EvolutionOptions& e = s.evolution;
  e.population = r.optional<int>("population", e.population);
  e.generations = r.optional<int>("generations", e.generations);
  e.parent_ratio = r.optional<double>("parent_ratio", e.parent_ratio);
  e.mutation_ratio = r.optional<double>("mutation_ratio", e.mutation_ratio);
  e.rates.block = r.optional<double>("block_mutation_prob", e.rates.block);
  e.rates.depth = r.optional<double>("depth_mutation_prob", e.rates.depth);
  e.rates.resolution = r.optional<double>("resolution_mutation_prob", e.rates.resolution);
  e.max_tries = r.optional<int>("max_tries", e.max_tries);
  r.finish();
  if (e.population < 2) r.fail("population", "must be at least 2");
  if (e.generations < 0) r.fail("generations", "must be >= 0");
  if (!(e.parent_ratio > 0 && e.parent_ratio <= 1)) r.fail("parent_ratio", "must be in (0, 1]");
  if (!(e.mutation_ratio >= 0 && e.mutation_ratio <= 1))
    r.fail("mutation_ratio", "must be in [0, 1]");
  for (const auto& [key, p] : {std::pair{"block_mutation_prob", e.rates.block},
                               std::pair{"depth_mutation_prob", e.rates.depth},
                               std::pair{"resolution_mutation_prob", e.rates.resolution}})
    if (!(p >= 0 && p <= 1)) r.fail(key, "must be a probability in [0, 1]");
  if (e.max_tries < 1) r.fail("max_tries", "must be at least 1");
}

}  // namespace

void apply_experiment_json(const nlohmann::json& json, const std::string& context, Settings& s) {
  ObjectReader r(json, context);
  r.optional<std::string>("description", "");
  s.space = r.optional<std::string>("space", s.space);
  s.board = r.optional<std::string>("board", s.board);
  if (r.has("sram")) s.sram_bytes = r.size("sram");
  if (r.has("flash")) s.flash_bytes = r.size("flash");
  const int64_t seed = r.optional<int64_t>("seed", static_cast<int64_t>(s.seed));
  if (seed < 0) r.fail("seed", "must be >= 0");
  s.seed = static_cast<uint64_t>(seed);
  s.threads = r.optional<int>("threads", s.threads);
  if (s.threads < 0) r.fail("threads", "must be >= 0 (0 = all cores)");
  s.out = r.optional<std::string>("out", s.out);
  if (r.has("space_optimizer")) apply_space_optimizer(r, s);
  if (r.has("evolution")) apply_evolution(r, s);
  r.finish();
}

void apply_experiment_file(const std::string& path, Settings& settings) {
  apply_experiment_json(util::read_json_file(path), "config " + path, settings);
}

nlohmann::json settings_to_json(const Settings& s) {
  nlohmann::json j = {
      {"space", s.space},
      {"board", s.board},
      {"seed", s.seed},
      {"threads", s.threads},
      {"space_optimizer",
       {{"samples", s.space_optimizer.samples_per_space}, {"plot_top_spaces", s.plot_top_spaces}}},
      {"evolution",
       {{"population", s.evolution.population},
        {"generations", s.evolution.generations},
        {"parent_ratio", s.evolution.parent_ratio},
        {"mutation_ratio", s.evolution.mutation_ratio},
        {"block_mutation_prob", s.evolution.rates.block},
        {"depth_mutation_prob", s.evolution.rates.depth},
        {"resolution_mutation_prob", s.evolution.rates.resolution},
        {"max_tries", s.evolution.max_tries}}},
  };
  if (s.sram_bytes) j["sram"] = *s.sram_bytes;
  if (s.flash_bytes) j["flash"] = *s.flash_bytes;
  return j;
}

}  // namespace tinynas::cli
