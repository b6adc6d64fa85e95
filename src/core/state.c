/* SPDX-License-Identifier: MIT */
/* state.c - the core's registers as bytes (snapshots): everything user-visible, no caches. */
#include "core/internal.h"
#include "core/block.h"
#include "util/state.h"

#include <errno.h>

#define CORE_STATE_TAG "CORE"
#define CORE_STATE_VERSION 1

int core_state_save(struct core *c, struct state_writer *w)
{
	core_fp_settle(c); /* the JIT's lazy FPSCR bits into fpscr */
	state_put_header(w, CORE_STATE_TAG, CORE_STATE_VERSION);
	for (unsigned i = 0; i < 32; i++)
		state_put_u32(w, c->gpr[i]);
	state_put_u32(w, c->cr);
	state_put_u32(w, c->xer);
	state_put_u32(w, c->lr);
	state_put_u32(w, c->ctr);
	state_put_u32(w, c->pc);
	for (unsigned i = 0; i < 32; i++)
		state_put_u64(w, c->fpr[i]);
	state_put_u32(w, c->fpscr);
	state_put_u32(w, c->usprg0);
	state_put_u8(w, c->resv_valid);
	state_put_u64(w, c->resv_pa);
	/* The timebase as the guest would read it now; never below a value it already read. */
	state_put_u64(w, core_tb_read(c) > c->tb_seen ? core_tb_read(c) : c->tb_seen);
	return state_writer_ok(w) ? 0 : -ENOSPC;
}

int core_state_load(struct core *c, struct state_reader *r)
{
	uint32_t gpr[32], cr, xer, lr, ctr, pc, fpscr, usprg0;
	uint64_t fpr[32], resv_pa, tb;
	bool resv_valid;

	if (state_get_header(r, CORE_STATE_TAG) != CORE_STATE_VERSION)
		return -EINVAL;
	for (unsigned i = 0; i < 32; i++)
		gpr[i] = state_get_u32(r);
	cr = state_get_u32(r);
	xer = state_get_u32(r);
	lr = state_get_u32(r);
	ctr = state_get_u32(r);
	pc = state_get_u32(r);
	for (unsigned i = 0; i < 32; i++)
		fpr[i] = state_get_u64(r);
	fpscr = state_get_u32(r);
	usprg0 = state_get_u32(r);
	resv_valid = state_get_bool(r);
	resv_pa = state_get_u64(r);
	tb = state_get_u64(r);
	if (pc & 3)
		state_fail(r);
	if (!state_reader_ok(r))
		return -EINVAL;
	memcpy(c->gpr, gpr, sizeof(gpr));
	c->cr = cr;
	c->xer = xer;
	c->lr = lr;
	c->ctr = ctr;
	c->pc = pc;
	memcpy(c->fpr, fpr, sizeof(fpr));
	c->fpscr = fpscr;
	c->fp_lazy = 0;
	c->usprg0 = usprg0;
	c->resv_valid = resv_valid;
	c->resv_pa = resv_pa;
	c->skip_breakpoint_once = false;
	memset(&c->exit, 0, sizeof(c->exit));
	memset(&c->mmio, 0, sizeof(c->mmio));
	/* Translations and decoded blocks are caches: they are rebuilt from the loaded state. */
	core_stlb_flush(c);
	core_icache_flush(c);
	c->code_changed = false;
	core_tb_write(c, tb);
	c->tb_seen = tb;
	return 0;
}
