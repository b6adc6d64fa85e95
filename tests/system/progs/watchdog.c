/* SPDX-License-Identifier: MIT */
/* watchdog.c - bare-metal partition that arms the 440 watchdog and never clears it (tests/system). */
#include "isa.h"

#define TCR_WRC_CORE (1u << 28)  /* TCR[WRC] = 01: core reset on the third expiry (PPC440x5 manual, 7.4) */

int main(void)
{
	/* TCR[WP] = 00: the shortest period, 2^21 timebase ticks. */
	__asm__ volatile("mtspr 340,%0" : : "r"(TCR_WRC_CORE));
	isa_puts("wd: armed\n");
	for (;;)
		for (volatile uint32_t i = 0; i < 100000; i++)
			;
}
