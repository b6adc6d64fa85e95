/* SPDX-License-Identifier: MIT */
/* control.h - the control socket: `stats`, `stats json`, `reset` while the guest runs. */
#ifndef HV440_TOOLS_CONTROL_H
#define HV440_TOOLS_CONTROL_H

#include <poll.h>

#include "host/loop.h"
#include "hv/vcpu.h"

struct control;

/* spec is unix:PATH. Prints one error line and returns -1 on failure. */
int control_open(struct control **out, const char *spec, struct loop *loop, struct vcpu *v);
/* Close the socket and remove PATH. */
void control_close(struct control *c);

#endif
