/* SPDX-License-Identifier: MIT */
/* block.h - the decoded-block cache: guest code decoded once, keyed by guest physical address. */
#ifndef HV440_CORE_BLOCK_H
#define HV440_CORE_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "core/decode.h"

/*
 * A block is a run of decoded instructions that starts at a guest physical
 * address, lies inside one 4 KiB page and ends at the first
 * unconditional branch, privileged, sc or illegal instruction, at the
 * BLK_MAX_BRANCHES-th conditional branch, or after BLK_MAX_INSNS; a
 * conditional branch before that leaves the block when taken and goes on
 * in it when not (so a chain of compare-and-branch pairs is one block). Blocks
 * are keyed by physical address only: decoding depends on nothing but the
 * instruction words, so one block serves every EA that maps the page, and
 * no TLB change ever invalidates a block.
 *
 * Coherence: a page holding blocks is a "code page". The core never puts a
 * code page into its write fast cache, so every store to one takes the slow
 * path, which calls block_code_written(): the blocks overlapping the stored
 * bytes die (word granularity; data sharing a page with code costs only a
 * slow store, no re-decode). icbi kills the blocks of one line; iccci,
 * reset and a full arena flush everything. Host writes to guest RAM that
 * bypass the core (DMA) must be followed by the guest's icbi, as on the
 * real 440, or by core_icache_flush().
 *
 * Storage is a fixed arena inside struct core (no allocation): when it is
 * full the whole cache is flushed, which only happens between blocks.
 */
#define BLK_MAX_INSNS 64
/* A block runs on through at most BLK_MAX_BRANCHES - 1 not-taken conditional branches. */
#define BLK_MAX_BRANCHES 4
/* The JIT caches up to this many GPRs in host registers (jit.c: cache_regs). */
#define BLK_CACHE_REGS 5
#define BLK_COUNT 24576           /* block headers (index 0 is "none") */
#define BLK_INSNS (3u << 16)      /* decoded instructions in the arena; bounds the code cache too */
#define BLK_HASH 65536            /* buckets of the PA -> block hash */
#define BLK_PAGE_HASH 4096        /* buckets of the page -> blocks chains */
#define BLK_MAX_RAM (2ull << 30)  /* code pages are tracked up to here (the board's maximum) */
#define BLK_PAGES (BLK_MAX_RAM >> 12)
#define BLK_DEAD ((gpa_t)~0ull)

struct block {
	gpa_t pa;        /* physical address of the first instruction; BLK_DEAD when killed */
	uint32_t first;  /* index of the first instruction in ins[] */
	uint32_t n;      /* instruction count, 1..BLK_MAX_INSNS */
	uint32_t hnext;  /* next block in the same PA hash bucket (0: end) */
	uint32_t pnext;  /* next block in the same page hash bucket (0: end) */
	/*
	 * Chaining: the blocks that last followed this one by falling through
	 * ([0]) and by a taken branch ([1]). A link is only a hint, checked
	 * against the successor's physical address, which the caller still
	 * translates from the PC through the fetch fast cache.
	 */
	uint32_t link[2];
	uint8_t *jit;    /* translated code (jit.c), or NULL */
	uint16_t execs;  /* times started from the dispatcher (JIT hotness; counts to JIT_HOT) */
	uint16_t jit_body; /* offset in jit of the code after the register loads */
	int8_t jit_map[BLK_CACHE_REGS]; /* the guest GPR in each of the JIT's cache registers, or -1 */
};

struct block_cache {
	uint32_t n_blocks;  /* headers used, from 1 */
	uint32_t n_insns;   /* arena slots used */
	uint32_t hash[BLK_HASH];
	uint32_t page[BLK_PAGE_HASH];
	uint64_t code_bits[BLK_PAGES / 64]; /* one bit per 4 KiB page that holds live blocks */
	struct block blk[BLK_COUNT];
	struct insn ins[BLK_INSNS];
};

static inline struct block_cache *block_cache(struct core *c)
{
	return (struct block_cache *)(void *)c->block_mem;
}

static inline bool block_page_is_code(struct core *c, gpa_t pa)
{
	uint64_t pg = pa >> 12;

	return pg < BLK_PAGES && (block_cache(c)->code_bits[pg / 64] >> (pg % 64) & 1);
}

/* Forget every block. */
void block_flush(struct core *c);
/* The live block starting at pa, or NULL. */
static inline struct block *block_find(struct core *c, gpa_t pa)
{
	struct block_cache *bc = block_cache(c);
	uint32_t k = bc->hash[(pa >> 2) & (BLK_HASH - 1)];

	while (k) {
		struct block *b = &bc->blk[k];

		if (b->pa == pa)
			return b;
		k = b->hnext;
	}
	return NULL;
}
/*
 * Decode a new block at pa; host is where pa is mapped (RAM, big-endian,
 * valid to the end of pa's 4 KiB page). May flush the whole cache first:
 * call only between blocks. Never fails.
 */
struct block *block_build(struct core *c, gpa_t pa, const uint8_t *host);
/* Bytes [pa, pa+len) of RAM changed: kill the blocks they overlap (sets c->code_changed if any). */
void block_invalidate(struct core *c, gpa_t pa, uint64_t len);

/* Call after every store of len <= 4096 bytes to RAM that bypassed the write fast cache. */
static inline void block_code_written(struct core *c, gpa_t pa, uint64_t len)
{
	if (len && (block_page_is_code(c, pa) || block_page_is_code(c, pa + len - 1)))
		block_invalidate(c, pa, len);
}

#endif
