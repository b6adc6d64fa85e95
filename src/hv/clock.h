/* SPDX-License-Identifier: MIT */
/*
 * clock.h - the run loop's clock: nanoseconds, monotonic, cheap to read.
 *
 * Every exit reads the clock twice (its start and its end: the exit
 * statistics and the timers). CLOCK_MONOTONIC costs about 30 ns a read
 * on a virtualized host, the TSC about 12. With an invariant TSC (CPUID
 * 0x80000007 EDX bit 8) hv_clock_now() scales the TSC by its rate against
 * CLOCK_MONOTONIC, measured over the run so far, from an anchor that
 * hv_clock_sync() moves to CLOCK_MONOTONIC (the run loop's poll, every
 * 1 ms). Readings never go back. In the first 10 ms, and without an
 * invariant TSC, every reading is CLOCK_MONOTONIC.
 */
#ifndef HV_CLOCK_H
#define HV_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct hv_clock {
	bool tsc;              /* the TSC is invariant */
	uint64_t mult;         /* ns per TSC tick << 32, or 0 while not calibrated */
	uint64_t ns0, tsc0;    /* the anchor: CLOCK_MONOTONIC and the TSC read together */
	uint64_t cal_ns, cal_tsc; /* the first reading, for the rate */
	uint64_t last;         /* the latest reading given out */
};

void hv_clock_init(struct hv_clock *k);
/* CLOCK_MONOTONIC, and the anchor (and the rate) moved to it. */
uint64_t hv_clock_sync(struct hv_clock *k);
/* The time now: the TSC scaled from the anchor, or CLOCK_MONOTONIC. */
uint64_t hv_clock_now(struct hv_clock *k);

#endif
