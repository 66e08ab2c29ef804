#include "cortex_m_cost.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char* const kClassNames[CM_CLASS_COUNT] = {
    "alu",    "mac",   "div", "load",   "store",  "pair",   "multi",
    "branch", "table", "fp",  "fp_mac", "fp_div", "fp_mem", "barrier"};

const char* cm_class_name(CmClass cls) {
  return (unsigned)cls < (unsigned)CM_CLASS_COUNT ? kClassNames[cls] : "?";
}

/* Cortex-M4 TRM r0p1 section 3.3.1, table 3-1, zero wait states, in half cycles:
 * ALU/MOV/shift/extend 1, MUL..SMLAD 1 (single-cycle MAC), SDIV/UDIV 2-12 (7 taken as typical),
 * LDR 2, STR 1 with an immediate offset / 2 with a register offset, LDRD/STRD 1+N = 3,
 * LDM/STM/PUSH/POP 1+N, branches 1 (+P when taken), TBB/TBH 2+P, FPU 1, VMLA/VFMA 3,
 * VDIV/VSQRT 14, VLDR/VSTR 2, DMB/DSB/ISB 1+B (B = 3 taken). P defaults to 2 (see the docs). */
static const CmTimingModel kCortexM4 = {
    "cortex-m4-trm", "cortex-m4", 1, {2, 2, 14, 4, 2, 6, 2, 2, 4, 2, 6, 28, 4, 8}, 2, 4, 2, 2, 4};

/* Cortex-M7: an approximation, not a pipeline model. Per-class cycles per instruction that
 * credit the dual issue (two ALU instructions per cycle: 0.5), single-cycle loads and stores
 * (TCM or cache hit), 64-bit LDRD/STRD and LDM/STM (N/2 beats), a taken branch costing one extra
 * cycle on average (the branch target cache hides most refills; mispredictions are not modelled).
 * No load/store pairing rules. */
static const CmTimingModel kCortexM7 = {
    "cortex-m7-cpi", "cortex-m7", 0, {1, 2, 14, 2, 2, 2, 2, 2, 4, 2, 2, 28, 2, 8}, 2, 2, 0, 1, 2};

const CmTimingModel* cm_find_model(const char* core) {
  if (core == NULL) return NULL;
  if (strcmp(core, "cortex-m4") == 0) return &kCortexM4;
  if (strcmp(core, "cortex-m7") == 0) return &kCortexM7;
  return NULL;
}

void cm_pipeline_reset(CmPipeline* pipeline) {
  pipeline->prev_load_dest = -1;
  pipeline->prev_alu_dest = -1;
}

/* Condition-code suffixes (inside IT blocks capstone appends them: "addeq", "ldrne"). */
static int is_condition(const char* s) {
  static const char* const kCodes[] = {"eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs",
                                       "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"};
  size_t i;
  for (i = 0; i < sizeof kCodes / sizeof kCodes[0]; ++i)
    if (strcmp(s, kCodes[i]) == 0) return 1;
  return 0;
}

/* "" or a condition code after `name`. */
static int is_exactly(const char* mnemonic, const char* name) {
  size_t n = strlen(name);
  return strncmp(mnemonic, name, n) == 0 && (mnemonic[n] == '\0' || is_condition(mnemonic + n));
}

static int starts_with(const char* s, const char* prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* r0..r15 and the aliases capstone prints; -1 for anything else. */
static int register_number(const char* s, size_t n) {
  static const struct {
    const char* name;
    int number;
  } kAliases[] = {{"sb", 9},  {"sl", 10}, {"fp", 11}, {"ip", 12},
                  {"sp", 13}, {"lr", 14}, {"pc", 15}};
  size_t i;
  while (n > 0 && isspace((unsigned char)*s)) ++s, --n;
  while (n > 0 && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '!')) --n;
  if (n >= 2 && n <= 3 && s[0] == 'r' && isdigit((unsigned char)s[1])) {
    int r = s[1] - '0';
    if (n == 3) {
      if (!isdigit((unsigned char)s[2])) return -1;
      r = r * 10 + (s[2] - '0');
    }
    return r <= 15 ? r : -1;
  }
  for (i = 0; i < sizeof kAliases / sizeof kAliases[0]; ++i)
    if (n == 2 && strncmp(s, kAliases[i].name, 2) == 0) return kAliases[i].number;
  return -1;
}

/* The first operand (up to a comma), as a core register. */
static int first_register(const char* operands) {
  size_t n = strcspn(operands, ",");
  return register_number(operands, n);
}

/* Core registers between [ and ] (the address), as a bit set; reg_offset when two appear. */
static uint32_t address_registers(const char* operands, int* reg_offset) {
  const char* open = strchr(operands, '[');
  const char* close = open ? strchr(open, ']') : NULL;
  uint32_t set = 0;
  int count = 0;
  const char* p;
  *reg_offset = 0;
  if (open == NULL || close == NULL) return 0;
  p = open + 1;
  while (p < close) {
    size_t n = strcspn(p, ",]");
    int r = register_number(p, n);
    if (r >= 0) {
      set |= 1u << r;
      ++count;
    }
    p += n + 1;
  }
  *reg_offset = count >= 2;
  return set;
}

/* Number of registers in "{r4, r5, lr}" or "{d8-d15}"; sets *has_pc when the list holds the PC. */
static int register_list(const char* operands, int* has_pc) {
  const char* open = strchr(operands, '{');
  const char* close = open ? strchr(open, '}') : NULL;
  const char* p;
  int count = 0;
  *has_pc = 0;
  if (open == NULL || close == NULL) return 1;
  p = open + 1;
  while (p < close) {
    size_t n = strcspn(p, ",}");
    const char* dash = memchr(p, '-', n);
    if (register_number(p, n) == 15) *has_pc = 1;
    if (dash != NULL) {
      /* A range like s16-s31: the numbers after the letter on each side. */
      const char* a = p;
      while (a < dash && !isdigit((unsigned char)*a)) ++a;
      const char* b = dash + 1;
      while (b < p + n && !isdigit((unsigned char)*b)) ++b;
      int span = atoi(b) - atoi(a) + 1;
      count += span > 0 ? span : 1;
    } else {
      ++count;
    }
    p += n + 1;
  }
  return count > 0 ? count : 1;
}

static int is_branch_mnemonic(const char* m) {
  return is_exactly(m, "b") || is_exactly(m, "bl") || is_exactly(m, "bx") || is_exactly(m, "blx") ||
         strcmp(m, "cbz") == 0 || strcmp(m, "cbnz") == 0;
}

static int is_mac_mnemonic(const char* m) {
  static const char* const kPrefixes[] = {"mul",   "mla",   "mls",   "smul",  "smla",
                                          "smls",  "smmul", "smmla", "smmls", "smuad",
                                          "smusd", "umul",  "umla",  "umaal"};
  size_t i;
  for (i = 0; i < sizeof kPrefixes / sizeof kPrefixes[0]; ++i)
    if (starts_with(m, kPrefixes[i])) return 1;
  return 0;
}

static int is_fp_mac_mnemonic(const char* m) {
  static const char* const kPrefixes[] = {"vmla",  "vmls",  "vfma",  "vfms",
                                          "vnmla", "vnmls", "vfnma", "vfnms"};
  size_t i;
  for (i = 0; i < sizeof kPrefixes / sizeof kPrefixes[0]; ++i)
    if (starts_with(m, kPrefixes[i])) return 1;
  return 0;
}

/* Compares, tests and IT write no register. */
static int writes_first_operand(const char* m) {
  return !(starts_with(m, "cmp") || starts_with(m, "cmn") || starts_with(m, "tst") ||
           starts_with(m, "teq") || starts_with(m, "it") || starts_with(m, "nop") ||
           starts_with(m, "msr") || starts_with(m, "cps"));
}

static CmClass classify(const char* m) {
  if (is_branch_mnemonic(m)) return CM_BRANCH;
  if (starts_with(m, "tbb") || starts_with(m, "tbh")) return CM_TABLE;
  if (starts_with(m, "ldrd") || starts_with(m, "strd")) return CM_PAIR;
  if (starts_with(m, "ldm") || starts_with(m, "stm") || starts_with(m, "push") ||
      starts_with(m, "pop") || starts_with(m, "vldm") || starts_with(m, "vstm") ||
      starts_with(m, "vpush") || starts_with(m, "vpop"))
    return CM_MULTI;
  if (starts_with(m, "ldr")) return CM_LOAD;
  if (starts_with(m, "str")) return CM_STORE;
  if (starts_with(m, "sdiv") || starts_with(m, "udiv")) return CM_DIV;
  if (is_mac_mnemonic(m)) return CM_MAC;
  if (starts_with(m, "vldr") || starts_with(m, "vstr")) return CM_FP_MEM;
  if (is_fp_mac_mnemonic(m)) return CM_FP_MAC;
  if (starts_with(m, "vdiv") || starts_with(m, "vsqrt")) return CM_FP_DIV;
  if (m[0] == 'v') return CM_FP;
  if (starts_with(m, "dmb") || starts_with(m, "dsb") || starts_with(m, "isb")) return CM_BARRIER;
  return CM_ALU;
}

int cm_decode(const char* disas, CmDecoded* out) {
  char mnemonic[32];
  size_t n = 0;
  const char* operands;
  memset(out, 0, sizeof *out);
  out->dest = -1;
  while (*disas != '\0' && isspace((unsigned char)*disas)) ++disas;
  if (*disas == '\0') return -1;
  /* The mnemonic without its width (".w", ".n") or data type (".f32", ".s8"). */
  while (disas[n] != '\0' && !isspace((unsigned char)disas[n]) && n + 1 < sizeof mnemonic) {
    mnemonic[n] = (char)tolower((unsigned char)disas[n]);
    ++n;
  }
  mnemonic[n] = '\0';
  operands = disas + n;
  while (*operands != '\0' && isspace((unsigned char)*operands)) ++operands;
  {
    char* dot = strchr(mnemonic, '.');
    if (dot != NULL) *dot = '\0';
  }

  out->cls = classify(mnemonic);
  switch (out->cls) {
    case CM_LOAD:
    case CM_STORE:
    case CM_PAIR:
    case CM_FP_MEM:
      out->addr_regs = address_registers(operands, &out->reg_offset);
      if (out->cls == CM_LOAD) out->dest = first_register(operands);
      out->changes_flow = out->dest == 15;
      break;
    case CM_MULTI: {
      int has_pc = 0;
      int base = first_register(operands);
      out->transfers = register_list(operands, &has_pc);
      if (starts_with(mnemonic, "push") || starts_with(mnemonic, "pop") ||
          starts_with(mnemonic, "vpush") || starts_with(mnemonic, "vpop"))
        base = 13;
      if (base >= 0) out->addr_regs = 1u << base;
      out->changes_flow = has_pc && (starts_with(mnemonic, "pop") || starts_with(mnemonic, "ldm"));
      break;
    }
    case CM_BRANCH:
    case CM_TABLE:
      out->changes_flow = 1;
      if (out->cls == CM_BRANCH) {
        const char* hash = strchr(operands, '#');
        if (hash != NULL) {
          out->has_target = 1;
          out->target = strtoull(hash + 1, NULL, 0);
          out->is_call = strcmp(mnemonic, "bl") == 0;
        }
      }
      break;
    case CM_ALU:
    case CM_MAC:
    case CM_DIV:
      if (writes_first_operand(mnemonic)) out->dest = first_register(operands);
      out->changes_flow = out->dest == 15;
      break;
    default:
      break;
  }
  return 0;
}

unsigned cm_cost_half_cycles(const CmTimingModel* model, const CmDecoded* insn,
                             CmPipeline* pipeline) {
  unsigned cost = model->half_cycles[insn->cls];
  int single_access = insn->cls == CM_LOAD || insn->cls == CM_STORE;
  if (insn->cls == CM_STORE && insn->reg_offset) cost = model->store_reg_offset_half_cycles;
  if (insn->cls == CM_MULTI)
    cost =
        model->half_cycles[CM_MULTI] + model->per_transfer_half_cycles * (unsigned)insn->transfers;
  if (model->load_store_rules) {
    /* TRM 3.3: a load or store right behind an LDR overlaps its address phase with the LDR's data
     * phase unless its address needs the loaded value. */
    if (single_access && pipeline->prev_load_dest >= 0 &&
        !(insn->addr_regs & (1u << pipeline->prev_load_dest)))
      cost = model->pipelined_load_half_cycles;
    /* The address generation needs a register the ALU wrote in the cycle before. */
    if (insn->addr_regs != 0 && pipeline->prev_alu_dest >= 0 &&
        (insn->addr_regs & (1u << pipeline->prev_alu_dest)))
      cost += model->agu_stall_half_cycles;
  }
  pipeline->prev_load_dest = insn->cls == CM_LOAD && !insn->changes_flow ? insn->dest : -1;
  pipeline->prev_alu_dest = insn->cls == CM_ALU || insn->cls == CM_MAC ? insn->dest : -1;
  return cost;
}
