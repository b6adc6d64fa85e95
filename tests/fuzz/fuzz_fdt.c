/* SPDX-License-Identifier: MIT */
/*
 * fuzz_fdt.c - libFuzzer harness for a user device tree (--dtb): the file is
 * read, checked with libfdt, opened with room to grow and patched for
 * -m / --append / --initrd (board/fdt.c, board_fdt_build() and
 * board_fdt_finish()), as hv440 does before placing it in guest RAM.
 *
 * Input: byte 0 flags (bit 0 --append, 1 --initrd, 2 -m given), bytes
 * 1-4 the RAM size; the rest is the .dtb file (written to a memfd, passed
 * by its /proc/self/fd path). Checked: no crash, no sanitizer report, and
 * an accepted tree is a valid flattened tree of the size the board will
 * copy into RAM.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "board/board.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int mfd = -1;
static char path[64];
static struct board b; /* static: about 7 MiB */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	struct board_config cfg = { 0 };
	uint8_t flags = fin_u8(&in);
	uint32_t ram = fin_u32(&in);

	if (mfd < 0) {
		mfd = memfd_create("fuzz-dtb", 0);
		if (mfd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	}
	if (ftruncate(mfd, 0) < 0 ||
	    (fin_left(&in) && pwrite(mfd, in.p, fin_left(&in), 0) != (ssize_t)fin_left(&in)))
		abort();

	cfg.dtb = path;
	cfg.append = flags & 1 ? "console=ttyS0 root=/dev/vda" : NULL;
	cfg.initrd = flags & 2 ? "initrd" : NULL;
	cfg.ram_size_set = flags & 4;
	cfg.ram_size = (uint64_t)(ram | 1u << 24);
	/* struct board is large (the vcpu): only the fields board/fdt.c uses are set. */
	b.cfg = &cfg;
	b.ram_size = cfg.ram_size;
	b.initrd.size = 0x1234;
	b.initrd_addr = 0x1900000;
	if (board_fdt_build(&b) == 0) {
		if (fdt_check_header(b.fdt) || fdt_totalsize(b.fdt) != b.fdt_size) {
			fprintf(stderr, "fuzz_fdt: accepted tree is not valid (size %zu)\n",
				(size_t)b.fdt_size);
			abort();
		}
		board_fdt_finish(&b);
	}
	free(b.fdt);
	b.fdt = NULL;
	return 0;
}
