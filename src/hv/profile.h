/* SPDX-License-Identifier: MIT */
/* profile.h - the guest profiler: samples guest PC and the r1 back chain at a fixed rate. */
#ifndef HV440_HV_PROFILE_H
#define HV440_HV_PROFILE_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <pthread.h>

struct vcpu;

/*
 * A host thread ticks at hz and raises a flag plus a core event, so
 * core_run() returns at the next block boundary; the vcpu loop then takes
 * the sample (the guest's own state, read on its own thread) as soon as
 * core_run() returns, before the exit is handled: the PC is the next
 * instruction, or the one that exited when another exit came first (so an
 * exit's cost is charged to the code that caused it, not to the interrupt
 * vector the handling may jump to). While the guest waits, the sample is
 * taken before it sleeps. The samples cost one SIGNAL exit each, which
 * --stats shows.
 *
 * File format (text): a first line "# hv440 profile 1 hz=N", then one line
 * per sample: "K" (guest kernel mode), "U" (user mode) or "W" (waiting,
 * MSR[WE]), then hex addresses: the PC, LR, then the return addresses
 * found by following the guest's r1 back chain (PowerPC ELF ABI: word 0
 * of a frame is the caller's r1, word 1 of the caller's frame the LR its
 * callee saved). A leaf function saves no LR and makes no frame, so its
 * caller is only in LR: the report inserts LR's function when it is
 * neither the sampled function nor the first one of the back chain.
 */
struct hv_profile {
	FILE *f;
	struct vcpu *v;
	unsigned hz;
	pthread_t thread;
	atomic_bool pending;
	atomic_bool stop;
	uint64_t samples;
};

#define PROFILE_MAX_DEPTH 48

/* Start sampling v into path at hz (1..100000). Returns 0 or -errno. */
int profile_start(struct hv_profile **out, const char *path, unsigned hz, struct vcpu *v);
/* Stop the thread, flush and close the file. */
void profile_stop(struct hv_profile *p);
/* vcpu thread: take a sample if one is due. */
void profile_poll(struct vcpu *v);

#endif
