/* SPDX-License-Identifier: MIT */
/* test_clock.c - unit tests of the run loop's clock (hv/clock.h) against CLOCK_MONOTONIC. */
#include "hv/clock.h"

#include <stdlib.h>
#include <time.h>

#include "check.h"

static uint64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void spin_ns(uint64_t ns)
{
	uint64_t end = mono() + ns;

	while (mono() < end)
		;
}

int main(void)
{
	struct hv_clock k;
	uint64_t prev, bad = 0, worst = 0;

	hv_clock_init(&k);
	prev = hv_clock_sync(&k);
	CHECK(k.mult == 0); /* not calibrated yet: CLOCK_MONOTONIC itself */
	/* 50 ms as the run loop uses it: reads, and a sync every 1 ms */
	for (int ms = 0; ms < 50; ms++) {
		uint64_t end = mono() + 1000000;

		while (mono() < end) {
			uint64_t t0 = mono(), now = hv_clock_now(&k), t1 = mono();

			if (now < prev)
				bad++;
			prev = now;
			/* never far from CLOCK_MONOTONIC: 100 us (an anchor read in up to 20 us, the rate's error over 1 ms) */
			if (now + 100000 < t0 || now > t1 + 100000) {
				uint64_t off = now < t0 ? t0 - now : now - t1;

				if (off > worst)
					worst = off;
			}
		}
		prev = hv_clock_sync(&k);
	}
	CHECK(bad == 0);
	CHECK(worst == 0);
	if (worst)
		fprintf(stderr, "worst distance from CLOCK_MONOTONIC: %llu ns\n", (unsigned long long)worst);
	/* with an invariant TSC the rate is measured by now, and it is a plausible one (0.1 to 10 GHz) */
	if (k.tsc) {
		CHECK(k.mult > (1ull << 32) / 10 && k.mult < (10ull << 32));
	} else {
		CHECK(k.mult == 0);
	}
	/* a long gap without a sync (a guest that never polls) stays close too */
	spin_ns(20000000);
	{
		uint64_t t0 = mono(), now = hv_clock_now(&k), t1 = mono();

		CHECK(now + 200000 >= t0 && now <= t1 + 200000);
	}
	printf("clock: %d passed, %d failed\n", passed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
