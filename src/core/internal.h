/* SPDX-License-Identifier: MIT */
/* internal.h - what core's files share among themselves; nothing outside src/core/ includes it. */
#ifndef HV440_CORE_INTERNAL_H
#define HV440_CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/core.h"
#include "core/decode.h"
#include "util/byteorder.h"

/*
 * core's files call one another in one direction only, bottom up:
 *   decode.c, fpu.c, x86enc.h      no other file of core
 *   jit_cache.c                    the JIT's code arena: flush, forget a block
 *   block.c                        the decoded-block cache (-> decode, jit_cache)
 *   core.c                         shadow TLB, fast cache, translation, timebase (-> block)
 *   interp.c                       one instruction (exec) and one block of threaded code
 *   jit.c                          translation and its run-time helpers (-> interp)
 *   lockstep.c                     one block on both engines, compared (-> interp, jit)
 *   dispatch.c                     core_run, engine choice, stepping (-> all of the above)
 */

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* XER (PPC440x5 manual, "Integer Exception Register"). */
#define XER_SO 0x80000000u
#define XER_OV 0x40000000u
#define XER_CA 0x20000000u
#define XER_TBC 0x7fu

/* The jump cache (struct core: jc). */
/* The upper half of the jump-cache tags for the current context and generation. */
static inline void core_jc_set_hi(struct core *c)
{
	c->jc_hi = (uint64_t)(c->jc_key | c->jc_gen << 17) << 32;
}

/* Every jump-cache entry stops holding (jit.c; see struct core). */
static inline void core_jc_invalidate(struct core *c)
{
	if (++c->jc_gen == 1u << 15) {
		memset(c->jc, 0, sizeof(c->jc));
		c->jc_gen = 1;
	}
	core_jc_set_hi(c);
}

/* core.c: translation, shadow TLB, fast cache, watchpoints. */
enum xlate_result { XL_RAM = 0, XL_IO = 1, XL_FAULT = 2 };

/* The lockstep engine's log of RAM writes (up to 32 bytes each). */
#define CORE_WLOG_MAX 512
struct core_wlog {
	uint8_t *host;
	uint8_t len;
	uint8_t old[32];
	uint8_t now[32];
};
void core_wlog_record(struct core *c, uint8_t *host, size_t n);

/*
 * Translate one access of kind acc (CORE_ACC_*) at ea for the current
 * context. On XL_RAM/XL_IO sets *pa, *len (bytes from ea that share the
 * result: to the end of the shadow page, and for RAM also to the end of
 * RAM) and *le (page is little-endian); XL_RAM may fill the fast cache. On XL_FAULT fills c->exit (kind, ea, esr
 * with esr_extra, write).
 */
enum xlate_result core_xlate(struct core *c, gva_t ea, enum core_access acc, uint32_t esr_extra,
			     gpa_t *pa, uint32_t *len, bool *le);

/*
 * A data access of n bytes at ea (CORE_ACC_READ/WRITE) hits a watchpoint:
 * fills c->exit (CORE_EXIT_WATCH) and returns true. Call it before the
 * access when c->n_watchpoints is non-zero.
 */
bool core_watch_hit(struct core *c, gva_t ea, unsigned n, enum core_access acc);


/* interp.c: execution. */
/* Exit codes of exec(). */
enum { X_NEXT = 0, X_BRANCH, X_EXIT };

struct block;
/*
 * Execute one decoded instruction at c->pc. Returns X_NEXT or X_BRANCH with
 * pc advanced, or X_EXIT with c->exit filled and nothing changed.
 */
int core_exec_insn(struct core *c, const struct insn *i);
/*
 * Run block b as threaded code from c->pc for at most left instructions;
 * *done = the instructions retired. X_EXIT with c->exit complete (its
 * insn set), else X_NEXT with c->pc where execution goes on.
 */
int interp_block(struct core *c, const struct block *b, uint64_t left, uint64_t *done);

/* lockstep.c: block b on the interpreter, then on the JIT, compared (jit_run's contract). */
int lockstep_run(struct core *c, struct block *b, uint64_t *done, struct block **last);

#endif
