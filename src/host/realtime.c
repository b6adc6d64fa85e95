/* SPDX-License-Identifier: MIT */
/* realtime.c - --realtime: locked memory, SCHED_FIFO and a pinned host CPU for the vCPU thread. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "host/realtime.h"

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int realtime_parse(const char *spec, struct realtime_config *rt, char *err, size_t errlen)
{
	char buf[128], *save = NULL, *tok;
	int prio_min = sched_get_priority_min(SCHED_FIFO), prio_max = sched_get_priority_max(SCHED_FIFO);

	rt->prio = 0;
	rt->cpu = -1;
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "'%s' is too long", spec);
		return -1;
	}
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "prio=", 5)) {
			if (parse_int(tok + 5, prio_min, prio_max, &rt->prio)) {
				snprintf(err, errlen, "priority '%s' is not a SCHED_FIFO priority (%d to %d)",
					 tok + 5, prio_min, prio_max);
				return -1;
			}
		} else if (!strncmp(tok, "cpu=", 4)) {
			if (parse_int(tok + 4, 0, CPU_SETSIZE - 1, &rt->cpu)) {
				snprintf(err, errlen, "cpu '%s' is not a host CPU number", tok + 4);
				return -1;
			}
		} else {
			snprintf(err, errlen, "unknown setting '%s' (prio=N[,cpu=N])", tok);
			return -1;
		}
	}
	if (!rt->prio) {
		snprintf(err, errlen, "needs prio=N, the vCPU thread's SCHED_FIFO priority (%d to %d)",
			 prio_min, prio_max);
		return -1;
	}
	return 0;
}

int realtime_apply(const struct realtime_config *rt, char *err, size_t errlen)
{
	struct sched_param sp = { .sched_priority = rt->prio };

	if (rt->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(rt->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			snprintf(err, errlen, "the host refused to pin the vCPU thread to CPU %d: %s%s",
				 rt->cpu, strerror(errno),
				 errno == EINVAL ? " (no such CPU, or not in this process's cpuset)" : "");
			return -1;
		}
	}
	/*
	 * Guest RAM, the code cache and the devices, all mapped by now, stay resident: no page-in
	 * on the way to an interrupt. Later mappings are locked too (MCL_FUTURE) only where
	 * RLIMIT_MEMLOCK is unlimited: the sandbox drops CAP_IPC_LOCK, and from then on the limit
	 * would make every new mapping fail once the locked memory is over it.
	 */
	struct rlimit lim = { RLIM_INFINITY, RLIM_INFINITY };
	int flags = MCL_CURRENT;

	if (setrlimit(RLIMIT_MEMLOCK, &lim) && !getrlimit(RLIMIT_MEMLOCK, &lim)) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &lim);
	}
	if (lim.rlim_cur == RLIM_INFINITY)
		flags |= MCL_FUTURE;
	if (mlockall(flags)) {
		snprintf(err, errlen, "the host refused to lock hv440's memory (mlockall): %s%s",
			 strerror(errno),
			 errno == ENOMEM || errno == EPERM ?
			 " (needs CAP_IPC_LOCK or a large enough 'ulimit -l')" : "");
		return -1;
	}
	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		int e = errno;

		munlockall();
		snprintf(err, errlen, "the host refused SCHED_FIFO priority %d: %s%s", rt->prio,
			 strerror(e),
			 e == EPERM ? " (needs CAP_SYS_NICE or an rtprio limit, 'ulimit -r')" : "");
		return -1;
	}
	return 0;
}
