/* SPDX-License-Identifier: MIT */
/* net.c - network backend selection, options, and the TAP backend. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/net.h"
#include "util/log.h"

#define FRAME_MAX 65550

struct tap {
	int fd;
	char ifname[IFNAMSIZ];
	uint8_t buf[FRAME_MAX];
};

/*
 * TUNSETIFF creates the interface when it does not exist (with
 * CAP_NET_ADMIN), so an absent or misspelt name would quietly give the
 * guest a new, unconfigured TAP. --net tap attaches to an existing one
 * only (docs/devices.md): ask the kernel for the name's index first.
 */
static bool interface_exists(const char *name)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool found;

	if (s < 0)
		return true;  /* cannot tell: let TUNSETIFF decide */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	found = ioctl(s, SIOCGIFINDEX, &ifr) == 0 || errno != ENODEV;
	close(s);
	return found;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	int n = 0, i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &n) != 6 ||
	    s[n] || (v[0] & 1))
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

/* ---- TAP ---- */

static int tap_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
	struct tap *t = nb->priv;

	for (;;) {
		ssize_t r = write(t->fd, frame, len);

		if (r >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;  /* EAGAIN: the host queue is full, drop like a busy wire */
	}
}

/* Frames from the host: a bounded batch per wake-up so the guest keeps running. */
static void tap_readable(void *opaque, int fd, short revents)
{
	struct net_backend *nb = opaque;
	struct tap *t = nb->priv;
	int i;

	(void)revents;
	for (i = 0; i < 64; i++) {
		ssize_t r = read(fd, t->buf, sizeof(t->buf));

		if (r <= 0)
			return;
		if (nb->client.receive)
			nb->client.receive(nb->client.opaque, t->buf, (size_t)r);
	}
}

static void tap_close(struct net_backend *nb)
{
	struct tap *t = nb->priv;

	loop_remove_fd(nb->loop, t->fd);
	close(t->fd);
	free(t);
}

static int tap_open(struct net_backend *nb, char *opts, const char *spec)
{
	char *save = NULL, *o;
	const char *ifname = NULL;
	struct ifreq ifr;
	struct tap *t;

	for (o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (!strncmp(o, "ifname=", 7) && o[7]) {
			ifname = o + 7;
		} else if (!strncmp(o, "mac=", 4)) {
			if (parse_mac(o + 4, nb->mac)) {
				log_err("--net '%s': bad MAC address '%s'\n", spec, o + 4);
				return -1;
			}
			nb->mac_set = true;
		} else {
			log_err("--net '%s': unknown tap option '%s' (ifname=NAME, mac=M)\n",
				spec, o);
			return -1;
		}
	}
	if (!ifname || strlen(ifname) >= IFNAMSIZ) {
		log_err("--net '%s': tap needs ifname=NAME (at most %d characters)\n",
			spec, IFNAMSIZ - 1);
		return -1;
	}
	if (!interface_exists(ifname)) {
		log_err("--net '%s': no network interface '%s' (create the TAP first: "
			"ip tuntap add dev %s mode tap)\n", spec, ifname, ifname);
		return -1;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		log_err("out of memory\n");
		return -1;
	}
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		log_err("--net '%s': cannot open /dev/net/tun: %s\n", spec, strerror(errno));
		free(t);
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(t->fd, TUNSETIFF, &ifr)) {
		log_err("--net '%s': cannot attach to TAP interface '%s': %s\n", spec,
			ifname, strerror(errno));
		close(t->fd);
		free(t);
		return -1;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
	nb->priv = t;
	nb->send = tap_send;
	nb->close = tap_close;
	if (loop_add_fd(nb->loop, t->fd, POLLIN, tap_readable, nb)) {
		log_err("--net '%s': too many host file descriptors\n", spec);
		close(t->fd);
		free(t);
		return -1;
	}
	return 0;
}

/* ---- common ---- */

struct net_backend *net_open(const char *spec, struct loop *l)
{
	struct net_backend *nb = calloc(1, sizeof(*nb));
	char *copy = strdup(spec), *opts;
	int err;

	if (!nb || !copy) {
		log_err("out of memory\n");
		free(nb);
		free(copy);
		return NULL;
	}
	nb->loop = l;
	opts = strchr(copy, ',');
	if (opts)
		*opts++ = '\0';
	else
		opts = copy + strlen(copy);
	if (!strcmp(copy, "user")) {
		err = net_slirp_open(nb, opts, spec);
	} else if (!strcmp(copy, "tap")) {
		err = tap_open(nb, opts, spec);
	} else {
		log_err("--net '%s': unknown backend '%s' (user or tap)\n", spec, copy);
		err = -1;
	}
	free(copy);
	if (err) {
		free(nb);
		return NULL;
	}
	return nb;
}

void net_close(struct net_backend *nb)
{
	if (!nb)
		return;
	if (nb->close)
		nb->close(nb);
	free(nb);
}

void net_set_client(struct net_backend *nb, const struct net_client *c)
{
	nb->client = *c;
}

void net_before_poll(struct net_backend *nb, int64_t *timeout_ns)
{
	if (nb->before_poll)
		nb->before_poll(nb, timeout_ns);
}

void net_after_poll(struct net_backend *nb)
{
	if (nb->after_poll)
		nb->after_poll(nb);
}

int net_parse_mac(const char *s, uint8_t mac[6])
{
	return parse_mac(s, mac);
}
