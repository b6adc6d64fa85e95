/* SPDX-License-Identifier: MIT */
/* test_bus.c - unit tests of the region bus: overlaps, access-size and bounds checks, dispatch. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "hw/bus.h"

#include "check.h"

struct dev {
	uint64_t last_off, last_val;
	unsigned last_size, reads, writes;
};

static uint64_t dev_read(void *opaque, uint64_t offset, unsigned size)
{
	struct dev *d = opaque;

	d->reads++;
	d->last_off = offset;
	d->last_size = size;
	/* More bits than the access: the bus must mask them off. */
	return 0x1122334455667788ull + offset;
}

static void dev_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct dev *d = opaque;

	d->writes++;
	d->last_off = offset;
	d->last_size = size;
	d->last_val = value;
}

static struct region mk(const char *name, uint64_t base, uint64_t size, uint8_t min,
			uint8_t max, struct dev *d)
{
	struct region r = { .name = name, .base = base, .size = size, .min_access = min,
			    .max_access = max, .opaque = d, .read = dev_read, .write = dev_write };

	return r;
}

static void test_add_remove(void)
{
	struct bus b;
	struct dev d = { 0 };
	struct region a = mk("a", 0x1000, 0x100, 1, 4, &d);
	struct region over = mk("over", 0x10ff, 0x10, 1, 4, &d);
	struct region inside = mk("inside", 0x1010, 0x10, 1, 4, &d);
	struct region cover = mk("cover", 0x0, 0x10000, 1, 4, &d);
	struct region below = mk("below", 0x0f00, 0x100, 1, 4, &d);
	struct region above = mk("above", 0x1100, 0x100, 1, 4, &d);
	struct region empty = mk("empty", 0x5000, 0, 1, 4, &d);
	struct region wrap = mk("wrap", ~0ull - 4, 0x10, 1, 4, &d);
	struct region badsz = mk("badsz", 0x8000, 0x10, 3, 4, &d);
	struct region many[BUS_MAX_REGIONS];
	unsigned i;

	bus_init(&b, "test");
	CHECK(bus_add(&b, &a) == 0);
	CHECK(bus_add(&b, &a) == -EEXIST);
	CHECK(bus_add(&b, &over) == -EEXIST);
	CHECK(bus_add(&b, &inside) == -EEXIST);
	CHECK(bus_add(&b, &cover) == -EEXIST);
	CHECK(bus_add(&b, &below) == 0);   /* adjacent below */
	CHECK(bus_add(&b, &above) == 0);   /* adjacent above */
	CHECK(bus_add(&b, &empty) == -EINVAL);
	CHECK(bus_add(&b, &wrap) == -EINVAL);
	CHECK(bus_add(&b, &badsz) == -EINVAL);
	CHECK(b.n == 3);
	CHECK(bus_find(&b, 0x0eff) == NULL);
	CHECK(bus_find(&b, 0x0f00) == &below);
	CHECK(bus_find(&b, 0x0fff) == &below);
	CHECK(bus_find(&b, 0x1000) == &a);
	CHECK(bus_find(&b, 0x10ff) == &a);
	CHECK(bus_find(&b, 0x1100) == &above);
	CHECK(bus_find(&b, 0x1200) == NULL);

	bus_remove(&b, &a);
	CHECK(b.n == 2);
	CHECK(bus_find(&b, 0x1000) == NULL);
	CHECK(bus_add(&b, &inside) == 0);  /* the hole is free again */
	bus_remove(&b, &a);                /* removing twice is harmless */
	CHECK(b.n == 3);

	bus_init(&b, "full");
	for (i = 0; i < BUS_MAX_REGIONS; i++) {
		many[i] = mk("m", 0x100000 - 0x100 * i, 0x100, 1, 8, &d);
		CHECK(bus_add(&b, &many[i]) == 0);
	}
	CHECK(bus_add(&b, &a) == -ENOSPC);
	/* Added in descending order: the bus keeps them sorted for lookups. */
	for (i = 1; i < b.n; i++)
		CHECK(b.regions[i - 1]->base < b.regions[i]->base);
	CHECK(bus_find(&b, 0x100000 - 0x100 * 7 + 0x42) == &many[7]);
}

static void test_access(void)
{
	struct bus b;
	struct dev d = { 0 }, d8 = { 0 };
	struct region r = mk("r", 0x2000, 0x10, 1, 4, &d);
	struct region byte = mk("byte", 0x3000, 8, 1, 1, &d);
	struct region wide = mk("wide", 0x4000, 0x10, 0, 0, &d8);
	uint64_t v = 0;

	bus_init(&b, "test");
	CHECK(bus_add(&b, &r) == 0);
	CHECK(bus_add(&b, &byte) == 0);
	CHECK(bus_add(&b, &wide) == 0);

	CHECK(bus_read(&b, 0x2004, 4, &v) == 0);
	CHECK(v == 0x5566778cull);
	CHECK(d.last_off == 4 && d.last_size == 4);
	CHECK(bus_read(&b, 0x2001, 1, &v) == 0);
	CHECK(v == 0x89);
	CHECK(bus_read(&b, 0x2002, 2, &v) == 0);
	CHECK(v == 0x778a);

	/* Misaligned but inside the region: legal. */
	CHECK(bus_read(&b, 0x2003, 4, &v) == 0);
	CHECK(d.last_off == 3);
	/* Straddles the end. */
	CHECK(bus_read(&b, 0x200e, 4, &v) == -EINVAL);
	CHECK(bus_write(&b, 0x200f, 2, 0) == -EINVAL);
	CHECK(bus_read(&b, 0x200c, 4, &v) == 0);
	/* Sizes outside the region's range or illegal. */
	CHECK(bus_read(&b, 0x2000, 8, &v) == -EINVAL);
	CHECK(bus_read(&b, 0x2000, 3, &v) == -EINVAL);
	CHECK(bus_read(&b, 0x2000, 0, &v) == -EINVAL);
	CHECK(bus_write(&b, 0x3000, 2, 0) == -EINVAL);
	/* Nothing there. */
	CHECK(bus_read(&b, 0x1fff, 1, &v) == -ENOENT);
	CHECK(bus_write(&b, 0x9000, 4, 0) == -ENOENT);

	d.writes = 0;
	CHECK(bus_write(&b, 0x3005, 1, 0xabcd) == 0);
	CHECK(d.writes == 1 && d.last_off == 5 && d.last_size == 1);
	CHECK(d.last_val == 0xcd);  /* masked to the access size */
	CHECK(bus_write(&b, 0x2008, 4, 0xdeadbeefcafe) == 0);
	CHECK(d.last_val == 0xbeefcafe);

	/* min/max 0: every legal size. */
	CHECK(bus_read(&b, 0x4008, 8, &v) == 0);
	CHECK(v == 0x1122334455667790ull);
	CHECK(bus_write(&b, 0x4000, 8, 0x0102030405060708ull) == 0);
	CHECK(d8.last_val == 0x0102030405060708ull);
	CHECK(bus_read(&b, 0x4009, 8, &v) == -EINVAL);

	/* A region without callbacks reads 0 and ignores writes. */
	bus_remove(&b, &byte);
	byte.read = NULL;
	byte.write = NULL;
	CHECK(bus_add(&b, &byte) == 0);
	v = 1;
	CHECK(bus_read(&b, 0x3000, 1, &v) == 0 && v == 0);
	CHECK(bus_write(&b, 0x3000, 1, 5) == 0);
}

static void test_dcr(void)
{
	struct bus b, named, mmio;
	struct dev d = { 0 };
	struct region dcr = mk("dcr", 0xc0, 9, 4, 4, &d);
	uint64_t v;

	/* DCR numbers: the last register of a region takes a 4-byte access. */
	bus_init_dcr(&b, "dcr0");
	CHECK(b.dcr);
	CHECK(bus_add(&b, &dcr) == 0);
	CHECK(bus_read(&b, 0xc8, 4, &v) == 0);
	CHECK(d.last_off == 8 && d.last_size == 4);
	CHECK(bus_write(&b, 0xc6, 4, 7) == 0);
	CHECK(d.last_off == 6 && d.last_val == 7);
	CHECK(bus_write(&b, 0xc0, 1, 0) == -EINVAL);
	CHECK(bus_read(&b, 0xc9, 4, &v) == -ENOENT);
	CHECK(bus_read(&b, 0xbf, 4, &v) == -ENOENT);

	bus_init(&named, "dcr");
	CHECK(named.dcr);
	bus_init(&mmio, "mmio");
	CHECK(!mmio.dcr);
	bus_remove(&b, &dcr);
	CHECK(bus_add(&mmio, &dcr) == 0);
	CHECK(bus_read(&mmio, 0xc8, 4, &v) == -EINVAL);
}

int main(void)
{
	test_dcr();
	test_add_remove();
	test_access();
	printf("test_bus: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
