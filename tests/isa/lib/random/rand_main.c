/* SPDX-License-Identifier: MIT */
/* rand_main.c - runs a gen_random.py sequence and prints every register and the scratch buffer. */
#include "isa.h"

const int isa_use_fp = 1;

struct dump {
	uint32_t gpr[32];
	uint32_t cr, xer, lr, ctr;
	uint32_t fpr[64];
	uint32_t fpscr[2];
};

static struct dump st __attribute__((aligned(8)));
static uint8_t scratch[256] __attribute__((aligned(8)));
void rand_run(struct dump *d, uint8_t *buf);

int main(void)
{
	static const char *const names[] = { "cr", "xer", "lr", "ctr" };
	uint32_t i;

	for (i = 0; i < sizeof(scratch); i++)
		scratch[i] = (uint8_t)(i * 37 + 11);
	rand_run(&st, scratch);
	for (i = 0; i < 32; i++) {
		if (i == 1 || i == 31)
			continue;
		isa_puts("r");
		isa_dec(i);
		isa_show("", st.gpr[i]);
	}
	for (i = 0; i < 4; i++)
		isa_show(names[i], (&st.cr)[i]);
	for (i = 0; i < 32; i++) {
		isa_puts("f");
		isa_dec(i);
		isa_show64("", ((uint64_t)st.fpr[2 * i] << 32) | st.fpr[2 * i + 1]);
	}
	isa_show("fpscr", st.fpscr[1]);
	for (i = 0; i < sizeof(scratch); i += 4)
		isa_show("mem", ((uint32_t)scratch[i] << 24) | ((uint32_t)scratch[i + 1] << 16) |
			 ((uint32_t)scratch[i + 2] << 8) | scratch[i + 3]);
	return 0;
}
