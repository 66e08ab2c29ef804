// The generated C project against the scheduler and the reference interpreter: its arena is the
// scheduler's (and the search's SRAM number) on many random archs, schedule.json passes the
// independent plan checker, it compiles for Cortex-M4 with arm-none-eabi-gcc, and on 20 random
// archs of each shipped space it is bit-exact with the reference on 100 random inputs.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <regex>
#include <thread>

#include "engine/codegen/c_project.h"
#include "engine/codegen/schedule_json.h"
#include "engine/host_verify.h"
#include "engine/quant_model_io.h"
#include "memory_model/scheduler.h"
#include "nas/arch_cost.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "test_models.h"
#include "tests/memory_model/plan_checker.h"
#include "tests/nas/test_spaces.h"
#include "util/process.h"

namespace tinynas::engine {
namespace {

namespace fs = std::filesystem;

// Small sub-nets (the lowest resolution, the two lowest widths) keep compile and run times low;
// kernel sizes, expansions, depths, strides and residual / plain blocks are all drawn at random.
nas::Arch small_arch(const nas::SearchSpace& space, nas::Rng& rng) {
  const int r = space.resolutions.front();
  const double w = space.width_mults[static_cast<size_t>(
      rng.index(std::min<int>(2, static_cast<int>(space.width_mults.size()))))];
  nas::Arch arch = nas::sample_arch(space, r, w, rng);
  arch.num_classes = 10;  // a 1000-class classifier would dominate weights.c and its compile time
  return arch;
}

// A QuantModel with every parameter zero but of the right size: enough for code generation.
QuantModel zero_model(const memory::Graph& g) {
  QuantModel m;
  m.graph = g;
  m.tensors.resize(g.tensors().size());
  for (const memory::Op& op : g.ops()) {
    QuantLayer q;
    if (memory::has_weights(op)) {
      size_t n = 1;
      const std::vector<int> shape = memory::expected_weight_shape(g, op);
      for (int d : shape) n *= static_cast<size_t>(d);
      q.weights.resize(n);
      q.bias.resize(static_cast<size_t>(shape[0]));
      q.multiplier.resize(q.bias.size());
      q.shift.resize(q.bias.size());
    }
    m.layers.push_back(q);
  }
  return m;
}

int64_t arena_define(const std::string& model_h) {
  std::smatch match;
  EXPECT_TRUE(std::regex_search(model_h, match, std::regex("#define TINYNAS_ARENA_BYTES (\\d+)")));
  return std::stoll(match[1]);
}

const std::string& file(const CProject& p, const std::string& name) {
  for (const auto& [n, text] : p.files)
    if (n == name) return text;
  throw std::logic_error("no " + name);
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tinynas-engine-test-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

class SpaceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(SpaceTest, ArenaDefineIsTheSchedulersArenaAndTheSearchsSram) {
  const nas::SearchSpace& space = nas::testing::shipped_space(GetParam());
  nas::Rng rng(11);
  nas::CostModel cost(space);
  memory::Scheduler scheduler;
  for (int i = 0; i < 150; ++i) {
    // Any resolution (the arena grows with it), small widths (weights.c text grows with them).
    const nas::Arch arch =
        nas::sample_arch(space, rng.pick(space.resolutions),
                         space.width_mults[static_cast<size_t>(rng.index(3))], rng);
    const memory::Graph g = nas::lower(arch, space);
    const memory::MemoryPlan plan = scheduler.schedule(g);
    const CProject p = generate_c_project(zero_model(g), plan, {});
    const int64_t arena = arena_define(file(p, "model.h"));
    ASSERT_EQ(arena, plan.arena_bytes) << arch.summary();
    ASSERT_EQ(arena, cost.evaluate(arch).sram_bytes) << arch.summary();
    // schedule.json describes a valid plan for the graph (independent checker).
    const memory::MemoryPlan back =
        plan_from_schedule_json(nlohmann::json::parse(file(p, "schedule.json")), "schedule.json");
    ASSERT_EQ(back.arena_bytes, arena);
    const std::vector<std::string> problems = tinynas::testing::check_plan(g, back);
    ASSERT_TRUE(problems.empty()) << arch.summary() << "\n"
                                  << tinynas::testing::join_lines(problems);
  }
}

TEST_P(SpaceTest, GeneratedCIsBitExactWithTheReferenceOn20Archs) {
  const nas::SearchSpace& space = nas::testing::shipped_space(GetParam());
  if (!util::program_available("gcc")) GTEST_SKIP() << "gcc not installed";
  constexpr int kArchs = 20;
  constexpr int kInputs = 100;
  nas::Rng rng(29);
  std::vector<nas::Arch> archs;
  for (int i = 0; i < kArchs; ++i) archs.push_back(small_arch(space, rng));

  // One compile per arch (the bulk of the time), spread over the cores; 100 inputs in one run.
  std::vector<std::string> failures(kArchs);
  std::atomic<int> next{0}, in_place_dw{0}, depthwise{0}, adds{0};
  const auto worker = [&] {
    for (int i; (i = next++) < kArchs;) {
      try {
        const nas::Arch& arch = archs[static_cast<size_t>(i)];
        const memory::Graph g = nas::lower(arch, space);
        const QuantModel m = testing::random_quant_model(g, 100 + i, 2);
        const memory::MemoryPlan plan = memory::Scheduler().schedule(g);
        for (const memory::Op& op : g.ops()) {
          depthwise += op.type == memory::OpType::kDepthwiseConv2d;
          in_place_dw += op.type == memory::OpType::kDepthwiseConv2d &&
                         plan.tensor_buffer[op.input] == plan.tensor_buffer[op.output];
          adds += op.type == memory::OpType::kAdd;
        }
        TempDir dir;
        write_c_project(m, plan, dir.path.string(), {arch.summary()});
        HostBuildOptions opt;
        opt.sanitize = i == 0;  // the first arch of each space under ASan + UBSan
        const HostModel exe(dir.path.string(), opt);
        const std::vector<int8_t> inputs =
            random_int8_inputs(kInputs, g.tensor(g.input()).bytes(), 7 + i);
        const VerifyResult r =
            compare_outputs(run_reference_batch(m, inputs, kInputs), exe.run(inputs, kInputs),
                            static_cast<int>(g.tensor(g.output()).bytes()));
        if (!r.exact())
          failures[static_cast<size_t>(i)] = arch.summary() + ": " +
                                             std::to_string(r.mismatched_inputs) +
                                             " inputs differ; first " + r.first_mismatch;
      } catch (const std::exception& e) {
        failures[static_cast<size_t>(i)] =
            archs[static_cast<size_t>(i)].summary() + ": " + e.what();
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::max(2u, std::thread::hardware_concurrency()); ++t)
    threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  for (const std::string& f : failures) EXPECT_TRUE(f.empty()) << f;
  if (depthwise > 0) {  // the residual space has none
    EXPECT_GT(in_place_dw.load(), 0);
  }
  EXPECT_GT(adds.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(ShippedSpaces, SpaceTest,
                         ::testing::Values("mcunet", "mbv2", "cifar", "resnet"),
                         [](const auto& info) { return std::string(info.param); });

TEST(CodegenTest, GeneratedCCompilesForCortexM4WithWerror) {
  if (!util::program_available("arm-none-eabi-gcc")) GTEST_SKIP() << "arm-none-eabi-gcc missing";
  const nas::SearchSpace& space = nas::testing::shipped_space("mcunet");
  nas::Rng rng(5);
  const nas::Arch arch = small_arch(space, rng);
  const memory::Graph g = nas::lower(arch, space);
  TempDir dir;
  const CProjectInfo info = write_c_project(testing::random_quant_model(g, 3, 1),
                                            memory::Scheduler().schedule(g), dir.path.string(), {});
  for (const std::string& f : info.files) {
    if (fs::path(f).extension() != ".c") continue;
    const util::ProcessResult r =
        util::run_process({"arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard",
                           "-mfpu=fpv4-sp-d16", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror",
                           "-c", (dir.path / f).string(), "-o", (dir.path / (f + ".o")).string()});
    EXPECT_EQ(r.exit_code, 0) << f << ":\n" << r.err;
  }
  // The arm/ kernel is the one compiled for a DSP core (SMLAD in it), and its ref/ twin compiles
  // to nothing there.
  const util::ProcessResult s = util::run_process(
      {"arm-none-eabi-objdump", "-d", (dir.path / "tn_conv1x1_arm.c.o").string()});
  EXPECT_NE(s.out.find("smlad"), std::string::npos);
  const util::ProcessResult ref =
      util::run_process({"arm-none-eabi-nm", (dir.path / "tn_conv1x1.c.o").string()});
  EXPECT_EQ(ref.exit_code, 0) << ref.err;
  EXPECT_EQ(ref.out.find("tn_conv1x1_s8"), std::string::npos) << ref.out;
}

TEST(CodegenTest, OnlyTheKernelsTheModelUsesAreCopied) {
  memory::Graph g;
  const int x = g.add_input({8, 8, 3});
  const int y = g.add_conv(memory::OpType::kConv2d, memory::LayerRole::kStem, -1, x, 8, 1, 1,
                           memory::Activation::kRelu6);
  g.set_output(g.add_linear(g.add_global_avg_pool(y), 4));
  const CProject p =
      generate_c_project(testing::random_quant_model(g, 1), memory::Scheduler().schedule(g), {});
  std::vector<std::string> kernels = p.info.kernel_files;
  EXPECT_EQ(kernels,
            (std::vector<std::string>{"tn_avgpool.c", "tn_avgpool.h", "tn_common.h", "tn_conv1x1.c",
                                      "tn_conv1x1.h", "tn_conv1x1_arm.c", "tn_dsp.h", "tn_linear.c",
                                      "tn_linear.h", "tn_linear_arm.c"}));
  // No mutable globals besides the arena, no malloc.
  const std::string& model_c = file(p, "model.c");
  EXPECT_EQ(model_c.find("malloc"), std::string::npos);
  EXPECT_NE(model_c.find("int8_t tinynas_arena[TINYNAS_ARENA_BYTES] TINYNAS_ARENA_ATTRIBUTES;"),
            std::string::npos);
}

TEST(CodegenTest, QuantModelSurvivesTheRoundTripThroughJson) {
  const nas::SearchSpace& space = nas::testing::shipped_space("cifar");
  nas::Rng rng(3);
  const memory::Graph g = nas::lower(small_arch(space, rng), space);
  const QuantModel m = testing::random_quant_model(g, 9, 1);
  const QuantModel back = quant_model_from_json(quant_model_to_json(m), "test");
  EXPECT_EQ(quant_model_to_json(back), quant_model_to_json(m));
  const std::vector<int8_t> in = testing::random_int8(static_cast<size_t>(g.tensor(0).bytes()), 1);
  EXPECT_EQ(run_reference_batch(back, in, 1), run_reference_batch(m, in, 1));
}

TEST(CodegenTest, HostVerifyReportsAMissingCompiler) {
  memory::Graph g;
  const int x = g.add_input({4, 4, 3});
  g.set_output(g.add_linear(g.add_global_avg_pool(x), 2));
  TempDir dir;
  write_c_project(testing::random_quant_model(g, 1), memory::Scheduler().schedule(g),
                  dir.path.string(), {});
  HostBuildOptions opt;
  opt.compiler = "no-such-cc-tinynas";
  EXPECT_THROW(HostModel(dir.path.string(), opt), util::ProgramNotFound);
}

}  // namespace
}  // namespace tinynas::engine
