/* SPDX-License-Identifier: MIT */
/* chardev.h - character backends for serial ports: stdio, pty, unix/tcp socket, file, null. */
#ifndef HV440_HOST_CHARDEV_H
#define HV440_HOST_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/loop.h"

struct chardev;

/* The device side: bytes arriving from the host. */
struct chardev_client {
	void *opaque;
	/* How many bytes the device can take now (its receive FIFO room). */
	size_t (*can_receive)(void *opaque);
	void (*receive)(void *opaque, const uint8_t *buf, size_t len);
	/* A break on the line (Ctrl-A b on the stdio console); NULL: dropped. Takes one FIFO slot. */
	void (*receive_break)(void *opaque);
	/* Output that did not fit (chardev_write took less) can now be written again. */
	void (*write_ready)(void *opaque);
};

struct chardev {
	int in_fd, out_fd;       /* -1 when absent */
	bool is_tty;             /* stdio on a terminal: raw mode and the escape key */
	bool escape_pending;     /* Ctrl-A seen */
	bool break_pending;      /* Ctrl-A b: a break goes to the device before inbuf[break_at] */
	size_t break_at;
	bool quit_requested;     /* user typed Ctrl-A x, or the input closed for good */
	struct chardev_client client;
	uint8_t inbuf[256];
	size_t in_len, in_pos;   /* buffered input not yet taken by the device */
	char *description;
};

/*
 * spec: "stdio", "pty", "unix:PATH" (listen, one client; ",server=off"
 * connects to PATH instead), "tcp:[HOST]:PORT" (connect; ",server=on"
 * listens), "file:PATH" (output only), "null", "fd:N" (an inherited
 * connected socket). A server takes ",wait=on" to hold start-up until a
 * client connects; ",," is a comma in PATH. Returns NULL and prints one
 * clear line, naming option, on error.
 */
struct chardev *chardev_open_for(const char *option, const char *spec, struct loop *l);
/* The same, for the option "serial". */
struct chardev *chardev_open(const char *spec, struct loop *l);
void chardev_close(struct chardev *cd);
void chardev_set_client(struct chardev *cd, const struct chardev_client *client);
/*
 * Output: returns how many bytes were taken (all of them when the output
 * goes nowhere: null, no unix client, a reader that is gone). Fewer
 * means the host side is full (a slow reader): the device holds the rest
 * back, as its hardware would, and gets write_ready when there is room.
 * Never blocks.
 */
size_t chardev_write(struct chardev *cd, const uint8_t *buf, size_t len);
/*
 * Batch output: chardev_write keeps what it is given until bytes wait (at
 * most the 4 KiB buffer), and the event loop writes a smaller rest on its
 * next poll. For many tiny writes (the byte channel's 16-byte hypercalls):
 * fewer, larger host writes for at most a poll interval of delay. 0: off.
 */
void chardev_set_batch(struct chardev *cd, size_t bytes);
/*
 * Take what the host side has sent by now, without waiting for the event
 * loop's next poll: for a device whose guest asks for input in a loop.
 */
void chardev_poll_input(struct chardev *cd);
/* Bytes chardev_write would take now (SIZE_MAX when output goes nowhere). */
size_t chardev_write_room(struct chardev *cd);
/*
 * The device's guest is waiting for room (polling a status register): wait
 * up to ms milliseconds for the host side to take buffered output.
 */
void chardev_wait_writable(struct chardev *cd, int ms);
/* Deliver buffered input when the device has room again. */
void chardev_kick(struct chardev *cd);
/* Restore the terminal (also done at exit and on fatal signals). */
void chardev_restore_terminal(void);

#endif
