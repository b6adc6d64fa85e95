/* SPDX-License-Identifier: MIT */
/*
 * fuzz_control.c - libFuzzer harness for the control socket (tools/control.h,
 * --control unix:PATH): arbitrary bytes from a client (fuzz_socket.h).
 */
#include "tools/control.h"

#define FUZZ_SOCKET_NAME "control"
#include "fuzz_socket.h"

static struct control *ctl;

static int fuzz_socket_open(const char *path, struct loop *l, struct vcpu *v)
{
	char spec[128];

	snprintf(spec, sizeof(spec), "unix:%s", path);
	return control_open(&ctl, spec, l, v);
}

static void fuzz_socket_close(void)
{
	control_close(ctl);
}

static void fuzz_socket_after(void)
{
}
