/* SPDX-License-Identifier: MIT */
/* migrate.h - live migration: a running guest's RAM and state to another hv440 (docs/snapshot.md). */
#ifndef HV440_SNAPSHOT_MIGRATE_H
#define HV440_SNAPSHOT_MIGRATE_H

#include <stddef.h>

#include "board/board.h"

/*
 * The source: the control socket's `migrate URI` (URI: unix:PATH or
 * tcp:HOST:PORT; or, when fd >= 0, a connected stream the client passed).
 * Runs on the vcpu thread between run chunks: connects, starts the dirty
 * log and a thread that copies RAM while the guest runs, and returns 0;
 * answer(ctx, text) comes later on the vcpu thread with the whole answer
 * ("migrated: ...\nok\n" or "error: ...\n"). After a success the guest is
 * gone from this process: the board is marked quit (the VM's run ends
 * with status 0). After a failure the guest runs on as if nothing
 * happened. -1 with one line in err: nothing started.
 */
int migrate_start(void *board, const char *uri, int fd,
		  void (*answer)(void *ctx, const char *text), void *ctx, char *err, size_t errlen);
/* A migration of b still running (the VM ends): stop it, the guest stays here. */
void migrate_cancel(struct board *b);

/*
 * The destination: --incoming URI. Listen, take one source, build the
 * machine it describes (options in cfg are checked against it, as for
 * --restore), receive RAM and the state, and answer the source. 0 with
 * *out ready to run, or -1 after one line on stderr (*out: whatever
 * board was built, for board_destroy, or NULL).
 */
int migrate_incoming(struct board **out, struct board_config *cfg, const char *uri);

#endif
