/* SPDX-License-Identifier: MIT */
/*
 * timers.c - TB advances, DEC counts down, DEC interrupt with DECAR auto-reload, FIT interrupt,
 * DEC stopping at zero, TSR status without interrupts, watchdog interrupt and watchdog reset
 * (PPC440x5 manual, chapter 7 "Timer Facilities").
 */
#include "isa.h"

#define TCR_DIE 0x04000000u
#define TCR_FIE 0x00800000u
#define TCR_ARE 0x00400000u
#define TCR_WP_2_25 0x40000000u
#define TCR_WP_2_33 0xc0000000u
#define TCR_FP_2_25 0x03000000u
#define TCR_WRC_SYS 0x30000000u
#define TCR_WIE 0x08000000u
#define TSR_ENW 0x80000000u
#define TSR_WIS 0x40000000u
#define TSR_DIS 0x08000000u
#define TSR_FIS 0x04000000u
#define SPR_CSRR1 59

static volatile uint32_t dec_hits, fit_hits, wdt_hits, wdt_tsr, wdt_csrr1;

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

static void wdt_handler(struct isa_frame *f)
{
	(void)f;
	wdt_hits++;
	wdt_tsr = mfspr(SPR_TSR);
	wdt_csrr1 = f->srr1;
	/* Clear ENW and WIS (write 1 to clear) and stop further watchdog interrupts. */
	mtspr(SPR_TSR, TSR_ENW | TSR_WIS);
	mtspr(SPR_TCR, mfspr(SPR_TCR) & ~TCR_WIE);
}

/* Wait until TSR has any of bits, at most n polls; returns TSR. */
static uint32_t wait_tsr(uint32_t bits, uint32_t n)
{
	uint32_t i, t = 0;

	for (i = 0; i < n; i++) {
		t = mfspr(SPR_TSR);
		if (t & bits)
			break;
	}
	return t;
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

	/* Without ARE the DEC stops at 0 and sets TSR[DIS]; without DIE nothing is delivered. */
	/* Slow FIT (2^25) and watchdog (2^33) so no status bit comes back at once. */
	mtspr(SPR_TCR, TCR_WP_2_33 | TCR_FP_2_25);
	mtspr(SPR_TSR, 0xffffffffu);
	isa_show("tsr after clear-all", mfspr(SPR_TSR) & 0xfc000000u);
	mtmsr(mfmsr() | MSR_EE);
	mtspr(SPR_DEC, 3000);
	for (i = 0; i < 10000000 && mfspr(SPR_DEC) != 0; i++)
		;
	t0 = mfspr(SPR_TBLR);
	while (mfspr(SPR_TBLR) - t0 < 100000)
		;
	isa_show("dec after expiry (ARE=0)", mfspr(SPR_DEC));
	isa_show("tsr[dis] without die", mfspr(SPR_TSR) & TSR_DIS);
	isa_show("dec interrupts without die", dec_hits);
	/* TSR[FIS] is set by the FIT without TCR[FIE]; writing 1 clears only that bit. */
	mtspr(SPR_TCR, TCR_WP_2_33);	/* FIT period 2^13 */
	isa_show("tsr[fis] without fie", wait_tsr(TSR_FIS, 10000000) & TSR_FIS);
	mtspr(SPR_TSR, TSR_FIS);
	isa_show("tsr[dis] kept after fis clear", mfspr(SPR_TSR) & TSR_DIS);
	mtspr(SPR_TSR, TSR_DIS);
	mtmsr(mfmsr() & ~MSR_EE);

	/*
	 * Watchdog, period 2^25 (TCR[WP] = 1; long enough that a descheduled host thread does not
	 * see two timeouts at once): the first timeout sets TSR[ENW], the second TSR[WIS] and,
	 * with TCR[WIE] and MSR[CE], raises the critical watchdog interrupt.
	 */
	isa_handlers[IV_WATCHDOG] = wdt_handler;
	mtspr(SPR_TSR, TSR_ENW | TSR_WIS);
	mtspr(SPR_TCR, TCR_WP_2_25 | TCR_WIE);
	isa_show("tsr[enw] after first timeout", wait_tsr(TSR_ENW, 50000000) & (TSR_ENW | TSR_WIS));
	isa_show("watchdog interrupts with CE=0", wdt_hits);
	mtmsr(mfmsr() | MSR_CE);
	t0 = mfspr(SPR_TBLR);
	while (!wdt_hits && mfspr(SPR_TBLR) - t0 < (3u << 25))
		;
	mtmsr(mfmsr() & ~MSR_CE);
	isa_show("watchdog interrupts", wdt_hits);
	isa_show("watchdog tsr in handler", wdt_tsr & (TSR_ENW | TSR_WIS));
	isa_show("watchdog csrr1", wdt_csrr1);

	/* TCR[WRC] != 0: the third timeout (ENW and WIS both set) resets the system. */
	isa_puts("watchdog reset next\n");
	mtspr(SPR_TSR, TSR_ENW | TSR_WIS);
	mtspr(SPR_TCR, TCR_WP_2_25 | TCR_WRC_SYS);
	/* Three timeouts take at most 3 * 2^25 ticks; give up after 4 * 2^25. */
	t0 = mfspr(SPR_TBLR);
	while (mfspr(SPR_TBLR) - t0 < (4u << 25))
		;
	isa_puts("FAIL no watchdog reset\n");
	return 0;
}
