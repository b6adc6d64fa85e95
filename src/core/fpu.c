/* SPDX-License-Identifier: MIT */
/* fpu.c - placeholder until the FPU lands: every FP operation is illegal. */
#include "core/fpu.h"
#include "core/core.h"

enum fpu_result fpu_exec(struct core *c, uint32_t insn)
{
	(void)c;
	(void)insn;
	return FPU_ILLEGAL;
}

uint64_t fpu_single_to_double(uint32_t s)
{
	(void)s;
	return 0;
}

uint32_t fpu_double_to_single(uint64_t d)
{
	(void)d;
	return 0;
}
