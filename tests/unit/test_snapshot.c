// SPDX-License-Identifier: MIT
/* test_snapshot.c - every device of a fully populated board saves and loads, byte-identically. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board/board.h"
#include "hw/virtio_blk.h"
#include "util/byteorder.h"
#include "util/state.h"

#include "check.h"

#define BUF (1u << 20)

static uint8_t buf1[BUF], buf2[BUF], buf3[BUF];

/* A config space write through CFGADDR/CFGDATA (both little-endian on the bus). */
static void cfg_write32(struct board *b, unsigned slot, unsigned reg, uint32_t v)
{
	uint32_t addr = 0x80000000u | slot << 11 | (reg & 0xfc);

	b->vbus.mmio_write(b, 0xeec00000u, 4, __builtin_bswap32(addr));
	b->vbus.mmio_write(b, 0xeec00004u, 4, __builtin_bswap32(v));
}

static size_t save(struct device *d, uint8_t *buf)
{
	struct state_writer w;

	state_writer_init(&w, buf, BUF);
	if (d->ops->save(d, &w))
		return 0;
	return w.len;
}

static int load(struct device *d, const uint8_t *buf, size_t len)
{
	struct state_reader r;
	int ret;

	state_reader_init(&r, buf, len);
	ret = d->ops->load(d, &r);
	return ret ? ret : (r.pos == r.size ? 0 : -EINVAL);
}

/* Every virtio kind, a byte channel, two UARTs, the UIC, the PCI host and the DCR files. */
static int make_board(struct board **b, struct board_config *cfg, const char *kernel,
		      const char *disk)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->kernel = kernel;
	cfg->kernel_addr_set = true;
	cfg->kernel_addr = 0x100000;
	cfg->ram_size = 64ull << 20;
	cfg->serial[0] = cfg->serial[1] = "null";
	cfg->disk[0] = disk;
	cfg->n_disks = 1;
	cfg->net[0] = "user";
	cfg->n_nets = 1;
	cfg->console = "null";
	cfg->bytechan = "null";
	cfg->rng = true;
	cfg->interp = true;
	return board_create(b, cfg);
}

static void test_every_device(void)
{
	char kernel[] = "/tmp/hv440-test-snap-kXXXXXX", disk[] = "/tmp/hv440-test-snap-dXXXXXX";
	int kfd = mkstemp(kernel), dfd = mkstemp(disk);
	static const uint32_t insn = 0x48000000u; /* b . */
	struct board_config cfg;
	struct board *b = NULL;
	unsigned n = 0, kinds = 0;
	struct device *d;

	CHECK(kfd >= 0 && dfd >= 0);
	if (kfd < 0 || dfd < 0)
		return;
	CHECK(write(kfd, &insn, 4) == 4);
	CHECK(ftruncate(dfd, 1 << 20) == 0);
	close(kfd);
	close(dfd);
	CHECK(make_board(&b, &cfg, kernel, disk) == 0);
	if (!b)
		goto out;
	/* State off its reset values: a UART's scratch register, slot 1's BAR and COMMAND. */
	b->vbus.mmio_write(b, 0xef600307u, 1, 0x5a);
	cfg_write32(b, 1, 0x14, 0xa0000000u);
	cfg_write32(b, 1, 0x04, 0x0003);

	for (d = b->devices.head; d; d = d->next, n++) {
		size_t len1, len2, len3;

		if (!d->ops->save || !d->ops->load) {
			fprintf(stderr, "device %s (%s) has no save/load\n", d->name, d->ops->name);
			CHECK(d->ops->save && d->ops->load);
			continue;
		}
		if (!strcmp(d->ops->name, "virtio-pci"))
			kinds |= 1u << 0;
		if (!strcmp(d->name, "virtio-blk"))
			kinds |= 1u << 1;
		if (!strcmp(d->name, "virtio-net"))
			kinds |= 1u << 2;
		if (!strcmp(d->name, "virtio-console"))
			kinds |= 1u << 3;
		if (!strcmp(d->name, "virtio-rng"))
			kinds |= 1u << 4;
		if (!strcmp(d->ops->name, "epapr,hv-byte-channel"))
			kinds |= 1u << 5;
		len1 = save(d, buf1);
		CHECK(len1 > 8);
		CHECK(load(d, buf1, len1) == 0);
		len2 = save(d, buf2);
		if (len2 != len1 || memcmp(buf1, buf2, len1))
			fprintf(stderr, "device %s: save, load, save differs\n", d->name);
		CHECK(len2 == len1 && !memcmp(buf1, buf2, len1));
		/* Truncated: refused, and the device is as it was. */
		CHECK(load(d, buf1, len1 - 1) != 0);
		len3 = save(d, buf3);
		CHECK(len3 == len1 && !memcmp(buf1, buf3, len1));
		/* Another device's state (the tag differs) is refused. */
		memcpy(buf3, "XXXX", 4);
		CHECK(load(d, buf3, len1) != 0);
	}
	CHECK(n >= 13);
	CHECK(kinds == 0x3f);

	/* The vcpu: save, load, save gives the same bytes but for the timebase (it runs on). */
	{
		struct state_writer w;
		struct state_reader r;
		size_t len1;

		state_writer_init(&w, buf1, BUF);
		CHECK(vcpu_state_save(&b->vcpu, &w) == 0);
		len1 = w.len;
		state_reader_init(&r, buf1, len1);
		CHECK(vcpu_state_load(&b->vcpu, &r) == 0 && r.pos == len1);
		state_writer_init(&w, buf2, BUF);
		CHECK(vcpu_state_save(&b->vcpu, &w) == 0);
		CHECK(w.len == len1 && !memcmp(buf1, buf2, len1 - 8));
		state_reader_init(&r, buf1, len1 - 1);
		CHECK(vcpu_state_load(&b->vcpu, &r) != 0);
	}
out:
	board_destroy(b);
	unlink(kernel);
	unlink(disk);
}

int main(void)
{
	test_every_device();
	printf("snapshot: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
