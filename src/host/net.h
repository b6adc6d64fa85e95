/* SPDX-License-Identifier: MIT */
/* net.h - host network backends for virtio-net: user-mode (libslirp) and TAP. */
#ifndef HV440_HOST_NET_H
#define HV440_HOST_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/loop.h"

/* The device side: a frame arrived from the host network (vcpu thread). */
struct net_client {
	void *opaque;
	void (*receive)(void *opaque, const uint8_t *frame, size_t len);
};

struct net_backend {
	struct net_client client;
	struct loop *loop;
	uint8_t mac[6];
	bool mac_set;             /* mac=... given */
	/* Send one Ethernet frame to the host network; 0 or -errno (dropped). */
	int (*send)(struct net_backend *nb, const uint8_t *frame, size_t len);
	/* Around every loop_poll(): register fds / lower *timeout_ns; then service them. */
	void (*before_poll)(struct net_backend *nb, int64_t *timeout_ns);
	void (*after_poll)(struct net_backend *nb);
	void (*close)(struct net_backend *nb);
	void *priv;
};

/*
 * spec: "user[,hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...[,mac=M]"
 * or "tap,ifname=NAME[,mac=M]". NULL after one clear error line on stderr.
 */
struct net_backend *net_open(const char *spec, struct loop *l);
void net_close(struct net_backend *nb);
void net_set_client(struct net_backend *nb, const struct net_client *c);
/* Called by the board around each loop_poll(). */
void net_before_poll(struct net_backend *nb, int64_t *timeout_ns);
void net_after_poll(struct net_backend *nb);

/* "52:54:00:12:34:56" (unicast only): 0 or -1. */
int net_parse_mac(const char *s, uint8_t mac[6]);

/* net_slirp.c: the user-mode backend; opts is the list after "user" (modifiable). */
int net_slirp_open(struct net_backend *nb, char *opts, const char *spec);

#endif
