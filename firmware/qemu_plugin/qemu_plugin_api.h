/* The few declarations of QEMU's TCG plugin API (version 1, QEMU 7.2) that cortex_m_timing.c
 * uses, written by hand: Debian ships qemu-system-arm with plugin support (every qemu_plugin_*
 * symbol is exported by the executable) but no qemu-plugin.h. The names, argument types and the
 * version number follow QEMU's public plugin API; nothing here is copied from QEMU's sources.
 * Only what this plugin calls is declared, so a mismatch stays small and visible. */
#ifndef TINYNAS_QEMU_PLUGIN_API_H
#define TINYNAS_QEMU_PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

#define TINYNAS_QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

/* The API version this plugin is written against; QEMU 7.2 accepts 0..1. */
#define TINYNAS_QEMU_PLUGIN_API_VERSION 1

typedef uint64_t qemu_plugin_id_t;

/* Opaque to plugins: translation blocks, their instructions, QEMU's description of itself. */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info_t;

/* QEMU_PLUGIN_CB_NO_REGS: the callback reads no guest registers (cheapest). */
enum qemu_plugin_cb_flags {
  QEMU_PLUGIN_CB_NO_REGS = 0,
  QEMU_PLUGIN_CB_R_REGS = 1,
  QEMU_PLUGIN_CB_RW_REGS = 2
};

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb* tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void* userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void* userdata);

/* Called once when QEMU loads the plugin; argv holds the "key=value" options after the file name
 * on -plugin. Non-zero refuses to load. */
TINYNAS_QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                                   const struct qemu_info_t* info, int argc,
                                                   char** argv);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb* tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void* userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void* userdata);

size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb* tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb* tb);
struct qemu_plugin_insn* qemu_plugin_tb_get_insn(const struct qemu_plugin_tb* tb, size_t idx);

uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn* insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn* insn);
/* "mnemonic operands" from QEMU's disassembler (capstone); the caller frees it. */
char* qemu_plugin_insn_disas(const struct qemu_plugin_insn* insn);

/* Text to QEMU's log (-d plugin, -D file). */
void qemu_plugin_outs(const char* string);

#endif /* TINYNAS_QEMU_PLUGIN_API_H */
