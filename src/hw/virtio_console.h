/* SPDX-License-Identifier: MIT */
/* virtio_console.h - virtio console (one port, hvc0 in Linux) on a host chardev. */
#ifndef HV440_HW_VIRTIO_CONSOLE_H
#define HV440_HW_VIRTIO_CONSOLE_H

#include "host/chardev.h"
#include "hw/virtio.h"

struct virtio_console;

/* The chardev stays the caller's; the console becomes its client. */
struct virtio_console *virtio_console_create(struct chardev *chr, uint8_t *ram, uint64_t ram_size);
struct virtio_dev *virtio_console_dev(struct virtio_console *c);
void virtio_console_destroy(struct virtio_console *c);

#endif
