/* SPDX-License-Identifier: MIT */
/* dispatch.c - core_run: the engine choice, the block dispatcher and the single-step loop. */
#include "core/internal.h"
#include "core/block.h"
#include "core/jit.h"

#include <errno.h>
#include <stdlib.h>

/* The instruction counts between event checks when no branch is taken. */
#define EVENT_CHECK_MASK 255u

int core_set_engine(struct core *c, enum core_engine engine, int perf_fd)
{
	c->lockstep = false;
	if (engine == CORE_ENGINE_INTERP) {
		jit_fini(c);
		block_flush(c);
		return 0;
	}
#if defined(__x86_64__)
	if (engine == CORE_ENGINE_LOCKSTEP) {
		if (!c->wlog)
			c->wlog = calloc(CORE_WLOG_MAX, sizeof(*c->wlog));
		if (!c->wlog)
			return -ENOMEM;
		c->lockstep = true;
	}
	return jit_init(c, perf_fd);
#else
	(void)perf_fd;
	return -ENOTSUP;
#endif
}

void core_fini(struct core *c)
{
	jit_fini(c);
	free(c->wlog);
	c->wlog = NULL;
	core_dirty_stop(c);
}

static bool at_breakpoint(const struct core *c, gva_t pc)
{
	for (unsigned k = 0; k < c->n_breakpoints && k < CORE_MAX_BREAKPOINTS; k++)
		if (c->breakpoints[k] == pc)
			return true;
	return false;
}

/* Fetch the word at pc; false with c->exit filled on a miss, ISI or fetch from I/O. */
static inline bool fetch(struct core *c, gva_t pc, uint32_t *word)
{
	const struct core_fast_entry *f =
		&c->fast[c->ctx.kmode][CORE_ACC_FETCH][(pc >> 12) & (CORE_FAST_SIZE - 1)];
	enum xlate_result xr;
	uint32_t len;
	gpa_t pa;
	bool le;

	if (likely(f->tag == ((pc & ~0xfffu) | c->fast_key[CORE_ACC_FETCH]))) {
		*word = ld_be32((const uint8_t *)(f->addend + pc));
		return true;
	}
	xr = core_xlate(c, pc, CORE_ACC_FETCH, 0, &pa, &len, &le);
	if (xr == XL_FAULT)
		return false;
	if (xr == XL_IO || len < 4) {
		c->exit.kind = CORE_EXIT_FETCH_IO;
		c->exit.ea = pc;
		c->exit.pa = pa;
		return false;
	}
	*word = ld_be32(c->ram + pa);
	if (le)
		*word = __builtin_bswap32(*word);
	return true;
}

/* Fetch, decode and execute the instruction at c->pc; on X_EXIT c->exit is complete. */
static int step(struct core *c)
{
	struct insn in;
	uint32_t word;
	int x;

	if (unlikely(!fetch(c, c->pc, &word))) {
		c->exit.insn = 0;
		return X_EXIT;
	}
	core_decode(word, &in);
	x = core_exec_insn(c, &in);
	if (unlikely(x == X_EXIT))
		c->exit.insn = word;
	return x;
}

/*
 * The reference loop: fetch, decode and execute one instruction at a time.
 * Used while breakpoints are set (they are checked before every
 * instruction) and for code the block cache does not hold.
 */
static const struct core_exit *run_stepping(struct core *c, uint64_t budget)
{
	uint64_t n = 0;
	bool skip = c->skip_breakpoint_once;

	c->skip_breakpoint_once = false;
	for (;;) {
		int x;

		/* Instructions are word-aligned; the low two bits of the PC do not exist. */
		c->pc &= ~3u;
		if (unlikely(c->n_breakpoints) && !skip && at_breakpoint(c, c->pc)) {
			c->exit.kind = CORE_EXIT_DEBUG;
			c->exit.ea = c->pc;
			break;
		}
		skip = false;
		x = step(c);
		if (unlikely(x == X_EXIT))
			break;
		n++;
		if (unlikely(n >= budget)) {
			c->exit.kind = CORE_EXIT_BUDGET;
			break;
		}
		if ((x == X_BRANCH || (n & EVENT_CHECK_MASK) == 0) &&
		    unlikely(atomic_load_explicit(&c->events, memory_order_relaxed))) {
			c->exit.kind = CORE_EXIT_EVENT;
			break;
		}
	}
	c->stats.insns += n;
	return &c->exit;
}

/*
 * The block for the code at c->pc: found or built from the fetch fast
 * cache. NULL with *stop set when the fetch exits (c->exit filled), NULL
 * without it when the code must be stepped (little-endian or 1 KiB page).
 */
static inline struct block *block_at(struct core *c, struct block *prev, bool *stop)
{
	struct block_cache *bc = block_cache(c);
	unsigned slot = 0;
	uint32_t id;
	gva_t pc = c->pc;
	const struct core_fast_entry *f =
		&c->fast[c->ctx.kmode][CORE_ACC_FETCH][(pc >> 12) & (CORE_FAST_SIZE - 1)];
	enum xlate_result xr;
	uintptr_t host;
	struct block *b;
	uint32_t len;
	gpa_t pa;
	bool le;

	if (unlikely(f->tag != ((pc & ~0xfffu) | c->fast_key[CORE_ACC_FETCH]))) {
		xr = core_xlate(c, pc, CORE_ACC_FETCH, 0, &pa, &len, &le);
		if (xr == XL_FAULT) {
			c->exit.insn = 0;
			*stop = true;
			return NULL;
		}
		if (xr == XL_IO || len < 4) {
			c->exit.kind = CORE_EXIT_FETCH_IO;
			c->exit.ea = pc;
			c->exit.pa = pa;
			c->exit.insn = 0;
			*stop = true;
			return NULL;
		}
		if (f->tag != ((pc & ~0xfffu) | c->fast_key[CORE_ACC_FETCH]))
			return NULL; /* not cacheable: step it */
	}
	host = f->addend + pc;
	pa = (gpa_t)(host - (uintptr_t)c->ram);
	if (prev) {
		slot = pa != prev->pa + 4ull * prev->n;
		id = prev->link[slot];
		if (likely(bc->blk[id].pa == pa))
			return &bc->blk[id];
	}
	b = block_find(c, pa);
	if (unlikely(!b)) {
		uint64_t flushes = c->stats.block_flushes;

		b = block_build(c, pa, (const uint8_t *)host);
		if (flushes != c->stats.block_flushes)
			return b; /* prev died with the flush */
	}
	if (prev)
		prev->link[slot] = (uint32_t)(b - bc->blk);
	return b;
}

/*
 * The fast loop: find the block at c->pc (following the previous block's
 * link when it can) and run it translated (jit.c) once it is hot, else as
 * threaded code (interp.c: interp_block). Events and the budget are checked
 * between blocks (every block ends at a branch or after BLK_MAX_INSNS
 * instructions).
 */
static const struct core_exit *run_blocks(struct core *c, uint64_t budget);

/*
 * The FPU switches the host x87 unit to round-toward-zero for exact guest
 * rounding (fpu.c); the rest of hv440 (printf of doubles, libm) must see
 * the host's own mode again when the core returns. The JIT's in-line FP
 * (jit.c, emit_fp_arith) needs SSE's default controls (round to nearest,
 * no flush-to-zero or denormals-are-zero): should a library have changed
 * them, the core runs with the default and they come back after.
 */
#define MXCSR_CONTROLS 0xffc0u
#define MXCSR_DEFAULT 0x1f80u

const struct core_exit *core_run(struct core *c, uint64_t budget)
{
	const struct core_exit *e;
	uint16_t cw, now;
	unsigned mx = __builtin_ia32_stmxcsr();

	if ((mx & MXCSR_CONTROLS) != MXCSR_DEFAULT)
		__builtin_ia32_ldmxcsr(MXCSR_DEFAULT);
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	e = run_blocks(c, budget);
	__asm__ volatile("fnstcw %0" : "=m"(now));
	if (now != cw)
		__asm__ volatile("fldcw %0" : : "m"(cw));
	if ((mx & MXCSR_CONTROLS) != MXCSR_DEFAULT)
		__builtin_ia32_ldmxcsr(mx);
	return e;
}

static const struct core_exit *run_blocks(struct core *c, uint64_t budget)
{
	struct block *b = NULL;
	uint64_t n = 0;

	if (budget == 0)
		budget = 1;
	if (unlikely(c->n_breakpoints || c->skip_breakpoint_once))
		return run_stepping(c, budget);
	for (;;) {
		struct block *prev = b;
		bool stop = false;
		uint64_t done;
		int xr;

		c->pc &= ~3u;
		b = block_at(c, prev, &stop);
		if (unlikely(!b)) {
			if (stop || step(c) == X_EXIT)
				break;
			n++;
			goto block_done;
		}
		c->code_changed = false;
		if (c->jit && b->n <= budget - n &&
		    (b->jit || ++b->execs >= JIT_HOT || c->lockstep)) {
			if (unlikely(!b->jit) && !jit_compile(c, b)) {
				/* the code cache is full: start again with an empty one */
				block_flush(c);
				b = NULL;
				continue;
			}
			if (unlikely(c->lockstep))
				xr = lockstep_run(c, b, &done, &b);
			else
				xr = jit_run(c, b, budget - n, &done, &b);
			n += done;
			if (xr == JIT_EXIT)
				break;
			goto block_done;
		}
		xr = interp_block(c, b, budget - n, &done);
		n += done;
		if (xr == X_EXIT)
			break;
	block_done:
		/* after a flush the old headers are garbage: no link hint from them */
		if (unlikely(c->code_changed))
			b = NULL;
		if (unlikely(n >= budget)) {
			c->exit.kind = CORE_EXIT_BUDGET;
			break;
		}
		if (unlikely(atomic_load_explicit(&c->events, memory_order_relaxed))) {
			c->exit.kind = CORE_EXIT_EVENT;
			break;
		}
	}
	c->stats.insns += n;
	return &c->exit;
}
