/* SPDX-License-Identifier: MIT */
/* service.c - bare-metal partition answering each line on its byte channel with its NAME (tests/system, hot standby). */
/* With -DARM_WATCHDOG it arms the 440 watchdog after its first answer and never clears it. */
#include "isa.h"
#include "hcall.h"

#define EV_BC_SEND (1u << 16 | 1u)
#define EV_BC_RECEIVE (1u << 16 | 2u)
#define EV_SUCCESS 0u
#define EV_EAGAIN 4u
#define TCR_WRC_CORE (1u << 28)  /* TCR[WRC] = 01: core reset on the third expiry (PPC440x5 manual, 7.4) */

#ifndef NAME
#error "build with -DNAME='\"...\"'"
#endif

static void send_str(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	while (n) {
		uint32_t regs[9], k = n < 16 ? n : 16;

		for (uint32_t i = 0; i < 9; i++)
			regs[i] = 0;
		regs[1] = k;
		for (uint32_t w = 0; w < 4; w++)
			for (uint32_t i = 4 * w; i < 4 * w + 4; i++)
				regs[2 + w] = regs[2 + w] << 8 | (i < k ? (uint8_t)s[i] : 0);
		regs[8] = EV_BC_SEND;
		hv_call(regs);
		if (regs[0] == EV_EAGAIN)
			continue;
		if (regs[0] != EV_SUCCESS || regs[1] > k)
			return;
		s += regs[1];
		n -= regs[1];
	}
}

int main(void)
{
#ifdef ARM_WATCHDOG
	uint32_t armed = 0;
#endif

	isa_puts("service: " NAME " ready\n");
	for (;;) {
		uint32_t regs[9];

		for (uint32_t i = 0; i < 9; i++)
			regs[i] = 0;
		regs[1] = 16;
		regs[8] = EV_BC_RECEIVE;
		hv_call(regs);
		if (regs[0] != EV_SUCCESS || regs[1] > 16)
			continue;
		for (uint32_t i = 0; i < regs[1]; i++) {
			if ((uint8_t)(regs[2 + i / 4] >> (24 - 8 * (i % 4))) != '\n')
				continue;
			send_str(NAME "\n");
#ifdef ARM_WATCHDOG
			if (!armed) {
				/* TCR[WP] = 00: the shortest period, 2^21 timebase ticks. */
				__asm__ volatile("mtspr 340,%0" : : "r"(TCR_WRC_CORE));
				isa_puts("service: watchdog armed\n");
				armed = 1;
			}
#endif
		}
	}
}
