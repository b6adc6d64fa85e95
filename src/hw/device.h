/* SPDX-License-Identifier: MIT */
/* device.h - the device contract: one ops table per kind of device, devices listed on their board. */
#ifndef HV440_HW_DEVICE_H
#define HV440_HW_DEVICE_H

#include <stdint.h>

#include "util/state.h"

/*
 * A device is its regions and IRQ lines (hw/bus.h) plus one struct device
 * embedded in its own struct, whose ops say what every device does. The
 * board creates devices in a visible order and adds each to its list with
 * device_add(); reset, the device tree and teardown walk that list
 * (docs/design.md, "Adding a device").
 */
struct device;

struct device_ops {
	const char *name; /* the kind of device, e.g. "ns16550" */
	/* Back to the power-on state (a board reset). Required. */
	void (*reset)(struct device *dev);
	/*
	 * Write the device's node under the node at offset parent (the board's
	 * dev->fdt_parent); 0, or -1 after one error line. NULL: no node.
	 */
	int (*fdt_node)(struct device *dev, void *fdt, int parent);
	/*
	 * Append everything the guest can observe (registers, FIFOs, line
	 * levels it drives) to w; 0, or -ENOSPC when w ran out of room. Caches
	 * are not state. NULL: nothing to save.
	 */
	int (*save)(struct device *dev, struct state_writer *w);
	/*
	 * Take the state back from r, as save() wrote it; 0, or -EINVAL with
	 * the device unchanged when r holds anything else (truncated, another
	 * device's, a newer version, a value the device cannot hold).
	 */
	int (*load)(struct device *dev, struct state_reader *r);
	/* Free what the device allocated, the device itself included when it did. NULL: nothing. */
	void (*destroy)(struct device *dev);
};

struct device {
	const struct device_ops *ops;
	const char *name;         /* this instance, for messages: "uart0" */
	/* Device-tree wiring, set by the board before device_fdt_all(). */
	const char *fdt_parent;   /* path of the parent node ("/plb/opb"); NULL: no node */
	uint32_t fdt_intc;        /* phandle of its interrupt controller (the controller's own) */
	unsigned fdt_irq[2];      /* its inputs on that controller */
	struct device *next;      /* the board's list, in creation order */
};

struct device_list {
	struct device *head, **tail;
	unsigned n;
};

void device_list_init(struct device_list *l);
/* Append dev (its ops set) to the list: it is now reset, described and destroyed with the board. */
void device_add(struct device_list *l, struct device *dev);
/* Reset every device, in creation order. */
void device_reset_all(struct device_list *l);
/*
 * Every device's node under its fdt_parent; 0, or -1 after one error line.
 * fdt_add_subnode() puts a node first among its siblings, so the list is
 * walked backwards: nodes appear in creation order.
 */
int device_fdt_all(struct device_list *l, void *fdt);
/* Destroy every device, last created first; the list is empty after. */
void device_destroy_all(struct device_list *l);

/*
 * libfdt's one checked wrapper (kvmtool's _FDT()): any negative libfdt
 * result prints one line naming the function and the call, and returns -1
 * from the caller. fdt_error() is that line.
 */
int fdt_error(const char *func, const char *call, int err);
#define FDT(call)                                                    \
	do {                                                         \
		int err_ = (call);                                   \
		if (err_ < 0)                                        \
			return fdt_error(__func__, #call, err_);     \
	} while (0)

#endif
