/* SPDX-License-Identifier: MIT */
/* elfsyms.c - read function symbols from an ELF32 symbol table (either byte order). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tools.h"
#include "util/byteorder.h"

/* ELF32 layout (System V ABI, "Object Files"): only the fields used here. */
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define ELFDATA2MSB 2
#define SHT_SYMTAB 2
#define SHF_EXECINSTR 0x4
#define STT_NOTYPE 0
#define STT_FUNC 2
#define SHN_LORESERVE 0xff00
#define EHDR_SIZE 52
#define SHDR_SIZE 40
#define SYM_SIZE 16

struct image {
	const uint8_t *p;
	size_t len;
	bool be;
};

static uint32_t rd32(const struct image *im, size_t off)
{
	const uint8_t *b = im->p + off;

	return im->be ? ld_be32(b) : ld_le32(b);
}

static uint16_t rd16(const struct image *im, size_t off)
{
	const uint8_t *b = im->p + off;

	return im->be ? ld_be16(b) : ld_le16(b);
}

static int cmp_sym(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Prefer a sized (FUNC) symbol over a label at the same address. */
	return (x->size < y->size) - (x->size > y->size);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

int elfsyms_load(struct elf_syms *s, const char *path, const char **err)
{
	struct image im;
	uint8_t *buf;
	size_t len = 0, n = 0, names = 0;
	uint32_t shoff;
	uint16_t shnum, shentsize;

	memset(s, 0, sizeof(*s));
	buf = read_all(path, &len);
	if (!buf) {
		*err = "cannot read the file";
		return -1;
	}
	im.p = buf;
	im.len = len;
	if (len < EHDR_SIZE || memcmp(buf, "\177ELF", 4) || buf[EI_CLASS] != ELFCLASS32 ||
	    (buf[EI_DATA] != ELFDATA2LSB && buf[EI_DATA] != ELFDATA2MSB)) {
		free(buf);
		*err = "not an ELF32 file";
		return -1;
	}
	im.be = buf[EI_DATA] == ELFDATA2MSB;
	shoff = rd32(&im, 32);
	shentsize = rd16(&im, 46);
	shnum = rd16(&im, 48);
	if (shentsize < SHDR_SIZE || shoff > len || (size_t)shnum * shentsize > len - shoff) {
		free(buf);
		*err = "bad section header table";
		return -1;
	}
	/* Two passes over every symbol table: count and size, then copy. */
	for (int pass = 0; pass < 2; pass++) {
		size_t ns = 0, np = 0;

		for (unsigned i = 0; i < shnum; i++) {
			size_t sh = shoff + (size_t)i * shentsize, str_sh;
			uint32_t off, size, link, stroff, strsize;

			if (rd32(&im, sh + 4) != SHT_SYMTAB)
				continue;
			off = rd32(&im, sh + 16);
			size = rd32(&im, sh + 20);
			link = rd32(&im, sh + 24);
			if (link >= shnum || off > len || size > len - off)
				continue;
			str_sh = shoff + (size_t)link * shentsize;
			stroff = rd32(&im, str_sh + 16);
			strsize = rd32(&im, str_sh + 20);
			if (stroff > len || strsize > len - stroff)
				continue;
			for (uint32_t o = off; o + SYM_SIZE <= off + size; o += SYM_SIZE) {
				uint32_t name = rd32(&im, o), value = rd32(&im, o + 4);
				uint32_t ssize = rd32(&im, o + 8);
				uint8_t type = im.p[o + 12] & 0xf;
				uint16_t shndx = rd16(&im, o + 14);
				const char *nm;
				size_t nl;

				if ((type != STT_FUNC && type != STT_NOTYPE) || !shndx ||
				    shndx >= SHN_LORESERVE || shndx >= shnum || name >= strsize)
					continue;
				if (!(rd32(&im, shoff + (size_t)shndx * shentsize + 8) & SHF_EXECINSTR))
					continue;
				nm = (const char *)im.p + stroff + name;
				nl = strnlen(nm, strsize - name);
				if (!nl || nl == strsize - name || nm[0] == '$' || !strncmp(nm, ".L", 2))
					continue;
				if (pass == 1) {
					memcpy(s->strings + np, nm, nl + 1);
					s->sym[ns].addr = value;
					s->sym[ns].size = ssize;
					s->sym[ns].name = s->strings + np;
				}
				ns++;
				np += nl + 1;
			}
		}
		if (pass == 0) {
			n = ns;
			names = np;
			s->sym = calloc(n ? n : 1, sizeof(*s->sym));
			s->strings = malloc(names ? names : 1);
			if (!s->sym || !s->strings) {
				free(buf);
				elfsyms_free(s);
				*err = "out of memory";
				return -1;
			}
		}
	}
	free(buf);
	if (!n) {
		elfsyms_free(s);
		*err = "no function symbols (stripped?)";
		return -1;
	}
	qsort(s->sym, n, sizeof(*s->sym), cmp_sym);
	s->n = n;
	return 0;
}

const struct elf_sym *elfsyms_find(const struct elf_syms *s, uint32_t addr)
{
	size_t lo = 0, hi = s->n;
	const struct elf_sym *e;

	/* Last symbol with addr <= the address. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->sym[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	e = &s->sym[lo - 1];
	/* Walk back over labels at the same address to the sized symbol sorted first. */
	while (e > s->sym && e[-1].addr == e->addr)
		e--;
	if (e->size && addr - e->addr >= e->size)
		return NULL;
	return e;
}

void elfsyms_free(struct elf_syms *s)
{
	free(s->sym);
	free(s->strings);
	memset(s, 0, sizeof(*s));
}
