/* SPDX-License-Identifier: MIT */
/* control.h - the control socket: `stats`, `stats json`, `reset`, `snapshot FILE`, `migrate URI` while the guest runs. */
#ifndef HV440_TOOLS_CONTROL_H
#define HV440_TOOLS_CONTROL_H

#include <poll.h>
#include <stddef.h>

#include "host/loop.h"
#include "hv/vcpu.h"

struct control;

/* spec is unix:PATH. Prints one error line and returns -1 on failure. */
int control_open(struct control **out, const char *spec, struct loop *loop, struct vcpu *v);
/*
 * The `snapshot FILE` command (docs/snapshot.md): fn writes the whole
 * machine to FILE while the vcpu is paused (the command runs between run
 * chunks) and returns 0, or -1 with one line in err; the client gets one
 * line, "ok" once the file is complete or "error: ...". When the client
 * passed a descriptor (SCM_RIGHTS) with the command or before it, fn gets
 * it as fd (else -1) and writes there: the way under the sandbox, which
 * forbids opening files. Without fn the command answers an error.
 */
void control_set_snapshot(struct control *c,
			  int (*fn)(void *opaque, const char *path, int fd, char *err, size_t errlen),
			  void *opaque);
/*
 * The `migrate URI` command (docs/snapshot.md, "Live migration"): fn starts
 * a migration and returns 0, then calls answer(ctx, text) once, later, on
 * the vcpu thread, with the whole answer (lines ending in "ok" or
 * "error: ..."); or it returns -1 with one line in err at once. fd is a
 * descriptor the client passed (a connected stream to use), else -1.
 */
typedef int (*control_migrate_fn)(void *opaque, const char *uri, int fd,
				  void (*answer)(void *ctx, const char *text), void *ctx,
				  char *err, size_t errlen);
void control_set_migrate(struct control *c, control_migrate_fn fn, void *opaque);
/* Close the socket and remove PATH. */
void control_close(struct control *c);

#endif
