/* SPDX-License-Identifier: MIT */
/* clock.c - the run loop's clock (clock.h). */
#include "clock.h"

#include <time.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

/* The rate is measured over at least this long before the TSC is used. */
#define CALIBRATE_NS 10000000ull

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t tsc(void)
{
#if defined(__x86_64__)
	return __rdtsc();
#else
	return 0;
#endif
}

static uint64_t give(struct hv_clock *k, uint64_t ns)
{
	if (ns < k->last)
		ns = k->last;
	k->last = ns;
	return ns;
}

void hv_clock_init(struct hv_clock *k)
{
	*k = (struct hv_clock){ 0 };
#if defined(__x86_64__)
	unsigned a, b, c, d;

	k->tsc = __get_cpuid(0x80000007u, &a, &b, &c, &d) && (d >> 8 & 1);
#endif
	/* the rate's starting pair: read in one go (a host that preempts between the reads, retried) */
	for (int tries = 0; tries < 8; tries++) {
		uint64_t t0 = tsc(), ns = mono_ns(), t1 = tsc();

		k->cal_tsc = k->tsc0 = t0 + (t1 - t0) / 2;
		k->cal_ns = k->ns0 = k->last = ns;
		if (t1 - t0 < 100000) /* ticks: tens of us at any TSC rate in use */
			break;
	}
}

uint64_t hv_clock_sync(struct hv_clock *k)
{
	uint64_t t0 = tsc(), ns = mono_ns(), t1 = tsc(), t = t0 + (t1 - t0) / 2;

	/* a pair the host preempted between its reads (over ~20 us apart) would skew the clock */
	if (k->mult && (((unsigned __int128)(t1 - t0) * k->mult) >> 32) > 20000)
		return give(k, ns);
	if (k->tsc && ns - k->cal_ns >= CALIBRATE_NS && t > k->cal_tsc)
		k->mult = (uint64_t)(((unsigned __int128)(ns - k->cal_ns) << 32) / (t - k->cal_tsc));
	k->ns0 = ns;
	k->tsc0 = t;
	return give(k, ns);
}

uint64_t hv_clock_now(struct hv_clock *k)
{
	uint64_t t;

	if (!k->mult)
		return give(k, mono_ns());
	t = tsc();
	if (t < k->tsc0) /* another host CPU's TSC, a little behind */
		t = k->tsc0;
	return give(k, k->ns0 + (uint64_t)(((unsigned __int128)(t - k->tsc0) * k->mult) >> 32));
}
