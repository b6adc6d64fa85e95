/* SPDX-License-Identifier: MIT */
/* perfmap.h - /tmp/perf-PID.map, the one file perf reads to name the JIT code of every VM in the process. */
#ifndef HV440_HOST_PERFMAP_H
#define HV440_HOST_PERFMAP_H

/*
 * A new descriptor (the caller closes it) appending to /tmp/perf-PID.map.
 * The file belongs to the process: the first call in a process empties it,
 * later ones (another VM's JIT) add to it; each map line is one write(),
 * so lines of VMs translating at the same time never mix. -errno on error.
 * path receives the file's name (for messages).
 */
int perf_map_open(char *path, unsigned path_size);

#endif
