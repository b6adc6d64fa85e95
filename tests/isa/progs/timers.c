/* SPDX-License-Identifier: MIT */
/* timers.c - TB advances, DEC counts down, DEC interrupt with DECAR auto-reload, FIT interrupt. */
#include "isa.h"

#define TCR_DIE 0x04000000u
#define TCR_FIE 0x00800000u
#define TCR_ARE 0x00400000u
#define TSR_DIS 0x08000000u
#define TSR_FIS 0x04000000u

static volatile uint32_t dec_hits, fit_hits;

static void dec_handler(struct isa_frame *f)
{
	(void)f;
	dec_hits++;
	mtspr(SPR_TSR, TSR_DIS);	/* write-1-to-clear (PPC440x5 manual, TSR) */
	if (dec_hits == 3)
		mtspr(SPR_TCR, mfspr(SPR_TCR) & ~TCR_DIE);
}

static void fit_handler(struct isa_frame *f)
{
	(void)f;
	fit_hits++;
	mtspr(SPR_TSR, TSR_FIS);
	if (fit_hits == 2)
		mtspr(SPR_TCR, mfspr(SPR_TCR) & ~TCR_FIE);
}

int main(void)
{
	uint32_t t0, t1, d0, d1, i;

	t0 = mfspr(SPR_TBLR);
	for (i = 0; i < 100000 && mfspr(SPR_TBLR) == t0; i++)
		;
	t1 = mfspr(SPR_TBLR);
	isa_puts("tb advanced: ");
	isa_puts(t1 != t0 ? "yes\n" : "no\n");
	mtspr(SPR_DEC, 0x7fffffff);
	d0 = mfspr(SPR_DEC);
	for (i = 0; i < 100000 && mfspr(SPR_DEC) == d0; i++)
		;
	d1 = mfspr(SPR_DEC);
	isa_puts("dec counts down: ");
	isa_puts(d1 < d0 ? "yes\n" : "no\n");

	/* DEC with auto-reload: three interrupts from one mtdec. */
	isa_handlers[IV_DEC] = dec_handler;
	mtspr(SPR_TSR, TSR_DIS | TSR_FIS);
	mtspr(SPR_DECAR, 20000);
	mtspr(SPR_TCR, TCR_DIE | TCR_ARE);
	mtspr(SPR_DEC, 20000);
	mtmsr(mfmsr() | MSR_EE);
	for (i = 0; i < 50000000 && dec_hits < 3; i++)
		;
	isa_show("dec interrupts", dec_hits);
	isa_puts("dec reloaded: ");
	isa_puts(mfspr(SPR_DEC) != 0 ? "yes\n" : "no\n");

	/* FIT: TCR[FP] = 0 selects the shortest period (PPC440x5 manual, TCR). */
	isa_handlers[IV_FIT] = fit_handler;
	mtspr(SPR_TCR, TCR_FIE);
	for (i = 0; i < 50000000 && fit_hits < 2; i++)
		;
	mtmsr(mfmsr() & ~MSR_EE);
	isa_show("fit interrupts", fit_hits);
	return 0;
}
