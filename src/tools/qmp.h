/* SPDX-License-Identifier: MIT */
/* qmp.h - a subset of QEMU's machine protocol (QMP, JSON on a socket) for tools that drive QEMU. */
#ifndef HV440_TOOLS_QMP_H
#define HV440_TOOLS_QMP_H

#include <stdbool.h>

#include "host/loop.h"
#include "hv/vcpu.h"

struct qmp;

/* What the client asked of the run loop (qmp_take_requests). */
#define QMP_REQ_RESET 0x1u /* system_reset: reset the board, then qmp_reset_done() */
#define QMP_REQ_QUIT  0x2u /* quit: end hv440 with status 0 (the SHUTDOWN event is sent) */

/*
 * spec is unix:PATH or tcp:HOST:PORT with QEMU's socket options: server
 * (server=on) listens, without it hv440 connects to PATH or HOST:PORT;
 * a server waits for its first client before returning unless nowait
 * (wait=off) is given. Prints one error line and returns -1 on failure
 * (also when a signal ends the wait for a client).
 */
int qmp_open(struct qmp **out, const char *spec, struct loop *loop, struct vcpu *v);
/* Close the socket and remove a unix PATH it created. NULL is fine. */
void qmp_close(struct qmp *q);

/* Start stopped (QEMU's -S: status "prelaunch" until cont). */
void qmp_hold(struct qmp *q);
/* False while a client has the guest stopped: the run loop polls instead of running it. */
bool qmp_running(const struct qmp *q);
/* The QMP_REQ_ bits asked since the last call (each once). */
unsigned qmp_take_requests(struct qmp *q);
/* The board was reset: send RESET (guest: DBCR0[RST] or watchdog; else system_reset). */
void qmp_reset_done(struct qmp *q, bool guest);
/* hv440 ends: send SHUTDOWN with QEMU's reason ("host-signal", "guest-reset", ...). */
void qmp_shutdown(struct qmp *q, bool guest, const char *reason);

#endif
