// tinynas search with an accuracy predictor, end to end: the predictor is the fitness
// (fitness_kind "predictor"), the width and resolutions are the predictor's, the winner beats the
// random baseline's best by the same fitness, and bad predictor / supernet files are exit 2.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nas/accuracy_predictor.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"
#include "util/process.h"

namespace tinynas::cli {
namespace {

using tinynas::testing::TempDir;
namespace fs = std::filesystem;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;

util::ProcessResult tinynas(std::vector<std::string> args) {
  return tinynas::testing::run_tinynas(std::move(args));
}

// A predictor fitted to a made-up accuracy that rewards resolution, kernels and expansions.
std::string write_predictor(const TempDir& dir) {
  const nas::SearchSpace space = nas::load_space("cifar", kConfigs);
  nas::Rng rng(1);
  std::vector<nas::AccuracySample> samples;
  for (int i = 0; i < 120; ++i) {
    const nas::Arch a = nas::sample_arch(space, rng.pick(std::vector<int>{24, 28, 32}), 0.35, rng);
    double top1 = 50 + 0.4 * a.resolution;
    for (const auto& s : a.stages)
      for (const auto& b : s.blocks) top1 += 0.05 * b.kernel + 0.1 * b.expand;
    samples.push_back({a, top1});
  }
  nas::PredictorOptions options;
  options.hidden = {32, 32};
  options.train.epochs = 100;
  const nas::AccuracyPredictor p =
      nas::fit_accuracy_predictor(space, 0.35, {24, 28, 32}, samples, options, nullptr);
  const std::string path = (dir.path() / "predictor.json").string();
  p.save(path);
  return path;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(CliAccuracySearchTest, PredictorIsTheFitnessAndBeatsRandomSearch) {
  TempDir dir;
  const std::string predictor = write_predictor(dir);
  const std::string out = (dir.path() / "run").string();
  const util::ProcessResult r = tinynas(
      {"search", "--space", "cifar", "--predictor", predictor, "--sram", "64K", "--flash", "256K",
       "--samples", "100", "--population", "24", "--generations", "8", "--out", out, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json result = read_json(fs::path(out) / "result.json");
  EXPECT_EQ(result["fitness_kind"], "predictor");
  EXPECT_DOUBLE_EQ(result["arch"]["width_mult"].get<double>(), 0.35);
  const int resolution = result["arch"]["resolution"];
  EXPECT_TRUE(resolution == 24 || resolution == 28 || resolution == 32) << resolution;
  // The reported fitness is the predictor's value for the winner, exactly (up to the JSON's
  // decimal printing): the search scored it in a batch, and scores do not depend on the batch.
  const nas::AccuracyPredictor p = nas::AccuracyPredictor::load(predictor);
  const nas::Arch winner = nas::arch_from_json(result["arch"], "result.json");
  EXPECT_NEAR(result["fitness"].get<double>(), p.predict(winner), 1e-9);
  EXPECT_LE(result["cost"]["sram_bytes"].get<int64_t>(), 48 * 1024);
  EXPECT_LE(result["cost"]["flash_bytes"].get<int64_t>(), 192 * 1024);
  // Same number of evaluations, same fitness: evolution is at least as good as random sampling.
  const nlohmann::json& random = result["random_baseline"];
  EXPECT_EQ(random["fitting"], result["evolution"]["evaluated"]);
  EXPECT_GE(result["fitness"].get<double>(), random["best_fitness"].get<double>());
  EXPECT_FALSE(result.contains("judged"));  // no supernet: nothing re-measured
}

TEST(CliAccuracySearchTest, BadPredictorOrSupernetFilesAreExit2) {
  TempDir dir;
  const std::string predictor = write_predictor(dir);
  const auto bad = [&](std::vector<std::string> args, const std::string& message) {
    args.push_back("--out");
    args.push_back((dir.path() / "x").string());
    const util::ProcessResult r = tinynas(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  };
  bad({"search", "--space", "mcunet", "--predictor", predictor}, "is for space 'cifar'");
  bad({"search", "--space", "cifar", "--predictor", (dir.path() / "none.json").string()},
      "does not exist");
  bad({"search", "--space", "cifar", "--predictor", dir.file("broken.json", "{\"format\": 1")},
      "broken.json");
  bad({"search", "--space", "cifar", "--supernet", (dir.path() / "none.pt").string()},
      "does not exist");
}

}  // namespace
}  // namespace tinynas::cli
