// Every tinynas command against bad input, as one table (issue 14, part 6): bad flags and sizes,
// missing arguments, malformed and mismatched files, missing tools, impossible constraints,
// corrupt checkpoints and models. Each case runs the real executable and must end by itself,
// without a signal, with exit code 2 (bad input) or 1 (runtime failure) and a message that names
// the option, field or file at fault.
//
// Arguments and messages name their files as {name}: Workspace::path makes the file called name
// (once per test program, when a case first asks for it) in a temporary folder and stands for its
// path; {configs} is the repository's configs/, {nowhere} a path where nothing is, and {out} an
// output folder of the case's own, not made beforehand.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/random_weights.h"
#include "memory_model/float_weights.h"
#include "nas/accuracy_predictor.h"
#include "nas/arch.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "nas/search_space.h"
#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace tinynas::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using tinynas::testing::read_text;
using tinynas::testing::TempDir;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;

// Bad input is refused at once; a minute is ample even for the sanitizer build, and a case that
// takes longer is a hang.
constexpr double kTimeoutSeconds = 60;

struct BadInputCase {
  std::string name;               // the test's name
  std::vector<std::string> args;  // after "tinynas"; {file} placeholders allowed
  int exit_code;                  // 2: bad input, 1: runtime failure
  std::string message;            // must appear on stderr; {file} placeholders allowed
};

void PrintTo(const BadInputCase& c, std::ostream* os) {
  *os << c.name;
}

json json_file(const std::string& path) {
  return json::parse(read_text(path));
}

// A CIFAR-space sub-net small enough to export in a second, and one of the same space that
// differs in the depth of its first stage.
json small_arch(int first_stage_depth = 2) {
  json arch = {{"space", "cifar"}, {"resolution", 16}, {"width_mult", 0.2}, {"num_classes", 10}};
  for (int s = 0; s < 6; ++s) {
    const size_t depth = static_cast<size_t>(s == 5 ? 1 : s == 0 ? first_stage_depth : 2);
    arch["stages"].push_back(
        {{"kernel", std::vector<int>(depth, 3)}, {"expand", std::vector<int>(depth, 3)}});
  }
  return arch;
}

json in2_with(const std::function<void(json&)>& change) {
  json arch = json_file(kConfigs + "/archs/mcunet-in2.json");
  change(arch);
  return arch;
}

json board_with(const std::function<void(json&)>& change) {
  json board = json_file(kConfigs + "/boards/stm32f746.json");
  change(board);
  return board;
}

json space_with(const std::function<void(json&)>& change) {
  json space = json_file(kConfigs + "/spaces/cifar.json");
  change(space);
  return space;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The first half of a file, as a crash during a copy leaves it.
std::string truncated(const std::string& path) {
  const std::string bytes = read_text(path);
  return bytes.substr(0, bytes.size() / 2);
}

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  return bytes;
}

void save_weights_of(const json& arch_json, const std::string& dir) {
  const nas::Arch arch = nas::arch_from_json(arch_json, "arch");
  memory::FloatWeights weights =
      engine::random_float_weights(nas::lower(arch, nas::load_space("cifar", kConfigs)), 7);
  weights.arch = arch_json;
  weights.input = memory::InputNormalization{{0.45f, 0.5f, 0.55f}, {0.25f, 0.2f, 0.3f}};
  memory::save_float_weights(dir, weights);
}

// A predictor for the cifar space fitted, roughly, to a made-up accuracy: a valid file to spoil.
void save_predictor(const std::string& path) {
  const nas::SearchSpace space = nas::load_space("cifar", kConfigs);
  nas::Rng rng(1);
  std::vector<nas::AccuracySample> samples;
  for (int i = 0; i < 12; ++i) {
    const nas::Arch a = nas::sample_arch(space, 32, 0.35, rng);
    samples.push_back({a, 50.0 + i});
  }
  nas::PredictorOptions options;
  options.hidden = {8};
  options.train.epochs = 2;
  nas::fit_accuracy_predictor(space, 0.35, {32}, samples, options, nullptr).save(path);
}

bool is_file_name(const std::string& name) {
  return !name.empty() && name.find_first_not_of(
                              "abcdefghijklmnopqrstuvwxyz"
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == std::string::npos;
}

// The temporary folder of this test program and the files the cases name, each made on first use.
class Workspace {
 public:
  std::string path(const std::string& name) {
    if (name == "configs") return kConfigs;
    const std::string p = dir_ / name;
    if (made_.count(name) || name == "nowhere") return p;
    made_.insert(name);
    make(name, p);
    return p;
  }

  // text with every {name} replaced by path(name), and {out} by the output folder of the case.
  std::string expand(const std::string& text, const std::string& case_name) {
    std::string out;
    size_t at = 0;
    for (size_t open; (open = text.find('{', at)) != std::string::npos;) {
      const size_t close = text.find('}', open);
      if (close == std::string::npos) break;
      const std::string name = text.substr(open + 1, close - open - 1);
      if (!is_file_name(name)) {  // "{3, 5, 7}" in a message is text
        out += text.substr(at, close + 1 - at);
        at = close + 1;
        continue;
      }
      out +=
          text.substr(at, open - at) + (name == "out" ? dir_ / ("out-" + case_name) : path(name));
      at = close + 1;
    }
    return out + text.substr(at);
  }

 private:
  void text(const std::string& p, const std::string& content) { write_file(p, content); }
  void json_text(const std::string& p, const json& j) { write_file(p, j.dump(1)); }

  // A copy of a made folder with one file replaced (or, for an empty text, removed).
  void copy_with(const std::string& from, const std::string& p, const std::string& file,
                 const std::string& content) {
    fs::copy(path(from), p, fs::copy_options::recursive);
    if (content.empty())
      fs::remove(fs::path(p) / file);
    else
      write_file((fs::path(p) / file).string(), content);
  }

  void make(const std::string& name, const std::string& p) {
    static const std::map<std::string, std::function<void(Workspace&, const std::string&)>>
        kMakers = {
            // Experiment files.
            {"config-syntax.json",
             [](Workspace& w, auto& p) {
               w.text(p, "{\n  \"space\": \"mcunet\",\n  \"seed\": ,\n}\n");
             }},
            {"config-typo.json",
             [](Workspace& w, auto& p) { w.text(p, R"({"space": "mcunet", "generation": 5})"); }},
            {"config-nested-typo.json",
             [](Workspace& w, auto& p) { w.text(p, R"({"evolution": {"populaton": 10}})"); }},
            {"config-seed-string.json",
             [](Workspace& w, auto& p) { w.text(p, R"({"seed": "abc"})"); }},
            {"config-population-1.json",
             [](Workspace& w, auto& p) { w.text(p, R"({"evolution": {"population": 1}})"); }},
            {"config-population-huge.json",
             [](Workspace& w, auto& p) {
               w.text(p, R"({"evolution": {"population": 3000000000}})");
             }},
            {"config-sram-12Q.json",
             [](Workspace& w, auto& p) { w.text(p, R"({"sram": "12Q"})"); }},
            {"config-array.json", [](Workspace& w, auto& p) { w.text(p, "[1, 2]"); }},
            {"config-empty.json", [](Workspace& w, auto& p) { w.text(p, ""); }},
            {"config-no-data.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, {{"space", "cifar"},
                               {"data", {{"kind", "image_folder"}, {"path", w.path("nowhere")}}},
                               {"threads", 1}});
             }},
            {"config-synthetic.json",
             [](Workspace& w, auto& p) {
               w.json_text(
                   p, {{"space", "cifar"},
                       {"threads", 1},
                       {"data",
                        {{"kind", "synthetic"},
                         {"synthetic", {{"train", 16}, {"test", 8}, {"size", 8}, {"classes", 4}}}}},
                       {"train", {{"resolutions", {8}}, {"batch_size", 8}}}});
             }},
            // Board files.
            {"board-negative-sram.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, board_with([](json& b) { b["sram_bytes"] = -5; }));
             }},
            {"board-sram-array.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, board_with([](json& b) { b["sram_bytes"] = {1}; }));
             }},
            {"board-reserves-all.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, board_with([](json& b) { b["reserved_sram_bytes"] = "400K"; }));
             }},
            {"board-no-flash.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, board_with([](json& b) { b.erase("flash_bytes"); }));
             }},
            {"board-syntax.json", [](Workspace& w, auto& p) { w.text(p, "{\"name\": \"x\","); }},
            // tinynas bench's board firmware section.
            {"board-tiny-flash.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, board_with([](json& b) { b["flash_region"]["length"] = "16K"; }));
             }},
            {"board-bad-pll.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, board_with([](json& b) { b["firmware"]["pll"]["n"] = 200; }));
             }},
            {"board-firmware-typo.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, board_with([](json& b) { b["firmware"]["cahce"] = true; }));
             }},
            // Space files.
            {"space-resolutions-string.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, space_with([](json& s) { s["resolutions"] = "abc"; }));
             }},
            {"space-no-resolutions.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, space_with([](json& s) { s["resolutions"] = json::array(); }));
             }},
            {"space-kernel-0.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, space_with([](json& s) { s["kernels"] = {0}; }));
             }},
            {"space-stride-0.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, space_with([](json& s) { s["stages"][0]["stride"] = 0; }));
             }},
            {"space-widths-reversed.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, space_with([](json& s) {
                             s["width_mults"] = {{"min", 1.0}, {"max", 0.2}, {"step", 0.1}};
                           }));
             }},
            {"space-resolution-huge.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, space_with([](json& s) { s["resolutions"] = {2147483647}; }));
             }},
            {"space-syntax.json", [](Workspace& w, auto& p) { w.text(p, "{\"name\": "); }},
            // Arch files.
            {"arch-kernel-4.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) { a["stages"][1]["kernel"][0] = 4; }));
             }},
            {"arch-five-stages.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) { a["stages"].erase(5); }));
             }},
            {"arch-depth-5.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) {
                             for (const char* key : {"kernel", "expand"})
                               a["stages"][0][key].push_back(3);
                           }));
             }},
            {"arch-resolution-string.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) { a["resolution"] = "160"; }));
             }},
            {"arch-resolution-0.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) { a["resolution"] = 0; }));
             }},
            {"arch-resolution-huge.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) { a["resolution"] = 2147483647; }));
             }},
            {"arch-width-negative.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) { a["width_mult"] = -0.5; }));
             }},
            {"arch-unknown-space.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) { a["space"] = "nospace"; }));
             }},
            {"arch-no-stages.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) { a.erase("stages"); }));
             }},
            {"arch-kernel-expand-lengths.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) { a["stages"][0]["kernel"].erase(0); }));
             }},
            {"arch-extra-key.json",
             [](Workspace& w, auto& p) {
               w.json_text(p, in2_with([](json& a) { a["kernels"] = 3; }));
             }},
            {"arch-null.json", [](Workspace& w, auto& p) { w.text(p, "null"); }},
            {"arch-random-bytes.json",
             [](Workspace& w, auto& p) { w.text(p, random_bytes(512, 3)); }},
            {"arch-syntax.json",
             [](Workspace& w, auto& p) { w.text(p, "{\"space\": \"mcunet\", "); }},
            {"arch-folder", [](Workspace&, auto& p) { fs::create_directories(p); }},
            {"small-arch.json", [](Workspace& w, auto& p) { w.json_text(p, small_arch()); }},
            // Float weights folders and calibration inputs.
            {"weights", [](Workspace&, auto& p) { save_weights_of(small_arch(), p); }},
            {"weights-other-arch", [](Workspace&, auto& p) { save_weights_of(small_arch(3), p); }},
            {"weights-no-bin",
             [](Workspace& w, auto& p) { w.copy_with("weights", p, "weights.bin", ""); }},
            {"weights-truncated-bin",
             [](Workspace& w, auto& p) {
               w.copy_with("weights", p, "weights.bin",
                           truncated(w.path("weights") + "/weights.bin"));
             }},
            {"weights-bad-json",
             [](Workspace& w, auto& p) {
               w.copy_with("weights", p, "weights.json",
                           truncated(w.path("weights") + "/weights.json"));
             }},
            {"calib.bin",
             [](Workspace& w, auto& p) { w.text(p, std::string(16 * 16 * 3 * 4, '\0')); }},
            // Exported models.
            {"model",
             [](Workspace& w, auto& p) {
               const util::ProcessResult r = tinynas::testing::run_tinynas(
                   {"export", w.path("small-arch.json"), "--weights", w.path("weights"),
                    "--calib-data", w.path("calib.bin"), "--out", p, "--config-dir", kConfigs});
               if (r.exit_code != 0) throw std::runtime_error("export failed: " + r.err);
             }},
            {"model-no-quant-model",
             [](Workspace& w, auto& p) { w.copy_with("model", p, "quant_model.json", ""); }},
            {"model-truncated-quant-model",
             [](Workspace& w, auto& p) {
               w.copy_with("model", p, "quant_model.json",
                           truncated(w.path("model") + "/quant_model.json"));
             }},
            {"model-quant-model-array",
             [](Workspace& w, auto& p) { w.copy_with("model", p, "quant_model.json", "[]"); }},
            {"model-no-model-h",
             [](Workspace& w, auto& p) { w.copy_with("model", p, "model.h", ""); }},
            {"model-bad-arena",
             [](Workspace& w, auto& p) {
               w.copy_with("model", p, "model.h", "#define TINYNAS_ARENA_BYTES lots\n");
             }},
            {"model-no-model-c",
             [](Workspace& w, auto& p) { w.copy_with("model", p, "model.c", ""); }},
            // Latency models: the shipped one with a layer row cut short.
            {"latency-short-row.json",
             [](Workspace& w, auto& p) {
               json j = json_file(kConfigs + "/latency/qemu-m4.json");
               j["samples"][0]["layers"][2] = {"conv2d 1x1/1", 1, 2};
               w.json_text(p, j);
             }},
            // Accuracy predictors.
            {"predictor.json", [](Workspace&, auto& p) { save_predictor(p); }},
            {"predictor-truncated.json",
             [](Workspace& w, auto& p) { w.text(p, truncated(w.path("predictor.json"))); }},
            {"predictor-width-string.json",
             [](Workspace& w, auto& p) {
               json j = json_file(w.path("predictor.json"));
               j["width_mult"] = "wide";
               w.json_text(p, j);
             }},
            {"predictor-version-99.json",
             [](Workspace& w, auto& p) {
               json j = json_file(w.path("predictor.json"));
               j["version"] = 99;
               w.json_text(p, j);
             }},
            {"predictor-mlp-mismatch.json",
             [](Workspace& w, auto& p) {
               json j = json_file(w.path("predictor.json"));
               j["resolutions"] = {24, 28, 32};  // a wider encoding than the MLP's input
               w.json_text(p, j);
             }},
            // Supernet checkpoints.
            {"supernet.pt",
             [](Workspace&, auto& p) {
               fs::copy_file(kConfigs + "/../tests/supernet/fixtures/checkpoint_format1.pt", p);
             }},
            {"supernet-truncated.pt",
             [](Workspace& w, auto& p) { w.text(p, truncated(w.path("supernet.pt"))); }},
            {"supernet-random.pt", [](Workspace& w, auto& p) { w.text(p, random_bytes(4096, 5)); }},
            {"supernet-empty.pt", [](Workspace& w, auto& p) { w.text(p, ""); }},
            {"run-corrupt",
             [](Workspace& w, auto& p) {
               fs::create_directories(p);
               w.text(p + "/supernet.pt", random_bytes(4096, 6));
             }},
            {"run-empty", [](Workspace&, auto& p) { fs::create_directories(p); }},
            {"a-file", [](Workspace& w, auto& p) { w.text(p, "x"); }},
        };
    const auto maker = kMakers.find(name);
    if (maker == kMakers.end()) throw std::logic_error("no workspace file called '" + name + "'");
    maker->second(*this, p);
  }

  TempDir dir_;
  std::set<std::string> made_;
};

Workspace& workspace() {
  static Workspace w;
  return w;
}

// The table. Messages name the culprit: the option, the field, or the file.
std::vector<BadInputCase> cases() {
  std::vector<BadInputCase> t = {
      // The command line itself.
      {"NoCommand", {}, 2, "usage: tinynas <command>"},
      {"UnknownCommand", {"serch"}, 2, "unknown command 'serch'"},
      {"UnknownOption", {"search", "--srma", "1K"}, 2, "srma"},
      {"OptionWithoutValue", {"search", "--sram"}, 2, "sram"},
      {"OptionOfTheWrongType", {"search", "--seed", "abc"}, 2, "--seed"},
      {"StrayArgument", {"search", "foo"}, 2, "unexpected argument 'foo'"},
      // Sizes.
      {"SramZero", {"search", "--sram", "0"}, 2, "--sram: invalid size '0'"},
      {"FlashZero", {"search", "--flash", "0"}, 2, "--flash: invalid size '0'"},
      {"SramNotANumber", {"search", "--sram", "abc"}, 2, "invalid size 'abc'"},
      {"SramUnknownSuffix", {"search", "--sram", "12Q"}, 2, "unknown suffix 'Q'"},
      {"SramNegative", {"search", "--sram", "-5K"}, 2, "--sram: invalid size '-5K'"},
      {"FlashNegativeJoined", {"search", "--flash=-1"}, 2, "sizes cannot be negative"},
      {"FlashNegativeSeparate", {"search", "--flash", "-1"}, 2, "--flash"},
      {"SpaceSramUnknownSuffix", {"space", "--sram", "64Q"}, 2, "--sram: invalid size '64Q'"},
      // Search settings as flags.
      {"SamplesZero", {"search", "--samples", "0"}, 2, "--samples must be at least 1"},
      {"PopulationOne", {"search", "--population", "1"}, 2, "--population must be at least 2"},
      {"GenerationsNegative", {"evolve", "--generations", "-3"}, 2, "--generations must be >= 0"},
      {"SeedNegative", {"search", "--seed", "-1"}, 2, "--seed must be >= 0"},
      {"ThreadsNegative", {"space", "--threads", "-2"}, 2, "--threads must be >= 0"},
      {"TopKZero", {"search", "--top-k", "0"}, 2, "--top-k must be at least 1"},
      {"UnknownFitness", {"search", "--fitness", "synflow"}, 2, "--fitness must be"},
      {"FitnessBesidePredictor",
       {"search", "--space", "cifar", "--fitness", "zen", "--predictor", "{predictor.json}",
        "--out", "{out}"},
       2,
       "without --predictor or --supernet"},
      {"UnknownBoard", {"search", "--board", "stm32f999"}, 2, "unknown board 'stm32f999'"},
      {"UnknownSpace", {"space", "--space", "nospace"}, 2, "unknown search space 'nospace'"},
      {"EvolveWithoutSubSpace", {"evolve", "--generations", "2"}, 2, "--resolution and --width"},
      // Latency limits and models.
      {"LatencyZero", {"search", "--latency", "0"}, 2, "--latency '0'"},
      {"LatencyNotANumber", {"search", "--latency", "abc"}, 2, "--latency 'abc'"},
      {"LatencyUnknownUnit", {"search", "--latency", "5min"}, 2, "--latency '5min'"},
      {"LatencyNoSubnetMeets",
       {"search", "--board", "stm32f412", "--latency", "2ms", "--out", "{out}"},
       2,
       "even the smallest one"},
      {"LatencyModelMissing",
       {"search", "--latency", "100ms", "--latency-model", "{nowhere}"},
       2,
       "does not exist"},
      {"LatencyModelCorrupt",
       {"search", "--board", "stm32f412", "--latency", "100ms", "--latency-model",
        "{latency-short-row.json}"},
       2,
       "samples[0].layers[2]"},
      {"LatencyModelOfAnotherCore",
       {"search", "--board", "stm32f746", "--latency", "100ms", "--latency-model",
        "{configs}/latency/qemu-m4.json"},
       2,
       "measured on qemu-m4"},
      {"LatencyModelWithoutLimit",
       {"search", "--latency-model", "{configs}/latency/qemu-m4.json"},
       2,
       "only with --latency"},
      {"LatencyMarginOne",
       {"search", "--latency", "100ms", "--latency-margin", "1"},
       2,
       "--latency-margin"},
      {"LatencyNoAction", {"latency"}, 2, "usage: tinynas latency"},
      {"LatencyUnknownAction", {"latency", "fit"}, 2, "unknown latency action 'fit'"},
      {"LatencyEvalWithoutModel", {"latency", "eval"}, 2, "--model"},
      {"LatencyEvalOtherTarget",
       {"latency", "eval", "--model", "{configs}/latency/qemu-m4.json", "--board", "qemu-m7"},
       2,
       "measured on qemu-m4"},
      {"LatencyBuildNoNetworks",
       {"latency", "build", "--networks", "0", "--out", "{out}/m.json"},
       2,
       "--networks must be at least 1"},
      {"LatencyBuildUnknownSpace",
       {"latency", "build", "--spaces", "nospace", "--out", "{out}/m.json"},
       2,
       "unknown search space 'nospace'"},
      {"LatencyCalibrateWithoutModels",
       {"latency", "calibrate", "--model", "{configs}/latency/qemu-m4.json", "--board", "qemu-m4"},
       2,
       "needs --models"},
      {"LatencyCalibrateNotBenched",
       {"latency", "calibrate", "--model", "{configs}/latency/qemu-m4.json", "--board", "qemu-m4",
        "--models", "{model}"},
       2,
       "run `tinynas bench"},
      {"LatencyBuildUnknownMeasure",
       {"latency", "build", "--measure", "joules", "--out", "{out}/m.json"},
       2,
       "cycles or instructions"},
      {"EvolveResolutionHuge",
       {"evolve", "--resolution", "2147483647", "--width", "0.5"},
       2,
       "--resolution"},
      {"EvolveWidthZero", {"evolve", "--resolution", "160", "--width", "0"}, 2, "--width"},
      // Impossible constraints and unusable output folders.
      {"ImpossibleFlashBudget",
       {"search", "--sram", "320K", "--flash", "70K"},
       2,
       "Flash 70K (64K reserved): even the smallest one"},
      {"SramAllReserved", {"search", "--sram", "16K"}, 2, "--sram 16K leaves nothing"},
      {"EvolveInASubSpaceWhereNothingFits",
       {"evolve", "--resolution", "224", "--width", "2", "--sram", "64K", "--population", "4",
        "--generations", "1", "--out", "{out}"},
       2,
       "at resolution 224 and width 2 satisfying"},
      {"OutIsAFile",
       {"search", "--samples", "5", "--out", "{a-file}/sub"},
       2,
       "--out '{a-file}/sub'"},
      // Experiment files.
      {"ConfigMissing", {"search", "--config", "{nowhere}"}, 2, "cannot open '{nowhere}'"},
      {"ConfigSyntaxError",
       {"search", "--config", "{config-syntax.json}"},
       2,
       "{config-syntax.json}:3:11: JSON syntax error"},
      {"ConfigUnknownKey",
       {"search", "--config", "{config-typo.json}"},
       2,
       "unknown key 'generation'"},
      {"ConfigNestedUnknownKey",
       {"search", "--config", "{config-nested-typo.json}"},
       2,
       "unknown key 'populaton' (known keys: block_mutation_prob, "},
      {"ConfigWrongType",
       {"search", "--config", "{config-seed-string.json}"},
       2,
       "'seed' must be an integer, got string"},
      {"ConfigOutOfRange",
       {"search", "--config", "{config-population-1.json}"},
       2,
       "'population' must be at least 2"},
      {"ConfigIntegerOverflow",
       {"search", "--config", "{config-population-huge.json}"},
       2,
       "'population' is out of range"},
      {"ConfigBadSize", {"search", "--config", "{config-sram-12Q.json}"}, 2, "'sram' invalid size"},
      {"ConfigNotAnObject",
       {"search", "--config", "{config-array.json}"},
       2,
       "config-array.json: expected a JSON object"},
      {"ConfigEmptyFile", {"space", "--config", "{config-empty.json}"}, 2, "config-empty.json:1:1"},
      // Board files.
      {"BoardNegativeSram",
       {"search", "--board", "{board-negative-sram.json}"},
       2,
       "'sram_bytes' must be a positive size"},
      {"BoardWrongType",
       {"search", "--board", "{board-sram-array.json}"},
       2,
       "board-sram-array.json: 'sram_bytes' must be a size"},
      {"BoardReservesAll",
       {"space", "--board", "{board-reserves-all.json}"},
       2,
       "'reserved_sram_bytes' must be smaller than sram_bytes"},
      {"BoardMissingField",
       {"search", "--board", "{board-no-flash.json}"},
       2,
       "board-no-flash.json: 'flash_bytes' is missing"},
      {"BoardSyntaxError",
       {"search", "--board", "{board-syntax.json}"},
       2,
       "board-syntax.json:1:14: JSON syntax error"},
      // Space files.
      {"SpaceWrongType",
       {"search", "--space", "{space-resolutions-string.json}"},
       2,
       "space-resolutions-string.json: 'resolutions' must be an array or"},
      {"SpaceNoResolutions",
       {"search", "--space", "{space-no-resolutions.json}"},
       2,
       "'resolutions' must not be empty"},
      {"SpaceKernelZero",
       {"space", "--space", "{space-kernel-0.json}"},
       2,
       "'kernels' must contain positive integers"},
      {"SpaceStrideZero",
       {"search", "--space", "{space-stride-0.json}"},
       2,
       "stages[0]: 'stride' must be 1 or 2"},
      {"SpaceWidthsReversed",
       {"search", "--space", "{space-widths-reversed.json}"},
       2,
       "'width_mults' needs 0 < min <= max"},
      {"SpaceResolutionHuge",
       {"space", "--space", "{space-resolution-huge.json}"},
       2,
       "space-resolution-huge.json: 'resolutions'"},
      {"SpaceSyntaxError",
       {"search", "--space", "{space-syntax.json}"},
       2,
       "space-syntax.json:1:10: JSON syntax error"},
      // tinynas cost and arch files.
      {"CostWithoutArch", {"cost"}, 2, "tinynas cost needs an ARCH.json file"},
      {"CostMissingArch", {"cost", "{nowhere}"}, 2, "cannot open '{nowhere}'"},
      {"CostArchIsAFolder", {"cost", "{arch-folder}"}, 2, "'{arch-folder}' is a folder"},
      {"CostKernelFour",
       {"cost", "{arch-kernel-4.json}"},
       2,
       "stages[1].kernel[0] is 4, expected one of {3, 5, 7}"},
      {"CostWrongStageCount",
       {"cost", "{arch-five-stages.json}"},
       2,
       "'stages' has 5 entries but space 'mcunet' has 6 stages"},
      {"CostDepthFive",
       {"cost", "{arch-depth-5.json}"},
       2,
       "stages[0] has depth 5, expected one of {2, 3, 4}"},
      {"CostArchOfAnotherSpace",
       {"cost", "{configs}/archs/mcunet-in2.json", "--space", "mbv2"},
       2,
       "belongs to space 'mcunet', not to space 'mbv2'"},
      {"CostArchWrongType",
       {"cost", "{arch-resolution-string.json}"},
       2,
       "'resolution' must be an integer, got string"},
      {"CostResolutionZero", {"cost", "{arch-resolution-0.json}"}, 2, "'resolution' must be"},
      {"CostResolutionHuge", {"cost", "{arch-resolution-huge.json}"}, 2, "'resolution' must be"},
      {"CostWidthNegative", {"cost", "{arch-width-negative.json}"}, 2, "'width_mult' must be"},
      {"CostArchOfAnUnknownSpace",
       {"cost", "{arch-unknown-space.json}"},
       2,
       "arch-unknown-space.json: 'space': unknown search space 'nospace'"},
      {"CostArchMissingField", {"cost", "{arch-no-stages.json}"}, 2, "'stages' is missing"},
      {"CostKernelAndExpandLengthsDiffer",
       {"cost", "{arch-kernel-expand-lengths.json}"},
       2,
       "stages[0]: kernel has 3 entries but expand has 4"},
      {"CostArchUnknownKey", {"cost", "{arch-extra-key.json}"}, 2, "unknown key 'kernels'"},
      {"CostArchNull", {"cost", "{arch-null.json}"}, 2, "arch-null.json: expected a JSON object"},
      {"CostArchRandomBytes",
       {"cost", "{arch-random-bytes.json}"},
       2,
       "arch-random-bytes.json:1:1: JSON syntax error"},
      {"CostArchSyntaxError", {"cost", "{arch-syntax.json}"}, 2, "arch-syntax.json:1:21"},
      {"CostUnknownBoard",
       {"cost", "{configs}/archs/mcunet-in2.json", "--board", "nope"},
       2,
       "unknown board 'nope'"},
      // tinynas export: arguments, weights folders, calibration data.
      {"ExportWithoutArch", {"export", "--out", "{out}"}, 2, "needs an ARCH.json file"},
      {"ExportWithoutOut", {"export", "{small-arch.json}", "--random-weights"}, 2, "needs --out"},
      {"ExportWithoutWeights",
       {"export", "{small-arch.json}", "--out", "{out}"},
       2,
       "give exactly one of --weights DIR and --random-weights"},
      {"ExportWeightsWithoutCalibration",
       {"export", "{small-arch.json}", "--weights", "{weights}", "--out", "{out}"},
       2,
       "--weights needs --calib-data"},
      {"ExportMissingWeights",
       {"export", "{small-arch.json}", "--weights", "{nowhere}", "--calib-data", "{calib.bin}",
        "--out", "{out}"},
       2,
       "{nowhere}"},
      {"ExportWeightsOfAnotherArch",
       {"export", "{small-arch.json}", "--weights", "{weights-other-arch}", "--calib-data",
        "{calib.bin}", "--out", "{out}"},
       2,
       "weights-other-arch"},
      {"ExportWeightsWithoutBin",
       {"export", "{small-arch.json}", "--weights", "{weights-no-bin}", "--calib-data",
        "{calib.bin}", "--out", "{out}"},
       2,
       "weights.bin"},
      {"ExportTruncatedWeights",
       {"export", "{small-arch.json}", "--weights", "{weights-truncated-bin}", "--calib-data",
        "{calib.bin}", "--out", "{out}"},
       2,
       "weights.bin"},
      {"ExportMalformedWeightsJson",
       {"export", "{small-arch.json}", "--weights", "{weights-bad-json}", "--calib-data",
        "{calib.bin}", "--out", "{out}"},
       2,
       "weights.json"},
      {"ExportMissingCalibrationData",
       {"export", "{small-arch.json}", "--weights", "{weights}", "--calib-data", "{nowhere}",
        "--out", "{out}"},
       2,
       "--calib-data: '{nowhere}' does not exist"},
      {"ExportCalibrationCountNegative",
       {"export", "{small-arch.json}", "--random-weights", "--calib-count", "-1", "--out", "{out}"},
       2,
       "--calib-count must not be negative"},
      {"ExportPercentileOutOfRange",
       {"export", "{small-arch.json}", "--random-weights", "--percentile", "150", "--out", "{out}"},
       2,
       "percentile"},
      {"ExportOutIsAFile",
       {"export", "{small-arch.json}", "--random-weights", "--out", "{a-file}"},
       2,
       "--out '{a-file}' is not a folder"},
      {"ExportArchOfAnotherSpace",
       {"export", "{configs}/archs/mcunet-in2.json", "--weights", "{weights}", "--calib-data",
        "{calib.bin}", "--out", "{out}"},
       2,
       "weights in '{weights}' belong to another arch"},
      // tinynas verify: model folders.
      {"VerifyWithoutModel", {"verify"}, 2, "tinynas verify needs a MODEL_DIR"},
      {"VerifyMissingModel", {"verify", "{nowhere}"}, 2, "'{nowhere}' is not an exported model"},
      {"VerifyInputsZero",
       {"verify", "{model}", "--inputs", "0"},
       2,
       "--inputs must be at least 1"},
      {"VerifyUnknownTarget", {"verify", "{model}", "--target", "mars"}, 2, "--target must be"},
      {"VerifyWithoutQuantModel", {"verify", "{model-no-quant-model}"}, 2, "(no quant_model.json)"},
      {"VerifyTruncatedQuantModel",
       {"verify", "{model-truncated-quant-model}"},
       2,
       "model-truncated-quant-model/quant_model.json"},
      {"VerifyQuantModelOfTheWrongType",
       {"verify", "{model-quant-model-array}"},
       2,
       "model-quant-model-array/quant_model.json"},
      {"VerifyWithoutModelH", {"verify", "{model-no-model-h}"}, 2, "(no model.h)"},
      {"VerifyArenaNotANumber",
       {"verify", "{model-bad-arena}"},
       2,
       "model-bad-arena/model.h: TINYNAS_ARENA_BYTES"},
      {"VerifyUnknownBoard",
       {"verify", "{model}", "--target", "qemu-m4", "--board", "nope"},
       2,
       "unknown board 'nope'"},
      {"VerifyMissingCompiler",
       {"verify", "{model}", "--inputs", "1", "--compiler", "no-such-cc"},
       1,
       "no-such-cc"},
      {"VerifyWithoutModelC",
       {"verify", "{model-no-model-c}", "--inputs", "1", "--no-sanitize"},
       2,
       "'{model-no-model-c}' is not an exported model folder (no model.c)"},
      // tinynas bench (issue 10): no board, a runner not installed, bad boards and flags.
      {"BenchWithoutModel", {"bench"}, 2, "tinynas bench needs a MODEL_DIR"},
      {"BenchMissingModel",
       {"bench", "{nowhere}", "--board", "stm32f746"},
       2,
       "model folder '{nowhere}' does not exist"},
      {"BenchWithoutBoard", {"bench", "{model}"}, 2, "tinynas bench needs --board"},
      {"BenchUnknownBoard",
       {"bench", "{model}", "--board", "stm32f999"},
       2,
       "unknown board 'stm32f999'"},
      {"BenchZeroRuns",
       {"bench", "{model}", "--board", "qemu-m4", "--runs", "0"},
       2,
       "--runs must be at least 1"},
      {"BenchUnknownRunner",
       {"bench", "{model}", "--board", "stm32f746", "--runner", "jtag"},
       2,
       "unknown runner 'jtag'"},
      {"BenchQemuRunnerForABoard",
       {"bench", "{model}", "--board", "stm32f746", "--runner", "qemu"},
       2,
       "cannot run with --runner qemu"},
      // No probe: whatever of pyOCD / OpenOCD is installed finds none (a machine without either
      // says so the same way), one line, exit 2.
      {"BenchNoProbe",
       {"bench", "{model}", "--board", "stm32f746", "--out", "{out}"},
       2,
       "no board attached for stm32f746: tried pyocd"},
      {"BenchRunnerNotInstalled",
       {"bench", "{model}", "--board", "stm32f412", "--runner", "openocd", "--openocd",
        "no-such-openocd", "--out", "{out}"},
       1,
       "'no-such-openocd'"},
      {"BenchModelDoesNotFitTheBoard",
       {"bench", "{model}", "--board", "{board-tiny-flash.json}", "--build-only", "--out", "{out}"},
       1,
       "region FLASH overflowed by"},
      {"BenchPllDisagreesWithClock",
       {"bench", "{model}", "--board", "{board-bad-pll.json}", "--build-only", "--out", "{out}"},
       2,
       "the clock settings give 200000000 Hz, but clock_hz is 216000000"},
      {"BenchFirmwareSectionTypo",
       {"bench", "{model}", "--board", "{board-firmware-typo.json}", "--out", "{out}"},
       2,
       "cahce"},
      // tinynas accuracy.
      {"AccuracyWithoutModel", {"accuracy"}, 2, "tinynas accuracy needs a MODEL_DIR"},
      {"AccuracyWithoutData", {"accuracy", "{model}"}, 2, "needs --data"},
      {"AccuracyMissingData",
       {"accuracy", "{model}", "--data", "{nowhere}"},
       2,
       "--data: '{nowhere}' does not exist"},
      {"AccuracyMissingModel",
       {"accuracy", "{nowhere}", "--data", "{calib.bin}"},
       2,
       "is not an exported model folder"},
      {"AccuracyRawDataHasNoLabels",
       {"accuracy", "{model}", "--data", "{calib.bin}"},
       2,
       "is not a data set of images"},
      {"AccuracyUnknownEngine",
       {"accuracy", "{model}", "--data", "{calib.bin}", "--int8", "quantum"},
       2,
       "--int8"},
      {"AccuracyWeightsOfAnotherArch",
       {"accuracy", "{model}", "--data", "{calib.bin}", "--weights", "{weights-other-arch}"},
       2,
       "weights-other-arch does not fit the model"},
      {"AccuracyNegativeLimit",
       {"accuracy", "{model}", "--data", "{calib.bin}", "--limit", "-1"},
       2,
       "--limit"},
      // tinynas config.
      {"ConfigWithoutAction", {"config"}, 2, "usage: tinynas config"},
      {"ConfigUnknownAction", {"config", "frobnicate"}, 2, "unknown config action 'frobnicate'"},
      {"ConfigShowWithoutFile", {"config", "show"}, 2, "tinynas config show needs one FILE"},
      {"ConfigShowMissingFile", {"config", "show", "{nowhere}"}, 2, "cannot open '{nowhere}'"},
      {"ConfigShowUnknownKey", {"config", "show", "{config-nested-typo.json}"}, 2, "'populaton'"},
      {"ConfigDefaultsWithArgument",
       {"config", "defaults", "extra"},
       2,
       "tinynas config defaults takes no arguments"},
      // Accuracy predictors (search --predictor).
      {"PredictorTruncated",
       {"search", "--space", "cifar", "--predictor", "{predictor-truncated.json}", "--out",
        "{out}"},
       2,
       "predictor-truncated.json"},
      {"PredictorWrongType",
       {"search", "--space", "cifar", "--predictor", "{predictor-width-string.json}", "--out",
        "{out}"},
       2,
       "'width_mult' must be a number"},
      {"PredictorVersion",
       {"search", "--space", "cifar", "--predictor", "{predictor-version-99.json}", "--out",
        "{out}"},
       2,
       "'version' is not supported"},
      {"PredictorEncodingMismatch",
       {"search", "--space", "cifar", "--predictor", "{predictor-mlp-mismatch.json}", "--out",
        "{out}"},
       2,
       "predictor-mlp-mismatch.json"},
      {"PredictorOfAnotherSpace",
       {"search", "--space", "mcunet", "--predictor", "{predictor.json}", "--out", "{out}"},
       2,
       "is for space 'cifar'"},
  };
#ifdef TINYNAS_WITH_TORCH
  const std::vector<BadInputCase> supernet = {
      // Checkpoints.
      {"EvalWithoutSupernet", {"eval", "largest"}, 2, "tinynas eval needs --supernet CKPT"},
      {"EvalWithoutArch", {"eval", "--supernet", "{supernet.pt}"}, 2, "tinynas eval needs an ARCH"},
      {"EvalMissingSupernet", {"eval", "--supernet", "{nowhere}", "largest"}, 2, "{nowhere}"},
      {"EvalTruncatedSupernet",
       {"eval", "--supernet", "{supernet-truncated.pt}", "largest"},
       2,
       "supernet-truncated.pt"},
      {"EvalRandomBytesSupernet",
       {"eval", "--supernet", "{supernet-random.pt}", "largest"},
       2,
       "supernet-random.pt"},
      {"EvalEmptySupernet",
       {"eval", "--supernet", "{supernet-empty.pt}", "largest"},
       2,
       "supernet-empty.pt"},
      {"EvalBadRandomSeed",
       {"eval", "--supernet", "{supernet.pt}", "random:abc"},
       2,
       "ARCH 'random:abc'"},
      {"EvalMissingArchFile",
       {"eval", "--supernet", "{supernet.pt}", "{nowhere}"},
       2,
       "arch file '{nowhere}' does not exist"},
      {"EvalArchOfAnotherSpace",
       {"eval", "--supernet", "{supernet.pt}", "{configs}/archs/mcunet-in2.json"},
       2,
       "mcunet-in2.json: arch: belongs to space 'mcunet'"},
      {"EvalUnknownSplit",
       {"eval", "--supernet", "{supernet.pt}", "largest", "--split", "nope"},
       2,
       "nope"},
      {"EvalNegativeTestSubset",
       {"eval", "--supernet", "{supernet.pt}", "largest", "--test-subset", "-1"},
       2,
       "--test-subset must be >= 0"},
      {"EvalMissingData",
       {"eval", "--supernet", "{supernet.pt}", "largest", "--data", "{nowhere}"},
       2,
       "--data: '{nowhere}' does not exist"},
      {"ExtractMissingData",
       {"extract", "--supernet", "{supernet.pt}", "largest", "--data", "{nowhere}", "--out",
        "{out}"},
       2,
       "--data: '{nowhere}' does not exist"},
      {"ExtractWithoutOut",
       {"extract", "--supernet", "{supernet.pt}", "largest"},
       2,
       "tinynas extract needs --out DIR"},
      {"ExtractTruncatedSupernet",
       {"extract", "--supernet", "{supernet-truncated.pt}", "largest", "--out", "{out}"},
       2,
       "supernet-truncated.pt"},
      {"ExtractArchOfAnotherSpace",
       {"extract", "--supernet", "{supernet.pt}", "{configs}/archs/mcunet-in2.json", "--out",
        "{out}"},
       2,
       "mcunet-in2.json: arch: belongs to space 'mcunet'"},
      {"PredictorWithoutAction", {"predictor"}, 2, "usage: tinynas predictor build"},
      {"PredictorUnknownAction", {"predictor", "fit"}, 2, "unknown predictor action 'fit'"},
      {"PredictorBuildWithoutSupernet",
       {"predictor", "build"},
       2,
       "tinynas predictor build needs --supernet CKPT"},
      {"PredictorBuildRandomBytesSupernet",
       {"predictor", "build", "--supernet", "{supernet-random.pt}"},
       2,
       "supernet-random.pt"},
      {"PredictorBuildSamplesZero",
       {"predictor", "build", "--supernet", "{supernet.pt}", "--samples", "0", "--out", "{out}"},
       2,
       "samples"},
      {"SearchRandomBytesSupernet",
       {"search", "--space", "cifar", "--supernet", "{supernet-random.pt}", "--out", "{out}"},
       2,
       "supernet-random.pt"},
      {"TrainWithoutData",
       {"train", "--config", "{config-no-data.json}", "--out", "{out}"},
       2,
       "{nowhere}"},
      {"TrainResumeWithoutCheckpoint",
       {"train", "--config", "{config-synthetic.json}", "--out", "{run-empty}", "--resume"},
       2,
       "--resume: there is no checkpoint at '{run-empty}/supernet.pt'"},
      {"TrainResumeCorruptCheckpoint",
       {"train", "--config", "{config-synthetic.json}", "--out", "{run-corrupt}", "--resume"},
       2,
       "{run-corrupt}/supernet.pt"},
      {"TrainOverAnotherRun",
       {"train", "--config", "{config-synthetic.json}", "--out", "{run-corrupt}"},
       2,
       "pass --resume"},
      {"FinetuneWithoutSupernet",
       {"finetune", "largest"},
       2,
       "tinynas finetune needs --supernet CKPT"},
      {"FinetuneScratchWithoutData",
       {"finetune", "--init", "scratch", "{configs}/archs/resnet8.json", "--out", "{out}"},
       2,
       "tinynas finetune without --supernet needs --data DATA"},
      {"FinetuneScratchArchOfUnknownSpace",
       {"finetune", "--init", "scratch", "{configs}/archs/resnet8.json", "--space", "nowhere",
        "--data", "{configs}", "--out", "{out}"},
       2,
       "nowhere"},
      {"FinetuneWithoutArch",
       {"finetune", "--supernet", "{supernet.pt}"},
       2,
       "tinynas finetune needs an ARCH"},
      {"FinetuneTruncatedSupernet",
       {"finetune", "--supernet", "{supernet-truncated.pt}", "largest", "--out", "{out}"},
       2,
       "supernet-truncated.pt"},
      {"FinetuneArchOfAnotherSpace",
       {"finetune", "--supernet", "{supernet.pt}", "{configs}/archs/mcunet-in2.json", "--out",
        "{out}"},
       2,
       "mcunet-in2.json: arch: belongs to space 'mcunet'"},
      {"FinetuneUnknownInit",
       {"finetune", "--supernet", "{supernet.pt}", "largest", "--init", "imagenet", "--out",
        "{out}"},
       2,
       "'finetune.init' must be \"supernet\" or \"scratch\""},
      {"FinetuneNegativeLearningRate",
       {"finetune", "--supernet", "{supernet.pt}", "largest", "--lr", "-0.1", "--out", "{out}"},
       2,
       "'finetune.lr' must be positive"},
      {"FinetuneResumeWithoutRun",
       {"finetune", "--supernet", "{supernet.pt}", "largest", "--resume", "--out", "{run-empty}"},
       2,
       "--resume: there is no checkpoint at '{run-empty}/finetune.pt'"},
      {"TrainNprocZero",
       {"train", "--config", "{config-no-data.json}", "--nproc", "0"},
       2,
       "--nproc"},
  };
  t.insert(t.end(), supernet.begin(), supernet.end());
#else
  t.push_back({"TrainNeedsLibTorch", {"train"}, 1, "built without LibTorch"});
  t.push_back({"SearchWithSupernetNeedsLibTorch",
               {"search", "--space", "cifar", "--supernet", "{a-file}", "--out", "{out}"},
               2,
               "built without LibTorch"});
#endif
  return t;
}

class BadInputTest : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(BadInputTest, NamesTheCulpritAndExitsCleanly) {
  const BadInputCase& c = GetParam();
  Workspace& w = workspace();
  std::vector<std::string> args;
  for (const std::string& a : c.args) args.push_back(w.expand(a, c.name));
  tinynas::testing::expect_failure(args, c.exit_code, w.expand(c.message, c.name), kTimeoutSeconds);
}

INSTANTIATE_TEST_SUITE_P(Cli, BadInputTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<BadInputCase>& info) {
                           return info.param.name;
                         });

// At least 60 cases, as the issue asks, and names that stay unique.
TEST(BadInputTableTest, HasSixtyUniquelyNamedCases) {
  const std::vector<BadInputCase> table = cases();
  EXPECT_GE(table.size(), 60u);
  std::set<std::string> names;
  for (const BadInputCase& c : table) EXPECT_TRUE(names.insert(c.name).second) << c.name;
}

}  // namespace
}  // namespace tinynas::cli
