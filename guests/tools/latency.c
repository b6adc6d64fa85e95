// SPDX-License-Identifier: MIT
// latency.c - timer wake-up latency in the guest, measured the way rt-tests' cyclictest does.
//
// Usage: latency [-m] [-p PRIO] [-i INTERVAL_US] [-l LOOPS] [-H MAX_US]
// A thread (SCHED_FIFO at PRIO when given, memory locked with -m) sleeps to absolute times
// INTERVAL_US apart on CLOCK_MONOTONIC (clock_nanosleep with TIMER_ABSTIME) and records how
// late each wake-up is. Prints a histogram in 1 us buckets (the last one counts everything at or
// over MAX_US) and a summary line:
//   latency: loops=N min=A avg=B max=C (us)
// cyclictest itself is not buildable here (its Debian source package is not served by this
// workplace's package mirror), so this program stands in for `cyclictest -m -p P -i I -l N -h H`.
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: latency [-m] [-p PRIO] [-i INTERVAL_US] [-l LOOPS] [-H MAX_US]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long interval_us = 1000, loops = 10000, max_us = 10000, prio = 0;
	int lock = 0, c;
	uint64_t *hist;
	int64_t min = INT64_MAX, max = 0, sum = 0;
	struct timespec next, now;

	while ((c = getopt(argc, argv, "mp:i:l:H:")) != -1) {
		switch (c) {
		case 'm': lock = 1; break;
		case 'p': prio = strtol(optarg, NULL, 10); break;
		case 'i': interval_us = strtol(optarg, NULL, 10); break;
		case 'l': loops = strtol(optarg, NULL, 10); break;
		case 'H': max_us = strtol(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (interval_us <= 0 || loops <= 0 || max_us <= 0 || prio < 0 || prio > 99)
		usage();
	hist = calloc((size_t)max_us + 1, sizeof(*hist));
	if (!hist)
		return 1;
	if (lock && mlockall(MCL_CURRENT | MCL_FUTURE)) {
		fprintf(stderr, "latency: mlockall: %s\n", strerror(errno));
		return 1;
	}
	if (prio) {
		struct sched_param sp = { .sched_priority = (int)prio };

		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			fprintf(stderr, "latency: SCHED_FIFO %ld: %s\n", prio, strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < loops; i++) {
		int64_t lat;

		next.tv_nsec += interval_us * 1000;
		while (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		clock_gettime(CLOCK_MONOTONIC, &now);
		lat = ts_ns(&now) - ts_ns(&next);
		if (lat < 0)
			lat = 0;
		if (lat < min)
			min = lat;
		if (lat > max)
			max = lat;
		sum += lat;
		hist[lat / 1000 < max_us ? lat / 1000 : max_us]++;
	}
	for (long us = 0; us <= max_us; us++)
		if (hist[us])
			printf("hist %ld %llu\n", us, (unsigned long long)hist[us]);
	printf("latency: loops=%ld min=%lld avg=%lld max=%lld (us)\n", loops,
	       (long long)(min / 1000), (long long)(sum / loops / 1000), (long long)(max / 1000));
	return 0;
}
