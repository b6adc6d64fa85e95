/* SPDX-License-Identifier: MIT */
/* fdt.c - a board's device tree: generated with libfdt, or the user's with /chosen patched. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "board/board.h"
#include "hw/device.h"
#include "util/log.h"

/* Room for the generated tree, or added to a user tree for our patches. */
#define FDT_ROOM (64 * 1024)

#define CPU_PHANDLE 1
#define UIC_PHANDLE BOARD_UIC_PHANDLE

#define BC0_PATH   "/hypervisor/byte-channel@0"

/* Every libfdt call goes through FDT() (hw/device.h): one clear line naming what failed. */

int board_fdt_cells(void *fdt, int node, const char *name, const uint32_t *v, unsigned n)
{
	fdt32_t be[16];
	unsigned i;

	if (n > 16)
		return -FDT_ERR_NOSPACE;
	for (i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(v[i]);
	return fdt_setprop(fdt, node, name, be, n * sizeof(be[0]));
}

static int gen_cpus(const struct machine_class *mc, void *fdt, int root)
{
	int cpus, cpu;

	FDT(cpus = fdt_add_subnode(fdt, root, "cpus"));
	FDT(fdt_setprop_u32(fdt, cpus, "#address-cells", 1));
	FDT(fdt_setprop_u32(fdt, cpus, "#size-cells", 0));
	FDT(cpu = fdt_add_subnode(fdt, cpus, "cpu@0"));
	FDT(fdt_setprop_string(fdt, cpu, "device_type", "cpu"));
	FDT(fdt_setprop_string(fdt, cpu, "model", mc->cpu_model));
	FDT(fdt_setprop_u32(fdt, cpu, "reg", 0));
	/* The timebase counts at the core clock on the 440 (PPC440x5 manual, Time Base). */
	FDT(fdt_setprop_u32(fdt, cpu, "clock-frequency", mc->cpu_freq));
	FDT(fdt_setprop_u32(fdt, cpu, "timebase-frequency", mc->cpu_freq));
	/* 32 KiB instruction and data caches with 32-byte lines (PPC440x5 manual, Caches). */
	FDT(fdt_setprop_u32(fdt, cpu, "i-cache-line-size", 32));
	FDT(fdt_setprop_u32(fdt, cpu, "d-cache-line-size", 32));
	FDT(fdt_setprop_u32(fdt, cpu, "i-cache-size", 32768));
	FDT(fdt_setprop_u32(fdt, cpu, "d-cache-size", 32768));
	FDT(fdt_setprop(fdt, cpu, "dcr-controller", NULL, 0));
	FDT(fdt_setprop_string(fdt, cpu, "dcr-access-method", "native"));
	FDT(fdt_setprop_u32(fdt, cpu, "phandle", CPU_PHANDLE));
	return 0;
}

int board_fdt_dcr_node(void *fdt, int parent, const char *name, const char *compat,
		       size_t compat_len, uint32_t dcr, uint32_t n)
{
	const uint32_t reg[2] = { dcr, n };
	int node;

	FDT(node = fdt_add_subnode(fdt, parent, name));
	FDT(fdt_setprop(fdt, node, "compatible", compat, (int)compat_len));
	FDT(board_fdt_cells(fdt, node, "dcr-reg", reg, 2));
	return node;
}

static int dcr_node(void *fdt, int parent, const char *name, struct board_compat c, uint32_t dcr)
{
	return board_fdt_dcr_node(fdt, parent, name, c.s, c.len, dcr, 2);
}

/* The PLB with the OPB (and its EBC) and the SDRAM controller, then CPR and SDR at the root. */
static int gen_soc(const struct machine_soc *soc, void *fdt, int root)
{
	int plb, opb, ebc;

	FDT(plb = fdt_add_subnode(fdt, root, "plb"));
	FDT(fdt_setprop(fdt, plb, "compatible", soc->plb.s, (int)soc->plb.len));
	FDT(fdt_setprop_u32(fdt, plb, "#address-cells", 2));
	FDT(fdt_setprop_u32(fdt, plb, "#size-cells", 1));
	FDT(fdt_setprop(fdt, plb, "ranges", NULL, 0));
	FDT(fdt_setprop_u32(fdt, plb, "clock-frequency", soc->plb_freq));

	FDT(opb = fdt_add_subnode(fdt, plb, "opb"));
	FDT(fdt_setprop(fdt, opb, "compatible", soc->opb.s, (int)soc->opb.len));
	FDT(fdt_setprop_u32(fdt, opb, "#address-cells", 1));
	FDT(fdt_setprop_u32(fdt, opb, "#size-cells", 1));
	FDT(board_fdt_cells(fdt, opb, "ranges", soc->opb_ranges, soc->n_opb_ranges));
	FDT(fdt_setprop_u32(fdt, opb, "clock-frequency", soc->opb_freq));
	ebc = dcr_node(fdt, opb, "ebc", soc->ebc, BOARD_EBC0_DCR);
	if (ebc < 0)
		return -1;
	FDT(fdt_setprop_u32(fdt, ebc, "#address-cells", 2));
	FDT(fdt_setprop_u32(fdt, ebc, "#size-cells", 1));
	FDT(fdt_setprop_u32(fdt, ebc, "clock-frequency", soc->opb_freq));

	if (dcr_node(fdt, plb, "sdram", soc->sdram, BOARD_SDRAM0_DCR) < 0 ||
	    dcr_node(fdt, root, "cpr", soc->cpr, BOARD_CPR0_DCR) < 0 ||
	    dcr_node(fdt, root, "sdr", soc->sdr, BOARD_SDR0_DCR) < 0)
		return -1;
	return 0;
}

static int gen_chosen(struct board *b, void *fdt, int root)
{
	int chosen;

	FDT(chosen = fdt_add_subnode(fdt, root, "chosen"));
	if (b->cfg->append)
		FDT(fdt_setprop_string(fdt, chosen, "bootargs", b->cfg->append));
	/*
	 * With a byte channel and UART0 on null, the channel is the console
	 * (Linux's ehv_bytechan finds it here); with UART0 on a backend, UART0
	 * stays the console and the channel is a plain ttyEHV0 (docs/system.md).
	 */
	const char *out = b->bc_chr && !strcmp(b->cfg->serial[0], "null") ? BC0_PATH :
			  b->mc->uart_path[0];

	FDT(fdt_setprop_string(fdt, chosen, "stdout-path", out));
	FDT(fdt_setprop_string(fdt, chosen, "linux,stdout-path", out));
	return 0;
}

/*
 * The paravirt /hypervisor node (docs/paravirt.md): how Linux finds the
 * hypercall instructions (epapr_paravirt.c), that it runs on KVM's ABI
 * (firmware.c: "linux,kvm"), EV_IDLE, and the byte channels, which
 * "simple-bus" makes the platform's of_platform_bus_probe() (bamboo's, canyonlands') create
 * as devices.
 */
static int gen_hypervisor(struct board *b, void *fdt, int root)
{
	static const char compat[] = "linux,kvm\0epapr,hypervisor-1\0simple-bus";
	/* lis r0,0x4b56; ori r0,r0,0x4d21 ("KVM!"); sc; nop */
	static const uint32_t hcall[4] = { 0x3c004b56u, 0x60004d21u, 0x44000002u, 0x60000000u };
	int node;

	FDT(node = fdt_add_subnode(fdt, root, "hypervisor"));
	FDT(fdt_setprop(fdt, node, "compatible", compat, sizeof(compat)));
	FDT(board_fdt_cells(fdt, node, "hcall-instructions", hcall, 4));
	FDT(fdt_setprop(fdt, node, "has-idle", NULL, 0));
	FDT(fdt_setprop_u32(fdt, node, "#address-cells", 1));
	FDT(fdt_setprop_u32(fdt, node, "#size-cells", 0));
	return 0;
}

static int generate(struct board *b, void *fdt)
{
	const struct machine_class *mc = b->mc;
	const uint32_t mem_reg[3] = { 0, 0, (uint32_t)b->ram_size };
	int root = 0, node;

	FDT(fdt_create_empty_tree(fdt, FDT_ROOM));
	FDT(fdt_setprop_u32(fdt, root, "#address-cells", 2));
	FDT(fdt_setprop_u32(fdt, root, "#size-cells", 1));
	FDT(fdt_setprop_string(fdt, root, "model", mc->compatible));
	FDT(fdt_setprop_string(fdt, root, "compatible", mc->compatible));
	FDT(fdt_setprop_u32(fdt, root, "dcr-parent", CPU_PHANDLE));

	/* fdt_add_subnode puts a node first among its siblings: add them last first. */
	if (gen_chosen(b, fdt, root))
		return -1;
	if (!b->cfg->no_paravirt && gen_hypervisor(b, fdt, root))
		return -1;
	/* The SoC's buses and DCR nodes (bamboo.c, sam460ex.c describe them). */
	if (gen_soc(mc->soc, fdt, root))
		return -1;
	FDT(node = fdt_add_subnode(fdt, root, "memory"));
	FDT(fdt_setprop_string(fdt, node, "device_type", "memory"));
	FDT(board_fdt_cells(fdt, node, "reg", mem_reg, 3));
	if (gen_cpus(mc, fdt, root))
		return -1;
	FDT(node = fdt_add_subnode(fdt, root, "aliases"));
	FDT(fdt_setprop_string(fdt, node, "serial0", mc->uart_path[0]));
	FDT(fdt_setprop_string(fdt, node, "serial1", mc->uart_path[1]));
	/* Then each device writes its own node under the one its board named (hw/device.h). */
	return device_fdt_all(&b->devices, fdt);
}

/* Patch a user tree: only what the command line asked for. */
static int patch_user(struct board *b, void *fdt)
{
	const struct board_config *cfg = b->cfg;
	int chosen, mem;

	if (cfg->append || cfg->initrd) {
		chosen = fdt_path_offset(fdt, "/chosen");
		if (chosen == -FDT_ERR_NOTFOUND)
			chosen = fdt_add_subnode(fdt, 0, "chosen");
		FDT(chosen); /* /chosen found or added */
		if (cfg->append)
			FDT(fdt_setprop_string(fdt, chosen, "bootargs", cfg->append));
	}
	if (cfg->ram_size_set) {
		const uint32_t reg[3] = { 0, 0, (uint32_t)b->ram_size };

		mem = fdt_path_offset(fdt, "/memory");
		if (mem == -FDT_ERR_NOTFOUND) {
			FDT(mem = fdt_add_subnode(fdt, 0, "memory"));
			FDT(fdt_setprop_string(fdt, mem, "device_type", "memory"));
		}
		FDT(mem); /* /memory found or added */
		FDT(board_fdt_cells(fdt, mem, "reg", reg, 3));
	}
	return 0;
}

static int load_user(struct board *b, void **out)
{
	struct loader_file f;
	size_t size;
	void *fdt;
	int err;

	if (board_read_image(b, &f, BOARD_IMG_DTB, b->cfg->dtb, "--dtb"))
		return -1;
	/* fdt_check_header() reads the whole header its version field promises (40 bytes for 17). */
	err = f.size < sizeof(struct fdt_header) ? -FDT_ERR_TRUNCATED : fdt_check_header(f.data);
	if (!err && fdt_totalsize(f.data) > f.size)
		err = -FDT_ERR_TRUNCATED;
	/*
	 * The whole tree, not just the header: libfdt's fdt_open_into() trusts
	 * the memory reservation map (a map without its terminator made it
	 * memmove() a negative size; tests/fuzz/corpus/fdt/regress-rsvmap-unterminated).
	 * Versions before 16 (full-path node names; dtc writes 17) are refused
	 * first: libfdt 1.6's fdt_check_full() crashes on some of them
	 * (tests/fuzz/corpus/fdt/regress-version-9).
	 */
	if (!err && fdt_version(f.data) < 16) {
		log_err("--dtb '%s': version %u (version 16 or later needed)\n",
			b->cfg->dtb, fdt_version(f.data));
		loader_free_file(&f);
		return -1;
	}
	if (!err)
		err = fdt_check_full(f.data, f.size);
	if (err) {
		log_err("--dtb '%s' is not a valid flattened device tree: %s\n",
			b->cfg->dtb, fdt_strerror(err));
		loader_free_file(&f);
		return -1;
	}
	size = fdt_totalsize(f.data) + FDT_ROOM;
	fdt = calloc(1, size);
	if (!fdt) {
		loader_free_file(&f);
		log_err("device tree: out of memory\n");
		return -1;
	}
	err = fdt_open_into(f.data, fdt, (int)size);
	loader_free_file(&f);
	*out = fdt;
	FDT(err); /* fdt_open_into() of the user tree */
	return 0;
}

int board_fdt_build(struct board *b)
{
	void *fdt = NULL;
	int chosen;

	free(b->fdt);
	b->fdt = NULL;
	if (b->cfg->dtb) {
		if (load_user(b, &fdt) || patch_user(b, fdt)) {
			free(fdt);
			return -1;
		}
	} else {
		if (!b->mc)
			b->mc = &machine_bamboo;
		fdt = calloc(1, FDT_ROOM);
		if (!fdt) {
			log_err("device tree: out of memory\n");
			return -1;
		}
		if (generate(b, fdt)) {
			free(fdt);
			return -1;
		}
	}
	b->fdt = fdt;
	/* Placeholders of the final size, filled in by board_fdt_finish() once placed. */
	if (b->cfg->initrd) {
		FDT(chosen = fdt_path_offset(fdt, "/chosen"));
		FDT(fdt_setprop_u32(fdt, chosen, "linux,initrd-start", 0));
		FDT(fdt_setprop_u32(fdt, chosen, "linux,initrd-end", 0));
	}
	FDT(fdt_pack(fdt));
	b->fdt_size = fdt_totalsize(fdt);
	return 0;
}

int board_fdt_finish(struct board *b)
{
	int chosen;

	if (!b->cfg->initrd)
		return 0;
	FDT(chosen = fdt_path_offset(b->fdt, "/chosen"));
	FDT(fdt_setprop_inplace_u32(b->fdt, chosen, "linux,initrd-start", (uint32_t)b->initrd_addr));
	FDT(fdt_setprop_inplace_u32(b->fdt, chosen, "linux,initrd-end",
				    (uint32_t)(b->initrd_addr + b->initrd.size)));
	return 0;
}

int board_fdt_write_file(struct board *b, const char *path)
{
	size_t done = 0;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_err("--dump-dtb: cannot create '%s': %s\n", path, strerror(errno));
		return -1;
	}
	while (done < b->fdt_size) {
		ssize_t n = write(fd, (const uint8_t *)b->fdt + done, b->fdt_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_err("cannot write '%s': %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	if (close(fd)) {
		log_err("cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}
