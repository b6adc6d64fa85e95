/* SPDX-License-Identifier: MIT */
/* jit_cache.c - the JIT's code arena: flushing it, and cutting a killed block's code off. */
#include "core/internal.h"
#include "core/jit.h"

#include <string.h>
#include <sys/mman.h>

void jit_flush(struct core *c)
{
	if (c->jit) {
		struct core_jit *j = c->jit;
		size_t page = 4096, from = (j->start + page - 1) & ~(page - 1);

		/* The pages written since the last flush go back to the host, to be refilled as needed. */
		if (j->used > from)
			madvise(j->buf + from, j->used - from, MADV_DONTNEED);
		j->used = j->start;
		c->stats.code_bytes = 0;
		core_jc_invalidate(c);
	}
}

/* Overwrite the code at p with a jump to the dead-block exit (5 bytes). */
static void jmp_dead(struct core *c, uint8_t *p)
{
	int32_t rel = (int32_t)(c->jit->dead - (p + 5));

	p[0] = 0xe9;
	memcpy(p + 1, &rel, 4);
}

void jit_forget(struct core *c, struct block *b)
{
	if (!c->jit || !b->jit)
		return;
	core_jc_invalidate(c);
	/* direct jumps from other blocks may still arrive, at any entry (chain_entry): send them out */
	jmp_dead(c, b->jit);
	jmp_dead(c, b->jit + CR_LOAD_BYTES);
	if (b->jit_body != CR_LOAD_BYTES)
		jmp_dead(c, b->jit + b->jit_body);
}
