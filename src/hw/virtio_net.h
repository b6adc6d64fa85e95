/* SPDX-License-Identifier: MIT */
/* virtio_net.h - virtio network device on a host network backend (slirp or TAP). */
#ifndef HV440_HW_VIRTIO_NET_H
#define HV440_HW_VIRTIO_NET_H

#include "host/net.h"
#include "hw/virtio.h"

struct virtio_net;

/* Takes ownership of the backend; mac is the device's Ethernet address. */
struct virtio_net *virtio_net_create(struct net_backend *nb, const uint8_t mac[6], uint8_t *ram,
				     uint64_t ram_size);
struct virtio_dev *virtio_net_dev(struct virtio_net *n);
struct net_backend *virtio_net_backend(struct virtio_net *n);
void virtio_net_destroy(struct virtio_net *n);

#endif
