/* ARM semihosting via "bkpt 0xAB" (Thumb / M-profile): r0 = operation, r1 = argument block. */
#include "hil_semihost.h"

#include <string.h>

enum {
  kSysOpen = 0x01,
  kSysClose = 0x02,
  kSysWrite0 = 0x04,
  kSysWrite = 0x05,
  kSysRead = 0x06,
  kSysFlen = 0x0C,
  kSysExitExtended = 0x20,
  kAdpStoppedApplicationExit = 0x20026
};

static int32_t sh_call(uint32_t op, const void* arg) {
  register uint32_t r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return (int32_t)r0;
}

int hil_sh_open(const char* path, int mode) {
  uint32_t block[3];
  block[0] = (uint32_t)(uintptr_t)path;
  block[1] = (uint32_t)mode;
  block[2] = (uint32_t)strlen(path);
  return (int)sh_call(kSysOpen, block);
}

void hil_sh_close(int fd) {
  uint32_t block[1];
  block[0] = (uint32_t)fd;
  (void)sh_call(kSysClose, block);
}

uint32_t hil_sh_read(int fd, void* buf, uint32_t len) {
  uint32_t block[3];
  block[0] = (uint32_t)fd;
  block[1] = (uint32_t)(uintptr_t)buf;
  block[2] = len;
  return (uint32_t)sh_call(kSysRead, block);
}

uint32_t hil_sh_write(int fd, const void* buf, uint32_t len) {
  uint32_t block[3];
  block[0] = (uint32_t)fd;
  block[1] = (uint32_t)(uintptr_t)buf;
  block[2] = len;
  return (uint32_t)sh_call(kSysWrite, block);
}

long hil_sh_flen(int fd) {
  uint32_t block[1];
  block[0] = (uint32_t)fd;
  return (long)sh_call(kSysFlen, block);
}

void hil_sh_write0(const char* text) {
  (void)sh_call(kSysWrite0, text);
}

void hil_sh_exit(int code) {
  uint32_t block[2];
  block[0] = kAdpStoppedApplicationExit;
  block[1] = (uint32_t)code;
  (void)sh_call(kSysExitExtended, block);
  for (;;) {
  }
}
