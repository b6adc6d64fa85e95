/* SPDX-License-Identifier: MIT */
/* jit.h - the second engine: hot decoded blocks translated to x86-64 (private to src/core/). */
#ifndef HV440_CORE_JIT_H
#define HV440_CORE_JIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/block.h"
#include "core/core.h"

/* A block is translated when it starts for the JIT_HOT-th time (cold code stays interpreted). */
#define JIT_HOT 2
/* The code cache; when full, every block and its code is flushed (the arena's policy). */
#define JIT_CODE_BYTES (32u << 20)

typedef int (*jit_entry_fn)(struct core *c, const void *code, int64_t left, uint32_t ea,
			    void *fast);

struct core_jit {
	uint8_t *buf;        /* JIT_CODE_BYTES, read/write/execute */
	size_t start;        /* first byte of block code (after the entry/exit code) */
	size_t used;
	jit_entry_fn enter;
	const uint8_t *exit; /* the shared exit sequence */
	const uint8_t *dead; /* a killed block's entry jumps here: leave to the dispatcher */
	const uint8_t *dispatch; /* emit_dispatch_stub() */
	const uint8_t *result;   /* a slow path's exec() said exit (eax 1) or leave (2); ecx = k */
	const uint8_t *exec;     /* called with rsi = insn, edx = 4k: exec() it (emit_exec_call) */
	const uint8_t *chain;    /* an unpatched chain calls it: emit_patch_stub() */
	const uint8_t *xchain;   /* a cross-page chain's miss calls it: emit_patch_stub() */
	const uint8_t *leave_ea; /* leave with c->pc = eax (a chain out of budget or with events) */
	int perf_fd;         /* perf map, or -1 */
	struct tr *tr;       /* the translator's scratch state */
};

/* The size of a block's first instruction, the load of CR (emit_cache_load). */
#define CR_LOAD_BYTES 7

/* jit_enter's result (see jit.c). */
enum { JIT_LEAVE = 0, JIT_EXIT = 1 };

/*
 * Allocate the code cache and emit the entry and exit code; 0 or -errno.
 * perf_fd >= 0: append a perf map line ("addr size name") per translation.
 */
int jit_init(struct core *c, int perf_fd);
/* Free what jit_init allocated (idempotent). */
void jit_fini(struct core *c);
/*
 * Translate block b; false when the code cache is full (the caller flushes
 * between blocks and tries again later).
 */
bool jit_compile(struct core *c, struct block *b);
/*
 * Run translated code from block b at EA c->pc for at most left
 * instructions (b->n <= left). Returns JIT_LEAVE with c->pc set (continue
 * with the block there) or JIT_EXIT with c->exit complete; either way sets
 * *done to the instructions retired and *last to the last block entered.
 */
int jit_run(struct core *c, struct block *b, uint64_t left, uint64_t *done, struct block **last);

/* jit_cache.c: the code arena. */
/* Forget all translated code (with block_flush). */
void jit_flush(struct core *c);
/* Block b is being killed (before its pa is overwritten): forget its translation. */
void jit_forget(struct core *c, struct block *b);

#endif
