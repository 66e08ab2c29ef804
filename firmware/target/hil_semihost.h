/* ARM semihosting calls used by the bench harness: open / read / write / close host files, print a
 * line on the host's stderr, and exit with a status. Direct "bkpt 0xAB" traps, so the harness needs
 * no stdio and no heap; QEMU runs with -semihosting-config enable=on,target=native and resolves
 * file names relative to its working directory.
 *
 *   int fd = hil_sh_open("inputs.bin", HIL_SH_MODE_READ);
 *   long n = hil_sh_flen(fd);
 *   if (hil_sh_read(fd, buf, 16) != 0) ... short read ...
 */
#ifndef TINYNAS_HIL_SEMIHOST_H
#define TINYNAS_HIL_SEMIHOST_H

#include <stdint.h>

/* SYS_OPEN modes (ISO C fopen modes in the semihosting numbering). */
#define HIL_SH_MODE_READ 1  /* "rb" */
#define HIL_SH_MODE_WRITE 5 /* "wb" */

/* Returns a handle >= 0, or -1 when the host cannot open the file. */
int hil_sh_open(const char* path, int mode);
void hil_sh_close(int fd);
/* Return 0 when all len bytes were transferred, else the number of bytes NOT transferred. */
uint32_t hil_sh_read(int fd, void* buf, uint32_t len);
uint32_t hil_sh_write(int fd, const void* buf, uint32_t len);
/* Length of an open file in bytes, or -1. */
long hil_sh_flen(int fd);
/* Writes a NUL-terminated string to the host's stderr (SYS_WRITE0). */
void hil_sh_write0(const char* text);
/* Ends the program with `code` as QEMU's exit status (SYS_EXIT_EXTENDED, ApplicationExit). */
void hil_sh_exit(int code) __attribute__((noreturn));

#endif /* TINYNAS_HIL_SEMIHOST_H */
