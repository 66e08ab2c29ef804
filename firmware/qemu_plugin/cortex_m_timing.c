/* cortex_m_timing: a QEMU TCG plugin that estimates Cortex-M4 / Cortex-M7 cycles of the code QEMU
 * executes, next to exact instruction counts, and snapshots both counters when execution reaches
 * the model's entry (tinynas_invoke), its per-layer marker (tinynas_layer_done) and the return
 * from tinynas_invoke. The C++ side (firmware/cycle_estimate.h) turns the snapshots into cycles
 * per inference and per layer.
 *
 *   qemu-system-arm ... -plugin libtinynas_cortex_m_timing.so,out=cycles.txt,core=cortex-m4,
 *       branch_penalty=2,invoke=0x1a5,layer_done=0x2c1
 *
 * At translation each instruction is classified from its disassembly and the block's static cost
 * summed (cortex_m_cost.h). One callback per executed block adds the block's instructions and
 * cost, and the refill penalty P when the block before ended in a branch and this block is not
 * its fall-through (a taken branch), and takes back the tail of a block QEMU abandoned at an I/O
 * access (-icount re-runs it from there). The return from tinynas_invoke is found by its callers: a
 * "bl #<invoke>" makes the address after it a marker.
 *
 * Output (out=FILE, written as the events happen, closed at exit):
 *   tinynas_cycles 1
 *   model NAME core CORE branch_penalty P
 *   event invoke|layer|return insns N cycles C     counters when execution reached the point
 *   total insns N cycles C taken_branches T
 *   class NAME insns N                             executed instructions per class
 *   end
 * Cycles are estimates from the reference manuals' tables, not measurements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cortex_m_cost.h"
#include "qemu_plugin_api.h"

TINYNAS_QEMU_PLUGIN_EXPORT int qemu_plugin_version = TINYNAS_QEMU_PLUGIN_API_VERSION;

enum { MARK_INVOKE, MARK_LAYER, MARK_RETURN, MARK_KINDS };
static const char* const kMarkNames[MARK_KINDS] = {"invoke", "layer", "return"};

/* A marker inside a block: the counters are snapshotted as they stand before that instruction. */
typedef struct {
  int kind;
  uint32_t insns_before;
  uint64_t half_cycles_before;
} BlockMark;

#define MAX_BLOCK_MARKS 4
#define MAX_RETURN_SITES 64

/* One translated block's static summary; one allocation per translation, freed at exit. */
typedef struct Block {
  struct Block* next;
  uint64_t start;
  uint64_t fall_through;
  uint32_t insns;
  uint64_t half_cycles;
  int ends_in_branch;
  int has_branch_target; /* the last instruction is a direct branch to branch_target */
  uint64_t branch_target;
  uint32_t class_insns[CM_CLASS_COUNT];
  int marks;
  BlockMark mark[MAX_BLOCK_MARKS];
  /* Per instruction, for undoing a block QEMU cut short: address, cost before it, class. */
  uint64_t* address;
  uint64_t* half_cycles_before;
  uint8_t* cls;
} Block;

static struct {
  CmTimingModel model;
  FILE* out;
  uint64_t invoke_address;     /* 0: not given */
  uint64_t layer_done_address; /* 0: not given */
  uint64_t return_sites[MAX_RETURN_SITES];
  int return_site_count;
  /* Running counters (mps2 has one vCPU, so no locking). */
  uint64_t insns;
  uint64_t half_cycles;
  uint64_t taken_branches;
  uint64_t class_insns[CM_CLASS_COUNT];
  const Block* prev;
  Block* blocks;
} g;

static int mark_kind_at(uint64_t address) {
  int i;
  if (g.invoke_address != 0 && address == g.invoke_address) return MARK_INVOKE;
  if (g.layer_done_address != 0 && address == g.layer_done_address) return MARK_LAYER;
  for (i = 0; i < g.return_site_count; ++i)
    if (g.return_sites[i] == address) return MARK_RETURN;
  return -1;
}

static void add_return_site(uint64_t address) {
  int i;
  for (i = 0; i < g.return_site_count; ++i)
    if (g.return_sites[i] == address) return;
  if (g.return_site_count < MAX_RETURN_SITES) g.return_sites[g.return_site_count++] = address;
}

static void write_event(int kind, uint64_t insns, uint64_t half_cycles) {
  if (g.out == NULL) return;
  fprintf(g.out, "event %s insns %llu cycles %.1f\n", kMarkNames[kind], (unsigned long long)insns,
          (double)half_cycles / 2.0);
}

/* Under -icount, a block that touches an I/O register before its last instruction is abandoned
 * after that instruction, which QEMU re-runs alone without plugin callbacks; the callback had
 * counted the whole block, so when the next block starts inside the previous one (and not as its
 * branch's target: a loop), take back the previous block's part from there on. */
static int undo_cut_short_tail(const Block* prev, const Block* b) {
  uint32_t k;
  if (prev == NULL || b->start <= prev->start || b->start >= prev->fall_through) return 0;
  if (prev->has_branch_target && prev->branch_target == b->start) return 0;
  for (k = 1; k < prev->insns; ++k) {
    if (prev->address[k] != b->start) continue;
    g.insns -= prev->insns - k;
    g.half_cycles -= prev->half_cycles - prev->half_cycles_before[k];
    for (; k < prev->insns; ++k) --g.class_insns[prev->cls[k]];
    return 1;
  }
  return 0;
}

static void on_block_exec(unsigned int vcpu_index, void* userdata) {
  const Block* b = (const Block*)userdata;
  int i;
  (void)vcpu_index;
  if (!undo_cut_short_tail(g.prev, b) && g.prev != NULL && g.prev->ends_in_branch &&
      b->start != g.prev->fall_through) {
    g.half_cycles += g.model.taken_branch_half_cycles;
    ++g.taken_branches;
  }
  for (i = 0; i < b->marks; ++i)
    write_event(b->mark[i].kind, g.insns + b->mark[i].insns_before,
                g.half_cycles + b->mark[i].half_cycles_before);
  g.insns += b->insns;
  g.half_cycles += b->half_cycles;
  for (i = 0; i < CM_CLASS_COUNT; ++i) g.class_insns[i] += b->class_insns[i];
  g.prev = b;
}

static void on_block_translated(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  size_t n = qemu_plugin_tb_n_insns(tb);
  size_t i;
  CmPipeline pipeline;
  Block* b = (Block*)calloc(1, sizeof *b);
  (void)id;
  if (b == NULL) return;
  b->address = (uint64_t*)calloc(n + 1, sizeof *b->address);
  b->half_cycles_before = (uint64_t*)calloc(n + 1, sizeof *b->half_cycles_before);
  b->cls = (uint8_t*)calloc(n + 1, 1);
  if (b->address == NULL || b->half_cycles_before == NULL || b->cls == NULL) {
    free(b->address);
    free(b->half_cycles_before);
    free(b->cls);
    free(b);
    return;
  }
  b->start = qemu_plugin_tb_vaddr(tb);
  b->fall_through = b->start;
  cm_pipeline_reset(&pipeline);
  for (i = 0; i < n; ++i) {
    const struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    uint64_t address = qemu_plugin_insn_vaddr(insn);
    char* text = qemu_plugin_insn_disas(insn);
    CmDecoded decoded;
    int kind = mark_kind_at(address);
    if (kind >= 0 && b->marks < MAX_BLOCK_MARKS) {
      b->mark[b->marks].kind = kind;
      b->mark[b->marks].insns_before = b->insns;
      b->mark[b->marks].half_cycles_before = b->half_cycles;
      ++b->marks;
    }
    if (text == NULL || cm_decode(text, &decoded) != 0) {
      memset(&decoded, 0, sizeof decoded);
      decoded.cls = CM_ALU;
      decoded.dest = -1;
    }
    free(text);
    if (decoded.is_call && g.invoke_address != 0 && decoded.target == g.invoke_address)
      add_return_site(address + qemu_plugin_insn_size(insn));
    b->address[i] = address;
    b->half_cycles_before[i] = b->half_cycles;
    b->cls[i] = (uint8_t)decoded.cls;
    b->half_cycles += cm_cost_half_cycles(&g.model, &decoded, &pipeline);
    ++b->insns;
    ++b->class_insns[decoded.cls];
    b->fall_through = address + qemu_plugin_insn_size(insn);
    b->ends_in_branch = decoded.changes_flow;
    b->has_branch_target = decoded.has_target;
    b->branch_target = decoded.target;
  }
  b->next = g.blocks;
  g.blocks = b;
  qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block_exec, QEMU_PLUGIN_CB_NO_REGS, b);
}

static void on_qemu_exit(qemu_plugin_id_t id, void* userdata) {
  int i;
  (void)id;
  (void)userdata;
  if (g.out != NULL) {
    fprintf(g.out, "total insns %llu cycles %.1f taken_branches %llu\n",
            (unsigned long long)g.insns, (double)g.half_cycles / 2.0,
            (unsigned long long)g.taken_branches);
    for (i = 0; i < CM_CLASS_COUNT; ++i)
      fprintf(g.out, "class %s insns %llu\n", cm_class_name((CmClass)i),
              (unsigned long long)g.class_insns[i]);
    fprintf(g.out, "end\n");
    fclose(g.out);
    g.out = NULL;
  }
  while (g.blocks != NULL) {
    Block* next = g.blocks->next;
    free(g.blocks->address);
    free(g.blocks->half_cycles_before);
    free(g.blocks->cls);
    free(g.blocks);
    g.blocks = next;
  }
}

static int parse_address(const char* text, uint64_t* address) {
  char* end = NULL;
  unsigned long long value = strtoull(text, &end, 0);
  if (end == text || *end != '\0') return -1;
  *address = (uint64_t)value & ~(uint64_t)1; /* Thumb symbols carry bit 0 */
  return 0;
}

static int refuse(const char* why, const char* arg) {
  char message[256];
  snprintf(message, sizeof message, "cortex_m_timing: %s: '%s'\n", why, arg);
  qemu_plugin_outs(message);
  fputs(message, stderr);
  return -1;
}

TINYNAS_QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                                   const struct qemu_info_t* info, int argc,
                                                   char** argv) {
  const char* out_path = NULL;
  const char* core = "cortex-m4";
  long penalty = -1;
  int i;
  (void)info;
  memset(&g, 0, sizeof g);
  for (i = 0; i < argc; ++i) {
    const char* arg = argv[i];
    if (strncmp(arg, "out=", 4) == 0) {
      out_path = arg + 4;
    } else if (strncmp(arg, "core=", 5) == 0) {
      core = arg + 5;
    } else if (strncmp(arg, "branch_penalty=", 15) == 0) {
      char* end = NULL;
      penalty = strtol(arg + 15, &end, 10);
      if (end == arg + 15 || *end != '\0' || penalty < 0 || penalty > 8)
        return refuse("branch_penalty must be 0..8", arg);
    } else if (strncmp(arg, "invoke=", 7) == 0) {
      if (parse_address(arg + 7, &g.invoke_address) != 0) return refuse("bad address", arg);
    } else if (strncmp(arg, "layer_done=", 11) == 0) {
      if (parse_address(arg + 11, &g.layer_done_address) != 0) return refuse("bad address", arg);
    } else {
      return refuse("unknown option", arg);
    }
  }
  if (cm_find_model(core) == NULL) return refuse("core must be cortex-m4 or cortex-m7", core);
  g.model = *cm_find_model(core);
  if (penalty >= 0) g.model.taken_branch_half_cycles = 2u * (unsigned)penalty;
  if (out_path != NULL) {
    g.out = fopen(out_path, "w");
    if (g.out == NULL) return refuse("cannot write", out_path);
    fprintf(g.out, "tinynas_cycles 1\nmodel %s core %s branch_penalty %.1f\n", g.model.name,
            g.model.core, (double)g.model.taken_branch_half_cycles / 2.0);
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_block_translated);
  qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
  return 0;
}
