/* SPDX-License-Identifier: MIT */
/* uart16550.h - NS16550A UART with FIFOs, byte-wide registers on the OPB. */
#ifndef HV440_HW_UART16550_H
#define HV440_HW_UART16550_H

#include "host/chardev.h"
#include "hw/bus.h"
#include "hw/device.h"

struct uart16550 {
	struct device dev;        /* the contract (hw/device.h): reset, node, save/load */
	struct region mmio;       /* 8 byte-wide registers */
	struct chardev *cd;       /* may be NULL: output discarded, no input */
	struct irq_line irq;
	uint8_t ier, iir, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	uint8_t rx[16];
	unsigned rx_head, rx_count;
	uint16_t rx_break;        /* FIFO slots holding a break (their LSR[BI] shows at the top) */
	/* Transmit FIFO: bytes the host side has not taken yet (a slow reader); THRE while empty. */
	uint8_t tx[16];
	unsigned tx_head, tx_count;
	bool thr_ipending;
	uint32_t clock_hz;
	const char *node_name;    /* e.g. "serial@ef600300" */
};

void uart16550_init(struct uart16550 *u, uint64_t base, uint32_t clock_hz,
		    struct irq_line irq, struct chardev *cd);
void uart16550_reset(struct uart16550 *u);
/* Writes the serial node (ns16550) under parent; returns the node offset, or -1 after one error line. */
int uart16550_fdt_node(struct uart16550 *u, void *fdt, int parent, uint32_t uic_phandle, unsigned irq_n);

#endif
