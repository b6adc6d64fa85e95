/* SPDX-License-Identifier: MIT */
/*
 * tlb.c - the 440 TLB: tlbwe/tlbre round trip, tlbsx[.] with TID and TS (MMUCR[STID,STS]),
 * page sizes 1K..256M, UX/UW/UR/SX/SW/SR from user and supervisor, MSR[IS,DS] address
 * spaces, and the DSI / ISI / DTLB / ITLB miss interrupts with their ESR, DEAR and SRR0.
 */
#include "isa.h"

#define EA 0x40000000u   /* test window, 256 MiB aligned, nothing mapped there */
#define PA 0x00800000u   /* RAM behind it for pages up to 1 MiB */
#define IDX 10u          /* guest TLB entry the tests use */
#define MMUCR_STS 0x00010000u

static const char *const size_name[10] = { "1K", "4K", "16K", "64K", "256K", "1M", "4M",
					   "16M", "64M", "256M" };

/* DEAR is written only by data-side faults (PPC440x5 manual, DEAR): a sentinel shows that. */
#define DEAR_SENTINEL 0xdea0dea0u

static void clear(void)
{
	isa_clear_last();
	mtspr(SPR_DEAR, DEAR_SENTINEL);
}

static void resume_at_lr(struct isa_frame *f)
{
	/* A fetch fault on a called address: record it and return to the caller. */
	isa_last.count++;
	isa_last.vec = f->vec;
	isa_last.srr0 = f->srr0;
	isa_last.srr1 = f->srr1;
	isa_last.esr = f->esr;
	isa_last.dear = f->dear;
	f->srr0 = f->lr;
}

static uint32_t load(uint32_t ea)
{
	uint32_t v = 0xdeadbeef;

	__asm__ volatile("lwz %0,0(%1)" : "+r"(v) : "b"(ea) : "memory");
	return v;
}

static void store(uint32_t ea, uint32_t v)
{
	__asm__ volatile("stw %0,0(%1)" : : "r"(v), "b"(ea) : "memory");
}

static uint32_t call(uint32_t ea)
{
	uint32_t (*fn)(uint32_t) = (uint32_t (*)(uint32_t))ea;

	return fn(7);
}

/* Physical RAM is also reachable 1:1 through TLB entry 0. */
static void put_code(uint32_t pa)
{
	/* addi r3,r3,1 ; blr */
	*(volatile uint32_t *)pa = 0x38630001u;
	*(volatile uint32_t *)(pa + 4) = 0x4e800020u;
	__asm__ volatile("dcbst 0,%0; msync; icbi 0,%0; isync" : : "r"(pa) : "memory");
}

static void show_access(const char *what, uint32_t v)
{
	if (isa_last.count) {
		isa_show_int(what, 1);
	} else {
		isa_puts(what);
		isa_puts(": ok ");
		isa_hex32(v);
		isa_putc('\n');
	}
}

static void roundtrip(void)
{
	uint32_t w[3], tid;

	isa_tlb_write(IDX, 0x12345c00u, 0x6789a400u, TLB_SIZE_1K, 1, 0x5a, 0xffffu);
	/* word 1 with ERPN = 0x3 (bits 28:31). */
	__asm__ volatile("tlbwe %0,%1,1; isync" : : "r"(0x6789a403u), "r"(IDX));
	mtspr(SPR_MMUCR, 0);
	isa_tlb_read(IDX, w, &tid);
	isa_show("tlbre w0", w[0]);
	isa_show("tlbre w1", w[1]);
	isa_show("tlbre w2", w[2]);
	isa_show("tlbre tid", tid);
	isa_tlb_invalidate(IDX);
	isa_tlb_read(IDX, w, &tid);
	isa_show("invalidated w0", w[0]);
	mtspr(SPR_MMUCR, 0);
}

static void search(const char *what, uint32_t ea, uint32_t stid, uint32_t sts)
{
	uint32_t idx = 0x77, cr;

	mtspr(SPR_MMUCR, stid | (sts ? MMUCR_STS : 0));
	__asm__ volatile("tlbsx. %0,0,%2\n\tmfcr %1" : "+r"(idx), "=r"(cr) : "r"(ea) : "cr0");
	mtspr(SPR_MMUCR, 0);
	isa_puts(what);
	isa_puts(": cr0=");
	isa_putc("0123456789abcdef"[cr >> 28]);
	if (cr & 0x20000000u) {
		/* Found: RT = index. Not found: RT is undefined (PPC440x5 manual, tlbsx), not shown. */
		isa_puts(" index=");
		isa_dec(idx);
	}
	isa_putc('\n');
}

static void searches(void)
{
	uint32_t w[3], tid;

	isa_tlb_write(IDX, EA, PA, TLB_SIZE_4K, 0, 0x21, TLB_SR | TLB_SW);
	isa_tlb_write(IDX + 1, EA + 0x1000, PA, TLB_SIZE_4K, 1, 0, TLB_SR);
	isa_tlb_write(IDX + 2, EA + 0x2000, PA, TLB_SIZE_4K, 0, 0, TLB_SR);
	search("tlbsx tid match", EA + 0x123, 0x21, 0);
	search("tlbsx tid mismatch", EA + 0x123, 0x22, 0);
	search("tlbsx ts mismatch", EA, 0x21, 1);
	search("tlbsx ts=1 tid 0", EA + 0x1ffc, 0x99, 1);
	search("tlbsx ts=0 for ts=1 entry", EA + 0x1000, 0, 0);
	search("tlbsx tid 0 any pid", EA + 0x2000, 0x42, 0);
	search("tlbsx entry 0", 0x00100000, 0, 0);
	search("tlbsx unmapped", 0x50000000, 0, 0);
	/* tlbre word 0 loads MMUCR[STID] with the entry's TID. */
	mtspr(SPR_MMUCR, 0);
	isa_tlb_read(IDX, w, &tid);
	isa_show("tlbre sets stid", tid);
	mtspr(SPR_MMUCR, 0);
	/* Translation uses PID: entry IDX (TID 0x21) translates only with PID = 0x21. */
	*(volatile uint32_t *)PA = 0x600df00d;
	clear();
	show_access("pid 0 load tid 0x21", load(EA));
	mtspr(SPR_PID, 0x21);
	clear();
	show_access("pid 0x21 load tid 0x21", load(EA));
	mtspr(SPR_PID, 0);
	isa_tlb_invalidate(IDX);
	isa_tlb_invalidate(IDX + 1);
	isa_tlb_invalidate(IDX + 2);
}

static void sizes(void)
{
	uint32_t s, bytes, pa, probe;

	for (s = 0; s <= TLB_SIZE_256M; s++) {
		if (s == 6 || s == 8)
			continue; /* 4M and 64M are not 440 page sizes */
		bytes = 1024u << (2 * s);
		pa = bytes <= 0x00100000u ? PA : bytes == 0x01000000u ? 0x01000000u : 0;
		/* The last word of the page, or one well inside it for 256M (RAM may end earlier). */
		probe = bytes <= 0x01000000u ? bytes - 4 : 0x00fffffcu;
		*(volatile uint32_t *)(pa + probe) = 0xa5000000u | s;
		isa_tlb_write(IDX, EA, pa, s, 0, 0, TLB_SR | TLB_SW);
		isa_puts(size_name[s]);
		isa_putc('\n');
		clear();
		show_access(" last word", load(EA + probe));
		clear();
		show_access(" next page", load(EA + bytes));
		isa_tlb_invalidate(IDX);
	}
	/* An EPN not aligned to the page size: the low EPN bits are ignored for the match. */
	*(volatile uint32_t *)(PA + 0x10) = 0x0a11a11du;
	isa_tlb_write(IDX, EA + 0x3000, PA, TLB_SIZE_16K, 0, 0, TLB_SR);
	clear();
	show_access("16K epn low bits ignored", load(EA + 0x10));
	isa_tlb_invalidate(IDX);
}

/* User-mode probes (run through isa_call_user). */
static uint32_t u_load(uint32_t ea)
{
	return load(ea);
}

static uint32_t u_store(uint32_t ea)
{
	store(ea, 0x5555aaaau);
	return 0;
}

static uint32_t u_call(uint32_t ea)
{
	return call(ea);
}

static void perm_case(const char *name, uint32_t attr)
{
	isa_tlb_write(IDX, EA, PA, TLB_SIZE_4K, 0, 0, attr);
	isa_puts(name);
	isa_putc('\n');
	clear();
	show_access(" sup load", load(EA + 8));
	clear();
	store(EA + 12, 0x12121212u);
	show_access(" sup store", 0);
	clear();
	show_access(" sup exec", call(EA));
	clear();
	show_access(" user load", isa_call_user(u_load, EA + 8, MSR_PR));
	clear();
	show_access(" user store", isa_call_user(u_store, EA + 12, MSR_PR));
	clear();
	show_access(" user exec", isa_call_user(u_call, EA, MSR_PR));
	isa_tlb_invalidate(IDX);
}

static void permissions(void)
{
	put_code(PA);
	*(volatile uint32_t *)(PA + 8) = 0x0000cafeu;
	perm_case("none", 0);
	perm_case("SR", TLB_SR);
	perm_case("SR SW", TLB_SR | TLB_SW);
	perm_case("SX", TLB_SX);
	perm_case("UR", TLB_UR);
	perm_case("UR UW", TLB_UR | TLB_UW);
	perm_case("UX", TLB_UX);
	perm_case("all", TLB_UR | TLB_UW | TLB_UX | TLB_SR | TLB_SW | TLB_SX);
	/* dcbz is a store for permissions (ESR[ST]). */
	isa_tlb_write(IDX, EA, PA, TLB_SIZE_4K, 0, 0, TLB_SR);
	clear();
	__asm__ volatile("dcbz 0,%0" : : "r"(EA + 0x40) : "memory");
	show_access("dcbz on read-only", 0);
	isa_tlb_invalidate(IDX);
}

/* Address spaces: MSR[DS] selects TS for data, MSR[IS] for fetches. */
static void spaces(void)
{
	uint32_t v = 0, msr = mfmsr();

	isa_tlb_write(IDX, EA, PA, TLB_SIZE_4K, 1, 0, TLB_SR | TLB_SX);
	clear();
	show_access("ts=1 entry, DS=0 load", load(EA + 8));
	clear();
	/* With DS=1 only this asm block runs: its stack and data are TS=0 (entry 0). */
	__asm__ volatile("mtmsr %1; isync; lwz %0,8(%2); mtmsr %3; isync"
			 : "+r"(v) : "r"(msr | MSR_DS), "b"(EA), "r"(msr) : "memory");
	show_access("ts=1 entry, DS=1 load", v);
	clear();
	show_access("ts=1 entry, IS=0 exec", call(EA));
	isa_tlb_invalidate(IDX);
	/* Data access with DS=1 and no TS=1 entry: DTLB miss, DEAR = EA. */
	clear();
	v = 0;
	__asm__ volatile("mtmsr %1; isync; lwz %0,0(%2); mtmsr %3; isync"
			 : "+r"(v) : "r"(msr | MSR_DS), "b"(0x00100000u), "r"(msr) : "memory");
	show_access("DS=1 no entry", v);
}

static void misses(void)
{
	clear();
	show_access("dtlb miss load", load(0x50000010u));
	clear();
	store(0x50000020u, 1);
	show_access("dtlb miss store", 0);
	clear();
	show_access("itlb miss", call(0x50000100u));
	isa_check("itlb srr0 = target", isa_last.srr0 == 0x50000100u);
	clear();
	show_access("user dtlb miss", isa_call_user(u_load, 0x50000010u, MSR_PR));
	clear();
	show_access("user itlb miss", isa_call_user(u_call, 0x50000100u, MSR_PR));
}

int main(void)
{
	uint32_t v;

	for (v = 0; v < IV_COUNT; v++)
		isa_handlers[v] = isa_record_skip;
	isa_handlers[IV_ISI] = resume_at_lr;
	isa_handlers[IV_ITLB] = resume_at_lr;
	/*
	 * Entry 0 as a real 440 entry: 0..256 MiB, supervisor and user RWX. (QEMU 7.2's -kernel
	 * boot makes entry 0 a 2 GiB mapping, a size the 440 does not have.)
	 */
	isa_tlb_write(0, 0, 0, TLB_SIZE_256M, 0, 0,
		      TLB_UX | TLB_UW | TLB_UR | TLB_SX | TLB_SW | TLB_SR);
	roundtrip();
	searches();
	sizes();
	permissions();
	spaces();
	misses();
	return 0;
}
