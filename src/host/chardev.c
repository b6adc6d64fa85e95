/* SPDX-License-Identifier: MIT */
/* chardev.c - serial backends: stdio (raw tty, Ctrl-A escapes), pty, unix socket, file, null. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "host/chardev.h"
#include "host/unixsock.h"

enum kind { CD_STDIO, CD_PTY, CD_UNIX, CD_FILE, CD_NULL };

struct chardev_impl {
	struct chardev cd;       /* first: chardev pointers are chardev_impl pointers */
	enum kind kind;
	struct loop *loop;
	bool in_watched;         /* in_fd is on the loop */
	bool delivering;         /* guards re-entry from the client's callbacks */
	bool stalled;            /* last output was dropped: do not wait again until it drains */
	int listen_fd;           /* unix: the listening socket */
	int pty_slave_fd;        /* pty: held open so the master never sees a hangup */
	char *path;              /* unix: socket path to unlink on close */
	uint64_t drops;          /* output bytes dropped because the host side was stuck or gone */
};

#define CTRL_A 0x01
#define OUT_RETRIES 3
#define OUT_WAIT_MS 10

static struct chardev_impl *impl(struct chardev *cd)
{
	return (struct chardev_impl *)cd;
}

/* ---- the terminal: raw mode saved and restored at exit and on fatal signals ---- */

static struct termios saved_tio;
static volatile sig_atomic_t tio_saved;
static bool stdio_in_use;

void chardev_restore_terminal(void)
{
	/* tcsetattr is async-signal-safe, so this also runs from signal handlers. */
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

static void fatal_signal(int sig)
{
	chardev_restore_terminal();
	/* SA_RESETHAND put the default action back: let it kill us as it would have. */
	raise(sig);
}

static void install_restore_handlers(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT,
				    SIGFPE, SIGSEGV, SIGBUS, SIGTERM };
	static bool installed;
	unsigned i;

	if (installed)
		return;
	installed = true;
	atexit(chardev_restore_terminal);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old, sa;

		/* Leave alone any handler the program installed before us. */
		if (sigaction(sigs[i], NULL, &old) || old.sa_handler != SIG_DFL ||
		    (old.sa_flags & SA_SIGINFO))
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = fatal_signal;
		sa.sa_flags = (int)SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

static int make_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -errno;
	saved_tio = t;
	tio_saved = 1;
	install_restore_handlers();
	/*
	 * Raw input: no echo, no line editing, Ctrl-C/Ctrl-Z go to the guest.
	 * Output post-processing stays on so a bare "\n" still returns the
	 * carriage, as QEMU's stdio backend does.
	 */
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t))
		return -errno;
	return 0;
}

/* ---- input ---- */

static void on_input(void *opaque, int fd, short revents);

static void watch_input(struct chardev_impl *c, bool on)
{
	if (!c->loop || c->cd.in_fd < 0 || on == c->in_watched)
		return;
	if (on)
		c->in_watched = loop_add_fd(c->loop, c->cd.in_fd, POLLIN, on_input, c) == 0;
	else {
		loop_remove_fd(c->loop, c->cd.in_fd);
		c->in_watched = false;
	}
}

/*
 * Hand buffered input to the device as its FIFO has room. While bytes
 * wait, the input fd is off the loop: the host side is flow-controlled by
 * the guest draining its UART.
 */
static void deliver(struct chardev_impl *c)
{
	struct chardev *cd = &c->cd;

	if (c->delivering)
		return;
	c->delivering = true;
	while (cd->in_pos < cd->in_len && cd->client.can_receive && cd->client.receive) {
		size_t room = cd->client.can_receive(cd->client.opaque);
		size_t k = cd->in_len - cd->in_pos;

		if (!room)
			break;
		if (k > room)
			k = room;
		cd->client.receive(cd->client.opaque, cd->inbuf + cd->in_pos, k);
		cd->in_pos += k;
	}
	if (cd->in_pos >= cd->in_len) {
		cd->in_pos = 0;
		cd->in_len = 0;
	}
	watch_input(c, cd->in_len == 0);
	c->delivering = false;
}

static void print_help(void)
{
	static const char help[] =
		"\r\nhv440: Ctrl-A x quit | Ctrl-A h this help | Ctrl-A Ctrl-A send Ctrl-A\r\n";
	ssize_t r = write(STDERR_FILENO, help, sizeof(help) - 1);

	(void)r;
}

/* The stdio escape key on a terminal: Ctrl-A then a command letter. */
static void escape_filter(struct chardev_impl *c, const uint8_t *buf, size_t n)
{
	struct chardev *cd = &c->cd;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t b = buf[i];

		if (!cd->escape_pending) {
			if (b == CTRL_A)
				cd->escape_pending = true;
			else
				cd->inbuf[cd->in_len++] = b;
			continue;
		}
		cd->escape_pending = false;
		switch (b) {
		case 'x':
		case 'X':
			cd->quit_requested = true;
			break;
		case 'h':
		case 'H':
		case '?':
			print_help();
			break;
		default:
			/* Ctrl-A Ctrl-A sends one Ctrl-A; an unknown command passes through. */
			cd->inbuf[cd->in_len++] = b;
			break;
		}
	}
}

static void disconnect_client(struct chardev_impl *c)
{
	watch_input(c, false);
	close(c->cd.in_fd);
	c->cd.in_fd = -1;
	c->cd.out_fd = -1;
	c->cd.in_len = 0;
	c->cd.in_pos = 0;
	c->stalled = false;
}

/* The input is gone: a unix client hung up, or stdin reached EOF (not a quit: output goes on). */
static void input_closed(struct chardev_impl *c)
{
	if (c->kind == CD_UNIX) {
		disconnect_client(c);
		return;
	}
	watch_input(c, false);
	c->cd.in_fd = -1;
}

static void on_input(void *opaque, int fd, short revents)
{
	struct chardev_impl *c = opaque;
	struct chardev *cd = &c->cd;
	uint8_t tmp[sizeof(cd->inbuf)];
	ssize_t n;

	if (cd->in_len) {
		watch_input(c, false);
		return;
	}
	n = read(fd, tmp, sizeof(tmp));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		input_closed(c);
		return;
	}
	if (cd->is_tty) {
		escape_filter(c, tmp, (size_t)n);
	} else {
		memcpy(cd->inbuf, tmp, (size_t)n);
		cd->in_len = (size_t)n;
	}
	cd->in_pos = 0;
	deliver(c);
}

static void on_accept(void *opaque, int fd, short revents)
{
	struct chardev_impl *c = opaque;
	int s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (s < 0)
		return;
	if (c->cd.in_fd >= 0) {
		/* One client at a time: later ones are turned away. */
		close(s);
		return;
	}
	c->cd.in_fd = s;
	c->cd.out_fd = s;
	c->stalled = false;
	deliver(c);
}

/* ---- output ---- */

static ssize_t out_write(struct chardev_impl *c, const uint8_t *buf, size_t len)
{
	if (c->kind == CD_UNIX)
		return send(c->cd.out_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	return write(c->cd.out_fd, buf, len);
}

static bool wait_writable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, ms) > 0 && !(p.revents & (POLLERR | POLLNVAL));
}

void chardev_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
	struct chardev_impl *c;
	unsigned tries = 0;

	if (!cd)
		return;
	c = impl(cd);
	if (c->kind == CD_NULL)
		return;
	while (len) {
		size_t chunk = len > 512 ? 512 : len;
		ssize_t w;

		if (cd->out_fd < 0) {
			c->drops += len;
			return;
		}
		/*
		 * stdout stays a blocking fd (it shares the terminal with stdin
		 * and the shell), so ask poll() first; a stuck reader costs the
		 * guest a few milliseconds, then output is dropped and counted.
		 */
		if (!wait_writable(cd->out_fd, c->stalled ? 0 : OUT_WAIT_MS)) {
			if (++tries < OUT_RETRIES && !c->stalled)
				continue;
			c->stalled = true;
			c->drops += len;
			return;
		}
		w = out_write(c, buf, chunk);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && ++tries < OUT_RETRIES && !c->stalled)
				continue;
			if (c->kind == CD_UNIX && errno != EAGAIN) {
				disconnect_client(c);
				continue;
			}
			c->stalled = true;
			c->drops += len;
			return;
		}
		c->stalled = false;
		tries = 0;
		buf += w;
		len -= (size_t)w;
	}
}

/* ---- opening and closing ---- */

static struct chardev_impl *new_chardev(enum kind kind, struct loop *l, const char *desc)
{
	struct chardev_impl *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->kind = kind;
	c->loop = l;
	c->listen_fd = -1;
	c->pty_slave_fd = -1;
	c->cd.in_fd = -1;
	c->cd.out_fd = -1;
	c->cd.description = strdup(desc);
	if (!c->cd.description) {
		free(c);
		return NULL;
	}
	return c;
}

static struct chardev_impl *open_stdio(struct loop *l)
{
	struct chardev_impl *c;

	if (stdio_in_use) {
		fprintf(stderr, "hv440: serial: stdio is already used by another serial port\n");
		return NULL;
	}
	c = new_chardev(CD_STDIO, l, "stdio");
	if (!c)
		return NULL;
	c->cd.in_fd = STDIN_FILENO;
	c->cd.out_fd = STDOUT_FILENO;
	if (isatty(STDIN_FILENO) && make_raw(STDIN_FILENO) == 0)
		c->cd.is_tty = true;
	if (fcntl(STDIN_FILENO, F_GETFL) < 0)
		c->cd.in_fd = -1;  /* stdin closed: output only */
	stdio_in_use = true;
	return c;
}

static struct chardev_impl *open_pty(struct loop *l)
{
	struct chardev_impl *c;
	struct termios t;
	char desc[64];
	const char *name;
	int m;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) || unlockpt(m) || !(name = ptsname(m))) {
		fprintf(stderr, "hv440: serial: cannot create a pty: %s\n", strerror(errno));
		if (m >= 0)
			close(m);
		return NULL;
	}
	snprintf(desc, sizeof(desc), "pty %s", name);
	c = new_chardev(CD_PTY, l, desc);
	if (!c) {
		close(m);
		return NULL;
	}
	/* Hold the slave open: with no slave a master polls as hung up forever. */
	c->pty_slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->pty_slave_fd >= 0 && tcgetattr(c->pty_slave_fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(c->pty_slave_fd, TCSANOW, &t);
	}
	fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
	c->cd.in_fd = m;
	c->cd.out_fd = m;
	fprintf(stderr, "hv440: serial on %s\n", name);
	return c;
}

static struct chardev_impl *open_unix(struct loop *l, const char *path)
{
	struct chardev_impl *c;
	char desc[sizeof(((struct sockaddr_un *)0)->sun_path) + 8], err[256];
	int s;

	if (!l) {
		fprintf(stderr, "hv440: serial: unix:%s needs an event loop\n", path);
		return NULL;
	}
	s = unixsock_listen(path, 1, err, sizeof(err));
	if (s < 0) {
		fprintf(stderr, "hv440: serial: %s\n", err);
		return NULL;
	}
	snprintf(desc, sizeof(desc), "unix:%s", path);
	c = new_chardev(CD_UNIX, l, desc);
	if (!c || !(c->path = strdup(path)) || loop_add_fd(l, s, POLLIN, on_accept, c)) {
		fprintf(stderr, "hv440: serial: cannot set up unix:%s\n", path);
		close(s);
		unlink(path);
		if (c) {
			free(c->path);
			free(c->cd.description);
			free(c);
		}
		return NULL;
	}
	c->listen_fd = s;
	return c;
}

static struct chardev_impl *open_file(struct loop *l, const char *path)
{
	struct chardev_impl *c;
	char *desc;
	int fd;

	if (!*path) {
		fprintf(stderr, "hv440: serial: file: needs a path\n");
		return NULL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "hv440: serial: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (asprintf(&desc, "file:%s", path) < 0) {
		close(fd);
		return NULL;
	}
	c = new_chardev(CD_FILE, l, desc);
	free(desc);
	if (!c) {
		close(fd);
		return NULL;
	}
	c->cd.out_fd = fd;
	return c;
}

struct chardev *chardev_open(const char *spec, struct loop *l)
{
	struct chardev_impl *c;

	if (!spec) {
		fprintf(stderr, "hv440: serial: no backend given\n");
		return NULL;
	}
	if (!strcmp(spec, "stdio"))
		c = open_stdio(l);
	else if (!strcmp(spec, "pty"))
		c = open_pty(l);
	else if (!strncmp(spec, "unix:", 5))
		c = open_unix(l, spec + 5);
	else if (!strncmp(spec, "file:", 5))
		c = open_file(l, spec + 5);
	else if (!strcmp(spec, "null"))
		c = new_chardev(CD_NULL, l, "null");
	else {
		fprintf(stderr, "hv440: serial: unknown backend '%s' "
			"(use stdio, pty, unix:PATH, file:PATH or null)\n", spec);
		return NULL;
	}
	if (!c)
		return NULL;
	/* Input is watched once there is a client to give it to (chardev_set_client). */
	return &c->cd;
}

void chardev_set_client(struct chardev *cd, const struct chardev_client *client)
{
	if (!cd)
		return;
	if (client)
		cd->client = *client;
	else
		memset(&cd->client, 0, sizeof(cd->client));
	deliver(impl(cd));
}

void chardev_kick(struct chardev *cd)
{
	if (cd)
		deliver(impl(cd));
}

void chardev_close(struct chardev *cd)
{
	struct chardev_impl *c;

	if (!cd)
		return;
	c = impl(cd);
	watch_input(c, false);
	switch (c->kind) {
	case CD_STDIO:
		chardev_restore_terminal();
		stdio_in_use = false;
		break;
	case CD_PTY:
		close(cd->in_fd);
		if (c->pty_slave_fd >= 0)
			close(c->pty_slave_fd);
		break;
	case CD_UNIX:
		if (cd->in_fd >= 0)
			close(cd->in_fd);
		if (c->loop)
			loop_remove_fd(c->loop, c->listen_fd);
		close(c->listen_fd);
		unlink(c->path);
		free(c->path);
		break;
	case CD_FILE:
		close(cd->out_fd);
		break;
	case CD_NULL:
		break;
	}
	if (c->drops)
		fprintf(stderr, "hv440: serial %s: %llu output bytes dropped\n",
			cd->description, (unsigned long long)c->drops);
	free(cd->description);
	free(c);
}
