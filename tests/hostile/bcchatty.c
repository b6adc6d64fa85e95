/* SPDX-License-Identifier: MIT */
/* bcchatty.c - chatty.c's 5000 known lines through ePAPR byte channel 0, retrying on EV_EAGAIN. */
#include "isa.h"
#include "hcall.h"

#define EV_BC_SEND (1u << 16 | 1u)
#define EV_SUCCESS 0u
#define EV_EAGAIN 4u


static uint32_t eagain, errors;

/* Send n (<= 16) bytes, as Linux's ehv_bytechan console does: again at once after EV_EAGAIN. */
static void bc_send(const char *p, uint32_t n)
{
	while (n) {
		uint32_t regs[9];

		regs[0] = 0;  /* handle 0 */
		regs[1] = n;
		for (uint32_t k = 0; k < 4; k++) {
			uint32_t v = 0;

			for (uint32_t i = 4 * k; i < 4 * k + 4; i++)
				v = v << 8 | (uint8_t)(i < n ? p[i] : 0);
			regs[2 + k] = v;
		}
		regs[6] = regs[7] = 0;
		regs[8] = EV_BC_SEND;
		hv_call(regs);
		if (regs[0] != EV_SUCCESS && regs[0] != EV_EAGAIN) {
			errors++;
			return;
		}
		if (regs[0] == EV_EAGAIN)
			eagain++;
		if (regs[1] > n) {
			errors++;
			return;
		}
		p += regs[1];
		n -= regs[1];
	}
}

int main(void)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t x = 1;
	char line[11];

	for (int i = 0; i < 5000; i++) {
		x = x * 1664525u + 1013904223u;
		line[0] = '0';
		line[1] = 'x';
		for (int k = 0; k < 8; k++)
			line[2 + k] = hex[(x >> (28 - 4 * k)) & 0xf];
		line[10] = '\n';
		bc_send(line, 11);
	}
	bc_send("chatty end\n", 11);
	isa_show("bcchatty: errors", errors);
	isa_puts(eagain ? "bcchatty: EV_EAGAIN seen\n" : "bcchatty: no EV_EAGAIN\n");
	return 0;
}
