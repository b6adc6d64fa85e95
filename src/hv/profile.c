/* SPDX-License-Identifier: MIT */
/* profile.c - the guest profiler: a host ticker thread and the sampler on the vcpu thread. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "hv/internal.h"
#include "hv/profile.h"
#include "util/byteorder.h"

static void *ticker(void *arg)
{
	struct hv_profile *p = arg;
	uint64_t period = 1000000000ull / p->hz;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!atomic_load(&p->stop)) {
		uint64_t ns = (uint64_t)next.tv_nsec + period;

		next.tv_sec += (time_t)(ns / 1000000000ull);
		next.tv_nsec = (long)(ns % 1000000000ull);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		atomic_store(&p->pending, true);
		core_event_set(&p->v->core, CORE_EVENT_TIMER);
	}
	return NULL;
}

int profile_start(struct hv_profile **out, const char *path, unsigned hz, struct vcpu *v)
{
	struct hv_profile *p;
	int err;

	*out = NULL;
	if (hz < 1 || hz > 100000)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->f = fopen(path, "we");
	if (!p->f) {
		err = -errno;
		free(p);
		return err;
	}
	p->v = v;
	p->hz = hz;
	fprintf(p->f, "# hv440 profile 1 hz=%u\n", hz);
	err = pthread_create(&p->thread, NULL, ticker, p);
	if (err) {
		fclose(p->f);
		free(p);
		return -err;
	}
	*out = p;
	return 0;
}

void profile_stop(struct hv_profile *p)
{
	if (!p)
		return;
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	fclose(p->f);
	free(p);
}

/* A big-endian word of guest memory at ea as the guest sees it (data space), if mapped RAM. */
static bool read_guest_word(struct vcpu *v, uint32_t ea, uint32_t *val)
{
	uint64_t pa;
	uint32_t len;
	const uint8_t *b;

	if (ea & 3 || !vcpu_debug_translate(v, ea, &pa, &len) || len < 4 ||
	    pa + 4 > v->core.ram_size)
		return false;
	b = v->core.ram + pa;
	*val = ld_be32(b);
	return true;
}

void profile_poll(struct vcpu *v)
{
	struct hv_profile *p = v->profile;
	uint32_t sp = v->core.gpr[1];
	char mode;

	if (!atomic_load_explicit(&p->pending, memory_order_relaxed))
		return;
	atomic_store_explicit(&p->pending, false, memory_order_relaxed);
	mode = v->halted ? 'W' : (v->msr & MSR_PR) ? 'U' : 'K';
	fprintf(p->f, "%c %x %x", mode, v->core.pc, v->core.lr);
	/*
	 * Back chain: the caller's frame is at *(r1); its LR save word (frame
	 * + 4) holds the return address into the caller's caller once the
	 * current function has called anything. Stop on anything implausible.
	 */
	for (unsigned depth = 0; depth < PROFILE_MAX_DEPTH; depth++) {
		uint32_t next, lr;

		if (!read_guest_word(v, sp, &next) || next <= sp || next - sp > 0x100000)
			break;
		if (!read_guest_word(v, next + 4, &lr) || !lr)
			break;
		fprintf(p->f, " %x", lr);
		sp = next;
	}
	fputc('\n', p->f);
	p->samples++;
}
