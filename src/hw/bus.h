/* SPDX-License-Identifier: MIT */
/* bus.h - the one device contract: regions on an MMIO or DCR bus, IRQ lines. */
#ifndef HV440_HW_BUS_H
#define HV440_HW_BUS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A device exposes regions. The bus checks bounds and access size, so a
 * handler only ever sees a legal access at an offset inside its region.
 * Values are the bytes on the bus read as a big-endian number (see
 * core/core.h); a little-endian register swaps them itself.
 * DCR regions count in DCR numbers and are always accessed 4 bytes wide.
 */
struct region {
	const char *name;
	uint64_t base, size;
	uint8_t min_access, max_access; /* legal sizes in bytes: 1, 2, 4 or 8 */
	void *opaque;
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
};

#define BUS_MAX_REGIONS 64

struct bus {
	const char *name;
	struct region *regions[BUS_MAX_REGIONS];
	unsigned n;
	/*
	 * Added by devices: a DCR bus. Addresses are DCR numbers and one
	 * 4-byte access covers exactly one DCR, so an access is in range when
	 * its DCR number is (no byte-wise straddle check).
	 */
	bool dcr;
};

void bus_init(struct bus *b, const char *name);
/* A DCR bus (see bus.dcr); bus_init() with the name "dcr" does the same. */
void bus_init_dcr(struct bus *b, const char *name);
/* Add a region; -EEXIST if it overlaps another, -ENOSPC when full, -EINVAL if empty. */
int bus_add(struct bus *b, struct region *r);
void bus_remove(struct bus *b, struct region *r);
/* 0, -ENOENT (nothing there) or -EINVAL (illegal size or straddles a region end). */
int bus_read(struct bus *b, uint64_t addr, unsigned size, uint64_t *val);
int bus_write(struct bus *b, uint64_t addr, unsigned size, uint64_t val);
struct region *bus_find(struct bus *b, uint64_t addr);

/* An interrupt line from a device to a controller input. */
struct irq_line {
	void (*set)(void *opaque, unsigned n, bool level);
	void *opaque;
	unsigned n;
};

static inline void irq_set(const struct irq_line *l, bool level)
{
	if (l && l->set)
		l->set(l->opaque, l->n, level);
}

#endif
