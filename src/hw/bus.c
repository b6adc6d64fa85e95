/* SPDX-License-Identifier: MIT */
/* bus.c - region registry and access dispatch with bounds and access-size checks. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hw/bus.h"

void bus_init(struct bus *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	b->dcr = name && !strcmp(name, "dcr");
}

void bus_init_dcr(struct bus *b, const char *name)
{
	bus_init(b, name);
	b->dcr = true;
}

/* A region's last byte; regions never wrap past 2^64 (checked in bus_add). */
static uint64_t region_last(const struct region *r)
{
	return r->base + r->size - 1;
}

static bool legal_size(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

int bus_add(struct bus *b, struct region *r)
{
	unsigned i, pos;

	if (!r || r->size == 0 || r->base + r->size - 1 < r->base)
		return -EINVAL;
	if ((r->min_access && !legal_size(r->min_access)) ||
	    (r->max_access && !legal_size(r->max_access)) ||
	    (r->min_access && r->max_access && r->min_access > r->max_access))
		return -EINVAL;
	if (b->n >= BUS_MAX_REGIONS)
		return -ENOSPC;

	for (i = 0; i < b->n; i++) {
		const struct region *o = b->regions[i];

		if (o == r || (r->base <= region_last(o) && o->base <= region_last(r)))
			return -EEXIST;
	}
	/* Kept sorted by base so bus_find can bisect. */
	for (pos = 0; pos < b->n && b->regions[pos]->base < r->base; pos++)
		;
	memmove(&b->regions[pos + 1], &b->regions[pos],
		(b->n - pos) * sizeof(b->regions[0]));
	b->regions[pos] = r;
	b->n++;
	return 0;
}

void bus_remove(struct bus *b, struct region *r)
{
	unsigned i;

	for (i = 0; i < b->n; i++) {
		if (b->regions[i] != r)
			continue;
		memmove(&b->regions[i], &b->regions[i + 1],
			(b->n - i - 1) * sizeof(b->regions[0]));
		b->n--;
		b->regions[b->n] = NULL;
		return;
	}
}

struct region *bus_find(struct bus *b, uint64_t addr)
{
	unsigned lo = 0, hi = b->n;

	/* Binary search for the last region whose base is <= addr. */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (b->regions[mid]->base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	if (addr > region_last(b->regions[lo - 1]))
		return NULL;
	return b->regions[lo - 1];
}

static uint64_t size_mask(unsigned size)
{
	return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/*
 * Find the region for an access and check it: size 1/2/4/8 within the
 * region's declared range, and the last byte inside the region. Natural
 * alignment is not required (the 440 allows misaligned accesses to I/O).
 * On a DCR bus an access is one register, so only its number must fit.
 */
static int check(struct bus *b, uint64_t addr, unsigned size, struct region **out)
{
	struct region *r = bus_find(b, addr);
	unsigned min, max;

	if (!r)
		return -ENOENT;
	min = r->min_access ? r->min_access : 1;
	max = r->max_access ? r->max_access : 8;
	if (!legal_size(size) || size < min || size > max)
		return -EINVAL;
	if (!b->dcr && size - 1 > region_last(r) - addr)
		return -EINVAL;
	*out = r;
	return 0;
}

int bus_read(struct bus *b, uint64_t addr, unsigned size, uint64_t *val)
{
	struct region *r;
	int ret = check(b, addr, size, &r);

	if (ret)
		return ret;
	*val = r->read ? r->read(r->opaque, addr - r->base, size) & size_mask(size) : 0;
	return 0;
}

int bus_write(struct bus *b, uint64_t addr, unsigned size, uint64_t val)
{
	struct region *r;
	int ret = check(b, addr, size, &r);

	if (ret)
		return ret;
	if (r->write)
		r->write(r->opaque, addr - r->base, size, val & size_mask(size));
	return 0;
}
