/* SPDX-License-Identifier: MIT */
/* isa.h (native) - the few tests/isa/lib calls bench/intloop.c makes, on the host's stdio, so the
 * same C runs natively as the physical limit of the bare-metal loop (bench/run.py). */
#ifndef BENCH_NATIVE_ISA_H
#define BENCH_NATIVE_ISA_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline void isa_puts(const char *s) { fputs(s, stdout); }
static inline void isa_putc(char c) { putchar(c); }
static inline void isa_hex32(uint32_t v) { printf("0x%08x", v); }
static inline void isa_exit(void) { exit(0); }
#endif
