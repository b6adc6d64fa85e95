/* SPDX-License-Identifier: MIT */
/* lockstep.c - the lockstep engine: every block on the interpreter and the JIT, compared. */
#include "core/internal.h"
#include "core/block.h"
#include "core/jit.h"

#include <stdio.h>
#include <string.h>

/* The architected state the lockstep engine compares. */
struct arch {
	uint32_t gpr[32];
	uint32_t cr, xer, lr, ctr, pc, fpscr, usprg0;
	uint64_t fpr[32];
	bool resv_valid;
	gpa_t resv_pa;
	struct core_exit exit;
	struct core_mmio_pending mmio;
};

static void arch_save(const struct core *c, struct arch *a)
{
	memcpy(a->gpr, c->gpr, sizeof(a->gpr));
	memcpy(a->fpr, c->fpr, sizeof(a->fpr));
	a->cr = c->cr;
	a->xer = c->xer;
	a->lr = c->lr;
	a->ctr = c->ctr;
	a->pc = c->pc;
	a->fpscr = c->fpscr;
	a->usprg0 = c->usprg0;
	a->resv_valid = c->resv_valid;
	a->resv_pa = c->resv_pa;
	a->exit = c->exit;
	a->mmio = c->mmio;
}

static void arch_load(struct core *c, const struct arch *a)
{
	memcpy(c->gpr, a->gpr, sizeof(a->gpr));
	memcpy(c->fpr, a->fpr, sizeof(a->fpr));
	c->cr = a->cr;
	c->xer = a->xer;
	c->lr = a->lr;
	c->ctr = a->ctr;
	c->pc = a->pc;
	c->fpscr = a->fpscr;
	c->usprg0 = a->usprg0;
	c->resv_valid = a->resv_valid;
	c->resv_pa = a->resv_pa;
	c->exit = a->exit;
	c->mmio = a->mmio;
}

/* The first difference between the interpreter's state i and the JIT's j, or false. */
static bool arch_diff(const struct arch *i, const struct arch *j, bool exited, char *out, size_t n)
{
#define DIFF32(name, a, b)                                                                     \
	do {                                                                                   \
		if ((a) != (b)) {                                                              \
			snprintf(out, n, "%s: interpreter 0x%08x, JIT 0x%08x", name, (unsigned)(a), \
				 (unsigned)(b));                                               \
			return true;                                                           \
		}                                                                              \
	} while (0)
	char r[8];

	for (unsigned k = 0; k < 32; k++) {
		if (i->gpr[k] != j->gpr[k]) {
			snprintf(r, sizeof(r), "r%u", k);
			DIFF32(r, i->gpr[k], j->gpr[k]);
		}
		if (i->fpr[k] != j->fpr[k]) {
			snprintf(out, n, "f%u: interpreter 0x%016llx, JIT 0x%016llx", k,
				 (unsigned long long)i->fpr[k], (unsigned long long)j->fpr[k]);
			return true;
		}
	}
	DIFF32("cr", i->cr, j->cr);
	DIFF32("xer", i->xer, j->xer);
	DIFF32("lr", i->lr, j->lr);
	DIFF32("ctr", i->ctr, j->ctr);
	DIFF32("pc", i->pc, j->pc);
	DIFF32("fpscr", i->fpscr, j->fpscr);
	DIFF32("usprg0", i->usprg0, j->usprg0);
	DIFF32("reservation", i->resv_valid, j->resv_valid);
	DIFF32("reservation address", (uint32_t)i->resv_pa, (uint32_t)j->resv_pa);
	if (exited) {
		DIFF32("exit kind", i->exit.kind, j->exit.kind);
		DIFF32("exit insn", i->exit.insn, j->exit.insn);
		DIFF32("exit esr", i->exit.esr, j->exit.esr);
		DIFF32("exit ea", i->exit.ea, j->exit.ea);
		DIFF32("exit pa", (uint32_t)i->exit.pa, (uint32_t)j->exit.pa);
		DIFF32("exit write", i->exit.write, j->exit.write);
		if (i->exit.kind == CORE_EXIT_MMIO) {
			DIFF32("mmio size", i->exit.size, j->exit.size);
			DIFF32("mmio data", (uint32_t)i->exit.data, (uint32_t)j->exit.data);
			DIFF32("mmio register", i->mmio.reg, j->mmio.reg);
			DIFF32("mmio kind", i->mmio.kind, j->mmio.kind);
		}
	}
	return false;
#undef DIFF32
}

/*
 * The lockstep engine: block b runs in the interpreter (its RAM writes
 * logged), then the writes are undone, the registers restored, and the
 * JIT runs it; any difference in registers, exit or bytes written stops
 * the core with CORE_EXIT_LOCKSTEP. Blocks that read the timebase or kill
 * code are not comparable and keep the interpreter's result.
 */
int lockstep_run(struct core *c, struct block *b, uint64_t *done, struct block **last)
{
	const struct insn *ins = &block_cache(c)->ins[b->first];
	struct arch s0, si, sj;
	uint64_t k = 0, dj;
	int x = X_NEXT, ri, rj;
	bool comparable = true;

	arch_save(c, &s0);
	c->n_wlog = 0;
	c->wlog_full = false;
	c->wlog_on = true;
	while (k < b->n) {
		const struct insn *i = &ins[k];

		if (i->op == OP_MFTB || (i->op == OP_MFSPR && (i->imm == 268 || i->imm == 269)))
			comparable = false;
		x = core_exec_insn(c, i);
		if (x == X_EXIT) {
			c->exit.insn = i->word;
			break;
		}
		k++;
		if (x == X_BRANCH || c->code_changed)
			break;
	}
	c->wlog_on = false;
	ri = x == X_EXIT ? JIT_EXIT : JIT_LEAVE;
	*done = k;
	*last = b;
	if (!comparable || c->code_changed || c->wlog_full)
		return ri;
	arch_save(c, &si);
	for (unsigned w = 0; w < c->n_wlog; w++)
		memcpy(c->wlog[w].now, c->wlog[w].host, c->wlog[w].len);
	for (unsigned w = c->n_wlog; w-- > 0;)
		memcpy(c->wlog[w].host, c->wlog[w].old, c->wlog[w].len);
	arch_load(c, &s0);

	rj = jit_run(c, b, b->n, &dj, last);
	*done = dj;
	core_fp_settle(c); /* compare the FPSCR complete */
	arch_save(c, &sj);
	if (ri != rj || k != dj) {
		snprintf(c->lockstep_diff, sizeof(c->lockstep_diff),
			 "interpreter ran %llu instructions and %s, JIT %llu and %s",
			 (unsigned long long)k, ri == JIT_EXIT ? "exited" : "left",
			 (unsigned long long)dj, rj == JIT_EXIT ? "exited" : "left");
		goto differ;
	}
	if (arch_diff(&si, &sj, ri == JIT_EXIT, c->lockstep_diff, sizeof(c->lockstep_diff)))
		goto differ;
	for (unsigned w = 0; w < c->n_wlog; w++) {
		if (memcmp(c->wlog[w].host, c->wlog[w].now, c->wlog[w].len)) {
			snprintf(c->lockstep_diff, sizeof(c->lockstep_diff),
				 "RAM at PA 0x%llx: the JIT wrote different bytes",
				 (unsigned long long)(c->wlog[w].host - c->ram));
			goto differ;
		}
	}
	return rj;
differ:
	c->exit.kind = CORE_EXIT_LOCKSTEP;
	c->exit.ea = s0.pc;
	c->exit.pa = b->pa;
	return JIT_EXIT;
}
