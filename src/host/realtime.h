/* SPDX-License-Identifier: MIT */
/* realtime.h - --realtime: locked memory, SCHED_FIFO and a pinned host CPU for the vCPU thread. */
#ifndef HV440_HOST_REALTIME_H
#define HV440_HOST_REALTIME_H

#include <stddef.h>

struct realtime_config {
	int prio;	/* SCHED_FIFO priority, 1..99 */
	int cpu;	/* host CPU to pin the vCPU thread to, or -1 to leave the affinity alone */
};

/* Parse "prio=N[,cpu=N]"; 0, or -1 with a message (without the option's name) in err. */
int realtime_parse(const char *spec, struct realtime_config *rt, char *err, size_t errlen);

/*
 * Apply to the calling thread (the vCPU thread) and the process: mlockall(current and future),
 * SCHED_FIFO at rt->prio, affinity to rt->cpu. Before the sandbox, which forbids these calls.
 * 0, or -1 with the host's refusal in err.
 */
int realtime_apply(const struct realtime_config *rt, char *err, size_t errlen);

#endif
