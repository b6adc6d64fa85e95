/* SPDX-License-Identifier: MIT */
/* net_slirp.c - user-mode networking through libslirp: 10.0.2.0/24, DHCP, DNS, host forwards. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <slirp/libslirp.h>

#include "host/net.h"
#include "util/log.h"

#define MAX_POLL 256
#define NET_SLIRP_MAX_HOSTFWD 16

struct slirp_timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms;        /* -1: not armed */
	struct slirp_timer *next;
};

struct slirp_backend {
	Slirp *slirp;
	struct net_backend *nb;
	struct slirp_timer *timers;
	/*
	 * The fds slirp asks for change every round; they go into one epoll
	 * set, and only its fd sits in the board's loop, so any number of
	 * guest connections costs one loop slot.
	 */
	int epfd;
	struct {
		int fd;
		short revents;
		bool added;
	} pfd[MAX_POLL];
	unsigned n_pfd;
	bool host_loopback;       /* host-loopback=on: 10.0.2.2 is the host's 127.0.0.1 */
};

static int64_t clock_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Frames slirp sends to the guest. */
static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
	struct slirp_backend *s = opaque;
	struct net_backend *nb = s->nb;

	if (nb->client.receive)
		nb->client.receive(nb->client.opaque, buf, len);
	return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	log_err("slirp: guest error: %s\n", msg);
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct slirp_backend *s = opaque;
	struct slirp_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = s->timers;
	s->timers = t;
	return t;
}

static void timer_free(void *timer, void *opaque)
{
	struct slirp_backend *s = opaque;
	struct slirp_timer **pp;

	for (pp = &s->timers; *pp; pp = &(*pp)->next) {
		if (*pp == timer) {
			*pp = ((struct slirp_timer *)timer)->next;
			free(timer);
			return;
		}
	}
}

static void timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	if (timer)
		((struct slirp_timer *)timer)->expire_ms = expire_ms;
}

static void register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void notify(void *opaque)
{
	(void)opaque;  /* the board polls every millisecond anyway */
}

static const SlirpCb callbacks = {
	.send_packet = send_packet,
	.guest_error = guest_error,
	.clock_get_ns = clock_ns,
	.timer_new = timer_new,
	.timer_free = timer_free,
	.timer_mod = timer_mod,
	.register_poll_fd = register_poll_fd,
	.unregister_poll_fd = register_poll_fd,
	.notify = notify,
};

/*
 * An IPv4 frame for 127.0.0.0/8 (RFC 1122 3.2.1.3: never on a wire). A
 * hostile guest could put the host's loopback address in a packet itself
 * instead of going through 10.0.2.2; such frames are dropped unless
 * host-loopback=on.
 */
static bool to_loopback(const uint8_t *frame, size_t len)
{
	/* Ethernet type 0x0800 at 12 (slirp ignores tagged frames), IPv4 destination at 14 + 16. */
	return len >= 14 + 20 && frame[12] == 0x08 && frame[13] == 0x00 && frame[30] == 127;
}

static int send_frame(struct net_backend *nb, const uint8_t *frame, size_t len)
{
	struct slirp_backend *s = nb->priv;

	if (!s->host_loopback && to_loopback(frame, len))
		return 0;
	slirp_input(s->slirp, frame, (int)len);
	return 0;
}

/* The epoll set is readable: after_poll collects the details. */
static void epoll_ready(void *opaque, int fd, short revents)
{
	(void)opaque;
	(void)fd;
	(void)revents;
}

static int add_poll(int fd, int events, void *opaque)
{
	struct slirp_backend *s = opaque;
	unsigned i = s->n_pfd;
	struct epoll_event ev = { .events = 0, .data.u32 = i };

	if (i >= MAX_POLL)
		return -1;
	if (events & SLIRP_POLL_IN)
		ev.events |= EPOLLIN;
	if (events & SLIRP_POLL_OUT)
		ev.events |= EPOLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev.events |= EPOLLPRI;
	s->pfd[i].fd = fd;
	s->pfd[i].revents = 0;
	s->pfd[i].added = epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
	s->n_pfd++;
	return (int)i;
}

static int get_revents(int idx, void *opaque)
{
	struct slirp_backend *s = opaque;
	short r;
	int ev = 0;

	if (idx < 0 || (unsigned)idx >= s->n_pfd)
		return 0;
	r = s->pfd[idx].revents;
	if (r & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (r & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (r & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (r & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (r & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static void before_poll(struct net_backend *nb, int64_t *timeout_ns)
{
	struct slirp_backend *s = nb->priv;
	int64_t now_ms = clock_ns(NULL) / 1000000;
	uint32_t ms = *timeout_ns < 0 ? UINT32_MAX :
		      *timeout_ns / 1000000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(*timeout_ns / 1000000);
	struct slirp_timer *t;

	s->n_pfd = 0;
	slirp_pollfds_fill(s->slirp, &ms, add_poll, s);
	for (t = s->timers; t; t = t->next)
		if (t->expire_ms >= 0 && (uint64_t)(t->expire_ms > now_ms ? t->expire_ms - now_ms : 0) < ms)
			ms = (uint32_t)(t->expire_ms > now_ms ? t->expire_ms - now_ms : 0);
	if (*timeout_ns < 0 ? ms != UINT32_MAX : (int64_t)ms * 1000000 < *timeout_ns)
		*timeout_ns = (int64_t)ms * 1000000;
}

static void after_poll(struct net_backend *nb)
{
	struct slirp_backend *s = nb->priv;
	struct epoll_event ev[MAX_POLL];
	struct slirp_timer *t;
	int i, n;
	bool fired;

	n = epoll_wait(s->epfd, ev, MAX_POLL, 0);
	for (i = 0; i < n; i++) {
		unsigned k = ev[i].data.u32;
		short r = 0;

		if (k >= s->n_pfd)
			continue;
		if (ev[i].events & EPOLLIN)
			r |= POLLIN;
		if (ev[i].events & EPOLLOUT)
			r |= POLLOUT;
		if (ev[i].events & EPOLLPRI)
			r |= POLLPRI;
		if (ev[i].events & EPOLLERR)
			r |= POLLERR;
		if (ev[i].events & EPOLLHUP)
			r |= POLLHUP;
		s->pfd[k].revents = r;
	}
	/* Empty the set while every fd is still open: slirp may close some below. */
	for (i = 0; i < (int)s->n_pfd; i++)
		if (s->pfd[i].added)
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->pfd[i].fd, NULL);
	slirp_pollfds_poll(s->slirp, 0, get_revents, s);
	s->n_pfd = 0;
	/* A callback may free or re-arm timers: rescan after each one. */
	do {
		int64_t now_ms = clock_ns(NULL) / 1000000;

		fired = false;
		for (t = s->timers; t; t = t->next) {
			if (t->expire_ms >= 0 && t->expire_ms <= now_ms) {
				t->expire_ms = -1;
				t->cb(t->cb_opaque);
				fired = true;
				break;
			}
		}
	} while (fired);
}

static void slirp_close(struct net_backend *nb)
{
	struct slirp_backend *s = nb->priv;

	slirp_cleanup(s->slirp);
	loop_remove_fd(nb->loop, s->epfd);
	close(s->epfd);
	while (s->timers) {
		struct slirp_timer *t = s->timers;

		s->timers = t->next;
		free(t);
	}
	free(s);
}

/* "tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT" (udp: the same). */
static int add_hostfwd(Slirp *slirp, const char *rule, const char *spec)
{
	char proto[4], haddr[64] = "", gaddr[64] = "";
	unsigned hport, gport;
	struct in_addr h = { 0 }, g = { 0 };
	int n = 0, is_udp;

	if (sscanf(rule, "%3[a-z]:%63[0-9.]:%u-%63[0-9.]:%u%n", proto, haddr, &hport, gaddr, &gport, &n) != 5 &&
	    (n = 0, haddr[0] = 0, sscanf(rule, "%3[a-z]::%u-%63[0-9.]:%u%n", proto, &hport, gaddr, &gport, &n) != 4) &&
	    (n = 0, gaddr[0] = 0, sscanf(rule, "%3[a-z]:%63[0-9.]:%u-:%u%n", proto, haddr, &hport, &gport, &n) != 4) &&
	    (n = 0, haddr[0] = 0, sscanf(rule, "%3[a-z]::%u-:%u%n", proto, &hport, &gport, &n) != 3))
		n = 0;
	if (!n || rule[n] || (strcmp(proto, "tcp") && strcmp(proto, "udp")) ||
	    hport > 65535 || gport == 0 || gport > 65535 ||
	    (haddr[0] && !inet_aton(haddr, &h)) || (gaddr[0] && !inet_aton(gaddr, &g))) {
		log_err("--net '%s': bad hostfwd '%s' (use tcp::HOSTPORT-:GUESTPORT)\n",
			spec, rule);
		return -1;
	}
	is_udp = !strcmp(proto, "udp");
	if (slirp_add_hostfwd(slirp, is_udp, h, (int)hport, g, (int)gport) < 0) {
		log_err("--net '%s': cannot forward host port %u (%s): in use?\n",
			spec, hport, proto);
		return -1;
	}
	return 0;
}

int net_slirp_open(struct net_backend *nb, char *opts, const char *spec)
{
	struct slirp_backend *s = calloc(1, sizeof(*s));
	const char *fwd[NET_SLIRP_MAX_HOSTFWD];
	unsigned n_fwd = 0, i;
	char *save = NULL, *o;
	bool host_loopback = false, restrict_guest = false;
	SlirpConfig cfg;

	if (!s) {
		log_err("out of memory\n");
		return -1;
	}
	s->epfd = -1;
	for (o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (!strncmp(o, "hostfwd=", 8)) {
			if (n_fwd == NET_SLIRP_MAX_HOSTFWD) {
				log_err("--net '%s': too many hostfwd rules (at most %d)\n",
					spec, NET_SLIRP_MAX_HOSTFWD);
				goto fail;
			}
			fwd[n_fwd++] = o + 8;
		} else if (!strncmp(o, "host-loopback=", 14) || !strncmp(o, "restrict=", 9)) {
			bool *flag = o[0] == 'h' ? &host_loopback : &restrict_guest;
			const char *v = strchr(o, '=') + 1;

			if (strcmp(v, "on") && strcmp(v, "off")) {
				log_err("--net '%s': %.*s takes on or off, not '%s'\n",
					spec, (int)(v - 1 - o), o, v);
				goto fail;
			}
			*flag = !strcmp(v, "on");
		} else if (!strncmp(o, "mac=", 4)) {
			if (net_parse_mac(o + 4, nb->mac)) {
				log_err("--net '%s': bad MAC address '%s'\n", spec, o + 4);
				goto fail;
			}
			nb->mac_set = true;
		} else {
			log_err("--net '%s': unknown user option '%s' "
				"(hostfwd=tcp::HOSTPORT-:GUESTPORT, mac=M, host-loopback=on, "
				"restrict=on)\n", spec, o);
			goto fail;
		}
	}

	/* The usual user-mode network: guest 10.0.2.15, host 10.0.2.2, DNS 10.0.2.3. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.version = 3;
	cfg.in_enabled = true;
	inet_aton("10.0.2.0", &cfg.vnetwork);
	inet_aton("255.255.255.0", &cfg.vnetmask);
	inet_aton("10.0.2.2", &cfg.vhost);
	inet_aton("10.0.2.15", &cfg.vdhcp_start);
	inet_aton("10.0.2.3", &cfg.vnameserver);
	cfg.vhostname = "guest";
	cfg.if_mtu = 1500;
	cfg.if_mru = 1500;
	/*
	 * The host's loopback services (other VMs' gdb stubs and control
	 * sockets, databases, ...) are not the guest's business: 10.0.2.2
	 * reaches them only when the user asks (docs/devices.md). restrict=on
	 * is QEMU's: no connection out of the guest network at all, only
	 * hostfwd into it (and slirp's own DHCP/DNS).
	 */
	cfg.disable_host_loopback = !host_loopback;
	s->host_loopback = host_loopback;
	cfg.restricted = restrict_guest;
	s->nb = nb;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0 || loop_add_fd(nb->loop, s->epfd, POLLIN, epoll_ready, s)) {
		log_err("--net '%s': cannot set up polling for user-mode networking\n",
			spec);
		goto fail;
	}
	s->slirp = slirp_new(&cfg, &callbacks, s);
	if (!s->slirp) {
		log_err("--net '%s': cannot start user-mode networking\n", spec);
		loop_remove_fd(nb->loop, s->epfd);
		goto fail;
	}
	nb->priv = s;
	nb->send = send_frame;
	nb->before_poll = before_poll;
	nb->after_poll = after_poll;
	nb->close = slirp_close;
	for (i = 0; i < n_fwd; i++) {
		if (add_hostfwd(s->slirp, fwd[i], spec)) {
			slirp_close(nb);
			nb->priv = NULL;
			return -1;
		}
	}
	return 0;
fail:
	if (s->epfd >= 0)
		close(s->epfd);
	free(s);
	return -1;
}
