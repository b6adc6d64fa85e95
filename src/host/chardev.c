/* SPDX-License-Identifier: MIT */
/* chardev.c - serial backends: stdio (raw tty, Ctrl-A escapes), pty, unix/tcp socket, file, null. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "host/chardev.h"
#include "host/optstr.h"
#include "host/unixsock.h"
#include "util/log.h"

enum kind { CD_STDIO, CD_PTY, CD_SOCKET, CD_FILE, CD_NULL, CD_FD };

#define OUT_SIZE 4096       /* output buffered while the host side is full */
#define OUT_CHUNK 512       /* one write(): what a terminal or pipe takes once poll() says so */
#define CLOSE_WAIT_MS 100   /* at close, wait this long for progress of a slow reader */

struct chardev_impl {
	struct chardev cd;       /* first: chardev pointers are chardev_impl pointers */
	enum kind kind;
	struct loop *loop;
	bool want_in;            /* the device can take input: watch in_fd */
	bool in_watched;         /* in_fd is on the loop for input */
	bool out_watched;        /* out_fd is on the loop for room (output is waiting) */
	int w_in_fd, w_out_fd;   /* the fds put on the loop, -1 when none */
	bool delivering;         /* guards re-entry from the client's callbacks */
	bool flushing;           /* the same for output */
	bool writer_waiting;     /* chardev_write took less than asked: write_ready is owed */
	int listen_fd;           /* socket server: the listening socket (-1 for a client) */
	int pty_slave_fd;        /* pty: held open so the master never sees a hangup */
	char *path;              /* unix server: socket path to unlink on close */
	uint64_t drops;          /* output bytes dropped because nobody could ever read them */
	size_t batch;            /* chardev_set_batch: output held for the loop until this much */
	uint8_t out[OUT_SIZE];   /* a ring of output the host side has not taken yet */
	size_t out_head, out_len;
};

#define CTRL_A 0x01

/* The option being opened, for error lines ("--serial", "--console", ...): start-up only. */
/* The option being opened, for messages: chardev_open_for() sets it for the calling thread. */
static _Thread_local const char *what = "serial";

static struct chardev_impl *impl(struct chardev *cd)
{
	return (struct chardev_impl *)cd;
}

/* ---- the terminal: raw mode saved and restored at exit and on fatal signals ---- */

/*
 * The process has one stdin, stdout and terminal: at most one stdio
 * backend at a time, in whichever VM asked first (a second VM asking gets
 * one clear line). saved_tio and tio_saved belong to that backend.
 */
static struct termios saved_tio;
static volatile sig_atomic_t tio_saved;
static pthread_mutex_t stdio_lock = PTHREAD_MUTEX_INITIALIZER;
static bool stdio_in_use;
static char stdio_owner[64];  /* the VM holding stdio (log_thread_vm() then), "" for none */

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

static void install_restore_handlers_once(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT,
				    SIGFPE, SIGSEGV, SIGBUS, SIGTERM };
	unsigned i;

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

static void install_restore_handlers(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, install_restore_handlers_once);
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

static void on_input(struct chardev_impl *c, int fd);
static void flush_out(struct chardev_impl *c);

/* The loop has activity on one of our fds: room for output, input, or a hangup. */
static void on_fd(void *opaque, int fd, short revents)
{
	struct chardev_impl *c = opaque;

	if (fd == c->w_out_fd && c->out_watched && (revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL)))
		flush_out(c);
	/* flush_out may have dropped a unix client and closed fd. */
	if (fd == c->w_in_fd && c->in_watched && fd == c->cd.in_fd &&
	    (revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)))
		on_input(c, fd);
}

/*
 * Put on the loop what we wait for: in_fd while the device can take input
 * (want_in), out_fd while output waits for room. A pty or unix socket is
 * one fd for both: one entry with both events.
 */
static void update_watch(struct chardev_impl *c)
{
	struct chardev *cd = &c->cd;
	bool in = c->want_in && cd->in_fd >= 0, out = c->out_len && cd->out_fd >= 0;

	if (!c->loop)
		return;
	if (in == c->in_watched && out == c->out_watched &&
	    (!in || c->w_in_fd == cd->in_fd) && (!out || c->w_out_fd == cd->out_fd))
		return;
	if (c->w_in_fd >= 0)
		loop_remove_fd(c->loop, c->w_in_fd);
	if (c->w_out_fd >= 0 && c->w_out_fd != c->w_in_fd)
		loop_remove_fd(c->loop, c->w_out_fd);
	c->w_in_fd = c->w_out_fd = -1;
	c->in_watched = c->out_watched = false;
	if (in && out && cd->in_fd == cd->out_fd) {
		if (loop_add_fd(c->loop, cd->in_fd, POLLIN | POLLOUT, on_fd, c) == 0) {
			c->w_in_fd = c->w_out_fd = cd->in_fd;
			c->in_watched = c->out_watched = true;
		}
		return;
	}
	if (in && loop_add_fd(c->loop, cd->in_fd, POLLIN, on_fd, c) == 0) {
		c->w_in_fd = cd->in_fd;
		c->in_watched = true;
	}
	if (out && loop_add_fd(c->loop, cd->out_fd, POLLOUT, on_fd, c) == 0) {
		c->w_out_fd = cd->out_fd;
		c->out_watched = true;
	}
}

static void watch_input(struct chardev_impl *c, bool on)
{
	c->want_in = on;
	update_watch(c);
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
	while (cd->client.can_receive && cd->client.receive) {
		size_t end = cd->break_pending ? cd->break_at : cd->in_len;
		size_t room = cd->client.can_receive(cd->client.opaque);
		size_t k = end - cd->in_pos;

		if (!room || (!k && !cd->break_pending))
			break;
		if (!k) {
			/* The bytes typed before Ctrl-A b are in: now the break, in its place. */
			cd->break_pending = false;
			if (cd->client.receive_break)
				cd->client.receive_break(cd->client.opaque);
			continue;
		}
		if (k > room)
			k = room;
		cd->client.receive(cd->client.opaque, cd->inbuf + cd->in_pos, k);
		cd->in_pos += k;
	}
	if (cd->in_pos >= cd->in_len && !cd->break_pending) {
		cd->in_pos = 0;
		cd->in_len = 0;
	}
	watch_input(c, cd->in_len == 0 && !cd->break_pending);
	c->delivering = false;
}

static void print_help(void)
{
	static const char help[] =
		"\r\nhv440: Ctrl-A x quit | Ctrl-A b send a break | Ctrl-A h this help | "
		"Ctrl-A Ctrl-A send Ctrl-A\r\n";
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
		case 'b':
		case 'B':
			/* A break, as QEMU's mux sends (Linux: magic SysRq on a serial console). */
			if (!cd->break_pending) {
				cd->break_pending = true;
				cd->break_at = cd->in_len;
			}
			break;
		default:
			/* Ctrl-A Ctrl-A sends one Ctrl-A; an unknown command passes through. */
			cd->inbuf[cd->in_len++] = b;
			break;
		}
	}
}

/* A unix client left: what it did not read goes nowhere, as on a line without a cable. */
static void disconnect_client(struct chardev_impl *c)
{
	int fd = c->cd.in_fd;

	c->cd.in_fd = -1;
	c->cd.out_fd = -1;
	c->cd.in_len = 0;
	c->cd.in_pos = 0;
	c->cd.break_pending = false;
	c->drops += c->out_len;
	c->out_len = 0;
	update_watch(c);  /* off the loop before the fd number can be reused */
	close(fd);
}

/* The input is gone: a unix client hung up, or stdin reached EOF (not a quit: output goes on). */
static void input_closed(struct chardev_impl *c)
{
	if (c->kind == CD_SOCKET) {
		disconnect_client(c);
		return;
	}
	watch_input(c, false);
	c->cd.in_fd = -1;
}

static void on_input(struct chardev_impl *c, int fd)
{
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
	deliver(c);
}

/* ---- output ---- */

static ssize_t out_write(struct chardev_impl *c, const uint8_t *buf, size_t len)
{
	if (c->kind == CD_SOCKET || c->kind == CD_FD)
		return send(c->cd.out_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	return write(c->cd.out_fd, buf, len);
}

/*
 * Write what the host side takes now, without blocking (stdout stays a
 * blocking fd: it shares the terminal with stdin and the shell, so poll()
 * is asked first). What stays is written when the loop sees room. A
 * reader that is gone (an error, not a full buffer) gets nothing more.
 */
static void flush_out(struct chardev_impl *c)
{
	struct chardev *cd = &c->cd;
	size_t before = c->out_len;

	if (c->flushing)
		return;
	c->flushing = true;
	while (c->out_len && cd->out_fd >= 0) {
		struct pollfd p = { .fd = cd->out_fd, .events = POLLOUT };
		size_t chunk = c->out_len;
		ssize_t w;

		if (chunk > OUT_SIZE - c->out_head)
			chunk = OUT_SIZE - c->out_head;
		if (chunk > OUT_CHUNK)
			chunk = OUT_CHUNK;
		if (poll(&p, 1, 0) <= 0)
			break;  /* full (or EINTR): the loop watches for room */
		if (p.revents & (POLLERR | POLLNVAL)) {
			w = -1;
			errno = EPIPE;  /* a pipe without reader: writing would raise SIGPIPE */
		} else {
			w = out_write(c, c->out + c->out_head, chunk);
		}
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (c->kind == CD_SOCKET) {
				disconnect_client(c);
			} else {
				c->drops += c->out_len;
				c->out_len = 0;
				cd->out_fd = -1;
			}
			break;
		}
		c->out_head = (c->out_head + (size_t)w) % OUT_SIZE;
		c->out_len -= (size_t)w;
	}
	if (!c->out_len)
		c->out_head = 0;
	c->flushing = false;
	update_watch(c);
	if (c->writer_waiting && c->out_len < before) {
		c->writer_waiting = false;
		if (cd->client.write_ready)
			cd->client.write_ready(cd->client.opaque);
	}
}

/* Output goes nowhere: no backend, no unix client, or a reader that is gone. */
static bool discards(const struct chardev_impl *c)
{
	return c->kind == CD_NULL || c->cd.out_fd < 0;
}

static size_t append(struct chardev_impl *c, const uint8_t *buf, size_t len)
{
	size_t n = OUT_SIZE - c->out_len, tail, first;

	if (n > len)
		n = len;
	tail = (c->out_head + c->out_len) % OUT_SIZE;
	first = n < OUT_SIZE - tail ? n : OUT_SIZE - tail;
	memcpy(c->out + tail, buf, first);
	memcpy(c->out, buf + first, n - first);
	c->out_len += n;
	return n;
}

size_t chardev_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
	struct chardev_impl *c;
	size_t done = 0;

	if (!cd)
		return len;
	c = impl(cd);
	if (c->kind == CD_NULL)
		return len;
	/* The device is writing now: no write_ready into it from the flush below (no re-entry). */
	c->writer_waiting = false;
	for (;;) {
		if (discards(c)) {
			c->drops += len - done;
			return len;
		}
		bool hold;

		done += append(c, buf + done, len - done);
		/*
		 * While the loop watches for room, the fd was full: it flushes when
		 * there is some. Batched output under its threshold waits for the
		 * loop too: the fd is writable, so the next poll of the host (at
		 * once when the guest idles, within a millisecond while it runs,
		 * hv/vcpu.c) writes it all in one go.
		 */
		hold = c->batch && c->out_len < c->batch;
		if (!hold && (!c->out_watched || c->batch)) {
			flush_out(c);
		} else if (hold && !c->out_watched) {
			update_watch(c);
			if (!c->out_watched)
				flush_out(c);  /* the loop has no room for us: no batching */
		}
		if (done == len || c->out_len == OUT_SIZE)
			break;
	}
	if (done < len) {
		/*
		 * A pty cannot tell a slow reader from nobody at all (hv440 holds
		 * the slave open itself): it keeps what fits and drops the rest,
		 * so a guest never hangs on a pty nobody opened.
		 */
		if (c->kind == CD_PTY) {
			c->drops += len - done;
			return len;
		}
		c->writer_waiting = true;
	}
	return done;
}

void chardev_poll_input(struct chardev *cd)
{
	struct chardev_impl *c;
	struct pollfd p;

	if (!cd)
		return;
	c = impl(cd);
	if (!c->in_watched || cd->in_fd < 0)
		return;
	p = (struct pollfd){ .fd = cd->in_fd, .events = POLLIN };
	if (poll(&p, 1, 0) > 0)
		on_input(c, cd->in_fd);
}

void chardev_set_batch(struct chardev *cd, size_t bytes)
{
	if (cd)
		impl(cd)->batch = bytes < OUT_SIZE ? bytes : OUT_SIZE;
}

size_t chardev_write_room(struct chardev *cd)
{
	struct chardev_impl *c;

	if (!cd)
		return SIZE_MAX;
	c = impl(cd);
	if (discards(c) || c->kind == CD_PTY)
		return SIZE_MAX;
	if (c->out_len == OUT_SIZE)
		c->writer_waiting = true;
	return OUT_SIZE - c->out_len;
}

void chardev_wait_writable(struct chardev *cd, int ms)
{
	struct chardev_impl *c;
	struct pollfd p;

	if (!cd)
		return;
	c = impl(cd);
	if (!c->out_len || cd->out_fd < 0)
		return;
	p = (struct pollfd){ .fd = cd->out_fd, .events = POLLOUT };
	if (poll(&p, 1, ms) > 0)
		flush_out(c);
}

/* ---- opening and closing ---- */

static struct chardev_impl *new_chardev(enum kind kind, struct loop *l, const char *desc)
{
	struct chardev_impl *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->kind = kind;
	c->loop = l;
	c->w_in_fd = -1;
	c->w_out_fd = -1;
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
	const char *vm = log_thread_vm();

	pthread_mutex_lock(&stdio_lock);
	if (stdio_in_use) {
		if (stdio_owner[0] && (!vm || strcmp(vm, stdio_owner)))
			log_err("%s: stdio is already used by VM %s (one VM of a process can have "
				"it)\n", what, stdio_owner);
		else
			log_err("%s: stdio is already used by another serial port\n", what);
		pthread_mutex_unlock(&stdio_lock);
		return NULL;
	}
	c = new_chardev(CD_STDIO, l, "stdio");
	if (!c) {
		pthread_mutex_unlock(&stdio_lock);
		return NULL;
	}
	stdio_in_use = true;
	snprintf(stdio_owner, sizeof(stdio_owner), "%s", vm ? vm : "");
	pthread_mutex_unlock(&stdio_lock);
	c->cd.in_fd = STDIN_FILENO;
	c->cd.out_fd = STDOUT_FILENO;
	if (isatty(STDIN_FILENO) && make_raw(STDIN_FILENO) == 0)
		c->cd.is_tty = true;
	if (fcntl(STDIN_FILENO, F_GETFL) < 0)
		c->cd.in_fd = -1;  /* stdin closed: output only */
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
		log_err("%s: cannot create a pty: %s\n", what, strerror(errno));
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
	log_err("serial on %s\n", name);
	return c;
}

/* unix:/tcp: options after the address (QEMU's spellings; docs/qemu.md). */
struct sock_opts {
	bool server;             /* listen (default) or connect as a client */
	bool wait;               /* server: hold start-up until a client connects */
};

static int parse_sock_opts(char *opts, struct sock_opts *o, const char *spec)
{
	char *item;

	while ((item = optstr_next(&opts))) {
		if (!strcmp(item, "server") || !strcmp(item, "server=on"))
			o->server = true;
		else if (!strcmp(item, "server=off"))
			o->server = false;
		else if (!strcmp(item, "wait") || !strcmp(item, "wait=on"))
			o->wait = true;
		else if (!strcmp(item, "nowait") || !strcmp(item, "wait=off"))
			o->wait = false;
		else if (!strcmp(item, "nodelay") || !strcmp(item, "nodelay=on"))
			;  /* hv440 sends each write at once anyway */
		else {
			log_err("%s '%s': unknown socket option '%s' (server=on|off, "
				"wait=on|off)\n", what, spec, item);
			return -1;
		}
	}
	return 0;
}

/* A connected socket (accepted or our own) becomes the device's input and output. */
static void attach_client(struct chardev_impl *c, int s)
{
	c->cd.in_fd = s;
	c->cd.out_fd = s;
	deliver(c);
}

/* server,wait: start-up stops here until the first client connects (QEMU's default for servers). */
static int wait_client(struct chardev_impl *c, const char *desc)
{
	struct pollfd p = { .fd = c->listen_fd, .events = POLLIN };
	int s;

	log_err("%s: waiting for a connection on %s\n", what, desc);
	for (;;) {
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -1;
		s = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s >= 0)
			break;
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			return -1;
	}
	attach_client(c, s);
	return 0;
}

/* A socket server or client on an address we resolved: the chardev, or NULL after one line. */
static struct chardev_impl *open_socket(struct loop *l, const struct sockaddr *sa, socklen_t len,
					const char *desc, const char *unix_path,
					const struct sock_opts *o)
{
	struct chardev_impl *c;
	int s, one = 1;

	if (!l) {
		log_err("%s: %s needs an event loop\n", what, desc);
		return NULL;
	}
	if (o->server && sa->sa_family == AF_UNIX) {
		/* Never a live path (another hv440, another option), 0600 whatever the umask. */
		char err[256];

		s = unixsock_listen(unix_path, 1, err, sizeof(err));
		if (s < 0) {
			log_err("%s: %s\n", what, err);
			return NULL;
		}
	} else {
		s = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | (o->server ? SOCK_NONBLOCK : 0), 0);
		if (s < 0) {
			log_err("%s: cannot make a socket for %s: %s\n", what, desc,
				strerror(errno));
			return NULL;
		}
	}
	if (!o->server) {
		/* QEMU's client: the peer must be listening already. */
		if (connect(s, sa, len)) {
			log_err("%s: cannot connect to %s: %s\n", what, desc,
				strerror(errno));
			close(s);
			return NULL;
		}
		fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
	} else if (sa->sa_family != AF_UNIX) {
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, sa, len) || listen(s, 1)) {
			log_err("%s: cannot listen on %s: %s\n", what, desc,
				strerror(errno));
			close(s);
			return NULL;
		}
	}
	c = new_chardev(CD_SOCKET, l, desc);
	if (!c || (unix_path && o->server && !(c->path = strdup(unix_path))) ||
	    (o->server && loop_add_fd(l, s, POLLIN, on_accept, c))) {
		log_err("%s: cannot set up %s\n", what, desc);
		close(s);
		if (unix_path && o->server)
			unlink(unix_path);
		if (c) {
			free(c->path);
			free(c->cd.description);
			free(c);
		}
		return NULL;
	}
	if (!o->server) {
		attach_client(c, s);
		return c;
	}
	c->listen_fd = s;
	if (o->wait && wait_client(c, desc)) {
		log_err("%s: no client connected to %s: %s\n", what, desc,
			strerror(errno));
		chardev_close(&c->cd);
		return NULL;
	}
	return c;
}

/* unix:PATH[,server=on|off][,wait=on|off]: hv440's default is a server that does not wait. */
static struct chardev_impl *open_unix(struct loop *l, const char *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sock_opts o = { .server = true };
	struct chardev_impl *c = NULL;
	char *copy = strdup(arg), *rest = copy, *path;
	char desc[sizeof(sa.sun_path) + 8];

	if (!copy)
		return NULL;
	path = optstr_next(&rest);
	if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
		log_err("%s: unix socket path '%s' is empty or too long\n", what, path);
		goto out;
	}
	if (parse_sock_opts(rest, &o, arg))
		goto out;
	strcpy(sa.sun_path, path);
	snprintf(desc, sizeof(desc), "unix:%s", path);
	c = open_socket(l, (struct sockaddr *)&sa, sizeof(sa), desc, path, &o);
out:
	free(copy);
	return c;
}

/*
 * tcp:[HOST]:PORT[,server=on|off][,wait=on|off]: a client, as QEMU, unless
 * server; an empty HOST is 127.0.0.1 (QEMU listens on every address there;
 * hv440 does not open a guest console to the network unless told to).
 */
static struct chardev_impl *open_tcp(struct loop *l, const char *arg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct sock_opts o = { .server = false };
	struct chardev_impl *c = NULL;
	char *copy = strdup(arg), *rest = copy, *addr, *host, *port;
	char desc[300];
	int r;

	if (!copy)
		return NULL;
	addr = optstr_next(&rest);
	port = strrchr(addr, ':');
	if (!port || !port[1]) {
		log_err("%s: tcp:%s needs HOST:PORT (e.g. tcp::4444,server=on)\n",
			what, addr);
		goto out;
	}
	*port++ = '\0';
	host = addr;
	if (*host == '[' && host[strlen(host) - 1] == ']') {  /* [v6 address] */
		host[strlen(host) - 1] = '\0';
		host++;
	}
	if (!*host)
		host = "127.0.0.1";
	if (parse_sock_opts(rest, &o, arg))
		goto out;
	r = getaddrinfo(host, port, &hints, &ai);
	if (r) {
		log_err("%s: tcp:%s:%s: %s\n", what, host, port, gai_strerror(r));
		goto out;
	}
	snprintf(desc, sizeof(desc), "tcp:%s:%s", host, port);
	c = open_socket(l, ai->ai_addr, ai->ai_addrlen, desc, NULL, &o);
	freeaddrinfo(ai);
out:
	free(copy);
	return c;
}

static struct chardev_impl *open_file(struct loop *l, const char *path)
{
	struct chardev_impl *c;
	char *desc;
	int fd;

	if (!*path) {
		log_err("%s: file: needs a path\n", what);
		return NULL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_err("%s: cannot open %s: %s\n", what, path, strerror(errno));
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

/*
 * fd:N - a connected stream socket inherited from the parent (the system
 * supervisor's socketpair for a byte channel, docs/system.md). Sockets only,
 * so output can use MSG_NOSIGNAL: a peer that died costs dropped bytes, not SIGPIPE.
 */
static struct chardev_impl *open_fd(struct loop *l, const char *num)
{
	struct chardev_impl *c;
	struct stat st;
	char desc[32], *end;
	long fd;

	errno = 0;
	fd = strtol(num, &end, 10);
	if (errno || end == num || *end || fd < 3 || fd > 65535) {
		log_err("%s: fd:%s is not a descriptor number above 2\n", what, num);
		return NULL;
	}
	if (fstat((int)fd, &st) || !S_ISSOCK(st.st_mode)) {
		log_err("%s: fd:%ld is not an open socket\n", what, fd);
		return NULL;
	}
	snprintf(desc, sizeof(desc), "fd:%ld", fd);
	c = new_chardev(CD_FD, l, desc);
	if (!c)
		return NULL;
	fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	fcntl((int)fd, F_SETFL, fcntl((int)fd, F_GETFL) | O_NONBLOCK);
	c->cd.in_fd = (int)fd;
	c->cd.out_fd = (int)fd;
	return c;
}

struct chardev *chardev_open(const char *spec, struct loop *l)
{
	return chardev_open_for("serial", spec, l);
}

struct chardev *chardev_open_for(const char *option, const char *spec, struct loop *l)
{
	struct chardev_impl *c;

	what = option;
	if (!spec) {
		log_err("%s: no backend given\n", what);
		return NULL;
	}
	if (!strcmp(spec, "stdio"))
		c = open_stdio(l);
	else if (!strcmp(spec, "pty"))
		c = open_pty(l);
	else if (!strncmp(spec, "unix:", 5))
		c = open_unix(l, spec + 5);
	else if (!strncmp(spec, "tcp:", 4))
		c = open_tcp(l, spec + 4);
	else if (!strncmp(spec, "file:", 5))
		c = open_file(l, spec + 5);
	else if (!strcmp(spec, "null"))
		c = new_chardev(CD_NULL, l, "null");
	else if (!strncmp(spec, "fd:", 3))
		c = open_fd(l, spec + 3);
	else {
		log_err("%s: unknown backend '%s' "
			"(use stdio, pty, unix:PATH, tcp:HOST:PORT, file:PATH or null)\n", what, spec);
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
	/* The device may be gone already: no more callbacks. */
	memset(&cd->client, 0, sizeof(cd->client));
	c->want_in = false;
	/* What a slow reader has not taken yet: wait while it makes progress. */
	while (c->out_len && cd->out_fd >= 0) {
		struct pollfd p = { .fd = cd->out_fd, .events = POLLOUT };
		size_t before = c->out_len;

		if (poll(&p, 1, CLOSE_WAIT_MS) <= 0)
			break;
		flush_out(c);
		if (c->out_len == before)
			break;
	}
	c->drops += cd->out_fd >= 0 ? c->out_len : 0;
	c->out_len = 0;
	update_watch(c);
	switch (c->kind) {
	case CD_STDIO:
		chardev_restore_terminal();
		tio_saved = 0;
		pthread_mutex_lock(&stdio_lock);
		stdio_in_use = false;
		pthread_mutex_unlock(&stdio_lock);
		break;
	case CD_PTY:
		close(cd->in_fd);
		if (c->pty_slave_fd >= 0)
			close(c->pty_slave_fd);
		break;
	case CD_SOCKET:
		if (cd->in_fd >= 0)
			close(cd->in_fd);
		if (c->listen_fd >= 0) {
			if (c->loop)
				loop_remove_fd(c->loop, c->listen_fd);
			close(c->listen_fd);
		}
		if (c->path)
			unlink(c->path);
		free(c->path);
		break;
	case CD_FILE:
	case CD_FD:
		close(cd->out_fd);
		break;
	case CD_NULL:
		break;
	}
	if (c->drops)
		log_err("serial %s: %llu output bytes dropped (no reader)\n",
			cd->description, (unsigned long long)c->drops);
	free(cd->description);
	free(c);
}
