/* SPDX-License-Identifier: MIT */
/* test_loader.c - loader_compact(): the smaller ELF a reset loads is the same kernel. */
#include <stdlib.h>
#include <string.h>

#include "board/loader.h"
#include "check.h"

#define RAM (1u << 20)

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A program header: type, offset, vaddr, paddr, filesz, memsz. */
static void phdr(uint8_t *ph, uint32_t type, uint32_t off, uint32_t va, uint32_t pa, uint32_t fsz,
		 uint32_t msz)
{
	be32(ph, type);
	be32(ph + 4, off);
	be32(ph + 8, va);
	be32(ph + 12, pa);
	be32(ph + 16, fsz);
	be32(ph + 20, msz);
	be32(ph + 24, 5);
	be32(ph + 28, 0x10000);
}

/*
 * A vmlinux in miniature: 40-byte program headers (larger than the 32 the
 * ABI needs), a note, two loadable segments (the second with BSS), and
 * 64 KiB of "debug information" with section headers after it.
 */
static uint8_t *make_elf(size_t *size)
{
	size_t n = 0x1000 + 0x3000 + 0x10000 + 0x400;
	uint8_t *d = calloc(1, n);

	memcpy(d, "\177ELF\1\2\1", 7);
	be16(d + 16, 2);            /* ET_EXEC */
	be16(d + 18, 20);           /* EM_PPC */
	be32(d + 20, 1);
	be32(d + 24, 0xc0000010);   /* entry, virtual */
	be32(d + 28, 0x40);         /* e_phoff */
	be32(d + 32, (uint32_t)(n - 0x400)); /* e_shoff */
	be16(d + 40, 52);
	be16(d + 42, 40);           /* e_phentsize */
	be16(d + 44, 3);
	be16(d + 46, 40);
	be16(d + 48, 10);
	be16(d + 50, 9);
	phdr(d + 0x40, 4, 0x800, 0xc0000800, 0x800, 0x20, 0x20);                /* PT_NOTE */
	phdr(d + 0x68, 1, 0x1000, 0xc0000000, 0, 0x2000, 0x2000);               /* text */
	phdr(d + 0x90, 1, 0x3000, 0xc0004000, 0x4000, 0x1000, 0x3000);          /* data + BSS */
	for (size_t i = 0x1000; i < n; i++)
		d[i] = (uint8_t)(i * 7 + 3);
	*size = n;
	return d;
}

int main(void)
{
	struct loader_file f = { .path = "mini-vmlinux" };
	struct loader_result r1, r2;
	uint8_t *ram1 = calloc(1, RAM), *ram2 = calloc(1, RAM);
	size_t before;

	f.data = make_elf(&f.size);
	before = f.size;
	CHECK(loader_load_kernel(&f, LOADER_ELF, 0, ram1, RAM, &r1) == 0);
	loader_compact(&f, LOADER_ELF, RAM);
	/* headers (52 + 2 * 32) and the two segments' 0x3000 bytes: the note and the rest are gone */
	CHECK(f.size == 52 + 2 * 32 + 0x3000);
	CHECK(f.size < before);
	memset(ram2 + 0x5000, 0xaa, 0x2000); /* the BSS must still be cleared */
	CHECK(loader_load_kernel(&f, LOADER_ELF, 0, ram2, RAM, &r2) == 0);
	CHECK(memcmp(ram1, ram2, RAM) == 0);
	CHECK(r1.entry == 0x10 && r2.entry == r1.entry);
	CHECK(r2.start == r1.start && r2.end == r1.end && r1.end == 0x7000);
	/* compacting again changes nothing */
	before = f.size;
	loader_compact(&f, LOADER_ELF, RAM);
	CHECK(f.size == before);
	/* not an ELF (a raw image): left alone */
	loader_compact(&f, LOADER_RAW, RAM);
	CHECK(f.size == before);
	free(f.data);
	free(ram1);
	free(ram2);
	printf("loader: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
