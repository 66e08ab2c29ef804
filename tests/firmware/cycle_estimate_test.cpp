// The cycle estimate's host side without QEMU: the plugin's cost model on disassembly text
// (cortex_m_cost.c), the report parser's attribution and its errors, nm parsing and the -plugin
// option.
#include "firmware/cycle_estimate.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "firmware/timing_plugin.h"

extern "C" {
#include "firmware/qemu_plugin/cortex_m_cost.h"
}

namespace tinynas::firmware {
namespace {

CmDecoded decode(const char* text) {
  CmDecoded d;
  EXPECT_EQ(cm_decode(text, &d), 0) << text;
  return d;
}

// Half cycles of a straight sequence on a model, as one translation block.
unsigned sequence_cost(const char* core, std::initializer_list<const char*> insns) {
  const CmTimingModel* model = cm_find_model(core);
  CmPipeline pipeline;
  cm_pipeline_reset(&pipeline);
  unsigned total = 0;
  for (const char* insn : insns) {
    const CmDecoded d = decode(insn);
    total += cm_cost_half_cycles(model, &d, &pipeline);
  }
  return total;
}

TEST(CortexMCost, ClassifiesCapstoneMnemonics) {
  EXPECT_EQ(decode("ldr r3, [r2, #4]").cls, CM_LOAD);
  EXPECT_EQ(decode("ldr r3, [r2, #4]").dest, 3);
  EXPECT_EQ(decode("ldrsb.w r0, [r1, r2]").reg_offset, 1);
  EXPECT_EQ(decode("strb r0, [sp, #7]").cls, CM_STORE);
  EXPECT_EQ(decode("ldrd r0, r1, [r2]").cls, CM_PAIR);
  EXPECT_EQ(decode("smlad r0, r1, r2, r0").cls, CM_MAC);
  EXPECT_EQ(decode("mul r0, r1, r2").cls, CM_MAC);
  EXPECT_EQ(decode("sdiv r0, r1, r2").cls, CM_DIV);
  EXPECT_EQ(decode("sxtb16 r0, r1").cls, CM_ALU);
  EXPECT_EQ(decode("addeq r0, r0, #1").cls, CM_ALU);
  EXPECT_EQ(decode("bic r0, r1, #3").cls, CM_ALU);
  EXPECT_EQ(decode("bls #0x20").cls, CM_BRANCH);
  EXPECT_EQ(decode("bne.w #0x400").cls, CM_BRANCH);
  EXPECT_EQ(decode("cbz r0, #0x40").cls, CM_BRANCH);
  EXPECT_EQ(decode("tbb [pc, r0]").cls, CM_TABLE);
  EXPECT_EQ(decode("vmla.f32 s0, s1, s2").cls, CM_FP_MAC);
  EXPECT_EQ(decode("vldr s0, [r0]").cls, CM_FP_MEM);
  EXPECT_EQ(decode("vadd.f32 s0, s1, s2").cls, CM_FP);
  EXPECT_EQ(decode("dsb sy").cls, CM_BARRIER);
  EXPECT_EQ(decode("whatever r0").cls, CM_ALU);  // unknown: the cheapest class

  const CmDecoded pop = decode("pop {r4, r5, r6, pc}");
  EXPECT_EQ(pop.cls, CM_MULTI);
  EXPECT_EQ(pop.transfers, 4);
  EXPECT_TRUE(pop.changes_flow);
  EXPECT_EQ(decode("vpush {d8-d15}").transfers, 8);
  EXPECT_FALSE(decode("push {r4, lr}").changes_flow);
  EXPECT_TRUE(decode("ldr pc, [sp], #4").changes_flow);

  const CmDecoded call = decode("bl #0x410");
  EXPECT_TRUE(call.is_call);
  EXPECT_EQ(call.target, 0x410u);
  EXPECT_EQ(decode("cbz r0, #0x40").target, 0x40u);
  EXPECT_FALSE(decode("bx lr").has_target);
  CmDecoded empty;
  EXPECT_EQ(cm_decode("   ", &empty), -1);
}

TEST(CortexMCost, AppliesTheM4LoadStoreRules) {
  // TRM r0p1 table 3-1 in half cycles: LDR 2, LDR;LDR 3 (pipelined), dependent LDR;LDR 4.
  EXPECT_EQ(sequence_cost("cortex-m4", {"ldr r0, [r1]"}), 4u);
  EXPECT_EQ(sequence_cost("cortex-m4", {"ldr r0, [r1]", "ldr r2, [r1, #4]"}), 6u);
  EXPECT_EQ(sequence_cost("cortex-m4", {"ldr r1, [r1]", "ldr r1, [r1]"}), 8u);
  // A store pipelines behind a load; nothing pipelines behind a store.
  EXPECT_EQ(sequence_cost("cortex-m4", {"ldr r0, [r1]", "str r0, [r2]"}), 6u);
  EXPECT_EQ(sequence_cost("cortex-m4", {"str r0, [r2]", "ldr r0, [r1]"}), 6u);
  // Address generation stall: the ALU wrote the base register just before.
  EXPECT_EQ(sequence_cost("cortex-m4", {"add r1, r1, #4", "ldr r0, [r1]"}), 8u);
  EXPECT_EQ(sequence_cost("cortex-m4", {"add r2, r2, #4", "ldr r0, [r1]"}), 6u);
  // LDM/STM/PUSH/POP 1+N, MAC 1, SDIV 7 (typical of 2..12), VMLA 3.
  EXPECT_EQ(sequence_cost("cortex-m4", {"push {r4, r5, r6, lr}"}), 10u);
  EXPECT_EQ(sequence_cost("cortex-m4", {"smlad r0, r1, r2, r0"}), 2u);
  EXPECT_EQ(sequence_cost("cortex-m4", {"sdiv r0, r1, r2"}), 14u);
  EXPECT_EQ(sequence_cost("cortex-m4", {"vmla.f32 s0, s1, s2"}), 6u);
}

TEST(CortexMCost, M7CreditsDualIssueAndNothingElse) {
  EXPECT_EQ(sequence_cost("cortex-m7", {"add r0, r0, #1", "add r1, r1, #1"}), 2u);  // 1 cycle
  EXPECT_EQ(sequence_cost("cortex-m7", {"ldr r1, [r1]", "ldr r1, [r1]"}), 4u);
  EXPECT_EQ(cm_find_model("cortex-m7")->taken_branch_half_cycles, 2u);
  EXPECT_EQ(cm_find_model("cortex-m4")->taken_branch_half_cycles, 4u);  // P = 2
  EXPECT_EQ(cm_find_model("cortex-m33"), nullptr);
}

const char* const kReport =
    "tinynas_cycles 1\n"
    "model cortex-m4-trm core cortex-m4 branch_penalty 2.0\n"
    "event layer insns 5 cycles 9.0\n"  // marker calibration, outside any inference
    "event invoke insns 10 cycles 20.0\n"
    "event layer insns 110 cycles 150.0\n"
    "event layer insns 310 cycles 400.5\n"
    "event return insns 320 cycles 415.5\n"
    "event invoke insns 400 cycles 500.0\n"
    "event layer insns 500 cycles 630.0\n"
    "event layer insns 700 cycles 880.0\n"
    "event return insns 712 cycles 900.0\n"
    "total insns 800 cycles 1000.0 taken_branches 12\n"
    "class alu insns 600\n"
    "class load insns 200\n"
    "end\n";

TEST(CycleReport, AttributesCyclesToInferencesAndLayers) {
  const CycleEstimate e = parse_cycle_report(kReport, 2);
  ASSERT_TRUE(e.available);
  EXPECT_EQ(e.model, "cortex-m4-trm");
  EXPECT_EQ(e.core, "cortex-m4");
  EXPECT_DOUBLE_EQ(e.branch_penalty, 2.0);
  EXPECT_EQ(e.inference_instructions, (std::vector<int64_t>{310, 312}));
  EXPECT_EQ(e.inference_cycles, (std::vector<double>{395.5, 400.0}));
  ASSERT_EQ(e.layer_cycles.size(), 2u);
  EXPECT_EQ(e.layer_instructions[0], (std::vector<int64_t>{100, 200}));
  EXPECT_EQ(e.layer_cycles[1], (std::vector<double>{130.0, 250.0}));
  EXPECT_EQ(mean_layer_cycles(e), (std::vector<double>{130.0, 250.25}));
  EXPECT_DOUBLE_EQ(mean_cycles(e), 397.75);
  EXPECT_NEAR(mean_cpi(e), 795.5 / 622.0, 1e-12);
  EXPECT_EQ(e.taken_branches, 12);
  EXPECT_EQ(e.class_instructions.at("load"), 200);
  const nlohmann::json j = cycle_estimate_to_json(e);
  EXPECT_EQ(j["model"], "cortex-m4-trm");
  EXPECT_EQ(j["per_inference"].size(), 2u);
  EXPECT_NE(j["note"].get<std::string>().find("not validated on silicon"), std::string::npos);
}

TEST(CycleReport, RejectsMalformedReportsWithTheLine) {
  const auto fails = [](const std::string& text, int64_t layers, const std::string& says) {
    try {
      parse_cycle_report(text, layers);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  fails("", 0, "empty cycle report");
  fails("hello\n", 0, "expected 'tinynas_cycles 1'");
  const std::string head = "tinynas_cycles 1\nmodel m core cortex-m4 branch_penalty 2\n";
  fails(head + "event invoke insns 1 cycles 1\n", 0, "truncated");
  fails(head + "event invoke insns 1 cycles 1\nevent return insns 9 cycles 9\n", 0, "truncated");
  fails(head + "event jump insns 1 cycles 1\nend\n", 0, "unknown event 'jump'");
  fails(head + "event return insns 1 cycles 1\nend\n", 0, "return outside an inference");
  fails(head + "event invoke insns 1 cycles x\nend\n", 0, "line 3");
  fails(head + "event invoke insns 9 cycles 9\nevent return insns 2 cycles 2\nend\n", 0,
        "counters went back");
  fails(head + "event invoke insns 1 cycles 1\nevent return insns 9 cycles 9\nend\n", 3,
        "0 layer events, the model has 3 layers");
  fails(head + "end\n", 0, "no complete inference");
  fails(head + "total insns -1\nend\n", 0, "line 3");
  EXPECT_EQ(unavailable_estimate("why").reason, "cycle estimate unavailable: why");
  EXPECT_FALSE(cycle_estimate_to_json(unavailable_estimate("why"))["available"]);
}

TEST(TimingPlugin, ParsesNmAndWritesThePluginOption) {
  const MarkerSymbols s = parse_marker_symbols(
      "00000401 T reset\n00000411 T tinynas_invoke\n0000042d T tinynas_layer_done\n"
      "junk line\n");
  EXPECT_EQ(s.invoke, 0x410u);
  EXPECT_EQ(s.layer_done, 0x42cu);
  EXPECT_THROW(parse_marker_symbols("00000401 T reset\n"), std::runtime_error);
  EXPECT_EQ(timing_plugin_option("/a,b/p.so", "cortex-m7", s, "cycles.txt", 1),
            "/a,,b/p.so,out=cycles.txt,core=cortex-m7,branch_penalty=1,invoke=0x410,"
            "layer_done=0x42c");
  EXPECT_EQ(timing_plugin_option("p.so", "cortex-m4", MarkerSymbols{0x10, 0}, "c.txt", -1),
            "p.so,out=c.txt,core=cortex-m4,invoke=0x10");
}

TEST(TimingPlugin, AMissingExplicitPluginIsAReasonNotAnError) {
  std::string why;
  EXPECT_EQ(find_timing_plugin("/nonexistent/libx.so", &why), "");
  EXPECT_NE(why.find("/nonexistent/libx.so"), std::string::npos);
  // The build tree's plugin is found without help (TINYNAS_TIMING_PLUGIN is compiled in).
  EXPECT_NE(find_timing_plugin("", &why), "") << why;
}

}  // namespace
}  // namespace tinynas::firmware
