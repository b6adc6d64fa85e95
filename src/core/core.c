/* SPDX-License-Identifier: MIT */
/* core.c - the emulated 440's lifecycle, shadow TLB, fast lookup cache, translation and timebase. */
#include "core/internal.h"
#include "core/block.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int core_init(struct core *c, uint8_t *ram, uint64_t ram_size, uint64_t tb_freq)
{
	if (!c || (!ram && ram_size) || tb_freq == 0)
		return -EINVAL;
	/* The block arena is initialised by block_flush() and filled on use: do not touch it. */
	memset(c, 0, offsetof(struct core, block_mem));
	c->ram = ram;
	c->ram_size = ram_size;
	c->tb_freq = tb_freq;
	c->tb_mult = (uint64_t)(((unsigned __int128)tb_freq << 32) / 1000000000u);
	core_reset(c);
	return 0;
}

void core_reset(struct core *c)
{
	memset(c->gpr, 0, sizeof(c->gpr));
	c->cr = c->xer = c->lr = c->ctr = c->pc = 0;
	memset(c->fpr, 0, sizeof(c->fpr));
	c->fpscr = 0;
	c->fp_lazy = 0;
	c->usprg0 = 0;
	memset(c->sprg_ro, 0, sizeof(c->sprg_ro));
	c->fp_enabled = false;
	c->fp_exc_mode = 0;
	memset(&c->ctx, 0, sizeof(c->ctx));
	c->resv_valid = false;
	c->resv_pa = 0;
	c->skip_breakpoint_once = false;
	memset(&c->exit, 0, sizeof(c->exit));
	memset(&c->mmio, 0, sizeof(c->mmio));
	core_stlb_flush(c);
	core_set_ctx(c, &c->ctx);
	c->last_stlb = -1;
	block_flush(c);
	c->code_changed = false;
	memset(&c->stats, 0, sizeof(c->stats));
	core_tb_write(c, 0);
	/* A reset comes with RAM reloaded by the board (images, a cleared RAM): all of it changed. */
	core_dirty_mark(c, 0, c->ram_size);
}

static void fast_flush(struct core *c)
{
	memset(c->fast, 0, sizeof(c->fast));
	core_jc_invalidate(c);
}

/*
 * Drop the fast-cache slots an EA range can occupy, in every privilege,
 * access kind and context key. A range that covers the whole table (4 MiB
 * and up) flushes it.
 */
static void fast_drop_range(struct core *c, gva_t ea, uint32_t size)
{
	uint32_t pages = size >> 12;

	if (pages >= CORE_FAST_SIZE) {
		fast_flush(c);
		return;
	}
	if (pages == 0)
		pages = 1;
	ea &= ~0xfffu;
	for (uint32_t p = 0; p < pages; p++, ea += 0x1000) {
		unsigned slot = (ea >> 12) & (CORE_FAST_SIZE - 1);

		for (unsigned k = 0; k < 2; k++)
			for (unsigned acc = 0; acc < 3; acc++) {
				struct core_fast_entry *f = &c->fast[k][acc][slot];

				if ((f->tag & ~0xfffu) == ea) {
					f->tag = 0;
					if (acc == CORE_ACC_FETCH)
						core_jc_invalidate(c);
				}
			}
	}
}

void core_set_ctx(struct core *c, const struct core_ctx *ctx)
{
	/* The fast-cache tags carry PID and TS (and the table is split by kmode): no flush. */
	c->ctx = *ctx;
	c->fast_key[CORE_ACC_READ] = (uint32_t)ctx->pid << 2 | (uint32_t)(ctx->ds & 1) << 1 | 1;
	c->fast_key[CORE_ACC_WRITE] = c->fast_key[CORE_ACC_READ];
	c->fast_key[CORE_ACC_FETCH] = (uint32_t)ctx->pid << 2 | (uint32_t)(ctx->is & 1) << 1 | 1;
	c->jc_key = c->fast_key[CORE_ACC_FETCH] | (uint32_t)ctx->kmode << 16;
	core_jc_set_hi(c);
}

/* Invalidate one shadow entry and the fast-cache slots it may have filled. */
static void stlb_drop(struct core *c, unsigned index)
{
	struct core_stlb_entry *e = &c->stlb[index];

	if (e->flags & CORE_STLB_VALID) {
		e->flags &= (uint8_t)~CORE_STLB_VALID;
		fast_drop_range(c, e->ea, e->size);
		/* a jump-cache entry may hold an EA of it even where no fetch slot does any more */
		if ((e->uperm | e->kperm) & CORE_PERM_X)
			core_jc_invalidate(c);
	}
}

void core_stlb_write(struct core *c, unsigned index, const struct core_stlb_entry *e)
{
	struct core_stlb_entry *s;

	if (index >= CORE_STLB_SIZE)
		return;
	stlb_drop(c, index);
	s = &c->stlb[index];
	*s = *e;
	/* Keep the invariant (ea, pa aligned; size a power of two >= 1 KiB) a bad caller could break. */
	if (s->size < 1024 || (s->size & (s->size - 1)))
		s->flags &= (uint8_t)~CORE_STLB_VALID;
	s->ea &= ~(s->size - 1);
	s->pa &= ~(gpa_t)(s->size - 1);
	/* An overlapping older entry may have filled slots this one now answers (multi-hit). */
	if (s->flags & CORE_STLB_VALID) {
		fast_drop_range(c, s->ea, s->size);
		if ((s->uperm | s->kperm) & CORE_PERM_X)
			core_jc_invalidate(c);
	}
}

void core_stlb_invalidate(struct core *c, unsigned index)
{
	if (index >= CORE_STLB_SIZE)
		return;
	stlb_drop(c, index);
}

void core_stlb_flush(struct core *c)
{
	for (unsigned i = 0; i < CORE_STLB_SIZE; i++)
		c->stlb[i].flags &= (uint8_t)~CORE_STLB_VALID;
	fast_flush(c);
}

static bool stlb_match(const struct core_stlb_entry *e, gva_t ea, uint8_t ts, uint8_t pid)
{
	return (e->flags & CORE_STLB_VALID) && e->ts == ts && (e->tid == 0 || e->tid == pid) &&
	       (ea & ~(e->size - 1)) == e->ea;
}

int core_stlb_find(const struct core *c, gva_t ea, uint8_t ts)
{
	for (int i = 0; i < CORE_STLB_SIZE; i++)
		if (stlb_match(&c->stlb[i], ea, ts, c->ctx.pid))
			return i;
	return -1;
}

/*
 * core_stlb_find() for the slow path, trying the last hit first. The
 * answer can differ from the lowest-index match only when shadow entries
 * overlap, which is the guest's undefined multi-hit case on the 440.
 */
static int stlb_lookup(struct core *c, gva_t ea, uint8_t ts)
{
	int i = c->last_stlb;

	if (i >= 0 && i < CORE_STLB_SIZE && stlb_match(&c->stlb[i], ea, ts, c->ctx.pid))
		return i;
	i = core_stlb_find(c, ea, ts);
	if (i >= 0)
		c->last_stlb = i;
	return i;
}

static uint8_t watch_need(enum core_access acc)
{
	return acc == CORE_ACC_WRITE ? CORE_PERM_W : acc == CORE_ACC_READ ? CORE_PERM_R : 0;
}

/* Does watchpoint w match an access of n bytes starting at ea? */
static bool watch_match(const struct core_watchpoint *w, gva_t ea, uint32_t n)
{
	switch (w->match) {
	case CORE_WATCH_START:
		return ea - w->ea < w->len;
	case CORE_WATCH_MASK:
		return ((ea ^ w->ea) & w->mask) == 0;
	default:
		return (uint64_t)ea < (uint64_t)w->ea + w->len && (uint64_t)w->ea < (uint64_t)ea + n;
	}
}

/* The first watchpoint of this access kind that the access matches: its index, or -1. */
static int watch_find(const struct core *c, gva_t ea, uint32_t n, enum core_access acc)
{
	uint8_t need = watch_need(acc);

	for (unsigned k = 0; k < c->n_watchpoints && k < CORE_MAX_WATCHPOINTS + CORE_MAX_GUEST_WATCHPOINTS;
	     k++) {
		const struct core_watchpoint *w = &c->watchpoints[k];

		if ((w->perm & need) && watch_match(w, ea, n))
			return (int)k;
	}
	return -1;
}

/* A 4 KiB page in which some access could match a watchpoint must not enter the fast cache. */
static bool watch_page(const struct core *c, gva_t ea, enum core_access acc)
{
	uint8_t need = watch_need(acc);
	gva_t page = ea & ~0xfffu;

	for (unsigned k = 0; k < c->n_watchpoints && k < CORE_MAX_WATCHPOINTS + CORE_MAX_GUEST_WATCHPOINTS;
	     k++) {
		const struct core_watchpoint *w = &c->watchpoints[k];

		if (!(w->perm & need))
			continue;
		if (w->match == CORE_WATCH_MASK ? ((page ^ w->ea) & w->mask & ~0xfffu) == 0
						: (uint64_t)page < (uint64_t)w->ea + w->len &&
						  (uint64_t)w->ea < (uint64_t)page + 4096)
			return true;
	}
	return false;
}

bool core_watch_hit(struct core *c, gva_t ea, unsigned n, enum core_access acc)
{
	int k = watch_find(c, ea, n, acc);

	if (k < 0)
		return false;
	if ((unsigned)k >= c->n_debug_watchpoints) {
		/* the guest's DAC: the starting EA is what it compared */
		c->exit.kind = CORE_EXIT_DAC;
		c->exit.ea = ea;
	} else {
		c->exit.kind = CORE_EXIT_WATCH;
		c->exit.ea = ea > c->watchpoints[k].ea ? ea : c->watchpoints[k].ea;
	}
	c->exit.write = acc == CORE_ACC_WRITE;
	return true;
}

/* Replace part of the watchpoint array: the debugger's [0, n_debug) or the guest's after it. */
static void watch_set(struct core *c, const struct core_watchpoint *w, unsigned n, bool guest)
{
	struct core_watchpoint keep[CORE_MAX_WATCHPOINTS + CORE_MAX_GUEST_WATCHPOINTS];
	unsigned nd = c->n_debug_watchpoints, ng = c->n_watchpoints - nd, k;

	memcpy(keep, c->watchpoints, sizeof(keep));
	if (guest) {
		ng = n;
	} else {
		/* move the guest's entries behind the debugger's new ones */
		memmove(keep + n, keep + nd, ng * sizeof(keep[0]));
		nd = n;
	}
	for (k = 0; k < n; k++) {
		struct core_watchpoint *d = &keep[(guest ? nd : 0) + k];

		*d = w[k];
		if (!d->len)
			d->len = 1;
	}
	memcpy(c->watchpoints, keep, sizeof(keep));
	c->n_debug_watchpoints = nd;
	c->n_watchpoints = nd + ng;
	fast_flush(c);
}

int core_set_watchpoints(struct core *c, const struct core_watchpoint *w, unsigned n)
{
	if (n > CORE_MAX_WATCHPOINTS)
		return -1;
	watch_set(c, w, n, false);
	return 0;
}

int core_set_guest_watchpoints(struct core *c, const struct core_watchpoint *w, unsigned n)
{
	if (n > CORE_MAX_GUEST_WATCHPOINTS)
		return -1;
	watch_set(c, w, n, true);
	return 0;
}

enum xlate_result core_xlate(struct core *c, gva_t ea, enum core_access acc, uint32_t esr_extra,
			     gpa_t *pa, uint32_t *len, bool *le)
{
	static const uint8_t need[3] = { CORE_PERM_R, CORE_PERM_W, CORE_PERM_X };
	bool fetch = acc == CORE_ACC_FETCH;
	uint8_t ts = fetch ? c->ctx.is : c->ctx.ds;
	const struct core_stlb_entry *e;
	uint64_t end;
	uint32_t off;
	int i;

	c->stats.fast_misses++;
	i = stlb_lookup(c, ea, ts);
	if (i < 0) {
		c->exit.kind = fetch ? CORE_EXIT_ITLB_MISS : CORE_EXIT_DTLB_MISS;
		goto fault;
	}
	c->stats.stlb_hits++;
	e = &c->stlb[i];
	if (!((c->ctx.kmode ? e->kperm : e->uperm) & need[acc])) {
		c->exit.kind = fetch ? CORE_EXIT_ISI : CORE_EXIT_DSI;
		goto fault;
	}
	off = ea - e->ea;
	*pa = e->pa + off;
	*len = e->size - off;
	*le = e->flags & CORE_STLB_LE;
	/* RAM ends where it ends, wherever the page does (struct core_stlb_entry). */
	end = c->ram_size + ((e->flags & CORE_STLB_HV) ? c->hv_extra : 0);
	if ((e->flags & CORE_STLB_IO) || *pa >= end)
		return XL_IO;
	if (*pa + *len > end)
		*len = (uint32_t)(end - *pa);

	/*
	 * Fill the fast cache for whole 4 KiB pages of big-endian RAM entries
	 * (1 KiB pages would alias inside one fast slot), except write entries
	 * for pages holding decoded code: stores there take the slow path so
	 * the blocks they overwrite die (block.h).
	 */
	if (e->size >= 4096 && !(e->flags & CORE_STLB_LE) &&
	    !(c->n_watchpoints && watch_page(c, ea, acc))) {
		gpa_t page_pa = *pa & ~(gpa_t)0xfff;

		if (page_pa + 4096 <= end &&
		    !(acc == CORE_ACC_WRITE && block_page_is_code(c, page_pa))) {
			struct core_fast_entry *f =
				&c->fast[c->ctx.kmode][acc][(ea >> 12) & (CORE_FAST_SIZE - 1)];

			/* The dirty log: a page is marked as it enters the write fast cache. */
			if (acc == CORE_ACC_WRITE)
				core_dirty_mark(c, page_pa, 4096);
			f->tag = (ea & ~0xfffu) | c->fast_key[acc];
			f->addend = (uintptr_t)(c->ram + page_pa) - (uintptr_t)(ea & ~0xfffu);
		}
	}
	return XL_RAM;

fault:
	c->exit.ea = ea;
	c->exit.write = acc == CORE_ACC_WRITE;
	c->exit.esr = fetch ? 0 : (esr_extra | (acc == CORE_ACC_WRITE ? CORE_ESR_ST : 0));
	return XL_FAULT;
}

/* icbi: the 440's instruction cache line is 32 bytes (PPC440x5 manual, "Instruction Cache"). */
void core_icache_invalidate(struct core *c, gpa_t pa)
{
	block_invalidate(c, pa & ~(gpa_t)31, 32);
}

void core_icache_invalidate_range(struct core *c, gpa_t pa, uint64_t len)
{
	block_invalidate(c, pa, len);
}

void core_icache_flush(struct core *c)
{
	block_flush(c);
}

static uint64_t host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Host-derived ticks: ns * tb_freq / 1e9 as a 128-bit multiply by a 32.32
 * fixed-point factor (relative error below 1e-9; no division on the exit
 * path, no overflow for centuries).
 */
static uint64_t ticks_at(const struct core *c, uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * c->tb_mult) >> 32);
}

static uint64_t host_ticks(const struct core *c)
{
	return ticks_at(c, host_ns());
}

uint64_t core_tb_read(const struct core *c)
{
	uint64_t tb = host_ticks(c) + (uint64_t)c->tb_offset;

	/* Remembered so that time held across a host stop never resumes below a value read. The
	 * core is only ever const to its readers' API, never an object defined const. */
	if (tb > c->tb_seen)
		((struct core *)c)->tb_seen = tb;
	return tb;
}

uint64_t core_tb_at(const struct core *c, uint64_t ns)
{
	return ticks_at(c, ns) + (uint64_t)c->tb_offset;
}

void core_tb_write(struct core *c, uint64_t value)
{
	c->tb_offset = (int64_t)(value - host_ticks(c));
}

uint64_t core_tb_ns_until(const struct core *c, uint64_t tb)
{
	uint64_t now = core_tb_read(c);
	unsigned __int128 ns;

	if ((int64_t)(tb - now) <= 0)
		return 0;
	/* Round up so a sleep of this length never wakes before the deadline. */
	ns = ((unsigned __int128)(tb - now) * 1000000000u + c->tb_freq - 1) / c->tb_freq;
	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

bool core_phys_read(const struct core *c, gpa_t pa, void *buf, size_t len)
{
	if (pa > c->ram_size || len > c->ram_size - pa)
		return false;
	if (len)
		memcpy(buf, c->ram + pa, len);
	return true;
}

bool core_phys_write(struct core *c, gpa_t pa, const void *buf, size_t len)
{
	if (pa > c->ram_size || len > c->ram_size - pa)
		return false;
	if (len) {
		memcpy(c->ram + pa, buf, len);
		core_ram_written(c, pa, len);
	}
	return true;
}

/* ---- the dirty-page log ---- */

static size_t dirty_words(const struct core *c)
{
	return (size_t)((c->ram_size / 4096 + 63) / 64);
}

/* Drop every write entry of the fast cache: the next store to each page takes the slow path. */
static void fast_drop_writes(struct core *c)
{
	for (unsigned k = 0; k < 2; k++)
		memset(c->fast[k][CORE_ACC_WRITE], 0, sizeof(c->fast[k][CORE_ACC_WRITE]));
}

int core_dirty_start(struct core *c)
{
	if (c->dirty)
		return 0;
	c->dirty = calloc(dirty_words(c) ? dirty_words(c) : 1, sizeof(uint64_t));
	if (!c->dirty)
		return -ENOMEM;
	fast_drop_writes(c);
	return 0;
}

uint64_t core_dirty_take(struct core *c, uint64_t *out)
{
	uint64_t n = 0;

	if (!c->dirty) {
		memset(out, 0, dirty_words(c) * sizeof(uint64_t));
		return 0;
	}
	/* The bits go first, then the fast entries that let stores skip setting them. */
	for (size_t i = 0; i < dirty_words(c); i++) {
		out[i] = atomic_exchange_explicit(&c->dirty[i], 0, memory_order_acq_rel);
		n += (uint64_t)__builtin_popcountll(out[i]);
	}
	fast_drop_writes(c);
	return n;
}

void core_dirty_stop(struct core *c)
{
	free((void *)c->dirty);
	c->dirty = NULL;
}

void core_dirty_mark(struct core *c, gpa_t pa, uint64_t len)
{
	uint64_t first, last;

	if (!c->dirty || !len || pa >= c->ram_size)
		return;
	if (len > c->ram_size - pa)
		len = c->ram_size - pa;
	first = pa >> 12;
	last = (pa + len - 1) >> 12;
	for (uint64_t p = first; p <= last; p++)
		atomic_fetch_or_explicit(&c->dirty[p / 64], 1ull << (p % 64), memory_order_relaxed);
}

void core_ram_written(struct core *c, gpa_t pa, uint64_t len)
{
	core_dirty_mark(c, pa, len);
	block_invalidate(c, pa, len);
}

const char *core_exit_name(enum core_exit_kind kind)
{
	static const char *const names[CORE_EXIT__COUNT] = {
		[CORE_EXIT_BUDGET] = "budget",
		[CORE_EXIT_EVENT] = "event",
		[CORE_EXIT_PRIV] = "priv",
		[CORE_EXIT_SC] = "sc",
		[CORE_EXIT_PROGRAM] = "program",
		[CORE_EXIT_ITLB_MISS] = "itlb_miss",
		[CORE_EXIT_DTLB_MISS] = "dtlb_miss",
		[CORE_EXIT_ISI] = "isi",
		[CORE_EXIT_DSI] = "dsi",
		[CORE_EXIT_ALIGN] = "align",
		[CORE_EXIT_FP_UNAVAIL] = "fp_unavail",
		[CORE_EXIT_MMIO] = "mmio",
		[CORE_EXIT_FETCH_IO] = "fetch_io",
		[CORE_EXIT_DEBUG] = "debug",
		[CORE_EXIT_WATCH] = "watch",
		[CORE_EXIT_DAC] = "dac",
		[CORE_EXIT_LOCKSTEP] = "lockstep",
	};

	if ((unsigned)kind >= CORE_EXIT__COUNT)
		return "unknown";
	return names[kind];
}
