// tinynas extract --supernet CKPT ARCH --out DIR: the sub-net's own float weights (BN separate,
// layers named after the lowered graph; memory_model/float_weights.h), checked by running them as
// a plain network against the supernet.
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/supernet_args.h"
#include "supernet/api.h"
#include "util/json_reader.h"

namespace tinynas::cli {

int extract_command(int argc, char** argv) {
  cxxopts::Options options("tinynas extract",
                           "Write the float weights of one sub-net of a supernet (the int8 "
                           "engine's input).");
  options.positional_help("ARCH.json|largest|smallest|random:SEED");
  options.add_options()("supernet", "checkpoint written by tinynas train",
                        cxxopts::value<std::string>())("arch", "the sub-net",
                                                       cxxopts::value<std::string>())(
      "resolution", "input resolution for the keywords", cxxopts::value<int>())(
      "out", "output folder (weights.json, weights.bin, arch.json)", cxxopts::value<std::string>())(
      "config", "take data and eval settings from this experiment JSON",
      cxxopts::value<std::string>())("data",
                                     "data set path for BN re-calibration, overriding the settings",
                                     cxxopts::value<std::string>())(
      "no-recalibrate",
      "keep the checkpoint's BN statistics instead of re-calibrating them for this sub-net")(
      "h,help", "show this help");
  options.parse_positional({"arch"});
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("supernet"))
    throw std::invalid_argument("tinynas extract needs --supernet CKPT");
  if (!parsed.count("arch"))
    throw std::invalid_argument(
        "tinynas extract needs an ARCH (file, largest, smallest, random:SEED)");
  if (!parsed.count("out")) throw std::invalid_argument("tinynas extract needs --out DIR");
  const std::string checkpoint = parsed["supernet"].as<std::string>();
  const std::string out = parsed["out"].as<std::string>();
  const supernet::CheckpointInfo info = supernet::describe_checkpoint(checkpoint);
  const Settings s =
      checkpoint_settings(info, parsed.count("config") ? parsed["config"].as<std::string>() : "");
  std::optional<int> resolution;
  if (parsed.count("resolution")) resolution = parsed["resolution"].as<int>();
  const nas::Arch arch = arch_argument(parsed["arch"].as<std::string>(), info, s, resolution);
  supernet::EvalRequest request = eval_request_for(s, checkpoint);
  if (parsed.count("data"))
    request.data.path = existing_data_path(parsed["data"].as<std::string>());
  const bool recalibrate = parsed.count("no-recalibrate") == 0;
  const supernet::ExtractResult r =
      supernet::extract_subnet(checkpoint, arch, out, recalibrate ? &request : nullptr);
  util::write_file_atomically(out + "/arch.json", nas::arch_to_json(arch).dump(2) + "\n");
  std::printf("%s\n", arch.summary().c_str());
  std::printf("wrote %s/weights.json + weights.bin: %d layers, %lld parameters\n", out.c_str(),
              r.layers, static_cast<long long>(r.parameters));
  if (r.recalibrated)
    std::printf("BN statistics re-calibrated for this sub-net on %lld training images\n",
                static_cast<long long>(r.calibration_images));
  else
    std::printf("BN statistics as stored in the checkpoint (not re-calibrated)\n");
  std::printf("check: plain network vs supernet, max |difference| %.3g\n", r.max_abs_diff);
  if (r.max_abs_diff > 1e-3)
    throw std::runtime_error("the extracted network does not reproduce the supernet's output");
  return 0;
}

}  // namespace tinynas::cli
