/* SPDX-License-Identifier: MIT */
/* sandbox.h - confine hv440 once the VM is set up (seccomp-bpf allow-list, no privileges). */
#ifndef HV440_HOST_SANDBOX_H
#define HV440_HOST_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Irreversibly: no new privileges, no capabilities, and only the system
 * calls running a guest needs (for every thread). Call after every file,
 * socket and thread is set up. read_only_open keeps open()/openat() for
 * reading only (libslirp re-reads /etc/resolv.conf); other opens fail
 * with EACCES. 0, or -1 with a reason in err.
 */
int sandbox_enter(bool read_only_open, char *err, size_t errlen);

#endif
