/* Static cycle costs of Cortex-M4 / Cortex-M7 instructions, from their disassembly text: the
 * timing model behind the cortex_m_timing QEMU plugin, kept free of QEMU so host tests can feed
 * it instruction strings directly.
 *
 *   CmDecoded d;
 *   cm_decode("ldr r3, [r2, #4]", &d);           d.cls == CM_LOAD, d.dest == 3
 *   const CmTimingModel* m = cm_find_model("cortex-m4");
 *   CmPipeline p;  cm_pipeline_reset(&p);
 *   unsigned half = cm_cost_half_cycles(m, &d, &p);   4: two cycles
 *
 * Costs are in half cycles so the M7's dual issue (two ALU instructions per cycle) stays an
 * integer. A taken branch's refill (P) is not part of the static cost: the plugin adds
 * model->taken_branch_half_cycles when the next block does not start at the fall-through address.
 * The tables and their sources are in docs/results/hil.md ("Estimated cycles"). */
#ifndef TINYNAS_CORTEX_M_COST_H
#define TINYNAS_CORTEX_M_COST_H

#include <stdint.h>

typedef enum {
  CM_ALU,        /* data processing, moves, shifts, extends, saturation, IT, NOP, system */
  CM_MAC,        /* MUL, MLA, MLS, SMULL, SMLAL, SMLAD, SMUAD and kin */
  CM_DIV,        /* SDIV, UDIV */
  CM_LOAD,       /* LDR, LDRB, LDRH, LDRSB, LDRSH, LDREX */
  CM_STORE,      /* STR, STRB, STRH, STREX */
  CM_PAIR,       /* LDRD, STRD */
  CM_MULTI,      /* LDM, STM, PUSH, POP, VLDM, VSTM, VPUSH, VPOP */
  CM_BRANCH,     /* B, BL, BX, BLX, CBZ, CBNZ */
  CM_TABLE,      /* TBB, TBH */
  CM_FP,         /* single-cycle FPU operations and moves */
  CM_FP_MAC,     /* VMLA, VMLS, VFMA, VFMS, VNMLA, VNMLS */
  CM_FP_DIV,     /* VDIV, VSQRT */
  CM_FP_MEM,     /* VLDR, VSTR */
  CM_BARRIER,    /* DMB, DSB, ISB */
  CM_CLASS_COUNT /* not a class */
} CmClass;

/* Short lower-case names, as the plugin's report and the docs use them. */
const char* cm_class_name(CmClass cls);

typedef struct {
  CmClass cls;
  int dest;           /* register written (0..15), -1 when none or not a core register */
  uint32_t addr_regs; /* bit r set: register r forms the memory address */
  int transfers;      /* registers moved by a CM_MULTI instruction */
  int reg_offset;     /* a load or store with a register offset ([r0, r1]) */
  int changes_flow;   /* a branch, or an instruction that writes the PC */
  int is_call;        /* BL #imm */
  int has_target;     /* a direct branch: B, B<cc>, BL, CBZ, CBNZ with an immediate target */
  uint64_t target;
} CmDecoded;

/* Fills `out` from "mnemonic operands". Unknown mnemonics are CM_ALU (one cycle): the cheapest
 * guess, so an estimate never exceeds what the known classes justify. Returns 0, or -1 for an
 * empty string. */
int cm_decode(const char* disas, CmDecoded* out);

typedef struct {
  const char* name;     /* "cortex-m4-trm" */
  const char* core;     /* "cortex-m4" */
  int load_store_rules; /* M4: pipelined loads and the address-generation stall */
  unsigned half_cycles[CM_CLASS_COUNT];
  unsigned pipelined_load_half_cycles; /* a load/store right behind an independent LDR */
  unsigned store_reg_offset_half_cycles;
  unsigned agu_stall_half_cycles;    /* address written by the instruction just before */
  unsigned per_transfer_half_cycles; /* CM_MULTI: cost = base + per transfer x N */
  unsigned taken_branch_half_cycles; /* P, the pipeline refill, added per taken branch */
} CmTimingModel;

/* "cortex-m4" or "cortex-m7"; NULL for anything else. Copy the model to change P (the plugin's
 * branch_penalty option does). */
const CmTimingModel* cm_find_model(const char* core);

/* What the load/store rules need to know about the instruction before. Reset at the start of
 * every translation block (pipelining across blocks is not modelled). */
typedef struct {
  int prev_load_dest; /* destination of a preceding single LDR, -1 otherwise */
  int prev_alu_dest;  /* destination of a preceding ALU / MAC instruction, -1 otherwise */
} CmPipeline;

void cm_pipeline_reset(CmPipeline* pipeline);

/* Static cost of `insn` in half cycles given the instruction before (pipeline), which it
 * updates. */
unsigned cm_cost_half_cycles(const CmTimingModel* model, const CmDecoded* insn,
                             CmPipeline* pipeline);

#endif /* TINYNAS_CORTEX_M_COST_H */
