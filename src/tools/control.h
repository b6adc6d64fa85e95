/* SPDX-License-Identifier: MIT */
/* control.h - the control socket: `stats`, `stats json`, `reset`, `snapshot FILE` while the guest runs. */
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
/* Close the socket and remove PATH. */
void control_close(struct control *c);

#endif
