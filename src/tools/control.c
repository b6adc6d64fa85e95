/* SPDX-License-Identifier: MIT */
/* control.c - the control socket (--control unix:PATH): live statistics, their reset, snapshots, migration. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "host/unixsock.h"
#include "tools/control.h"
#include "util/log.h"

/*
 * One client at a time (a new connection replaces the old one). Commands
 * are lines; every answer ends with a line "ok" or "error: ...". The
 * callbacks run from the board's event loop on the vcpu thread, between
 * run chunks, so they read and reset the vcpu's statistics safely.
 */
struct control {
	struct loop *loop;
	struct vcpu *v;
	int listen_fd, client_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char buf[512];
	size_t len;
	int (*snapshot)(void *opaque, const char *path, int fd, char *err, size_t errlen);
	void *snapshot_opaque;
	int passed_fd;            /* a descriptor the client sent (SCM_RIGHTS), for snapshot; -1: none */
	control_migrate_fn migrate;
	void *migrate_opaque;
	bool migrate_pending;     /* a `migrate` answers later (migrate_answer) */
};

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the client went away: nothing to tell it */
		p += w;
		n -= (size_t)w;
	}
}

static void drop_client(struct control *c)
{
	if (c->client_fd < 0)
		return;
	loop_remove_fd(c->loop, c->client_fd);
	close(c->client_fd);
	c->client_fd = -1;
	c->len = 0;
	if (c->passed_fd >= 0)
		close(c->passed_fd);
	c->passed_fd = -1;
}

/* The answer of a `migrate` (text: whole lines, the last "ok" or "error: ..."). */
static void migrate_answer(void *ctx, const char *text)
{
	struct control *c = ctx;

	c->migrate_pending = false;
	if (c->client_fd >= 0)
		send_all(c->client_fd, text, strlen(text));
}

static void command(struct control *c, char *line)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	if (!f)
		return;
	while (*line == ' ' || *line == '\t')
		line++;
	for (size_t n = strlen(line); n && (line[n - 1] == ' ' || line[n - 1] == '\r'); n--)
		line[n - 1] = 0;
	if (!strcmp(line, "stats") || !strcmp(line, "stats table")) {
		vcpu_stats_sync(c->v);
		hv_stats_print(&c->v->stats, f);
		fputs("ok\n", f);
	} else if (!strcmp(line, "stats json")) {
		vcpu_stats_sync(c->v);
		hv_stats_print_json(&c->v->stats, f);
		fputs("ok\n", f);
	} else if (!strcmp(line, "reset")) {
		vcpu_stats_reset(c->v);
		fputs("ok\n", f);
	} else if (!strncmp(line, "snapshot", 8) && (line[8] == ' ' || !line[8])) {
		const char *path = line + 8;
		char err[256];

		while (*path == ' ')
			path++;
		/* The vcpu is between runs here: it stays paused while the file is written. */
		if (!*path)
			fputs("error: snapshot needs a file name (snapshot FILE)\n", f);
		else if (!c->snapshot)
			fputs("error: this machine cannot be snapshotted\n", f);
		else if (c->snapshot(c->snapshot_opaque, path, c->passed_fd, err, sizeof(err)))
			fprintf(f, "error: %s\n", err);
		else
			fputs("ok\n", f);
		if (c->passed_fd >= 0)
			close(c->passed_fd);
		c->passed_fd = -1;
	} else if (!strncmp(line, "migrate", 7) && (line[7] == ' ' || !line[7])) {
		const char *uri = line + 7;
		char err[256];

		while (*uri == ' ')
			uri++;
		/* Started here; the answer comes once the guest runs in the destination (or not). */
		if (!*uri)
			fputs("error: migrate needs an address (migrate unix:PATH or tcp:HOST:PORT)\n", f);
		else if (!c->migrate)
			fputs("error: this machine cannot be migrated\n", f);
		else if (c->migrate_pending)
			fputs("error: a migration is already running\n", f);
		else if (c->migrate(c->migrate_opaque, uri, c->passed_fd, migrate_answer, c, err,
				    sizeof(err)))
			fprintf(f, "error: %s\n", err);
		else
			c->migrate_pending = true;
		if (c->passed_fd >= 0)
			close(c->passed_fd);
		c->passed_fd = -1;
	} else if (!strcmp(line, "help")) {
		fputs("commands: stats, stats json, reset, snapshot FILE, migrate URI, help\nok\n", f);
	} else if (*line) {
		fprintf(f, "error: unknown command '%.64s' (try help)\n", line);
	}
	fclose(f);
	send_all(c->client_fd, out, outlen);
	free(out);
}

/*
 * Read what the client sent, and a descriptor it passed along (SCM_RIGHTS):
 * the file a following `snapshot` writes to, which works under the sandbox
 * (it forbids opening files).
 */
static ssize_t recv_line_bytes(struct control *c, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { c->buf + c->len, sizeof(c->buf) - 1 - c->len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

	for (cm = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int passed;

			memcpy(&passed, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (c->passed_fd >= 0)
				close(c->passed_fd);
			c->passed_fd = passed;
		}
	}
	return n;
}

static void client_ready(void *opaque, int fd, short revents)
{
	struct control *c = opaque;
	ssize_t n;
	char *nl;

	(void)revents;
	n = recv_line_bytes(c, fd);
	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		drop_client(c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = 0;
	while ((nl = strchr(c->buf, '\n'))) {
		*nl = 0;
		command(c, c->buf);
		if (c->client_fd < 0)
			return;
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len + 1);
	}
	if (c->len == sizeof(c->buf) - 1) {
		send_all(c->client_fd, "error: line too long\n", 21);
		drop_client(c);
	}
}

static void listen_ready(void *opaque, int fd, short revents)
{
	struct control *c = opaque;
	int cfd;

	(void)revents;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	drop_client(c);
	if (loop_add_fd(c->loop, cfd, POLLIN, client_ready, c)) {
		close(cfd);
		return;
	}
	c->client_fd = cfd;
}

int control_open(struct control **out, const char *spec, struct loop *loop, struct vcpu *v)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct control *c;
	char err[256];
	const char *path;

	*out = NULL;
	if (strncmp(spec, "unix:", 5) || !spec[5]) {
		log_err("invalid --control '%s' (use unix:PATH)\n", spec);
		return -1;
	}
	path = spec + 5;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("--control path '%s' is too long\n", path);
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	c->loop = loop;
	c->v = v;
	c->client_fd = -1;
	c->passed_fd = -1;
	strcpy(c->path, path);
	strcpy(sa.sun_path, path);
	/* A socket left behind by an earlier run is replaced; a live one or any other file is not. */
	c->listen_fd = unixsock_listen(path, 4, err, sizeof(err));
	if (c->listen_fd < 0) {
		log_err("--control: %s\n", err);
		free(c);
		return -1;
	}
	if (loop_add_fd(loop, c->listen_fd, POLLIN, listen_ready, c)) {
		log_err("--control: too many host file descriptors\n");
		close(c->listen_fd);
		unlink(path);
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void control_set_snapshot(struct control *c,
			  int (*fn)(void *opaque, const char *path, int fd, char *err, size_t errlen),
			  void *opaque)
{
	if (!c)
		return;
	c->snapshot = fn;
	c->snapshot_opaque = opaque;
}

void control_set_migrate(struct control *c, control_migrate_fn fn, void *opaque)
{
	if (!c)
		return;
	c->migrate = fn;
	c->migrate_opaque = opaque;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	drop_client(c);
	loop_remove_fd(c->loop, c->listen_fd);
	close(c->listen_fd);
	unlink(c->path);
	free(c);
}
