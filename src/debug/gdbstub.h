/* SPDX-License-Identifier: MIT */
/* gdbstub.h - a GDB remote serial protocol stub for the vcpu (gdb-multiarch over TCP). */
#ifndef HV440_DEBUG_GDBSTUB_H
#define HV440_DEBUG_GDBSTUB_H

#include <stdbool.h>

#include "hv/vcpu.h"

/*
 * Threading: everything runs on the vcpu thread. While the guest runs, the
 * caller polls gdbstub_fds() in its event loop (vcpu_run() polls host I/O
 * about every millisecond) and calls gdbstub_io(); a Ctrl-C or a new client
 * makes it request a vcpu stop. While the vcpu is stopped for the debugger,
 * gdbstub_stopped() blocks in its own poll() on the socket and serves gdb
 * until gdb resumes the guest (continue, step, detach, or the client goes).
 */
struct gdbstub;

enum gdbstub_result {
	GDBSTUB_RESUME,  /* run the guest (vcpu.debug.step set for a single step) */
	GDBSTUB_KILL,    /* gdb asked to kill the target: end hv440 */
};

/*
 * Listen on spec ("tcp:HOST:PORT", "tcp::PORT" = 127.0.0.1, port 0 = any
 * free port). Prints one clear error line and returns -1 on failure;
 * prints "hv440: gdb: listening on HOST:PORT" on success.
 */
int gdbstub_open(struct gdbstub **out, struct vcpu *v, const char *spec);
void gdbstub_close(struct gdbstub *g);

/* The file descriptors to poll while the guest runs (-1 when absent). */
void gdbstub_fds(const struct gdbstub *g, int *listen_fd, int *client_fd);
/* Something is readable on one of them (guest running). */
void gdbstub_io(struct gdbstub *g);
/* After VCPU_STOP_HOST: does the stub want the vcpu (Ctrl-C, attach, client gone)? */
bool gdbstub_wants_stop(const struct gdbstub *g);

/*
 * The vcpu stopped for the debugger (stop is VCPU_STOP_DEBUG, or
 * VCPU_STOP_HOST after gdbstub_wants_stop()); with hold, before the first
 * instruction (-S): waits for a client. Serves gdb until it resumes.
 * Returns GDBSTUB_RESUME early if a host stop request (signal) arrives.
 */
enum gdbstub_result gdbstub_stopped(struct gdbstub *g, enum vcpu_stop stop, bool hold);

/* hv440 is about to end with this exit status: tell an attached gdb ("W" packet). */
void gdbstub_exiting(struct gdbstub *g, int status);

#endif
