/* SPDX-License-Identifier: MIT */
/* tlb.c - the guest's 64-entry 440 TLB and the shadow TLB filled from it (REAL/VIRT misses). */
#include "hv/internal.h"

/* Bits a tlbre gives back (PPC440x5 manual, "TLB Entry Fields"; parity bits are not modelled). */
#define TLB0_MASK 0xfffffff0u
#define TLB1_MASK 0xfffffc0fu
#define TLB2_MASK 0x0000ffbfu

/* Page size from word0[SIZE]: 1 KiB << 2*SIZE, 1K..256M (PPC440x5 manual, table 5-2). */
uint32_t tlb_page_size(uint32_t word0)
{
	unsigned size = (word0 & TLB0_SIZE) >> 4;

	if (size > 9)
		size = 9;
	return 1024u << (2 * size);
}

static bool entry_matches(const struct vcpu_tlb_entry *e, gva_t ea, unsigned ts, unsigned pid)
{
	uint32_t mask;

	if (!(e->word0 & TLB0_V))
		return false;
	if (!!(e->word0 & TLB0_TS) != !!ts)
		return false;
	if (e->tid && e->tid != (pid & 0xff))
		return false;
	mask = ~(tlb_page_size(e->word0) - 1);
	return ((e->word0 & TLB0_EPN) & mask) == (ea & mask);
}

/* The 440 leaves multiple hits undefined; the lowest index wins, as a priority encoder would. */
int tlb_search(const struct vcpu *v, gva_t ea, unsigned ts, unsigned pid)
{
	for (unsigned i = 0; i < VCPU_TLB_SIZE; i++)
		if (entry_matches(&v->tlb[i], ea, ts, pid))
			return (int)i;
	return -1;
}

static void shadow_fill(struct vcpu *v, unsigned gi);

/* Shadow index = guest index, so rewriting guest entry i drops exactly shadow entry i. */
static void shadow_drop(struct vcpu *v, unsigned index)
{
	core_stlb_invalidate(&v->core, index % CORE_STLB_SIZE);
	trace_stlb_inval(v, index % CORE_STLB_SIZE);
}

void tlb_write_word(struct vcpu *v, unsigned index, unsigned ws, uint32_t val)
{
	struct vcpu_tlb_entry *e = &v->tlb[index % VCPU_TLB_SIZE];

	switch (ws) {
	case 0:
		/* tlbwe word 0 takes TID from MMUCR[STID] (PPC440x5 manual, tlbwe). */
		e->word0 = val & TLB0_MASK;
		e->tid = v->mmucr & MMUCR_STID;
		break;
	case 1:
		e->word1 = val & TLB1_MASK;
		break;
	default:
		e->word2 = val & TLB2_MASK;
		break;
	}
	trace_gtlb_write(v, index % VCPU_TLB_SIZE, ws, val);
	shadow_drop(v, index % VCPU_TLB_SIZE);
	/*
	 * Fill the shadow entry at once (as KVM/440 did): the guest writes an
	 * entry because it is about to use it, and filling it now saves the
	 * VIRT miss exit that would fill it on first use. Only after word 2,
	 * the attributes, which Linux writes last; an entry completed in
	 * another order is filled on its first use, as before.
	 */
	if (ws == 2 && (e->word0 & TLB0_V))
		shadow_fill(v, index % VCPU_TLB_SIZE);
}

uint32_t tlb_read_word(struct vcpu *v, unsigned index, unsigned ws)
{
	const struct vcpu_tlb_entry *e = &v->tlb[index % VCPU_TLB_SIZE];

	switch (ws) {
	case 0:
		/* tlbre word 0 also loads MMUCR[STID] with the entry's TID. */
		v->mmucr = (v->mmucr & ~MMUCR_STID) | e->tid;
		return e->word0;
	case 1:
		return e->word1;
	default:
		return e->word2;
	}
}

void vcpu_tlb_set(struct vcpu *v, unsigned index, const struct vcpu_tlb_entry *e)
{
	index %= VCPU_TLB_SIZE;
	v->tlb[index].word0 = e->word0 & TLB0_MASK;
	v->tlb[index].word1 = e->word1 & TLB1_MASK;
	v->tlb[index].word2 = e->word2 & TLB2_MASK;
	v->tlb[index].tid = e->tid;
	trace_gtlb_write(v, index, 3, e->word0);
	shadow_drop(v, index);
}

static uint8_t perms(uint32_t w2, uint32_t r, uint32_t w, uint32_t x)
{
	return ((w2 & r) ? CORE_PERM_R : 0) | ((w2 & w) ? CORE_PERM_W : 0) |
	       ((w2 & x) ? CORE_PERM_X : 0);
}

/*
 * Make shadow entry gi from guest entry gi: the same page, whatever it
 * maps. A page that reaches past the end of RAM (Linux pins its first
 * 256 MiB with one entry, whatever the RAM size) is still one shadow
 * entry: the core gives direct access to the part that is RAM and turns
 * accesses to the rest into MMIO exits (struct core_stlb_entry), where
 * the bus answers or raises a machine check as the 440's PLB does for an
 * address no slave claims. One guest entry never needs two shadow
 * entries, so no two fills of it can evict each other.
 */
static void shadow_fill(struct vcpu *v, unsigned gi)
{
	const struct vcpu_tlb_entry *g = &v->tlb[gi];
	struct core_stlb_entry s;
	uint32_t size = tlb_page_size(g->word0);
	unsigned si = gi % CORE_STLB_SIZE;

	s.size = size;
	s.ea = g->word0 & TLB0_EPN & ~(size - 1);
	s.pa = (((gpa_t)(g->word1 & TLB1_ERPN) << 32) | (g->word1 & TLB1_RPN)) & ~(gpa_t)(size - 1);
	s.ts = (g->word0 & TLB0_TS) ? 1 : 0;
	s.tid = g->tid;
	s.uperm = perms(g->word2, TLB2_UR, TLB2_UW, TLB2_UX);
	s.kperm = perms(g->word2, TLB2_SR, TLB2_SW, TLB2_SX);
	/* A page with no RAM in it at all (pages are aligned to their size and RAM starts at 0). */
	s.flags = CORE_STLB_VALID | (s.pa >= v->ram_size ? CORE_STLB_IO : 0) |
		  ((g->word2 & TLB2_E) ? CORE_STLB_LE : 0) |
		  ((g->word2 & TLB2_G) ? CORE_STLB_GUARD : 0);
	if (v->core.stlb[si].flags & CORE_STLB_VALID)
		v->stats.stlb_evictions++;
	v->stats.stlb_fills++;
	trace_stlb_write(v, si, &s, !!(v->core.stlb[si].flags & CORE_STLB_VALID));
	core_stlb_write(&v->core, si, &s);
}

enum hv_exit_kind tlb_handle_miss(struct vcpu *v, gva_t ea, bool fetch, uint32_t esr)
{
	unsigned ts = fetch ? !!(v->msr & MSR_IS) : !!(v->msr & MSR_DS);
	int gi;

	if (pv_magic_fill(v, ea, fetch))
		return HV_EXIT_DTLB_VIRT;
	gi = tlb_search(v, ea, ts, v->pid);
	if (gi < 0) {
		/* REAL miss: the guest's own TLB miss interrupt (PPC440x5 manual, 6.4.14/6.4.15). */
		if (fetch) {
			irq_deliver(v, IVOR_ITLB_MISS, v->core.pc);
			return HV_EXIT_ITLB_REAL;
		}
		v->dear = ea;
		v->esr = esr & (CORE_ESR_ST | CORE_ESR_FP | CORE_ESR_AP);
		irq_deliver(v, IVOR_DTLB_MISS, v->core.pc);
		return HV_EXIT_DTLB_REAL;
	}
	shadow_fill(v, (unsigned)gi);
	return fetch ? HV_EXIT_ITLB_VIRT : HV_EXIT_DTLB_VIRT;
}
