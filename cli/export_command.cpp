// tinynas export ARCH.json: quantise a sub-net to int8 and write its self-contained C project
// (engine/codegen/c_project.h) plus quant_model.json, which `tinynas verify` needs, and with --onnx
// the float sub-net as model.onnx (engine/onnx_export.h; only in builds with ONNX support).
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/console_observer.h"
#include "cli/options.h"
#include "engine/codegen/c_project.h"
#include "engine/quantization_error.h"
#include "pipeline/export.h"
#include "util/byte_size.h"

namespace tinynas::cli {

int export_command(int argc, char** argv) {
  cxxopts::Options options(
      "tinynas export",
      "Quantise a sub-net to int8 and write a self-contained C99 project (model.h/.c, weights.c, "
      "the kernels it uses, CMakeLists.txt, Makefile, schedule.json, quant_model.json).");
  options.positional_help("ARCH.json");
  options.add_options()("arch", "arch JSON file", cxxopts::value<std::string>())(
      "weights", "float weights folder from the supernet extraction",
      cxxopts::value<std::string>())("random-weights", "random weights (tests and sizing)")(
      "seed", "seed for --random-weights, random calibration and the calibration images' choice",
      cxxopts::value<uint64_t>()->default_value("1"))(
      "calib-data",
      "calibration inputs: a data set (an image folder train/<class>/*.jpg|png, its .tar.gz, or "
      "an MNIST idx folder; its train split, normalised with the weights' input normalisation "
      "and resized to the arch's resolution), or a file of raw float32 HWC inputs, concatenated",
      cxxopts::value<std::string>())(
      "calib-count",
      "use at most this many calibration inputs (default or 0: 500 images of a data set, a "
      "seeded choice; all raw inputs)",
      cxxopts::value<int>())(
      "cache",
      "folder for the decoded data set (default: .cache/<data name> beside the --out folder)",
      cxxopts::value<std::string>())("no-cache", "decode the data set without caching it")(
      "percentile", "calibrate activations to this percentile (e.g. 99.99) instead of min/max",
      cxxopts::value<double>())("out", "output folder", cxxopts::value<std::string>())(
      "onnx", "also write the float sub-net as ONNX (model.onnx, BN folded into the convs)")(
      "config-dir", "folder holding spaces/ and boards/", cxxopts::value<std::string>())(
      "space", "the arch's search space, a name or a .json path (default: the arch's \"space\")",
      cxxopts::value<std::string>())("v,verbose", "print the per-layer quantisation error")(
      "h,help", "show this help");
  options.parse_positional({"arch"});
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("arch")) throw std::invalid_argument("tinynas export needs an ARCH.json file");
  if (!parsed.count("out")) throw std::invalid_argument("tinynas export needs --out DIR");
  pipeline::ExportOptions o;
  o.arch_path = parsed["arch"].as<std::string>();
  o.out = parsed["out"].as<std::string>();
  // Checked before quantising, which takes a while, and as bad input rather than a write failure.
  if (std::filesystem::exists(o.out) && !std::filesystem::is_directory(o.out))
    throw std::invalid_argument("--out '" + o.out + "' is not a folder");
  o.random_weights = parsed.count("random-weights") > 0;
  if (parsed.count("weights")) o.weights_dir = parsed["weights"].as<std::string>();
  if (parsed.count("calib-data")) o.calib_data = parsed["calib-data"].as<std::string>();
  o.seed = parsed["seed"].as<uint64_t>();
  if (parsed.count("calib-count")) o.calib_count = parsed["calib-count"].as<int>();
  if (parsed.count("no-cache"))
    o.cache_dir = "";
  else if (parsed.count("cache"))
    o.cache_dir = parsed["cache"].as<std::string>();
  if (parsed.count("percentile")) o.percentile = parsed["percentile"].as<double>();
  o.onnx = parsed.count("onnx") > 0;
  o.producer_version = TINYNAS_VERSION;
  o.config_dir = config_dir_option(parsed);
  if (parsed.count("space")) o.space = parsed["space"].as<std::string>();
  ConsoleObserver<> observer(true);
  const pipeline::ExportResult exported = pipeline::export_model(o, observer);
  const nas::Arch& arch = exported.arch;
  const engine::CProjectInfo& info = exported.project;
  const std::string& out = o.out;

  std::printf("exported %s to %s (%zu files, kernels:", arch.summary().c_str(), out.c_str(),
              exported.files);
  for (const std::string& k : info.kernel_files)
    if (k.size() > 2 && k.compare(k.size() - 2, 2, ".c") == 0) std::printf(" %s", k.c_str());
  std::printf(")\n");
  std::printf(
      "arena %lld bytes (%s; live-set lower bound %lld), weights %lld bytes\n",
      static_cast<long long>(info.arena_bytes), util::format_byte_size(info.arena_bytes).c_str(),
      static_cast<long long>(exported.lower_bound), static_cast<long long>(info.weight_bytes));

  const std::vector<engine::LayerError>& errors = exported.errors;
  const size_t n_err = exported.error_inputs;
  if (parsed.count("verbose")) {
    std::printf("%-16s %10s %14s %14s\n", "layer", "SNR dB", "max |error|", "max |value|");
    for (const engine::LayerError& e : errors)
      std::printf("%-16s %10.2f %14.5f %14.5f\n", e.name.c_str(), e.snr_db, e.max_abs_error,
                  e.max_abs_value);
  }
  std::printf("output SNR int8 vs float: %.2f dB over %zu inputs\n", errors.back().snr_db, n_err);
  return 0;
}

}  // namespace tinynas::cli
