/* SPDX-License-Identifier: MIT */
/* loader.h - kernel (ELF32, uImage, raw) and initrd loaders into guest RAM. */
#ifndef HV440_BOARD_LOADER_H
#define HV440_BOARD_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum loader_format { LOADER_ELF, LOADER_UIMAGE, LOADER_RAW };

/*
 * A file read once into host memory. The bytes are kept so that a guest
 * reset can load the same image again without touching the file system.
 */
struct loader_file {
	char *path;
	uint8_t *data;
	size_t size;
};

/* Where a loaded image ended up in guest physical memory. */
struct loader_result {
	uint64_t start, end;   /* lowest byte and one past the highest (incl. BSS) */
	uint32_t entry;        /* physical entry point (kernels only) */
};

/* Read a whole file; prints one "hv440: ..." line and returns -1 on error. */
int loader_read_file(struct loader_file *f, const char *path, const char *what);
/* The same in two steps: open (-1 after one line), then read the whole file from offset 0. */
int loader_open_file(const char *path, const char *what);
int loader_read_fd(struct loader_file *f, int fd, const char *path, const char *what);
void loader_free_file(struct loader_file *f);

/*
 * After a successful load: keep of an ELF kernel only what loading reads
 * (its headers and the loadable segments' bytes, as a smaller ELF that
 * loads the same), so that symbols and debug information do not stay in
 * memory for the guest's resets. Other formats are left as they are; so
 * is the file when memory for the copy is short.
 */
void loader_compact(struct loader_file *f, enum loader_format fmt, uint64_t ram_size);

/* Which kind of kernel image: raw when raw_addr is given, else ELF or uImage by magic. */
int loader_detect(const struct loader_file *f, bool raw, enum loader_format *fmt);

/*
 * Load a kernel into ram[0, ram_size). Validates everything first and
 * prints one clear "hv440: ..." line on error (returns -1); never writes
 * outside RAM.
 */
int loader_load_kernel(const struct loader_file *f, enum loader_format fmt, uint32_t raw_addr,
		       uint8_t *ram, uint64_t ram_size, struct loader_result *res);

/* The two parsers behind loader_load_kernel(), same contract. */
int loader_load_elf(const struct loader_file *f, uint8_t *ram, uint64_t ram_size,
		    struct loader_result *res);
int loader_load_uimage(const struct loader_file *f, uint8_t *ram, uint64_t ram_size,
		       struct loader_result *res);

#endif
