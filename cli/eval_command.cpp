// tinynas eval --supernet CKPT ARCH: top-1 of one sub-net with the supernet's weights, after BN
// re-calibration on training images. ARCH is an arch JSON file or largest / smallest /
// random:SEED. The data set and evaluation settings come from the checkpoint (or --config).
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/supernet_args.h"
#include "supernet/api.h"

namespace tinynas::cli {

int eval_command(int argc, char** argv) {
  cxxopts::Options options("tinynas eval",
                           "Top-1 accuracy of a sub-net with inherited supernet weights, after "
                           "BN re-calibration.");
  options.positional_help("ARCH.json|largest|smallest|random:SEED");
  options.add_options()("supernet", "checkpoint written by tinynas train",
                        cxxopts::value<std::string>())("arch", "the sub-net",
                                                       cxxopts::value<std::string>())(
      "resolution", "input resolution for the keywords (and overriding the file's)",
      cxxopts::value<int>())("config", "take data and eval settings from this experiment JSON",
                             cxxopts::value<std::string>())(
      "data", "data set path, overriding the settings", cxxopts::value<std::string>())(
      "test-subset", "evaluate on this many test images (0 = all)", cxxopts::value<int64_t>())(
      "split", "test, or validation: the training images the run did not train on (default test)",
      cxxopts::value<std::string>())("threads", "torch threads (0 = all cores)",
                                     cxxopts::value<int>())("json", "print one JSON object")(
      "h,help", "show this help");
  options.parse_positional({"arch"});
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("supernet")) throw std::invalid_argument("tinynas eval needs --supernet CKPT");
  if (!parsed.count("arch"))
    throw std::invalid_argument(
        "tinynas eval needs an ARCH (file, largest, smallest, random:SEED)");
  const std::string checkpoint = parsed["supernet"].as<std::string>();
  const supernet::CheckpointInfo info = supernet::describe_checkpoint(checkpoint);
  Settings s =
      checkpoint_settings(info, parsed.count("config") ? parsed["config"].as<std::string>() : "");
  std::optional<int> resolution;
  if (parsed.count("resolution")) resolution = parsed["resolution"].as<int>();
  const nas::Arch arch = arch_argument(parsed["arch"].as<std::string>(), info, s, resolution);

  supernet::EvalRequest request = eval_request_for(s, checkpoint);
  if (parsed.count("data"))
    request.data.path = existing_data_path(parsed["data"].as<std::string>());
  if (parsed.count("test-subset")) request.eval.test_subset = parsed["test-subset"].as<int64_t>();
  if (request.eval.test_subset < 0) throw std::invalid_argument("--test-subset must be >= 0");
  if (parsed.count("threads")) request.threads = parsed["threads"].as<int>();
  if (parsed.count("split")) request.split = parsed["split"].as<std::string>();
  const supernet::SubnetEvaluation e = supernet::evaluate_subnet(checkpoint, arch, request);

  if (parsed.count("json")) {
    const nlohmann::json j = {{"arch", nas::arch_to_json(arch)},
                              {"top1", e.top1},
                              {"split", e.split},
                              {"test_images", e.test_images},
                              {"calibration_images", e.calibration_images},
                              {"calibration_seconds", e.calibration_s},
                              {"eval_seconds", e.eval_s}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%s\n", arch.summary().c_str());
  std::printf(
      "top-1 %.2f%% on %lld %s images (BN re-calibrated on %lld training images in "
      "%.2f s; evaluation %.2f s, %.0f img/s)\n",
      e.top1, static_cast<long long>(e.test_images), e.split.c_str(),
      static_cast<long long>(e.calibration_images), e.calibration_s, e.eval_s,
      static_cast<double>(e.test_images) / std::max(1e-9, e.eval_s));
  return 0;
}

}  // namespace tinynas::cli
