/* SPDX-License-Identifier: MIT */
/* state.c - the vcpu as bytes (snapshots): privileged state, guest TLB, timers, paravirt page. */
#include <errno.h>
#include <string.h>

#include "hv/internal.h"
#include "util/state.h"

#define VCPU_STATE_TAG "VCPU"
#define VCPU_STATE_VERSION 1

/* Every privileged register, in one order for save and load. */
#define VCPU_REGS(X)                                                                    \
	X(msr) X(srr0) X(srr1) X(csrr0) X(csrr1) X(mcsrr0) X(mcsrr1) X(dear) X(esr)     \
	X(mcsr) X(ivpr) X(pid) X(mmucr) X(ccr0) X(ccr1) X(dbcr0) X(dbcr1) X(dbcr2)      \
	X(dbsr) X(tcr) X(tsr) X(decar) X(pir) X(pvr) X(ivlim) X(dvlim) X(rstcfg) X(dec)
#define VCPU_ARRAYS(X) X(ivor) X(sprg) X(iac) X(dac) X(dvc) X(dnv) X(dtv) X(inv) X(itv)

int vcpu_state_save(struct vcpu *v, struct state_writer *w)
{
	state_put_header(w, VCPU_STATE_TAG, VCPU_STATE_VERSION);
#define PUT(f) state_put_u32(w, v->f);
	VCPU_REGS(PUT)
#undef PUT
#define PUT(f)                                                        \
	for (unsigned i = 0; i < sizeof(v->f) / sizeof(v->f[0]); i++) \
		state_put_u32(w, v->f[i]);
	VCPU_ARRAYS(PUT)
#undef PUT
	/* DEC and the FIT/watchdog bookkeeping are timebase values, like the saved timebase. */
	state_put_u64(w, v->dec_tb);
	state_put_u64(w, v->timer_tb);
	for (unsigned i = 0; i < VCPU_TLB_SIZE; i++) {
		state_put_u32(w, v->tlb[i].word0);
		state_put_u32(w, v->tlb[i].word1);
		state_put_u32(w, v->tlb[i].word2);
		state_put_u8(w, v->tlb[i].tid);
	}
	state_put_u8(w, v->irq_ext);
	state_put_u8(w, v->irq_crit);
	state_put_u8(w, v->halted);
	state_put_u8(w, v->reset_requested);
	state_put_u8(w, v->pv.enabled);
	state_put_u8(w, v->pv.mapped);
	if (v->pv.page)
		state_put_bytes(w, v->pv.page, VCPU_PV_EXTRA);
	if (!state_writer_ok(w))
		return -ENOSPC;
	return core_state_save(&v->core, w);
}

int vcpu_state_load(struct vcpu *v, struct state_reader *r)
{
	/* Read into a copy: the vcpu stays unchanged when the state is bad. */
	struct {
#define FIELD(f) uint32_t f;
		VCPU_REGS(FIELD)
#undef FIELD
#define FIELD(f) __typeof__(v->f) f;
		VCPU_ARRAYS(FIELD)
#undef FIELD
		uint64_t dec_tb, timer_tb;
		struct vcpu_tlb_entry tlb[VCPU_TLB_SIZE];
		bool irq_ext, irq_crit, halted, reset_requested;
		struct { bool mapped; } pv;
	} n;
	uint8_t page[VCPU_PV_EXTRA];
	bool pv_enabled;

	if (state_get_header(r, VCPU_STATE_TAG) != VCPU_STATE_VERSION)
		return -EINVAL;
#define GET(f) n.f = state_get_u32(r);
	VCPU_REGS(GET)
#undef GET
#define GET(f)                                                        \
	for (unsigned i = 0; i < sizeof(n.f) / sizeof(n.f[0]); i++) \
		n.f[i] = state_get_u32(r);
	VCPU_ARRAYS(GET)
#undef GET
	n.dec_tb = state_get_u64(r);
	n.timer_tb = state_get_u64(r);
	for (unsigned i = 0; i < VCPU_TLB_SIZE; i++) {
		n.tlb[i].word0 = state_get_u32(r);
		n.tlb[i].word1 = state_get_u32(r);
		n.tlb[i].word2 = state_get_u32(r);
		n.tlb[i].tid = state_get_u8(r);
	}
	n.irq_ext = state_get_bool(r);
	n.irq_crit = state_get_bool(r);
	n.halted = state_get_bool(r);
	n.reset_requested = state_get_bool(r);
	pv_enabled = state_get_bool(r);
	n.pv.mapped = state_get_bool(r);
	/* Paravirtualization is part of the machine: on in the file means on here, and back. */
	if (pv_enabled != v->pv.enabled || (n.pv.mapped && !pv_enabled))
		state_fail(r);
	if (v->pv.page)
		state_get_bytes(r, page, sizeof(page));
	if (n.pid > 0xff)
		state_fail(r);
	if (!state_reader_ok(r))
		return -EINVAL;
	if (core_state_load(&v->core, r))
		return -EINVAL;
#define SET(f) v->f = n.f;
	VCPU_REGS(SET)
#undef SET
#define SET(f) memcpy(v->f, n.f, sizeof(v->f));
	VCPU_ARRAYS(SET)
#undef SET
	v->dec_tb = n.dec_tb;
	v->timer_tb = n.timer_tb;
	memcpy(v->tlb, n.tlb, sizeof(v->tlb));
	v->irq_ext = n.irq_ext;
	v->irq_crit = n.irq_crit;
	v->halted = n.halted;
	v->reset_requested = n.reset_requested;
	v->wait_until = 0;
	v->pv.mapped = n.pv.mapped;
	if (v->pv.page)
		memcpy(v->pv.page, page, sizeof(page));
	v->stall = (struct vcpu_stall){ 0 };
	/* The context, FP mode and SPRG copies follow the loaded MSR; interrupts are looked at again. */
	vcpu_sync(v);
	core_event_set(&v->core, CORE_EVENT_IRQ);
	return 0;
}
