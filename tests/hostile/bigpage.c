/* SPDX-License-Identifier: MIT */
/*
 * bigpage.c - one 256 MiB TLB entry over less RAM (run with -m 128M or -m 192M): code and
 * data in different parts of the page, alternately, and accesses past the end of RAM.
 *
 * The boot TLB entry 0 maps EA 0..256 MiB to PA 0 (as Linux's first pinned entry does),
 * whatever the RAM size. Code near 1 MiB touching data near 100 MiB, and code copied to
 * 112 MiB touching data near 1 MiB, must run to the end: hv440 once shadowed such a page
 * as pieces that shared one shadow slot, and the code and data pieces evicted each other
 * forever. A load, a store and a fetch past the end of RAM inside the page are bus
 * errors on the 440: machine checks with MCSR[DRB], [DWB] and [IB] (PPC440x5 manual,
 * 6.4.12 "Machine Check Status Register").
 */
#include "isa.h"

#define BARRIER() __asm__ volatile("" : : : "memory")
#define SPR_MCSR 572
#define FAR_DATA 0x06400000u /* 100 MiB: RAM, in the page's second quarter */
#define FAR_CODE 0x07000000u /* 112 MiB */
#define PAST_RAM 0x0f000000u /* 240 MiB: in the page, past RAM (at most 192 MiB here) */

static volatile uint32_t near_data[64];
static volatile uint32_t n_mc, mcsr_seen;

static void on_mc(struct isa_frame *f)
{
	n_mc++;
	mcsr_seen = mfspr(SPR_MCSR);
	mtspr(SPR_MCSR, mcsr_seen); /* write-to-clear */
	f->srr0 += 4;
}

/* A fetch that failed: return to the caller, as if the called function did nothing. */
static void on_mc_fetch(struct isa_frame *f)
{
	n_mc++;
	mcsr_seen = mfspr(SPR_MCSR);
	mtspr(SPR_MCSR, mcsr_seen);
	f->srr0 = f->lr;
}

/* Code near 1 MiB, data in 256 pages from 100 MiB, with near data in between. */
static void near_code_far_data(void)
{
	uint32_t i, sum = 0;

	for (i = 0; i < 100000; i++) {
		volatile uint32_t *p = (volatile uint32_t *)(FAR_DATA + ((i & 0xff) << 12));

		sum += *p;
		*p = i;
		near_data[i & 63] += sum;
	}
	isa_show("near code, far data: sum", sum);
}

/* lwz r4,0(r3); addi r4,r4,1; stw r4,0(r3); blr - copied to 112 MiB and run from there. */
static const uint32_t incr_code[4] = { 0x80830000u, 0x38840001u, 0x90830000u, 0x4e800020u };

static void far_code_near_data(void)
{
	uint32_t *code = (uint32_t *)FAR_CODE;
	void (*incr)(volatile uint32_t *) = (void (*)(volatile uint32_t *))(void *)code;
	uint32_t i, total = 0;

	for (i = 0; i < 4; i++)
		code[i] = incr_code[i];
	__asm__ volatile("dcbst 0,%0; msync; icbi 0,%0; isync" : : "r"(code) : "memory");
	for (i = 0; i < 64; i++)
		near_data[i] = 0;
	for (i = 0; i < 20000; i++)
		incr(&near_data[i & 63]);
	for (i = 0; i < 64; i++)
		total += near_data[i];
	isa_show("far code, near data: increments (20000)", total);
}

static void past_ram(void)
{
	volatile uint32_t *p = (volatile uint32_t *)PAST_RAM;
	void (*nothing)(void) = (void (*)(void))(void *)(PAST_RAM + 0x100);

	isa_handlers[IV_MCHECK] = on_mc;
	BARRIER();
	(void)*p;
	isa_show("load past RAM: machine checks (1)", n_mc);
	isa_show("load past RAM: mcsr (MCS|DRB)", mcsr_seen);
	*p = 1;
	isa_show("store past RAM: machine checks (2)", n_mc);
	isa_show("store past RAM: mcsr (MCS|DWB)", mcsr_seen);
	isa_handlers[IV_MCHECK] = on_mc_fetch;
	BARRIER();
	nothing();
	isa_show("fetch past RAM: machine checks (3)", n_mc);
	isa_show("fetch past RAM: mcsr (MCS|IB)", mcsr_seen);
	isa_handlers[IV_MCHECK] = 0;
	BARRIER();
}

int main(void)
{
	mtmsr(mfmsr() | MSR_ME);
	near_code_far_data();
	far_code_near_data();
	past_ram();
	isa_puts("bigpage: done\n");
	isa_exit();
}
