/* SPDX-License-Identifier: MIT */
/* migrate.c - live migration: pre-copy of RAM with the core's dirty log, then the snapshot's state. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "host/disk.h"
#include "host/unixsock.h"
#include "hw/virtio_blk.h"
#include "snapshot/migrate.h"
#include "snapshot/snapshot.h"
#include "util/byteorder.h"
#include "util/log.h"
#include "util/state.h"

/*
 * The stream (all integers big-endian):
 *   source -> destination  hello: "HV440MIG", u32 version (1), board[16]
 *                          (NUL-padded), u64 RAM bytes, u32 n, the machine
 *                          section's payload (n bytes, snapshot.c)
 *   destination -> source  one line: "ready" or "error: WHY"
 *   source -> destination  records: u32 kind, u32 first page, u32 count
 *                            PAGES: count 4 KiB pages follow
 *                            ZERO:  pages [first, first+count) are zero now
 *                            VERIFY: (migrate URI verify) count CRC32s
 *                                   follow, one per page of RAM, taken with
 *                                   the vcpu stopped; the destination checks
 *                                   its RAM against them
 *                            STATE: count bytes follow: the snapshot's vcpu,
 *                                   device and end sections; the last record
 *   destination -> source  one line: "ok" (the guest runs there from now)
 *                          or "error: WHY"
 * RAM goes while the guest runs: round 0 sends every non-zero page, each
 * later round the pages the dirty log (core.h) took since the last; when a
 * round is short enough the vcpu stops and sends the rest and the state
 * itself, so no guest instruction runs between the last take and the state.
 */
#define MIG_MAGIC     "HV440MIG"
#define MIG_VERSION   1u
#define MIG_PAGE      4096u
#define MIG_PAGES     1u
#define MIG_ZERO      2u
#define MIG_STATE     3u
#define MIG_VERIFY    4u
#define MIG_MACHINE_MAX (64u << 10)
#define MIG_STATE_MAX (64u << 20)
/* Pre-copy ends when a round took at most this long (its dirty pages are then few) ... */
#define MIG_ROUND_DONE_NS  (8 * 1000000ull)
/* ... or after this many rounds, or this long: the rest goes with the guest stopped. */
#define MIG_MAX_ROUNDS 30
#define MIG_MAX_PRECOPY_NS (1500 * 1000000ull)
#define MIG_REPLY_TIMEOUT_MS 30000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool page_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)p;
	uint64_t acc = 0;

	for (unsigned i = 0; i < MIG_PAGE / 8; i++)
		acc |= q[i];
	return acc == 0;
}

static int send_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int recv_all(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t r = recv(fd, p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ECONNRESET;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One line from the peer (without its newline), waiting at most timeout_ms; -1 when none came. */
static int recv_line(int fd, char *line, size_t size, int timeout_ms)
{
	size_t n = 0;

	while (n + 1 < size) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (r < 0 || recv_all(fd, line + n, 1))
			return -1;
		if (line[n] == '\n') {
			line[n] = 0;
			return 0;
		}
		n++;
	}
	errno = EMSGSIZE;
	return -1;
}

static int send_record(int fd, uint32_t kind, uint32_t first, uint32_t count)
{
	uint8_t h[12];

	st_be32(h, kind);
	st_be32(h + 4, first);
	st_be32(h + 8, count);
	return send_all(fd, h, sizeof(h));
}

/* Connect to unix:PATH or tcp:HOST:PORT; -1 with one line in err. */
static int connect_uri(const char *uri, char *err, size_t errlen)
{
	int fd = -1, e = 0;

	if (!strncmp(uri, "unix:", 5) && uri[5]) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		if (strlen(uri + 5) >= sizeof(sa.sun_path)) {
			snprintf(err, errlen, "the socket path '%s' is too long", uri + 5);
			return -1;
		}
		strcpy(sa.sun_path, uri + 5);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		e = errno;
	} else if (!strncmp(uri, "tcp:", 4) && strrchr(uri + 4, ':')) {
		char host[256];
		const char *port = strrchr(uri + 4, ':') + 1;
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
		size_t hl = (size_t)(port - 1 - (uri + 4));
		int r;

		if (hl >= sizeof(host)) {
			snprintf(err, errlen, "the host name in '%s' is too long", uri);
			return -1;
		}
		memcpy(host, uri + 4, hl);
		host[hl] = 0;
		r = getaddrinfo(host, port, &hints, &ai);
		if (r) {
			snprintf(err, errlen, "cannot resolve '%s': %s", uri, gai_strerror(r));
			return -1;
		}
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			freeaddrinfo(ai);
			return fd;
		}
		e = errno;
		freeaddrinfo(ai);
	} else {
		snprintf(err, errlen, "invalid migration address '%s' (use unix:PATH or tcp:HOST:PORT)",
			 uri);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "cannot connect to %s: %s", uri, strerror(e));
	return -1;
}

/* Small records (a header, the last answer) go at once, not after a delayed ACK (TCP). */
static void no_delay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails on unix: harmless */
}

/* ---- the source ---- */

enum mig_req { REQ_NONE, REQ_TAKE, REQ_FINISH, REQ_FAIL };

struct mig {
	struct board *b;
	int sock, efd;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum mig_req req;         /* the thread's request to the vcpu thread (lock) */
	bool served;              /* the vcpu thread did it (lock) */
	atomic_bool cancel;
	uint64_t *bits;           /* the pages the last take found dirty */
	size_t words;
	uint64_t taken;
	void (*answer)(void *ctx, const char *text);
	void *answer_ctx;
	char uri[160];
	char err[400];
	uint64_t t_start, t_stop;
	unsigned rounds;
	uint64_t pages_sent, zero_sent;
	bool verify;              /* migrate URI verify: RAM checked page by page at the end */
	bool unlocked;            /* the disks' image locks are the destination's to take */
};

/* One migration per board at a time; several VMs in a process each have their own. */
#define MIG_MAX 64
static struct mig *running[MIG_MAX];
static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;

static struct mig *find_running(struct board *b, bool remove)
{
	struct mig *m = NULL;

	pthread_mutex_lock(&running_lock);
	for (unsigned i = 0; i < MIG_MAX; i++)
		if (running[i] && running[i]->b == b) {
			m = running[i];
			if (remove)
				running[i] = NULL;
			break;
		}
	pthread_mutex_unlock(&running_lock);
	return m;
}

static bool add_running(struct mig *m)
{
	bool ok = false;

	pthread_mutex_lock(&running_lock);
	for (unsigned i = 0; i < MIG_MAX && !ok; i++)
		if (!running[i]) {
			running[i] = m;
			ok = true;
		}
	pthread_mutex_unlock(&running_lock);
	return ok;
}

/*
 * Send the pages set in bits: runs of non-zero pages as PAGES records,
 * runs of zero pages as ZERO records. Reads RAM the guest may be writing:
 * a page written after the take that found it is in the next take.
 */
static int send_pages(struct mig *m, const uint64_t *bits)
{
	const uint8_t *ram = m->b->ram;
	uint32_t pages = (uint32_t)(m->b->ram_size / MIG_PAGE);

	for (uint32_t p = 0; p < pages;) {
		uint32_t q;
		bool zero;

		if (bits && !(bits[p / 64] >> (p % 64) & 1)) {
			if (!bits[p / 64] && p % 64 == 0)
				p += 64;
			else
				p++;
			continue;
		}
		if (atomic_load(&m->cancel))
			return -1;
		zero = page_zero(ram + (size_t)p * MIG_PAGE);
		for (q = p + 1; q < pages && q - p < 256; q++) {
			if (bits && !(bits[q / 64] >> (q % 64) & 1))
				break;
			if (page_zero(ram + (size_t)q * MIG_PAGE) != zero)
				break;
		}
		if (zero) {
			/* round 0 (no bits): the destination's RAM starts zero */
			if (bits && send_record(m->sock, MIG_ZERO, p, q - p))
				return -1;
			m->zero_sent += bits ? q - p : 0;
		} else {
			if (send_record(m->sock, MIG_PAGES, p, q - p) ||
			    send_all(m->sock, ram + (size_t)p * MIG_PAGE, (size_t)(q - p) * MIG_PAGE))
				return -1;
			m->pages_sent += q - p;
		}
		p = q;
	}
	return 0;
}

/* Ask the vcpu thread for something and wait until it is done (false: cancelled). */
static bool request(struct mig *m, enum mig_req req, bool wait)
{
	uint64_t one = 1;

	pthread_mutex_lock(&m->lock);
	m->req = req;
	m->served = false;
	pthread_mutex_unlock(&m->lock);
	if (write(m->efd, &one, sizeof(one)) != sizeof(one))
		return false;
	if (!wait)
		return true;
	pthread_mutex_lock(&m->lock);
	while (!m->served && !atomic_load(&m->cancel))
		pthread_cond_wait(&m->cond, &m->lock);
	pthread_mutex_unlock(&m->lock);
	return !atomic_load(&m->cancel);
}

static void fail(struct mig *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct mig *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	request(m, REQ_FAIL, false);
}

/* The migration thread: the hello, then pre-copy rounds while the guest runs. */
static void *precopy(void *opaque)
{
	struct mig *m = opaque;
	struct board *b = m->b;
	uint8_t *buf = malloc(MIG_MACHINE_MAX + 40);
	struct state_writer w;
	char line[300], err[256];
	uint64_t t0;

	if (!buf) {
		fail(m, "out of memory");
		return NULL;
	}
	state_writer_init(&w, buf + 40, MIG_MACHINE_MAX);
	if (snapshot_machine_write(b, &w, err, sizeof(err))) {
		free(buf);
		fail(m, "%s", err);
		return NULL;
	}
	memset(buf, 0, 40);
	memcpy(buf, MIG_MAGIC, 8);
	st_be32(buf + 8, MIG_VERSION);
	strncpy((char *)buf + 12, b->mc ? b->mc->name : "bamboo", 16);
	st_be32(buf + 28, (uint32_t)(b->ram_size >> 32));
	st_be32(buf + 32, (uint32_t)b->ram_size);
	st_be32(buf + 36, (uint32_t)w.len);
	if (send_all(m->sock, buf, 40 + w.len)) {
		free(buf);
		fail(m, "%s: %s", m->uri, strerror(errno));
		return NULL;
	}
	free(buf);
	if (recv_line(m->sock, line, sizeof(line), MIG_REPLY_TIMEOUT_MS)) {
		fail(m, "%s did not answer: %s", m->uri, strerror(errno));
		return NULL;
	}
	if (strcmp(line, "ready")) {
		fail(m, "the destination refused: %s",
		     !strncmp(line, "error: ", 7) ? line + 7 : line);
		return NULL;
	}
	/* Round 0: everything (the dirty log runs since the command). */
	for (;;) {
		t0 = now_ns();
		if (send_pages(m, m->rounds ? m->bits : NULL)) {
			if (!atomic_load(&m->cancel))
				fail(m, "sending RAM to %s: %s", m->uri, strerror(errno));
			return NULL;
		}
		m->rounds++;
		if ((now_ns() - t0 <= MIG_ROUND_DONE_NS && m->rounds > 1) ||
		    m->rounds >= MIG_MAX_ROUNDS || now_ns() - m->t_start >= MIG_MAX_PRECOPY_NS)
			break;
		if (!request(m, REQ_TAKE, true))
			return NULL;
	}
	request(m, REQ_FINISH, false);
	return NULL;
}

static void mig_free(struct mig *m)
{
	if (m->efd >= 0) {
		loop_remove_fd(&m->b->loop, m->efd);
		close(m->efd);
	}
	if (m->sock >= 0)
		close(m->sock);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	free(m->bits);
	free(m);
}

/*
 * Each disk image is locked by the process that opened it (host/disk.c, an OFD
 * write lock), and the destination opens the images as it builds the machine,
 * at the hello: the source lets go of its locks for the migration (it keeps
 * its descriptors and goes on writing; the stop drains and flushes them) and
 * takes them back if the guest stays. 0, or -1 with one line in err.
 */
static int disk_locks(struct board *b, bool lock, char *err, size_t errlen)
{
	for (unsigned i = 0; i < BOARD_MAX_DISKS; i++) {
		struct disk *d = b->blk[i] ? virtio_blk_disk(b->blk[i]) : NULL;
		struct flock fl = { .l_whence = SEEK_SET };

		if (!d || d->fd < 0)
			continue;
		fl.l_type = !lock ? F_UNLCK : d->readonly || d->snapshot ? F_RDLCK : F_WRLCK;
		if (fcntl(d->fd, F_OFD_SETLK, &fl)) {
			snprintf(err, errlen, "disk %u (%s): cannot %s its lock: %s", i, d->path,
				 lock ? "take back" : "let go of", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Stop the thread, the log and the migration; the guest stays (unless it moved: b->quit). */
static void mig_end(struct mig *m)
{
	atomic_store(&m->cancel, true);
	if (m->sock >= 0)
		shutdown(m->sock, SHUT_RDWR);
	pthread_mutex_lock(&m->lock);
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	if (m->thread_started)
		pthread_join(m->thread, NULL);
	find_running(m->b, true);
	core_dirty_stop(&m->b->vcpu.core);
	if (m->unlocked && !m->b->quit) {
		char err[300];

		if (disk_locks(m->b, true, err, sizeof(err)))
			log_err("migrate %s: %s (another process took it meanwhile)\n", m->uri, err);
	}
	mig_free(m);
}

/* Every page's CRC32, for a destination to check its RAM against (the test of the dirty log). */
static uint32_t *page_crcs(const struct board *b)
{
	uint32_t n = (uint32_t)(b->ram_size / MIG_PAGE), *crc = malloc((size_t)n * 4);

	for (uint32_t p = 0; crc && p < n; p++)
		crc[p] = htobe32((uint32_t)crc32_z(0, b->ram + (size_t)p * MIG_PAGE, MIG_PAGE));
	return crc;
}

static int send_crcs(struct mig *m)
{
	uint32_t n = (uint32_t)(m->b->ram_size / MIG_PAGE), *crc = page_crcs(m->b);
	int r;

	if (!crc) {
		errno = ENOMEM;
		return -1;
	}
	r = send_record(m->sock, MIG_VERIFY, 0, n) || send_all(m->sock, crc, (size_t)n * 4);
	free(crc);
	return r ? -1 : 0;
}

/*
 * The guest stops here: the rest of RAM and the state go with no guest
 * instruction in between, and the destination answers once it has loaded
 * them. 0 (the guest runs there now), or -1 with m->err (it runs on here).
 */
static int finish(struct mig *m)
{
	struct board *b = m->b;
	char *state = NULL, line[300];
	size_t state_len = 0;
	FILE *f;
	int ret = -1;

	m->t_stop = now_ns();
	for (unsigned i = 0; i < BOARD_MAX_DISKS; i++)
		if (b->blk[i])
			virtio_blk_drain(b->blk[i]);
	m->taken = core_dirty_take(&b->vcpu.core, m->bits);
	if (send_pages(m, m->bits)) {
		snprintf(m->err, sizeof(m->err), "sending RAM to %s: %s", m->uri, strerror(errno));
		return -1;
	}
	if (m->verify && send_crcs(m)) {
		snprintf(m->err, sizeof(m->err), "sending the RAM check to %s: %s", m->uri,
			 strerror(errno));
		return -1;
	}
	f = open_memstream(&state, &state_len);
	if (!f) {
		snprintf(m->err, sizeof(m->err), "out of memory");
		return -1;
	}
	if (snapshot_state_write(b, f, m->err, sizeof(m->err))) {
		fclose(f);
		goto out;
	}
	fclose(f);
	if (send_record(m->sock, MIG_STATE, 0, (uint32_t)state_len) ||
	    send_all(m->sock, state, state_len)) {
		snprintf(m->err, sizeof(m->err), "sending the state to %s: %s", m->uri,
			 strerror(errno));
		goto out;
	}
	if (recv_line(m->sock, line, sizeof(line), MIG_REPLY_TIMEOUT_MS)) {
		snprintf(m->err, sizeof(m->err), "%s did not confirm: %s", m->uri, strerror(errno));
		goto out;
	}
	if (strcmp(line, "ok")) {
		snprintf(m->err, sizeof(m->err), "the destination refused the state: %s",
			 !strncmp(line, "error: ", 7) ? line + 7 : line);
		goto out;
	}
	ret = 0;
out:
	free(state);
	return ret;
}

/* The vcpu thread, between run chunks: the migration thread's request. */
static void serve(void *opaque, int fd, short revents)
{
	struct mig *m = opaque;
	struct board *b = m->b;
	uint64_t n;
	enum mig_req req;
	char text[600];

	(void)revents;
	/* Inside a device's long disk I/O (board.c blk_stop_check): not now, the fd stays ready. */
	if (b->in_blk_check)
		return;
	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return;
	pthread_mutex_lock(&m->lock);
	req = m->req;
	m->req = REQ_NONE;
	pthread_mutex_unlock(&m->lock);
	switch (req) {
	case REQ_TAKE:
		m->taken = core_dirty_take(&b->vcpu.core, m->bits);
		pthread_mutex_lock(&m->lock);
		m->served = true;
		pthread_cond_signal(&m->cond);
		pthread_mutex_unlock(&m->lock);
		return;
	case REQ_FINISH: {
		uint64_t tb = core_tb_read(&b->vcpu.core), t_end;

		pthread_join(m->thread, NULL);
		m->thread_started = false;
		if (finish(m)) {
			/* The guest goes on here; its time resumes where it stopped. */
			vcpu_debug_resume_time(&b->vcpu, tb);
			break;
		}
		t_end = now_ns();
		snprintf(text, sizeof(text),
			 "migrated: downtime %.1f ms, total %.1f ms, %u rounds, %" PRIu64 " pages "
			 "(%.1f MiB) and %" PRIu64 " zero pages sent, %" PRIu64 " dirty at the stop%s"
			 "\nok\n",
			 (double)(t_end - m->t_stop) / 1e6, (double)(t_end - m->t_start) / 1e6,
			 m->rounds + 1, m->pages_sent, (double)m->pages_sent * MIG_PAGE / 1048576.0,
			 m->zero_sent, m->taken, m->verify ? ", RAM verified" : "");
		log_err("migrated to %s: %.*s; this hv440 ends\n", m->uri,
			(int)(strchr(text, '\n') - text) - 10, text + 10);
		m->answer(m->answer_ctx, text);
		/* The guest lives on in the destination: this VM ends (status 0). */
		b->quit = true;
		vcpu_request_stop(&b->vcpu);
		mig_end(m);
		return;
	}
	case REQ_FAIL:
		break;
	case REQ_NONE:
		return;
	}
	snprintf(text, sizeof(text), "error: %s\n", m->err);
	log_err("migrate %s: %s (the guest runs on here)\n", m->uri, m->err);
	m->answer(m->answer_ctx, text);
	mig_end(m);
}

int migrate_start(void *board, const char *uri, int fd,
		  void (*answer)(void *ctx, const char *text), void *ctx, char *err, size_t errlen)
{
	struct board *b = board;
	struct mig *m;
	int sndbuf = 4 << 20;

	if (find_running(b, false)) {
		snprintf(err, errlen, "a migration is already running");
		return -1;
	}
	if (b->in_blk_check) {
		snprintf(err, errlen, "busy: a disk request is being served, try again");
		return -1;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->b = b;
	m->efd = -1;
	m->answer = answer;
	m->answer_ctx = ctx;
	m->t_start = now_ns();
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	snprintf(m->uri, sizeof(m->uri), "%s", uri);
	{
		char *opt = strchr(m->uri, ' ');

		if (opt) {
			*opt++ = 0;
			while (*opt == ' ')
				opt++;
			if (strcmp(opt, "verify")) {
				snprintf(err, errlen, "migrate: unknown option '%.64s' (migrate URI [verify])",
					 opt);
				mig_free(m);
				return -1;
			}
			m->verify = true;
		}
		uri = m->uri;
	}
	m->sock = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : connect_uri(uri, err, errlen);
	if (m->sock < 0) {
		if (fd >= 0)
			snprintf(err, errlen, "cannot use the descriptor passed: %s", strerror(errno));
		mig_free(m);
		return -1;
	}
	setsockopt(m->sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	no_delay(m->sock);
	m->words = (size_t)((b->ram_size / MIG_PAGE + 63) / 64);
	m->bits = calloc(m->words, sizeof(uint64_t));
	m->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!m->bits || m->efd < 0 || loop_add_fd(&b->loop, m->efd, POLLIN, serve, m) ||
	    core_dirty_start(&b->vcpu.core) || !add_running(m)) {
		snprintf(err, errlen, "cannot start: out of memory or host descriptors");
		if (m->efd >= 0)
			loop_remove_fd(&b->loop, m->efd);
		core_dirty_stop(&b->vcpu.core);
		find_running(b, true);
		mig_free(m);
		return -1;
	}
	if (disk_locks(b, false, err, errlen)) {
		disk_locks(b, true, err + strlen(err), 0);
		mig_end(m);
		return -1;
	}
	m->unlocked = true;
	if (pthread_create(&m->thread, NULL, precopy, m)) {
		snprintf(err, errlen, "cannot start its thread");
		mig_end(m);
		return -1;
	}
	m->thread_started = true;
	return 0;
}

void migrate_cancel(struct board *b)
{
	struct mig *m = b ? find_running(b, false) : NULL;

	if (m)
		mig_end(m);
}

/* ---- the destination ---- */

static int listen_uri(const char *uri)
{
	int fd = -1, one = 1;

	if (!strncmp(uri, "unix:", 5) && uri[5]) {
		char err[300];

		/* A socket file nobody serves is replaced; a live one or any other file is not. */
		fd = unixsock_listen(uri + 5, 1, err, sizeof(err));
		if (fd < 0)
			log_err("--incoming: %s\n", err);
		return fd;
	} else if (!strncmp(uri, "tcp:", 4) && strrchr(uri + 4, ':')) {
		char host[256];
		const char *port = strrchr(uri + 4, ':') + 1;
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai;
		size_t hl = (size_t)(port - 1 - (uri + 4));
		int r;

		if (hl >= sizeof(host)) {
			log_err("--incoming: the host name in '%s' is too long\n", uri);
			return -1;
		}
		memcpy(host, uri + 4, hl);
		host[hl] = 0;
		r = getaddrinfo(hl ? host : NULL, port, &hints, &ai);
		if (r) {
			log_err("--incoming: cannot resolve '%s': %s\n", uri, gai_strerror(r));
			return -1;
		}
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fd >= 0 && bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) {
			freeaddrinfo(ai);
			return fd;
		}
		freeaddrinfo(ai);
	} else {
		log_err("invalid --incoming '%s' (use unix:PATH or tcp:HOST:PORT)\n", uri);
		return -1;
	}
	log_err("--incoming %s: cannot listen: %s\n", uri, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Refuse: one line here and the same to the source. */
static int refuse_source(int fd, const char *uri, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse_source(int fd, const char *uri, const char *fmt, ...)
{
	char msg[300], line[320];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("--incoming %s: %s\n", uri, msg);
	n = snprintf(line, sizeof(line), "error: %s\n", msg);
	send_all(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	return -1;
}

/* The hello: check it, take the machine into cfg and build the board. */
static int incoming_machine(int fd, const char *uri, struct board **out, struct board_config *cfg)
{
	uint8_t h[40], *mach;
	char board[17], *strs[BOARD_STRINGS_MAX], what[200];
	unsigned n_strs = 0;
	uint64_t ram_size;
	uint32_t len;
	const struct machine_class *mc;

	if (recv_all(fd, h, sizeof(h)) || memcmp(h, MIG_MAGIC, 8)) {
		log_err("--incoming %s: not an hv440 migration stream\n", uri);
		return -1;
	}
	if (ld_be32(h + 8) != MIG_VERSION)
		return refuse_source(fd, uri, "a migration stream of version %u; this hv440 takes "
				     "version %u", ld_be32(h + 8), MIG_VERSION);
	memcpy(board, h + 12, 16);
	board[16] = 0;
	ram_size = (uint64_t)ld_be32(h + 28) << 32 | ld_be32(h + 32);
	len = ld_be32(h + 36);
	mc = machine_find(board);
	if (!mc)
		return refuse_source(fd, uri, "a machine of board '%s', which this hv440 does not "
				     "have", board);
	if (cfg->machine && machine_find(cfg->machine) != mc)
		return refuse_source(fd, uri, "the source's machine is board '%s'; -M asks for '%s'",
				     mc->name, cfg->machine);
	if (cfg->ram_size_set && cfg->ram_size != ram_size)
		return refuse_source(fd, uri, "the source's machine has %" PRIu64 " MiB of RAM, -m "
				     "asks for %" PRIu64 " MiB", ram_size >> 20, cfg->ram_size >> 20);
	if (len > MIG_MACHINE_MAX)
		return refuse_source(fd, uri, "a machine description of %u bytes", len);
	mach = malloc(len ? len : 1);
	if (!mach || recv_all(fd, mach, len)) {
		free(mach);
		log_err("--incoming %s: the source went away\n", uri);
		return -1;
	}
	snprintf(what, sizeof(what), "--incoming %s", uri);
	if (snapshot_machine_read(what, board, ram_size, mach, len, cfg, strs, &n_strs)) {
		free(mach);
		send_all(fd, "error: the destination cannot take this machine (its stderr says why)\n",
			 70);
		return -1;
	}
	free(mach);
	if (board_create(out, cfg)) {
		for (unsigned i = 0; i < n_strs; i++)
			free(strs[i]);
		send_all(fd, "error: the destination cannot build this machine (its stderr says why)\n",
			 71);
		return -1;
	}
	memcpy((*out)->strings, strs, sizeof(strs));
	(*out)->n_strings = n_strs;
	/* RAM comes from the source: what board_create() loaded goes (zero pages are not sent). */
	if (madvise((*out)->ram, (size_t)(*out)->ram_size, MADV_DONTNEED))
		memset((*out)->ram, 0, (size_t)(*out)->ram_size);
	return 0;
}

int migrate_incoming(struct board **out, struct board_config *cfg, const char *uri)
{
	int lfd, fd = -1, ret = -1;
	uint8_t *state = NULL;
	uint64_t pages = 0, t_state = 0;
	struct board *b;

	*out = NULL;
	lfd = listen_uri(uri);
	if (lfd < 0)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		if (poll(&p, 1, -1) < 0) {
			if (errno != EINTR)
				continue;
			/* A signal (SIGINT, SIGTERM): the caller ends hv440. */
			errno = EINTR;
			break;
		}
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0 || (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED))
			break;
	}
	close(lfd);
	if (!strncmp(uri, "unix:", 5))
		unlink(uri + 5);
	if (fd < 0) {
		log_err("--incoming %s: %s\n", uri,
			errno == EINTR ? "interrupted while waiting for a source" : strerror(errno));
		return -1;
	}
	no_delay(fd);
	if (incoming_machine(fd, uri, out, cfg))
		goto out;
	b = *out;
	if (send_all(fd, "ready\n", 6))
		goto gone;
	for (;;) {
		uint8_t h[12];
		uint32_t kind, first, count, max = (uint32_t)(b->ram_size / MIG_PAGE);
		char err[256];

		if (recv_all(fd, h, sizeof(h)))
			goto gone;
		kind = ld_be32(h);
		first = ld_be32(h + 4);
		count = ld_be32(h + 8);
		if (kind == MIG_STATE) {
			if (count > MIG_STATE_MAX || !(state = malloc(count ? count : 1))) {
				refuse_source(fd, uri, "a state of %u bytes", count);
				goto out;
			}
			t_state = now_ns();
			if (recv_all(fd, state, count))
				goto gone;
			if (snapshot_state_read(b, state, count, err, sizeof(err))) {
				refuse_source(fd, uri, "%s", err);
				goto out;
			}
			break;
		}
		if (kind == MIG_VERIFY) {
			uint32_t *want = malloc((size_t)max * 4 + 4), *have;

			if (count != max || !want || recv_all(fd, want, (size_t)max * 4)) {
				free(want);
				goto gone;
			}
			have = page_crcs(b);
			if (!have) {
				free(want);
				refuse_source(fd, uri, "out of memory to check RAM");
				goto out;
			}
			for (uint32_t p = 0; p < max; p++)
				if (have[p] != want[p]) {
					refuse_source(fd, uri, "RAM page 0x%x differs from the source's", p);
					free(have);
					free(want);
					goto out;
				}
			free(have);
			free(want);
			log_err("--incoming %s: RAM checked: every page is the source's\n", uri);
			continue;
		}
		if ((kind != MIG_PAGES && kind != MIG_ZERO) || first > max || count > max - first) {
			refuse_source(fd, uri, "a corrupted stream (record %u, pages %u+%u)", kind, first,
				      count);
			goto out;
		}
		if (kind == MIG_ZERO)
			memset(b->ram + (size_t)first * MIG_PAGE, 0, (size_t)count * MIG_PAGE);
		else if (recv_all(fd, b->ram + (size_t)first * MIG_PAGE, (size_t)count * MIG_PAGE))
			goto gone;
		pages += count;
	}
	/* RAM changed under the decoded blocks the board's start may have made. */
	core_icache_flush(&b->vcpu.core);
	if (send_all(fd, "ok\n", 3))
		goto gone;
	log_err("--incoming %s: %" PRIu64 " pages received, state loaded in %.1f ms; the guest "
		 "runs here now\n", uri, pages, (double)(now_ns() - t_state) / 1e6);
	ret = 0;
	goto out;
gone:
	log_err("--incoming %s: the source went away (%s)\n", uri, strerror(errno));
out:
	free(state);
	close(fd);
	return ret;
}
