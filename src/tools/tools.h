/* SPDX-License-Identifier: MIT */
/* tools.h - hv440's offline subcommands: the trace reader and the guest profile report. */
#ifndef HV440_TOOLS_H
#define HV440_TOOLS_H

#include <stddef.h>
#include <stdint.h>

/* `hv440 trace FILE ...` and `hv440 profile FILE ...`; argv[0] is the subcommand. Exit status. */
int trace_cmd(int argc, char **argv);
int profile_cmd(int argc, char **argv);

/* Function symbols of an ELF32 file (e.g. vmlinux), sorted by address. */
struct elf_sym {
	uint32_t addr, size;
	const char *name;
};
struct elf_syms {
	struct elf_sym *sym;
	size_t n;
	char *strings; /* owns the names */
};

/* Load FUNC (and untyped code) symbols from the ELF symbol table. 0, or -1 with *err set. */
int elfsyms_load(struct elf_syms *s, const char *path, const char **err);
/* The symbol containing addr, or NULL. */
const struct elf_sym *elfsyms_find(const struct elf_syms *s, uint32_t addr);
void elfsyms_free(struct elf_syms *s);

#endif
