#include "cli/options.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "cli/config_dir.h"
#include "util/byte_size.h"

namespace tinynas::cli {

void add_search_options(cxxopts::Options& options) {
  options.add_options()("config", "experiment JSON; flags override its values",
                        cxxopts::value<std::string>())(
      "space", "search space: a name under configs/spaces/ or a .json path",
      cxxopts::value<std::string>())(
      "board", "target board under configs/boards/ (stm32f746, stm32f412, stm32h743, nrf52840)",
      cxxopts::value<std::string>())("sram", "SRAM size, overriding the board's (e.g. 320K)",
                                     cxxopts::value<std::string>())(
      "latency-margin",
      "fraction a predicted latency stays under --latency, for the model's error (default 0.05)",
      cxxopts::value<double>())("flash", "Flash size, overriding the board's (e.g. 1M)",
                                cxxopts::value<std::string>())(
      "latency",
      "latency limit per inference: ms at the board's clock (250ms) or cycles (12M), predicted "
      "by the board's latency model",
      cxxopts::value<std::string>())("latency-model",
                                     "latency model file (default: configs/latency/<QEMU target "
                                     "of the board's core>.json)",
                                     cxxopts::value<std::string>())(
      "samples", "sub-nets sampled per (R, W) sub-space", cxxopts::value<int>())(
      "population", "evolution population", cxxopts::value<int>())(
      "generations", "evolution generations", cxxopts::value<int>())(
      "seed", "random seed (runs are deterministic for a seed)", cxxopts::value<int64_t>())(
      "threads", "worker threads (0 = all cores)", cxxopts::value<int>())(
      "out", "output folder (default runs/<timestamp>)", cxxopts::value<std::string>())(
      "config-dir", "folder holding spaces/ and boards/", cxxopts::value<std::string>())(
      "supernet",
      "trained supernet checkpoint: accuracy-driven search (re-measures the final top-k)",
      cxxopts::value<std::string>())(
      "predictor", "accuracy predictor (tinynas predictor build): the evolution's fitness",
      cxxopts::value<std::string>())(
      "fitness",
      "without --predictor or --supernet: flops (MACs), zen or naswot (training-free proxies)",
      cxxopts::value<std::string>())("top-k", "final candidates re-measured with the supernet",
                                     cxxopts::value<int>())("v,verbose", "more log output")(
      "quiet", "no progress and no log output below warnings")("h,help", "show this help");
}

namespace {

// cxxopts names the value it could not parse ("Argument 'abc' failed to parse"), not the option:
// the option is the one argv gave that value, found by rebuilding the message for each.
std::string option_with_bad_value(int argc, char** argv, const std::string& message) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') continue;
    const size_t equals = arg.find('=');
    const std::string value =
        equals != std::string::npos ? arg.substr(equals + 1) : (i + 1 < argc ? argv[i + 1] : "");
    if (cxxopts::exceptions::incorrect_argument_type(value).what() == message)
      return arg.substr(0, equals);
  }
  return "";
}

}  // namespace

cxxopts::ParseResult parse_or_throw(cxxopts::Options& options, int argc, char** argv) {
  try {
    return options.parse(argc, argv);
  } catch (const cxxopts::exceptions::incorrect_argument_type& e) {
    const std::string option = option_with_bad_value(argc, argv, e.what());
    throw std::invalid_argument(option.empty() ? e.what() : option + ": " + e.what());
  } catch (const cxxopts::exceptions::exception& e) {
    throw std::invalid_argument(e.what());
  }
}

std::string config_dir_option(const cxxopts::ParseResult& parsed) {
  return find_config_dir(parsed.count("config-dir") ? parsed["config-dir"].as<std::string>() : "");
}

std::optional<cxxopts::ParseResult> parse_command(cxxopts::Options& options, int argc,
                                                  char** argv) {
  cxxopts::ParseResult parsed = parse_or_throw(options, argc, argv);
  if (parsed.count("help")) {
    std::printf("%s\n", options.help().c_str());
    return std::nullopt;
  }
  if (!parsed.unmatched().empty())
    throw std::invalid_argument("unexpected argument '" + parsed.unmatched().front() + "'");
  return parsed;
}

int64_t size_option(const cxxopts::ParseResult& parsed, const std::string& name) {
  try {
    return util::parse_byte_size(parsed[name].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--" + name + ": " + e.what());
  }
}

namespace {

// A flag's value is held to the rule of its setting: "--population must be at least 2".
void check_flag(const Settings& s, const std::string& flag, const std::string& key) {
  if (const std::string problem = setting_problem(s, key); !problem.empty())
    throw std::invalid_argument("--" + flag + " " + problem);
}

}  // namespace

Settings settings_from_options(const cxxopts::ParseResult& parsed) {
  Settings s;
  if (parsed.count("config")) apply_experiment_file(parsed["config"].as<std::string>(), s);
  if (parsed.count("space")) s.space = parsed["space"].as<std::string>();
  if (parsed.count("board")) s.board = parsed["board"].as<std::string>();
  if (parsed.count("sram")) s.sram_bytes = size_option(parsed, "sram");
  if (parsed.count("flash")) s.flash_bytes = size_option(parsed, "flash");
  if (parsed.count("latency")) s.latency = parsed["latency"].as<std::string>();
  if (parsed.count("latency-model")) s.latency_model = parsed["latency-model"].as<std::string>();
  if (parsed.count("latency-margin")) {
    s.latency_margin = parsed["latency-margin"].as<double>();
    check_flag(s, "latency-margin", "latency_margin");
  }
  if (parsed.count("samples")) {
    s.space_optimizer.samples_per_space = parsed["samples"].as<int>();
    check_flag(s, "samples", "space_optimizer.samples");
  }
  if (parsed.count("population")) {
    s.evolution.population = parsed["population"].as<int>();
    check_flag(s, "population", "evolution.population");
  }
  if (parsed.count("generations")) {
    s.evolution.generations = parsed["generations"].as<int>();
    check_flag(s, "generations", "evolution.generations");
  }
  if (parsed.count("seed")) {
    const int64_t seed = parsed["seed"].as<int64_t>();
    if (seed < 0) throw std::invalid_argument("--seed must be >= 0");
    s.seed = static_cast<uint64_t>(seed);
  }
  if (parsed.count("threads")) {
    s.threads = parsed["threads"].as<int>();
    check_flag(s, "threads", "threads");
  }
  if (parsed.count("out")) {
    s.out = parsed["out"].as<std::string>();
    s.search.out.clear();  // an explicit --out wins over the config's search.out
  }
  if (parsed.count("supernet")) s.search.supernet = parsed["supernet"].as<std::string>();
  if (parsed.count("predictor")) s.search.predictor = parsed["predictor"].as<std::string>();
  if (parsed.count("top-k")) {
    s.search.top_k = parsed["top-k"].as<int>();
    check_flag(s, "top-k", "search.top_k");
  }
  if (parsed.count("fitness")) {
    s.search.fitness = parsed["fitness"].as<std::string>();
    check_flag(s, "fitness", "search.fitness");
  }
  return s;
}

CommonFlags common_flags(const cxxopts::ParseResult& parsed) {
  CommonFlags f;
  if (parsed.count("config-dir")) f.config_dir = parsed["config-dir"].as<std::string>();
  f.verbose = parsed.count("verbose") > 0;
  f.quiet = parsed.count("quiet") > 0;
  return f;
}

std::vector<std::string> comma_list(const std::string& flag, const std::string& text) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string name = text.substr(start, comma - start);
    if (name.empty())
      throw std::invalid_argument(flag + ": expected names or files separated by commas, got '" +
                                  text + "'");
    names.push_back(name);
    start = comma + 1;
  }
  return names;
}

}  // namespace tinynas::cli
