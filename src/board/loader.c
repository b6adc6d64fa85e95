/* SPDX-License-Identifier: MIT */
/* loader.c - kernel (ELF32 big-endian PowerPC, uImage, raw) and initrd loaders. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "board/loader.h"
#include "util/byteorder.h"
#include "util/log.h"

/* ELF constants (System V ABI, ELF header and program header). */
#define EI_CLASS     4
#define EI_DATA      5
#define ELFCLASS32   1
#define ELFDATA2MSB  2
#define EM_PPC       20
#define PT_LOAD      1
#define ELF32_EHDR_SIZE 52
#define ELF32_PHDR_SIZE 32

/* U-Boot legacy image header (mkimage): 64 bytes, all fields big-endian. */
#define UIMAGE_MAGIC     0x27051956u
#define UIMAGE_HDR_SIZE  64
#define UIMAGE_ARCH_PPC  7
#define UIMAGE_TYPE_KERNEL 2
#define UIMAGE_COMP_NONE 0
#define UIMAGE_COMP_GZIP 1

int loader_open_file(const char *path, const char *what)
{
	/*
	 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	 * writer forever; loader_read_fd() then refuses it. For a regular file
	 * the flag changes nothing.
	 */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		log_err("cannot open %s '%s': %s\n", what, path, strerror(errno));
	return fd;
}

int loader_read_fd(struct loader_file *f, int fd, const char *path, const char *what)
{
	struct stat st;
	size_t got = 0;

	memset(f, 0, sizeof(*f));
	if (fstat(fd, &st) < 0) {
		log_err("cannot stat %s '%s': %s\n", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		log_err("%s '%s' is not a regular file\n", what, path);
		return -1;
	}
	if (st.st_size == 0) {
		log_err("%s '%s' is empty\n", what, path);
		return -1;
	}
	/* Nothing larger than the 440 board's 2 GiB of RAM can ever be loaded. */
	if ((uint64_t)st.st_size > (2ull << 30)) {
		log_err("%s '%s' is too large (%" PRIu64 " bytes)\n", what, path,
			(uint64_t)st.st_size);
		return -1;
	}
	f->size = (size_t)st.st_size;
	f->data = malloc(f->size);
	if (!f->data) {
		log_err("%s '%s': out of memory\n", what, path);
		goto fail;
	}
	/* pread from 0: a descriptor kept open (a restored machine's, board.c) is read again at each use. */
	while (got < f->size) {
		ssize_t n = pread(fd, f->data + got, f->size - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_err("cannot read %s '%s': %s\n", what, path,
				n < 0 ? strerror(errno) : "unexpected end of file");
			goto fail;
		}
		got += (size_t)n;
	}
	f->path = strdup(path);
	if (!f->path) {
		log_err("%s '%s': out of memory\n", what, path);
		goto fail;
	}
	return 0;
fail:
	free(f->data);
	f->data = NULL;
	f->size = 0;
	return -1;
}

int loader_read_file(struct loader_file *f, const char *path, const char *what)
{
	int fd = loader_open_file(path, what), r;

	memset(f, 0, sizeof(*f));
	if (fd < 0)
		return -1;
	r = loader_read_fd(f, fd, path, what);
	close(fd);
	return r;
}

void loader_free_file(struct loader_file *f)
{
	free(f->data);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

int loader_detect(const struct loader_file *f, bool raw, enum loader_format *fmt)
{
	if (raw) {
		*fmt = LOADER_RAW;
		return 0;
	}
	if (f->size >= 4 && !memcmp(f->data, "\177ELF", 4)) {
		*fmt = LOADER_ELF;
		return 0;
	}
	if (f->size >= 4 && ld_be32(f->data) == UIMAGE_MAGIC) {
		*fmt = LOADER_UIMAGE;
		return 0;
	}
	log_err("--kernel '%s' is neither an ELF file nor a uImage "
		"(use --kernel-addr ADDR for a raw binary)\n", f->path);
	return -1;
}

struct seg {
	uint32_t offset, vaddr, paddr, filesz, memsz;
};

/* Check every header and segment before touching RAM, so a bad file leaves RAM alone. */
static int elf_check(const struct loader_file *f, uint64_t ram_size, struct seg *segs,
		     unsigned *nsegs, uint32_t *entry)
{
	const uint8_t *d = f->data;
	uint32_t phoff, e_entry;
	uint16_t phentsize, phnum;
	unsigned i, j, n = 0;
	bool found = false;

	if (f->size < 16 || memcmp(d, "\177ELF", 4)) {
		log_err("--kernel '%s' is not an ELF file\n", f->path);
		return -1;
	}
	if (d[EI_CLASS] != ELFCLASS32) {
		log_err("--kernel '%s' is not a 32-bit ELF file (ELF class %u)\n",
			f->path, d[EI_CLASS]);
		return -1;
	}
	if (d[EI_DATA] != ELFDATA2MSB) {
		log_err("--kernel '%s' is not big-endian (the 440 runs big-endian code)\n",
			f->path);
		return -1;
	}
	if (f->size < ELF32_EHDR_SIZE) {
		log_err("--kernel '%s': truncated ELF header (%zu bytes)\n",
			f->path, f->size);
		return -1;
	}
	if (ld_be16(d + 18) != EM_PPC) {
		log_err("--kernel '%s' is not a PowerPC ELF file (machine %u)\n",
			f->path, ld_be16(d + 18));
		return -1;
	}
	e_entry = ld_be32(d + 24);
	phoff = ld_be32(d + 28);
	phentsize = ld_be16(d + 42);
	phnum = ld_be16(d + 44);
	if (phnum == 0 || phentsize < ELF32_PHDR_SIZE ||
	    (uint64_t)phoff + (uint64_t)phnum * phentsize > f->size) {
		log_err("--kernel '%s': truncated or missing program headers\n", f->path);
		return -1;
	}
	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = d + phoff + (size_t)i * phentsize;
		struct seg s;

		if (ld_be32(ph) != PT_LOAD)
			continue;
		s.offset = ld_be32(ph + 4);
		s.vaddr = ld_be32(ph + 8);
		s.paddr = ld_be32(ph + 12);
		s.filesz = ld_be32(ph + 16);
		s.memsz = ld_be32(ph + 20);
		if (s.memsz == 0)
			continue;
		if (s.filesz > s.memsz) {
			log_err("--kernel '%s': segment %u has file size 0x%x > memory size 0x%x\n",
				f->path, i, s.filesz, s.memsz);
			return -1;
		}
		if ((uint64_t)s.offset + s.filesz > f->size) {
			log_err("--kernel '%s': segment %u is truncated (needs bytes up to 0x%" PRIx64
				", file has 0x%zx)\n", f->path, i, (uint64_t)s.offset + s.filesz, f->size);
			return -1;
		}
		if ((uint64_t)s.paddr + s.memsz > ram_size) {
			log_err("--kernel '%s': segment %u (physical 0x%x-0x%" PRIx64
				") is outside RAM (0-0x%" PRIx64 ")\n", f->path, i, s.paddr,
				(uint64_t)s.paddr + s.memsz - 1, ram_size - 1);
			return -1;
		}
		for (j = 0; j < n; j++) {
			if ((uint64_t)s.paddr < (uint64_t)segs[j].paddr + segs[j].memsz &&
			    (uint64_t)segs[j].paddr < (uint64_t)s.paddr + s.memsz) {
				log_err("--kernel '%s': segments overlap at physical 0x%x-0x%"
					PRIx64 "\n", f->path, s.paddr, (uint64_t)s.paddr + s.memsz - 1);
				return -1;
			}
		}
		if (n == 16) {
			log_err("--kernel '%s': too many loadable segments\n", f->path);
			return -1;
		}
		/* The entry is a virtual address: translate it through the segment holding it. */
		if (!found && e_entry >= s.vaddr && (uint64_t)e_entry < (uint64_t)s.vaddr + s.memsz) {
			*entry = s.paddr + (e_entry - s.vaddr);
			found = true;
		}
		segs[n++] = s;
	}
	if (n == 0) {
		log_err("--kernel '%s' has no loadable segments\n", f->path);
		return -1;
	}
	if (!found) {
		log_err("--kernel '%s': entry point 0x%x is in no loadable segment\n",
			f->path, e_entry);
		return -1;
	}
	*nsegs = n;
	return 0;
}

int loader_load_elf(const struct loader_file *f, uint8_t *ram, uint64_t ram_size,
		    struct loader_result *res)
{
	struct seg segs[16];
	unsigned i, n = 0;
	uint32_t entry = 0;

	if (elf_check(f, ram_size, segs, &n, &entry))
		return -1;
	res->start = UINT64_MAX;
	res->end = 0;
	res->entry = entry;
	for (i = 0; i < n; i++) {
		const struct seg *s = &segs[i];

		memcpy(ram + s->paddr, f->data + s->offset, s->filesz);
		/* BSS: the part of the segment beyond the file contents reads as zero. */
		memset(ram + s->paddr + s->filesz, 0, s->memsz - s->filesz);
		if (s->paddr < res->start)
			res->start = s->paddr;
		if ((uint64_t)s->paddr + s->memsz > res->end)
			res->end = (uint64_t)s->paddr + s->memsz;
	}
	return 0;
}

void loader_compact(struct loader_file *f, enum loader_format fmt, uint64_t ram_size)
{
	struct seg segs[16];
	unsigned i, n = 0;
	uint32_t entry;
	size_t size, at;
	uint8_t *d;

	if (fmt != LOADER_ELF || elf_check(f, ram_size, segs, &n, &entry))
		return;
	size = ELF32_EHDR_SIZE + (size_t)n * ELF32_PHDR_SIZE;
	for (i = 0; i < n; i++)
		size += segs[i].filesz;
	if (size >= f->size || !(d = malloc(size)))
		return;
	/* The ELF header as it was, its program headers right after it and no sections. */
	memcpy(d, f->data, ELF32_EHDR_SIZE);
	st_be32(d + 28, ELF32_EHDR_SIZE);          /* e_phoff */
	st_be32(d + 32, 0);                        /* e_shoff */
	d[42] = 0;                                  /* e_phentsize */
	d[43] = ELF32_PHDR_SIZE;
	d[44] = (uint8_t)(n >> 8);                  /* e_phnum */
	d[45] = (uint8_t)n;
	memset(d + 48, 0, 4);                       /* e_shnum, e_shstrndx */
	at = ELF32_EHDR_SIZE + (size_t)n * ELF32_PHDR_SIZE;
	for (i = 0; i < n; i++) {
		uint8_t *ph = d + ELF32_EHDR_SIZE + (size_t)i * ELF32_PHDR_SIZE;

		st_be32(ph, PT_LOAD);
		st_be32(ph + 4, (uint32_t)at);
		st_be32(ph + 8, segs[i].vaddr);
		st_be32(ph + 12, segs[i].paddr);
		st_be32(ph + 16, segs[i].filesz);
		st_be32(ph + 20, segs[i].memsz);
		st_be32(ph + 24, 7);               /* p_flags: RWX (the loader reads none) */
		st_be32(ph + 28, 4);               /* p_align */
		memcpy(d + at, f->data + segs[i].offset, segs[i].filesz);
		at += segs[i].filesz;
	}
	free(f->data);
	f->data = d;
	f->size = size;
}

/* Inflate a gzip stream into dst, never writing more than cap bytes. */
static int gunzip(const struct loader_file *f, const uint8_t *src, size_t len, uint8_t *dst,
		  uint64_t cap, uint64_t *out)
{
	z_stream zs;
	int ret;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		log_err("--kernel '%s': cannot start gzip decompression\n", f->path);
		return -1;
	}
	zs.next_in = (Bytef *)src;
	zs.avail_in = (uInt)len;
	zs.next_out = dst;
	zs.avail_out = cap > UINT32_MAX ? UINT32_MAX : (uInt)cap;
	ret = inflate(&zs, Z_FINISH);
	*out = zs.total_out;
	inflateEnd(&zs);
	if (ret == Z_STREAM_END)
		return 0;
	if (zs.avail_out == 0)
		log_err("--kernel '%s': decompressed image does not fit in RAM "
			"(more than 0x%" PRIx64 " bytes from its load address)\n", f->path, cap);
	else
		log_err("--kernel '%s': corrupt gzip data (%s)\n", f->path,
			zs.msg ? zs.msg : "truncated");
	return -1;
}

int loader_load_uimage(const struct loader_file *f, uint8_t *ram, uint64_t ram_size,
		       struct loader_result *res)
{
	uint8_t hdr[UIMAGE_HDR_SIZE];
	uint32_t size, load, ep, hcrc;
	uint64_t out = 0;
	uint8_t arch, type, comp;

	if (f->size < UIMAGE_HDR_SIZE) {
		log_err("--kernel '%s': truncated uImage header\n", f->path);
		return -1;
	}
	memcpy(hdr, f->data, sizeof(hdr));
	hcrc = ld_be32(hdr + 4);
	/* The header CRC is computed with its own field zeroed (U-Boot image.h). */
	st_be32(hdr + 4, 0);
	if (crc32(0, hdr, sizeof(hdr)) != hcrc) {
		log_err("--kernel '%s': bad CRC in uImage header\n", f->path);
		return -1;
	}
	size = ld_be32(hdr + 12);
	load = ld_be32(hdr + 16);
	ep = ld_be32(hdr + 20);
	arch = hdr[29];
	type = hdr[30];
	comp = hdr[31];
	if ((uint64_t)UIMAGE_HDR_SIZE + size > f->size) {
		log_err("--kernel '%s': truncated uImage (data size %u, file has %zu)\n",
			f->path, size, f->size - UIMAGE_HDR_SIZE);
		return -1;
	}
	if (crc32(0, f->data + UIMAGE_HDR_SIZE, size) != ld_be32(hdr + 24)) {
		log_err("--kernel '%s': bad CRC in uImage data\n", f->path);
		return -1;
	}
	if (arch != UIMAGE_ARCH_PPC) {
		log_err("--kernel '%s': uImage is not for PowerPC (arch %u)\n", f->path, arch);
		return -1;
	}
	if (type != UIMAGE_TYPE_KERNEL) {
		log_err("--kernel '%s': uImage is not a kernel (type %u)\n", f->path, type);
		return -1;
	}
	if (load >= ram_size || ep >= ram_size) {
		log_err("--kernel '%s': uImage load address 0x%x / entry 0x%x outside RAM "
			"(0-0x%" PRIx64 ")\n", f->path, load, ep, ram_size - 1);
		return -1;
	}
	switch (comp) {
	case UIMAGE_COMP_NONE:
		if ((uint64_t)load + size > ram_size) {
			log_err("--kernel '%s': uImage (0x%x bytes at 0x%x) does not fit in RAM "
				"(0x%" PRIx64 " bytes)\n", f->path, size, load, ram_size);
			return -1;
		}
		memcpy(ram + load, f->data + UIMAGE_HDR_SIZE, size);
		out = size;
		break;
	case UIMAGE_COMP_GZIP:
		if (gunzip(f, f->data + UIMAGE_HDR_SIZE, size, ram + load, ram_size - load, &out))
			return -1;
		break;
	default:
		log_err("--kernel '%s': unsupported uImage compression %u "
			"(none or gzip)\n", f->path, comp);
		return -1;
	}
	res->start = load;
	res->end = load + out;
	res->entry = ep;
	return 0;
}

int loader_load_kernel(const struct loader_file *f, enum loader_format fmt, uint32_t raw_addr,
		       uint8_t *ram, uint64_t ram_size, struct loader_result *res)
{
	switch (fmt) {
	case LOADER_ELF:
		return loader_load_elf(f, ram, ram_size, res);
	case LOADER_UIMAGE:
		return loader_load_uimage(f, ram, ram_size, res);
	case LOADER_RAW:
		if ((uint64_t)raw_addr + f->size > ram_size) {
			log_err("--kernel '%s' (%zu bytes at 0x%x) does not fit in RAM "
				"(0x%" PRIx64 " bytes)\n", f->path, f->size, raw_addr, ram_size);
			return -1;
		}
		memcpy(ram + raw_addr, f->data, f->size);
		res->start = raw_addr;
		res->end = raw_addr + f->size;
		res->entry = raw_addr;
		return 0;
	}
	return -1;
}
