/* SPDX-License-Identifier: MIT */
/* mgmt.c - bare-metal partition that drives Topaz's FH_PARTITION_* hypercalls on partition 1 (tests/system). */
#include "isa.h"
#include "hcall.h"

#define FH(nr) (2u << 16 | (nr))  /* EV_FSL_VENDOR_ID 2 (Linux epapr_hcalls.h) */
#define FH_PARTITION_RESTART 4u
#define FH_PARTITION_GET_STATUS 5u
#define FH_PARTITION_START 6u
#define FH_PARTITION_STOP 7u
/*
 * Partition 1's state-change doorbell: the first UIC0 input hv440 lends the
 * manager (hw/hvmgr.c), an edge. UIC0 SR at DCR 0xC0, TR at 0xC5.
 */
#define DOORBELL_BIT (0x80000000u >> 2)
#define mfdcr(n) ({ uint32_t v_; __asm__ volatile("mfdcr %0," #n : "=r"(v_)); v_; })
#define mtdcr(n, v) __asm__ volatile("mtdcr " #n ",%0" : : "r"(v))


static uint32_t fh(uint32_t nr, uint32_t partition, uint32_t *value)
{
	uint32_t regs[9] = { partition, 0, 0, 0, 0, 0, 0, 0, FH(nr) };

	hv_call(regs);
	*value = regs[1];
	return regs[0];
}

static void show(const char *what, uint32_t partition, uint32_t status, uint32_t value)
{
	isa_puts("mgmt: ");
	isa_puts(what);
	isa_puts("(");
	isa_dec(partition);
	isa_puts(") = ");
	isa_dec(status);
	isa_puts(" value ");
	isa_dec(value);
	isa_puts("\n");
}

static void delay(void)
{
	for (volatile uint32_t i = 0; i < 200000; i++)
		;
}

/* Stay alive (not "b .", which hv440 takes for a halt) until the supervisor stops us. */
static void __attribute__((noreturn)) stay(void)
{
	for (;;)
		delay();
}

/* Poll partition 1's state until it is want: the number of polls, or 0 after too many. */
static uint32_t wait_state(uint32_t want)
{
	uint32_t v;

	for (uint32_t i = 1; i < 20000; i++) {
		if (fh(FH_PARTITION_GET_STATUS, 1, &v) == 0 && v == want)
			return i;
		delay();
	}
	return 0;
}

int main(void)
{
	uint32_t r, v;

	r = fh(FH_PARTITION_GET_STATUS, 1, &v);
	show("get_status", 1, r, v);
	if (r) {
		/* Not the manager: every call is refused, and none has an effect. */
		show("stop", 1, fh(FH_PARTITION_STOP, 1, &v), v);
		show("restart", 0, fh(FH_PARTITION_RESTART, 0, &v), v);
		isa_puts("mgmt: not a manager\n");
		stay();
	}
	/* The doorbell's line edge-triggered and clear: the stop's state changes latch it. */
	mtdcr(0xC5, mfdcr(0xC5) | DOORBELL_BIT);
	mtdcr(0xC0, DOORBELL_BIT);
	show("stop", 1, fh(FH_PARTITION_STOP, 1, &v), v);
	isa_puts(wait_state(0) ? "mgmt: partition 1 stopped\n" : "mgmt: partition 1 never stopped\n");
	/* The event came on the socket before the answer that said "stopped". */
	isa_puts(mfdcr(0xC0) & DOORBELL_BIT ? "mgmt: doorbell rang\n" : "mgmt: doorbell silent\n");
	show("stop", 1, fh(FH_PARTITION_STOP, 1, &v), v);  /* again: invalid state */
	show("start", 1, fh(FH_PARTITION_START, 1, &v), v);
	isa_puts(wait_state(1) ? "mgmt: partition 1 running\n" : "mgmt: partition 1 never ran\n");
	show("get_status", 9, fh(FH_PARTITION_GET_STATUS, 9, &v), v);
	isa_puts("mgmt: done\n");
	stay();
}
