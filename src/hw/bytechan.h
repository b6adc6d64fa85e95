/* SPDX-License-Identifier: MIT */
/* bytechan.h - an ePAPR byte channel: a host character backend behind hypercalls, rx/tx interrupt lines. */
#ifndef HV440_HW_BYTECHAN_H
#define HV440_HW_BYTECHAN_H

#include <stdbool.h>
#include <stdint.h>

#include "host/chardev.h"
#include "hw/bus.h"
#include "hw/device.h"

#define BYTECHAN_RX_SIZE 256

/*
 * The guest reaches it only through the EV_BYTE_CHANNEL_* hypercalls
 * (hv/hcall.c), by its handle. Interrupts (level, active high): rx while
 * received bytes wait; tx while there is room to send, which is always,
 * since host output never blocks (the guest masks tx when it has nothing
 * to send, as Linux's ehv_bytechan does).
 */
struct bytechan {
	struct device dev;        /* the contract (hw/device.h); fdt_irq: rx, tx */
	uint32_t handle;
	struct chardev *cd;
	struct irq_line rx_irq, tx_irq;
	uint8_t rx[BYTECHAN_RX_SIZE];
	unsigned rx_head, rx_count;
};

void bytechan_init(struct bytechan *bc, uint32_t handle, struct chardev *cd,
		   struct irq_line rx_irq, struct irq_line tx_irq);
void bytechan_reset(struct bytechan *bc);
/* The hypercall side: bytes taken / given (see struct vcpu_bus). */
unsigned bytechan_send(struct bytechan *bc, const uint8_t *buf, unsigned len);
unsigned bytechan_receive(struct bytechan *bc, uint8_t *buf, unsigned max);
void bytechan_poll(const struct bytechan *bc, unsigned *rx, unsigned *tx);
/* The node Linux's ehv_bytechan binds to (compatible "epapr,hv-byte-channel"). */
int bytechan_fdt_node(const struct bytechan *bc, void *fdt, int parent, uint32_t uic_phandle,
		      unsigned rx_irq_n, unsigned tx_irq_n);

#endif
