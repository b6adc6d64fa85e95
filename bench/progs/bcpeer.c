/* SPDX-License-Identifier: MIT */
/* bcpeer.c - two ends of an ePAPR byte channel for bench/system.py: a sender (throughput, round trips) and an echo. */
/* The sender's marker lines ("stream start", "stream end", "trips end") are timed by the host. */
#include "isa.h"
#include "hcall.h"

#define EV_BC_SEND (1u << 16 | 1u)
#define EV_BC_RECEIVE (1u << 16 | 2u)
#define EV_SUCCESS 0u
#define EV_EAGAIN 4u
#ifndef STREAM_BYTES
#define STREAM_BYTES (1024u * 1024u)
#endif
#ifndef ROUND_TRIPS
#define ROUND_TRIPS 200u
#endif

/* Send n (<= 16) bytes, again at once after EV_EAGAIN (as Linux's ehv_bytechan does). */
static void send(const uint8_t *p, uint32_t n)
{
	while (n) {
		uint32_t regs[9];

		for (uint32_t k = 0; k < 9; k++)
			regs[k] = 0;
		regs[1] = n;
		for (uint32_t k = 0; k < 4; k++)
			for (uint32_t i = 4 * k; i < 4 * k + 4; i++)
				regs[2 + k] = regs[2 + k] << 8 | (i < n ? p[i] : 0);
		regs[8] = EV_BC_SEND;
		hv_call(regs);
		if (regs[0] != EV_SUCCESS && regs[0] != EV_EAGAIN)
			return;
		if (regs[1] > n)
			return;
		p += regs[1];
		n -= regs[1];
	}
}

/* Up to 16 bytes that have arrived (0: none yet). */
static uint32_t receive(uint8_t *buf)
{
	uint32_t regs[9];

	for (uint32_t k = 0; k < 9; k++)
		regs[k] = 0;
	regs[1] = 16;
	regs[8] = EV_BC_RECEIVE;
	hv_call(regs);
	if (regs[0] != EV_SUCCESS || regs[1] > 16)
		return 0;
	for (uint32_t i = 0; i < regs[1]; i++)
		buf[i] = (uint8_t)(regs[2 + i / 4] >> (24 - 8 * (i % 4)));
	return regs[1];
}

#ifndef ECHO
static uint64_t tb(void)
{
	uint32_t hi, lo, hi2;

	do {
		__asm__ volatile("mftbu %0; mftb %1; mftbu %2" : "=r"(hi), "=r"(lo), "=r"(hi2));
	} while (hi != hi2);
	return (uint64_t)hi << 32 | lo;
}
#endif

#ifdef ECHO
/* Count the stream, answer 'k' at its end; then send every byte back. */
int main(void)
{
	uint8_t buf[16];
	uint32_t got = 0;

	isa_puts("bcpeer: echo ready\n");
	while (got < STREAM_BYTES)
		got += receive(buf);
	send((const uint8_t *)"k", 1);
	for (;;) {
		uint32_t n = receive(buf);

		if (n)
			send(buf, n);
	}
}
#else
int main(void)
{
	static uint8_t block[16] = "0123456789abcdef";
	uint8_t buf[16];
	uint64_t t0, t1, worst = 0;

	/* The echo may start later: the stream waits in the channel's socket meanwhile. */
	isa_puts("bcpeer: stream start\n");
	t0 = tb();
	for (uint32_t i = 0; i < STREAM_BYTES / 16; i++)
		send(block, 16);
	while (!receive(buf))
		;
	t1 = tb();
	isa_puts("bcpeer: stream end\n");
	isa_show64("bcpeer: stream ticks", t1 - t0);
	t0 = tb();
	for (uint32_t i = 0; i < ROUND_TRIPS; i++) {
		uint64_t a = tb(), d;

		send(block, 1);
		while (!receive(buf))
			;
		d = tb() - a;
		if (d > worst)
			worst = d;
	}
	t1 = tb();
	isa_puts("bcpeer: trips end\n");
	isa_show64("bcpeer: round trip ticks total", t1 - t0);
	isa_show64("bcpeer: round trip ticks worst", worst);
	isa_puts("bcpeer: done\n");
	return 0;
}
#endif
