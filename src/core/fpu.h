/* SPDX-License-Identifier: MIT */
/* fpu.h - the 440's classic PowerPC floating-point unit (internal to core/). */
#ifndef HV440_CORE_FPU_H
#define HV440_CORE_FPU_H

#include <stdint.h>

struct core;

enum fpu_result {
	FPU_OK = 0,      /* done; the caller advances pc */
	FPU_ILLEGAL,     /* not an instruction of the 440 FPU: illegal-instruction program interrupt */
	FPU_PROGRAM,     /* enabled FP exception (FPSCR[FEX] with MSR[FE0|FE1]): program interrupt, ESR[FP] */
};

/*
 * Execute one arithmetic/move/compare/FPSCR instruction of primary opcode
 * 59 or 63. Loads and stores are the integer unit's; it uses the
 * conversions below. The caller has checked core.fp_enabled.
 */
enum fpu_result fpu_exec(struct core *c, uint32_t insn);

/* lfs: single -> double bit pattern (exact, including denormals and NaNs). */
uint64_t fpu_single_to_double(uint32_t s);
/* stfs: double -> single bit pattern (Power ISA "Floating-Point Store" conversion). */
uint32_t fpu_double_to_single(uint64_t d);

#endif
