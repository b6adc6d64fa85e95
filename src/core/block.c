/* SPDX-License-Identifier: MIT */
/* block.c - the decoded-block cache: build, find, kill on stores/icbi, flush. */
#include "core/block.h"
#include "core/jit.h"
#include "util/byteorder.h"

#include <string.h>

_Static_assert(sizeof(struct block_cache) <= sizeof(((struct core *)0)->block_mem),
	       "CORE_BLOCK_MEM_BYTES too small for struct block_cache");

void block_flush(struct core *c)
{
	struct block_cache *bc = block_cache(c);

	bc->n_blocks = 1;
	bc->n_insns = 0;
	bc->blk[0].pa = BLK_DEAD; /* header 0 is "no block": a link to it never matches */
	memset(bc->hash, 0, sizeof(bc->hash));
	memset(bc->page, 0, sizeof(bc->page));
	memset(bc->code_bits, 0, sizeof(bc->code_bits));
	c->code_changed = true;
	c->stats.block_flushes++;
	jit_flush(c);
}

static inline uint32_t page_bucket(gpa_t pa)
{
	return (uint32_t)(pa >> 12) & (BLK_PAGE_HASH - 1);
}

/*
 * pa's page becomes a code page: from now on stores to it must take the
 * slow path, so drop the write fast-cache entries that map it (both
 * privilege levels, every context key).
 */
static void mark_code_page(struct core *c, gpa_t pa)
{
	struct block_cache *bc = block_cache(c);
	uint64_t pg = pa >> 12;
	uintptr_t host = (uintptr_t)(c->ram + (pg << 12));

	bc->code_bits[pg / 64] |= 1ull << (pg % 64);
	for (unsigned k = 0; k < 2; k++) {
		struct core_fast_entry *f = c->fast[k][CORE_ACC_WRITE];

		for (unsigned s = 0; s < CORE_FAST_SIZE; s++)
			if ((f[s].tag & 1) && f[s].addend + (f[s].tag & ~0xfffu) == host)
				f[s].tag = 0;
	}
}

/* A conditional branch (BO not "always"): its not-taken path may go on in the block. */
static bool conditional(const struct insn *i)
{
	return i->op != OP_B && (i->rt & 0x14) != 0x14;
}

static bool ends_block(const struct insn *i)
{
	switch (i->cls) {
	case CL_BRANCH:
		return !conditional(i);
	case CL_PRIV:
	case CL_ILLEGAL:
		return true;
	default:
		return i->op == OP_SC || i->op == OP_ISYNC;
	}
}

struct block *block_build(struct core *c, gpa_t pa, const uint8_t *host)
{
	struct block_cache *bc = block_cache(c);
	unsigned max = (unsigned)((0x1000 - (pa & 0xfff)) >> 2);
	uint32_t h = (uint32_t)(pa >> 2) & (BLK_HASH - 1), id;
	struct block *b;
	unsigned n = 0, branches = 0;

	if (max > BLK_MAX_INSNS)
		max = BLK_MAX_INSNS;
	if (bc->n_blocks >= BLK_COUNT || bc->n_insns + max > BLK_INSNS)
		block_flush(c);
	if (!block_page_is_code(c, pa))
		mark_code_page(c, pa);

	id = bc->n_blocks++;
	b = &bc->blk[id];
	b->pa = pa;
	b->first = bc->n_insns;
	b->link[0] = b->link[1] = 0;
	b->execs = 0;
	b->jit = NULL;
	do {
		const uint8_t *p = host + 4 * n;
		struct insn *i = &bc->ins[b->first + n];

		core_decode(ld_be32(p), i);
		n++;
		if (ends_block(i) || (i->cls == CL_BRANCH && ++branches >= BLK_MAX_BRANCHES))
			break;
	} while (n < max);
	b->n = n;
	bc->n_insns += n;
	b->hnext = bc->hash[h];
	bc->hash[h] = id;
	b->pnext = bc->page[page_bucket(pa)];
	bc->page[page_bucket(pa)] = id;
	c->stats.blocks_built++;
	return b;
}

static void unlink_hash(struct block_cache *bc, uint32_t id)
{
	uint32_t *p = &bc->hash[(bc->blk[id].pa >> 2) & (BLK_HASH - 1)];

	while (*p && *p != id)
		p = &bc->blk[*p].hnext;
	if (*p)
		*p = bc->blk[id].hnext;
}

/* Kill the blocks of one page that overlap [lo, hi); clear the page's code bit when none is left. */
static void invalidate_page(struct core *c, gpa_t lo, gpa_t hi)
{
	struct block_cache *bc = block_cache(c);
	gpa_t page = lo & ~(gpa_t)0xfff;
	uint32_t *p = &bc->page[page_bucket(lo)];
	bool left = false;

	while (*p) {
		uint32_t id = *p;
		struct block *b = &bc->blk[id];

		if ((b->pa & ~(gpa_t)0xfff) != page) {
			p = &b->pnext;
			continue;
		}
		if (b->pa < hi && lo < b->pa + 4ull * b->n) {
			unlink_hash(bc, id);
			*p = b->pnext;
			jit_forget(c, b);
			b->pa = BLK_DEAD;
			c->code_changed = true;
			c->stats.block_kills++;
			continue;
		}
		left = true;
		p = &b->pnext;
	}
	if (!left) {
		uint64_t pg = page >> 12;

		bc->code_bits[pg / 64] &= ~(1ull << (pg % 64));
	}
}

void block_invalidate(struct core *c, gpa_t pa, uint64_t len)
{
	gpa_t end = pa + len;

	while (pa < end) {
		gpa_t next = (pa & ~(gpa_t)0xfff) + 0x1000;
		gpa_t hi = next < end ? next : end;

		if (block_page_is_code(c, pa))
			invalidate_page(c, pa, hi);
		pa = next;
	}
}
