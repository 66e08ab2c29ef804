// The whole int8 path on an emulated microcontroller: random sub-nets of the shipped spaces are
// lowered, quantised with random weights, generated as C, cross-compiled with the board's memory
// limits and run in QEMU; every output byte must equal the reference interpreter's, and the
// linked arena must be the scheduler's.
#include <gtest/gtest.h>

#include "engine/host_verify.h"
#include "firmware/hil.h"
#include "generated_model.h"
#include "test_support.h"

namespace tinynas::firmware {
namespace {

using testing::Case;
using testing::generate;
using testing::GeneratedModel;

// Runs inputs on the target (building in work_dir) and checks every output byte, the arena and
// the guards.
void expect_bit_exact(const GeneratedModel& g, const std::string& model_dir,
                      const std::string& work_dir, const std::string& target, int inputs,
                      uint64_t seed) {
  FirmwareRequest request;
  request.model_dir = model_dir;
  request.work_dir = work_dir;
  request.target = target;
  request.inputs =
      engine::random_int8_inputs(inputs, g.model.graph.tensor(g.model.graph.input()).bytes(), seed);
  request.timeout_s = 120;
  const FirmwareResult fw = run_model_on_qemu(request);
  EXPECT_EQ(fw.arena_bytes, g.plan.arena_bytes) << g.arch.summary();
  EXPECT_TRUE(fw.guard_ok);
  ASSERT_EQ(fw.instructions.size(), static_cast<size_t>(inputs));
  const std::vector<int8_t> expected = engine::run_reference_batch(g.model, request.inputs, inputs);
  ASSERT_EQ(fw.outputs.size(), expected.size());
  EXPECT_TRUE(fw.outputs == expected) << target << " " << g.arch.summary();
}

class GeneratedModelQemuTest : public ::testing::TestWithParam<Case> {};

TEST_P(GeneratedModelQemuTest, BitExactWithTheReferenceInterpreter) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  const Case c = GetParam();
  testing::TempDir dir;
  const GeneratedModel g = generate(c, dir.str() + "/model");
  expect_bit_exact(g, dir.str() + "/model", dir.str() + "/fw", c.target, 8, c.seed + 99);
}

TEST(GeneratedModelQemu, BothCoresFromOneModelFolder) {
  // tinynas verify builds in MODEL_DIR/firmware-TARGET: a second target must not pick up the
  // first one's harness sources.
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  testing::TempDir dir;
  const std::string model_dir = dir.str() + "/model";
  const GeneratedModel g = generate(Case{"mcunet", "qemu-m4", 4}, model_dir);
  for (const char* target : {"qemu-m4", "qemu-m7"})
    expect_bit_exact(g, model_dir, model_dir + "/firmware-" + target, target, 2, 7);
}

INSTANTIATE_TEST_SUITE_P(ShippedSpaces, GeneratedModelQemuTest,
                         ::testing::Values(Case{"mcunet", "qemu-m4", 1},
                                           Case{"cifar", "qemu-m4", 2}, Case{"mbv2", "qemu-m4", 3},
                                           Case{"mcunet", "qemu-m7", 4}),
                         [](const auto& info) {
                           return std::string(info.param.space) + "_" +
                                  (std::string(info.param.target) == "qemu-m4" ? "m4" : "m7");
                         });

}  // namespace
}  // namespace tinynas::firmware
