// tinynas accuracy MODEL_DIR --data DATA [--weights DIR]: top-1 of an exported int8 model on a data
// set's test split, beside the float network's top-1 from the same float inputs when the float
// weights are given, and how often the two agree. The int8 side runs the generated C compiled for
// the host (engine/host_verify.h, bit-exact with the reference interpreter) or the reference
// interpreter itself; the float side engine/float_interpreter.h. Images become inputs as the
// supernet feeds them (engine/input_preprocessing.h), with the normalisation the export stored.
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/console_observer.h"
#include "cli/options.h"
#include "cli/reports.h"
#include "pipeline/accuracy.h"

namespace tinynas::cli {

int accuracy_command(int argc, char** argv) {
  cxxopts::Options options(
      "tinynas accuracy",
      "Top-1 of an exported int8 model on a data set's test split, and of the float network from "
      "the same inputs (--weights): both top-1s, their difference and how often their argmaxes "
      "agree. Writes MODEL_DIR/accuracy.json.");
  options.positional_help("MODEL_DIR");
  options.add_options()("model", "folder written by tinynas export", cxxopts::value<std::string>())(
      "data",
      "the data set: an image folder (test/<class>/*.jpg|png), its .tar.gz, or an MNIST idx folder",
      cxxopts::value<std::string>())(
      "weights", "float weights folder the model was exported from: also measure the float network",
      cxxopts::value<std::string>())("split", "the split to measure",
                                     cxxopts::value<std::string>()->default_value("test"))(
      "limit", "measure a seeded choice of this many images (0: all)",
      cxxopts::value<int>()->default_value("0"))("seed", "seed of the --limit choice",
                                                 cxxopts::value<uint64_t>()->default_value("1"))(
      "int8",
      "how to run the int8 model: host (the generated C compiled with --compiler) or reference "
      "(the C++ reference interpreter; slower)",
      cxxopts::value<std::string>()->default_value("host"))(
      "compiler", "host C compiler", cxxopts::value<std::string>()->default_value("gcc"))(
      "threads", "worker threads (0: one per core)", cxxopts::value<int>()->default_value("0"))(
      "cache", "folder for the decoded data set (default: .cache/<data name> beside MODEL_DIR)",
      cxxopts::value<std::string>())("no-cache", "decode the data set without caching it")(
      "json", "where to write the results (default MODEL_DIR/accuracy.json)",
      cxxopts::value<std::string>())("quiet", "no progress line")("h,help", "show this help");
  options.parse_positional({"model"});
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("model")) throw std::invalid_argument("tinynas accuracy needs a MODEL_DIR");
  if (!parsed.count("data"))
    throw std::invalid_argument("tinynas accuracy needs --data (a data set with a test split)");
  pipeline::AccuracyOptions o;
  o.model_dir = parsed["model"].as<std::string>();
  o.data = parsed["data"].as<std::string>();
  if (parsed.count("weights")) o.weights_dir = parsed["weights"].as<std::string>();
  o.split = parsed["split"].as<std::string>();
  o.limit = parsed["limit"].as<int>();
  o.seed = parsed["seed"].as<uint64_t>();
  o.int8_engine = parsed["int8"].as<std::string>();
  o.compiler = parsed["compiler"].as<std::string>();
  o.threads = parsed["threads"].as<int>();
  if (parsed.count("no-cache"))
    o.cache_dir = "";
  else if (parsed.count("cache"))
    o.cache_dir = parsed["cache"].as<std::string>();
  ConsoleObserver<> observer(!parsed.count("quiet"));
  const pipeline::AccuracyResult r = pipeline::measure_accuracy(o, observer);

  const std::string& dir = o.model_dir;
  const std::string json_path =
      parsed.count("json") ? parsed["json"].as<std::string>() : dir + "/accuracy.json";
  write_json(json_path, accuracy_json(o, r));

  const int64_t n = r.images;
  const std::string sizes =
      r.image_size + (r.resized ? " -> " + std::to_string(r.input_shape.h) + "x" +
                                      std::to_string(r.input_shape.w) + " bilinear"
                                : "");
  std::printf("%s on %lld %s images of %s (%s)\n", dir.c_str(), static_cast<long long>(n),
              o.split.c_str(), r.data.path.c_str(), sizes.c_str());
  std::printf("int8  top-1 %6.2f %% (%lld / %lld; %s; %lld tied argmaxes)\n", r.int8_top1(),
              static_cast<long long>(r.int8_correct), static_cast<long long>(n),
              r.engine_text.c_str(), static_cast<long long>(r.int8_tied_argmax));
  if (r.float_measured) {
    std::printf("float top-1 %6.2f %% (%lld / %lld)\n", r.float_top1(),
                static_cast<long long>(r.float_correct), static_cast<long long>(n));
    std::printf("int8 - float: %+.2f points; argmaxes agree on %.2f %% (%lld / %lld)\n",
                r.int8_top1() - r.float_top1(), r.agreement(), static_cast<long long>(r.agree),
                static_cast<long long>(n));
  } else {
    std::printf("float: not measured (give --weights DIR)\n");
  }
  std::printf("%.1f s; wrote %s\n", r.seconds, json_path.c_str());
  return 0;
}

}  // namespace tinynas::cli
