/* SPDX-License-Identifier: MIT */
/* fpu.h - the 440's classic PowerPC floating-point unit (internal to core/). */
#ifndef HV440_CORE_FPU_H
#define HV440_CORE_FPU_H

#include <stdbool.h>
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

/*
 * The two halves of fpu_exec, apart for tests. fpu_exec_fast() completes
 * the common case (arithmetic in round-to-nearest on finite operands of
 * moderate exponent) on the host's SSE unit and returns true with *res
 * set; otherwise it returns false and has changed nothing.
 * fpu_exec_exact() is the reference path for every instruction.
 */
bool fpu_exec_fast(struct core *c, uint32_t insn, enum fpu_result *res);
enum fpu_result fpu_exec_exact(struct core *c, uint32_t insn);

/* The A-form operands (frA, frB, frC) that arithmetic word insn reads, as a mask of 1, 2, 4. */
unsigned fpu_a_form_operands(uint32_t insn);

/* lfs: single -> double bit pattern (exact, including denormals and NaNs). */
uint64_t fpu_single_to_double(uint32_t s);
/* stfs: double -> single bit pattern (Power ISA "Floating-Point Store" conversion). */
uint32_t fpu_double_to_single(uint64_t d);

#endif
