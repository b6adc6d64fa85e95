/* SPDX-License-Identifier: MIT */
/* vm.h - one guest: its board, debug and measuring handles, and the loop that runs it. */
#ifndef HV440_VM_VM_H
#define HV440_VM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "board/board.h"

/* Exit statuses of vm_run() (also hv440's, in --help). */
#define VM_EXIT_OK        0   /* guest reset under no_reboot, the user quit, gdb killed it */
#define VM_EXIT_ERROR     1   /* bad input or start-up failure */
#define VM_EXIT_HALTED    2   /* guest halted for good */
#define VM_EXIT_CHECKSTOP 3   /* machine check with MSR[ME]=0 */
/* 128 + N: ended by signal N (vm_signal). */

/* Everything one guest needs, as the command line gives it (src/main.c). */
struct vm_config {
	struct board_config board;
	const char *dump_dtb;     /* write the device tree here and stop (nothing else is opened) */
	const char *restore;      /* --restore FILE: the machine from a snapshot (docs/snapshot.md), or NULL */
	const char *incoming;     /* --incoming URI: the machine from a live migration, or NULL */
	bool no_reboot;           /* a guest reset ends the run (VM_EXIT_OK) */
	bool no_shutdown;         /* ... but the VM stays, stopped, until a quit or a signal */
	bool hold;                /* -S: stopped before the first instruction for gdb or QMP */
	bool stats_json;          /* board.stats as one line of JSON instead of a table */
	const char *gdb;          /* --gdb tcp:HOST:PORT, or NULL */
	const char *qmp;          /* --qmp spec, or NULL */
	const char *control;      /* --control unix:PATH, or NULL */
	const char *trace;        /* --trace FILE, or NULL */
	uint64_t trace_size;
	const char *profile;      /* --profile FILE, or NULL */
	unsigned profile_hz;
};

struct vm;

/*
 * Build the VM called name (in messages once the process holds several):
 * its board, trace, profile, QMP, control socket and gdb stub, in that
 * order. cfg is copied. NULL after one clear line on stderr. Process-wide
 * things are not the VM's and stay with the caller: signal handlers (they
 * call vm_signal), the sandbox (entered by main once every VM is built;
 * docs/sandbox.md), --realtime, --daemonize, --pidfile. stdio (the
 * terminal, stdin) is taken by at most one VM of the process.
 */
struct vm *vm_create(const struct vm_config *cfg, const char *name);
/*
 * Run the guest on the calling thread until it ends: resets, halts,
 * checkstops, gdb, QMP, --no-shutdown, statistics (at SIGUSR1/2 and at the
 * end with board.stats). Returns the exit status (VM_EXIT_*, 128 + signal).
 */
int vm_run(struct vm *vm);
/* Any thread, or a signal handler: make vm_run() return 128 + sig soon (sig > 0). */
void vm_request_stop(struct vm *vm, int sig);
/*
 * A signal handler's forward to every VM of the process (async-signal-safe):
 * SIGUSR1 prints a VM's statistics, SIGUSR2 resets them, SIGCONT holds guest
 * time across a SIGSTOP (docs/realtime.md), any other signal stops it as
 * vm_request_stop().
 */
void vm_signal(int sig);
/* Close everything the VM opened and free it (NULL is fine); vm_run() must have returned. */
void vm_destroy(struct vm *vm);

const char *vm_name(const struct vm *vm);
struct board *vm_board(struct vm *vm);

#endif
