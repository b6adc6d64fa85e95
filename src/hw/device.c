/* SPDX-License-Identifier: MIT */
/* device.c - the board's device list: reset, device tree and teardown walk it. */
#include <libfdt.h>
#include <stdio.h>

#include "hw/device.h"
#include "util/log.h"

void device_list_init(struct device_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
	l->n = 0;
}

void device_add(struct device_list *l, struct device *dev)
{
	dev->next = NULL;
	*l->tail = dev;
	l->tail = &dev->next;
	l->n++;
}

void device_reset_all(struct device_list *l)
{
	for (struct device *d = l->head; d; d = d->next)
		d->ops->reset(d);
}

int fdt_error(const char *func, const char *call, int err)
{
	log_err("device tree: %s: %s: %s\n", func, call, fdt_strerror(err));
	return -1;
}

/* The devices after d first (a list is at most a few dozen long). */
static int fdt_backwards(struct device *d, void *fdt)
{
	int parent;

	if (!d)
		return 0;
	if (fdt_backwards(d->next, fdt))
		return -1;
	if (!d->ops->fdt_node || !d->fdt_parent)
		return 0;
	parent = fdt_path_offset(fdt, d->fdt_parent);
	if (parent < 0) {
		log_err("device tree: %s: no parent node %s: %s\n", d->name,
			d->fdt_parent, fdt_strerror(parent));
		return -1;
	}
	return d->ops->fdt_node(d, fdt, parent) < 0 ? -1 : 0;
}

int device_fdt_all(struct device_list *l, void *fdt)
{
	return fdt_backwards(l->head, fdt);
}

static void destroy_backwards(struct device *d)
{
	if (!d)
		return;
	destroy_backwards(d->next);
	if (d->ops->destroy)
		d->ops->destroy(d);
}

void device_destroy_all(struct device_list *l)
{
	destroy_backwards(l->head);
	device_list_init(l);
}
