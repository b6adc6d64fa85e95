/* SPDX-License-Identifier: MIT */
/*
 * fuzz_loader.c - libFuzzer harness for the kernel loaders (board/loader.h):
 * arbitrary bytes as an ELF, uImage (plain or gzip) or raw kernel image.
 *
 * Input: byte 0 selects the mode (bit 0: raw with a load address from
 * bytes 1-4; bit 1: fix up the uImage header and data CRCs first, so the
 * fuzzer gets past them), byte 5 the RAM size (1 KiB .. 1 MiB); the rest
 * is the file.
 * Checked beyond "no crash": the RAM buffer is exactly ram_size bytes
 * (ASan catches any write past it), a rejected ELF or raw image leaves RAM
 * untouched, and an accepted image reports start <= end <= RAM size and an
 * entry point inside RAM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "board/loader.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILL 0xa5

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Make a uImage's CRCs right (U-Boot legacy header: hcrc at 4, size at 12, dcrc at 24). */
static void fix_uimage_crcs(uint8_t *d, size_t n)
{
	uint32_t size;

	if (n < 64)
		return;
	size = get_be32(d + 12);
	if ((uint64_t)size + 64 <= n)
		put_be32(d + 24, (uint32_t)crc32(0, d + 64, size));
	put_be32(d + 4, 0);
	put_be32(d + 4, (uint32_t)crc32(0, d, 64));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	uint8_t mode = fin_u8(&in);
	uint32_t raw_addr = fin_u32(&in);
	uint64_t ram_size = 1024ull << (fin_u8(&in) % 11);
	struct loader_file f = { .path = (char *)"fuzz" };
	struct loader_result res = { 0 };
	enum loader_format fmt;
	uint8_t *ram;
	int rc;

	if (fin_left(&in) == 0)
		return 0;
	/* The file bytes in a buffer of their own size, so over-reads are caught too. */
	f.size = fin_left(&in);
	f.data = malloc(f.size);
	ram = malloc(ram_size);
	if (!f.data || !ram)
		abort();
	memcpy(f.data, in.p, f.size);
	if (mode & 2)
		fix_uimage_crcs(f.data, f.size);
	memset(ram, FILL, ram_size);

	if (loader_detect(&f, mode & 1, &fmt) == 0) {
		rc = loader_load_kernel(&f, fmt, raw_addr, ram, ram_size, &res);
		if (rc == 0) {
			if (res.start > res.end || res.end > ram_size || res.entry >= ram_size) {
				fprintf(stderr, "fuzz_loader: result [0x%llx, 0x%llx) entry 0x%x outside RAM 0x%llx\n",
					(unsigned long long)res.start, (unsigned long long)res.end,
					res.entry, (unsigned long long)ram_size);
				abort();
			}
			/* What a reset loads (loader_compact) must load the same bytes. */
			if (fmt == LOADER_ELF) {
				uint8_t *again = malloc(ram_size);
				struct loader_result r2;

				if (!again)
					abort();
				memset(again, FILL, ram_size);
				loader_compact(&f, fmt, ram_size);
				if (loader_load_kernel(&f, fmt, raw_addr, again, ram_size, &r2) ||
				    memcmp(again, ram, ram_size) || r2.entry != res.entry ||
				    r2.start != res.start || r2.end != res.end) {
					fprintf(stderr, "fuzz_loader: the compacted ELF loads differently\n");
					abort();
				}
				free(again);
			}
		} else if (fmt != LOADER_UIMAGE) {
			/* ELF and raw validate everything before writing: RAM must be untouched. */
			for (uint64_t i = 0; i < ram_size; i++)
				if (ram[i] != FILL) {
					fprintf(stderr, "fuzz_loader: rejected image wrote RAM at 0x%llx\n",
						(unsigned long long)i);
					abort();
				}
		}
	}
	/* The two parsers directly too, whatever the magic says. */
	loader_load_elf(&f, ram, ram_size, &res);
	loader_load_uimage(&f, ram, ram_size, &res);
	free(ram);
	free(f.data);
	return 0;
}
