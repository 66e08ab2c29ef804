// Per-layer profiling on the emulated Cortex-M4: a small generated model built with
// TINYNAS_PROFILE reports one count per layer, the counts add up to the profiled inference, and,
// less one measured marker per layer, to the plain build's inference; the plain build calls no
// marker at all: its code is what model.c compiles to with the marker lines taken out.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "engine/host_verify.h"
#include "firmware/hil.h"
#include "firmware/layer_profile.h"
#include "generated_model.h"
#include "test_support.h"
#include "util/process.h"

namespace tinynas::firmware {
namespace {

using testing::Case;
using testing::generate;
using testing::GeneratedModel;

// The ELF's symbols (arm-none-eabi-nm), to see whether the marker was linked in.
std::string symbols(const std::string& elf) {
  util::ProcessOptions options;
  options.timeout_s = 30;
  const util::ProcessResult r = util::run_process({"arm-none-eabi-nm", elf}, options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(LayerProfileQemu, LayersAddUpToTheInferenceWithinTheMarkerOverhead) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  testing::TempDir dir;
  const std::string model_dir = dir.str() + "/model";
  const GeneratedModel g = generate(Case{"mcunet", "qemu-m4", 5}, model_dir);
  const int inputs = 3;
  FirmwareRequest request;
  request.model_dir = model_dir;
  request.work_dir = dir.str() + "/plain";
  request.target = "qemu-m4";
  request.inputs =
      engine::random_int8_inputs(inputs, g.model.graph.tensor(g.model.graph.input()).bytes(), 11);
  request.timeout_s = 120;
  const FirmwareResult plain = run_model_on_qemu(request);
  request.work_dir = dir.str() + "/profiled";
  request.profile = true;
  const FirmwareResult profiled = run_model_on_qemu(request);

  // Same outputs; the plain build links no marker, the profiled one does.
  EXPECT_TRUE(profiled.outputs == plain.outputs);
  EXPECT_TRUE(plain.layer_instructions.empty());
  EXPECT_EQ(symbols(plain.elf_path).find("tinynas_layer_done"), std::string::npos);
  EXPECT_NE(symbols(profiled.elf_path).find("tinynas_layer_done"), std::string::npos);

  const size_t layers = g.model.graph.ops().size();
  const int64_t tick = profiled.instructions_per_tick;
  ASSERT_EQ(profiled.layer_instructions.size(), static_cast<size_t>(inputs));
  // A marker is a call, a timer read and a store: tens of instructions, measured.
  EXPECT_GT(profiled.marker_instructions, 5.0);
  EXPECT_LT(profiled.marker_instructions, 100.0);
  for (int i = 0; i < inputs; ++i) {
    const std::vector<int64_t>& counts = profiled.layer_instructions[static_cast<size_t>(i)];
    ASSERT_EQ(counts.size(), layers);
    for (size_t l = 0; l < layers; ++l)
      EXPECT_GT(counts[l], 0) << g.model.graph.ops()[l].name() << " took no instructions";
    const int64_t sum = std::accumulate(counts.begin(), counts.end(), int64_t{0});
    // The layers tile the profiled inference: all that is left is the return from
    // tinynas_invoke() after the last marker, under two ticks.
    const int64_t profiled_whole = profiled.instructions[static_cast<size_t>(i)];
    EXPECT_GE(profiled_whole - sum, 0);
    EXPECT_LE(profiled_whole - sum, 2 * tick);
    // Less one measured marker per layer they are the plain inference: within two ticks, plus
    // one instruction per layer for the marker's estimate (its loop turns). This model's
    // tinynas_invoke() compiles the same around the calls; where the calls change the
    // register allocation of kernels inlined into it, more differs (mcunet-in0: 0.045 %).
    const double net =
        static_cast<double>(sum) - static_cast<double>(layers) * profiled.marker_instructions;
    const double plain_whole = static_cast<double>(plain.instructions[static_cast<size_t>(i)]);
    std::printf("layers %lld, %zu markers of %.2f, net %.0f, plain %.0f (%+.0f)\n",
                static_cast<long long>(sum), layers, profiled.marker_instructions, net, plain_whole,
                net - plain_whole);
    EXPECT_NEAR(net, plain_whole, 2.0 * static_cast<double>(tick) + static_cast<double>(layers));
  }

  // The report's rows: names and MACs from the graph, shares that add up to 1.
  const LayerProfile p = make_layer_profile(g.model.graph, profiled);
  ASSERT_EQ(p.rows.size(), layers);
  double shares = 0;
  for (const LayerProfileRow& row : p.rows) shares += row.share;
  EXPECT_NEAR(shares, 1.0, 1e-9);
  EXPECT_EQ(p.rows.front().layer, g.model.graph.ops().front().name());
  EXPECT_GT(p.macs, 0);
  const std::string csv = layer_profile_csv(p);
  EXPECT_EQ(static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n')), layers + 1);
  EXPECT_EQ(csv.rfind("layer,op,kernel,stride,in_channels,out_channels,macs,instructions,", 0), 0u);
}

// model.c compiled for the M4 without TINYNAS_PROFILE, disassembled (no debug information, so
// only the code and data count).
std::string plain_object_code(const std::string& model_c, const std::string& include_dir,
                              const std::string& object) {
  util::ProcessOptions options;
  options.timeout_s = 60;
  const util::ProcessResult built = util::run_process(
      {"arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16",
       "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-ffunction-sections", "-fdata-sections",
       "-I" + include_dir, "-c", model_c, "-o", object},
      options);
  EXPECT_EQ(built.exit_code, 0) << built.err;
  const util::ProcessResult dump =
      util::run_process({"arm-none-eabi-objdump", "-d", "-r", "-s", object}, options);
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  return dump.out.substr(dump.out.find('\n', dump.out.find("file format")));  // drop the path
}

TEST(LayerProfileQemu, PlainBuildsCompileAsIfTheMarkersWereNotThere) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  testing::TempDir dir;
  const std::string model_dir = dir.str() + "/model";
  generate(Case{"mcunet", "qemu-m4", 6}, model_dir);
  // The same model.c with every marker line and the macro's definition taken out.
  std::ifstream in(model_dir + "/model.c");
  std::string line;
  std::string stripped;
  int markers = 0;
  bool in_macro = false;
  while (std::getline(in, line)) {
    if (line == "#ifdef TINYNAS_PROFILE") in_macro = true;
    const bool marker = line.find("TINYNAS_LAYER_DONE(") != std::string::npos;
    if (marker && !in_macro) ++markers;
    if (!marker && !in_macro) stripped += line + "\n";
    if (line == "#endif" && in_macro) in_macro = false;
  }
  ASSERT_GT(markers, 10);
  std::filesystem::create_directories(dir.path() / "stripped");
  testing::write_file(dir.path() / "stripped" / "model.c", stripped);
  const std::string with = plain_object_code(model_dir + "/model.c", model_dir, dir.str() + "/a.o");
  const std::string without =
      plain_object_code(dir.str() + "/stripped/model.c", model_dir, dir.str() + "/b.o");
  EXPECT_GT(with.size(), 1000u);
  EXPECT_TRUE(with == without) << "the markers change the plain build's code";
}

TEST(LayerProfileQemu, AProjectWithoutALayerCountIsRefused) {
  // The hand-written fixture predates the marker: profiling it must say to re-export.
  testing::TempDir dir;
  FirmwareRequest request;
  request.model_dir = testing::fixture_model_dir();
  request.work_dir = dir.str() + "/fw";
  request.inputs = testing::fixture_inputs(1);
  request.profile = true;
  try {
    run_model_on_qemu(request);
    FAIL() << "profiling a project without TINYNAS_LAYERS must be refused";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("export it again"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tinynas::firmware
