/* SPDX-License-Identifier: MIT */
/* prog.c - bare-metal target for the gdb stub tests: calls to break on, watched data, a DEC loop. */
#include "isa.h"

#define SPR_DECAR_ 54
#define SPR_IAC1 312
#define SPR_DAC1 316
#define TCR_DIE 0x04000000u
#define TCR_ARE 0x00400000u
#define TSR_DIS 0x08000000u
#define MSR_EE_ 0x00008000u

volatile uint32_t watched;
volatile uint32_t buffer[4] = { 1, 2, 3, 4 };
volatile uint32_t ticks;

/* noipa: keep the calls and their arguments in r3/r4 for the debugger. */
__attribute__((noipa)) uint32_t add_step(uint32_t a, uint32_t b)
{
	return a + b;
}

__attribute__((noipa)) void touch(void)
{
	watched = watched + 5;
}

static void dec_handler(struct isa_frame *f)
{
	(void)f;
	ticks++;
	mtspr(SPR_TSR, TSR_DIS);
	if (ticks >= 3)
		mtspr(SPR_TCR, 0);
}

/* Wait for three decrementer interrupts (a debugger single-steps through this). */
__attribute__((noipa)) void spin(void)
{
	isa_handlers[IV_DEC] = dec_handler;
	mtspr(SPR_TSR, TSR_DIS);
	mtspr(SPR_DECAR_, 50);
	mtspr(SPR_TCR, TCR_DIE | TCR_ARE);
	mtspr(SPR_DEC, 50);
	mtmsr(mfmsr() | MSR_EE_);
	while (ticks < 3)
		;
	mtmsr(mfmsr() & ~MSR_EE_);
}

int main(void)
{
	/*
	 * The guest's own debug registers, pointing at code and data it uses:
	 * gdb's breakpoints must not show up here, and these must not stop gdb.
	 */
	mtspr(SPR_IAC1, (uint32_t)isa_puts);
	mtspr(SPR_DAC1, (uint32_t)&buffer[2]);
	isa_puts("gdb test start\n");
	spin();
	isa_show("ticks", ticks);
	isa_show("sum", add_step(2, 3));
	/* The guest reads its own code where gdb has a breakpoint: it sees the original word. */
	isa_show("code", *(volatile uint32_t *)(uint32_t)add_step);
	touch();
	isa_show("watched", watched);
	isa_show("buffer0", buffer[0]);
	isa_show("buffer1", buffer[1]);
	isa_show("iac1", mfspr(SPR_IAC1));
	isa_show("dac1", mfspr(SPR_DAC1));
	isa_puts("gdb test end\n");
	return 0;
}
