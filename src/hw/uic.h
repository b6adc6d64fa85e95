/* SPDX-License-Identifier: MIT */
/* uic.h - the 4xx Universal Interrupt Controller (UIC0 of the 440EP). */
#ifndef HV440_HW_UIC_H
#define HV440_HW_UIC_H

#include "hw/bus.h"
#include "hw/device.h"

/*
 * 32 inputs; registers SR, SRS, ER, CR, PR, TR, MSR, VR, VCR at DCR base+0..8
 * (PPC440EP manual, UIC). Outputs: a non-critical and a critical line.
 */
struct uic {
	struct device dev;       /* the contract (hw/device.h): reset, node, save/load */
	struct region dcr;       /* DCR region: base..base+8 */
	uint32_t sr, er, cr, pr, tr, vcr;
	uint32_t level;          /* current input levels */
	struct irq_line out_int, out_crit;
	/*
	 * Added for SoCs with several UICs (set after uic_init(); zero keeps
	 * UIC0 of the 440EP): the node's cell-index and compatible list, and
	 * for a cascaded UIC its own phandle (dev->fdt_intc and fdt_irq[] are
	 * then its parent and the parent's inputs its two outputs drive).
	 */
	unsigned index;
	const char *compat;
	unsigned compat_len;
	uint32_t phandle;
};

void uic_init(struct uic *u, uint32_t dcr_base, struct irq_line out_int, struct irq_line out_crit);
void uic_reset(struct uic *u);
/* Input line n (0 = IRQ 0 = MSB of SR) as an irq_line for a device. */
struct irq_line uic_input(struct uic *u, unsigned n);
void uic_set_input(struct uic *u, unsigned n, bool level);
/* Writes the interrupt-controller node under parent; returns its phandle or -1. */
int uic_fdt_node(struct uic *u, void *fdt, int parent, uint32_t phandle);

#endif
