/* SPDX-License-Identifier: MIT */
/* hostile.c - a bare-metal virtio-blk driver that breaks the rules; hv440 must log, set NEEDS_RESET and go on. */
#include "isa.h"
#include "virtio_pci.h"

/*
 * Run with: hv440 --no-reboot -m 64M --kernel hostile.elf --disk rw.img --disk ro.img,readonly=on
 * Slot 1 = rw disk, slot 2 = read-only disk (docs/devices.md).
 */
#define MEM_WIN    0xa0000000u
#define IO_WIN     0xe8000000u
#define BAR1_SLOT1 0xa0000000u
#define BAR1_SLOT2 0xa0010000u
#define IO_SLOT1   0x1000u

/* Rings and buffers in guest RAM (PCI bus address = guest physical). */
#define DESC  0x200000u
#define AVAIL 0x201000u
#define USED  0x202000u
#define HDR   0x203000u
#define DATA  0x204000u
#define STAT  0x205000u
#define QSIZE 16

/* out_le32 .. in_8: tests/isa/lib/isa.h */

/* Little-endian fields in RAM (rings of a modern device). */
static void mem_le16(uint32_t a, uint16_t v) { out_le16(a, v); }
static void mem_le32(uint32_t a, uint32_t v) { out_le32(a, v); }

static void desc(unsigned i, uint32_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint32_t p = DESC + 16 * i;

	mem_le32(p, addr);
	mem_le32(p + 4, 0);
	mem_le32(p + 8, len);
	mem_le16(p + 12, flags);
	mem_le16(p + 14, next);
}

static uint16_t avail_idx;

static void submit(uint32_t bar, uint16_t head)
{
	mem_le16(AVAIL + 4 + 2 * (avail_idx % QSIZE), head);
	avail_idx++;
	mem_le16(AVAIL + 2, avail_idx);
	out_le16(bar + NOTIFY, 0);
}

static void clear(uint32_t a, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i += 4)
		*(volatile uint32_t *)(a + i) = 0;
}

/* Driver start-up; returns the status read back. */
static uint8_t setup(uint32_t bar, uint16_t qsize, uint32_t desc_at)
{
	clear(DESC, 0x3000);
	avail_idx = 0;
	return virtio_setup(bar, 0, qsize, desc_at, AVAIL, USED);
}

static void blk_header(uint32_t type, uint32_t sector)
{
	mem_le32(HDR, type);
	mem_le32(HDR + 4, 0);
	mem_le32(HDR + 8, sector);
	mem_le32(HDR + 12, 0);
}

static uint16_t used_idx(void)
{
	return in_le16(USED + 2);
}

static void read_request(uint32_t bar, uint32_t data, uint32_t len)
{
	blk_header(0, 0);
	desc(0, HDR, 16, 1, 1);
	desc(1, data, len, 3, 2);
	desc(2, STAT, 1, 2, 0);
	*(volatile uint8_t *)STAT = 0xff;
	submit(bar, 0);
}

/* One sector of disk 1 at sector 4 from (type 1) or into (type 0) buf. */
static void sector_io(uint32_t type, uint32_t buf)
{
	setup(BAR1_SLOT1, QSIZE, DESC);
	blk_header(type, 4);
	desc(0, HDR, 16, 1, 1);
	desc(1, buf, 512, type ? 1 : 3, 2);
	desc(2, STAT, 1, 2, 0);
	*(volatile uint8_t *)STAT = 0xff;
	submit(BAR1_SLOT1, 0);
}

/*
 * Put "first; blr" on the disk from a staging buffer, read it by DMA into
 * DATA (which the core itself never writes here), invalidate the
 * instruction cache and call it three times (so hv440 translates it): the
 * last call's r3.
 */
#define STAGE 0x206000u
static uint32_t dma_code(uint32_t first)
{
	volatile uint32_t *w = (volatile uint32_t *)STAGE;
	uint32_t (*fn)(void) = (uint32_t (*)(void))DATA;
	uint32_t r = 0;

	w[0] = first;
	w[1] = 0x4e800020u; /* blr */
	sector_io(1, STAGE);
	sector_io(0, DATA);
	__asm__ volatile("sync; iccci 0,0; isync" ::: "memory");
	for (int k = 0; k < 3; k++)
		r = fn();
	return r;
}

static int broken(uint32_t bar)
{
	return (in_8(bar + CC_STATUS) & S_NEEDS_RESET) && used_idx() == 0;
}

int main(void)
{
	uint32_t st;

	/* Uncached guarded mappings for PCI config, the memory window and the I/O window. */
	isa_tlb_write(2, PCI_CFG, PCI_CFG, TLB_SIZE_4K, 0, 0, TLB_I | TLB_G | TLB_SW | TLB_SR);
	isa_tlb_write(3, MEM_WIN, MEM_WIN, TLB_SIZE_256K, 0, 0, TLB_I | TLB_G | TLB_SW | TLB_SR);
	isa_tlb_write(4, IO_WIN, IO_WIN, TLB_SIZE_64K, 0, 0, TLB_I | TLB_G | TLB_SW | TLB_SR);

	isa_check("slot 1 is virtio-blk", cfg_r32(1, 0) == 0x10011af4);
	isa_check("slot 2 is virtio-blk", cfg_r32(2, 0) == 0x10011af4);
	cfg_w32(1, 0x10, IO_SLOT1);
	cfg_w32(1, 0x14, BAR1_SLOT1);
	cfg_w32(1, 0x04, 0x7);
	cfg_w32(2, 0x14, BAR1_SLOT2);
	cfg_w32(2, 0x04, 0x6);

	/* A well-behaved request first, so the failures below mean something. */
	st = setup(BAR1_SLOT1, QSIZE, DESC);
	isa_check("features ok", (st & S_FEATURES_OK) && !(st & S_NEEDS_RESET));
	read_request(BAR1_SLOT1, DATA, 512);
	isa_check("good read completes", used_idx() == 1 && *(volatile uint8_t *)STAT == 0 &&
		  in_le32(USED + 8) == 513 && *(volatile uint8_t *)DATA == 0x5a);
	isa_check("isr set, read clears it", (in_8(BAR1_SLOT1 + ISR) & 1) && in_8(BAR1_SLOT1 + ISR) == 0);

	/* Buffer outside RAM (64 MiB), straddling its end, wrapping, huge length. */
	setup(BAR1_SLOT1, QSIZE, DESC);
	read_request(BAR1_SLOT1, 0x7ffff000u, 512);
	isa_check("buffer outside RAM: NEEDS_RESET", broken(BAR1_SLOT1));
	setup(BAR1_SLOT1, QSIZE, DESC);
	read_request(BAR1_SLOT1, 0x03ffff00u, 512);
	isa_check("buffer across the end of RAM: NEEDS_RESET", broken(BAR1_SLOT1));
	setup(BAR1_SLOT1, QSIZE, DESC);
	read_request(BAR1_SLOT1, DATA, 0xffffffffu);
	isa_check("huge length: NEEDS_RESET", broken(BAR1_SLOT1));
	isa_check("config interrupt", in_8(BAR1_SLOT1 + ISR) & 2);

	/* Descriptor loop and an indirect table that points at itself. */
	setup(BAR1_SLOT1, QSIZE, DESC);
	desc(0, HDR, 16, 1, 1);
	desc(1, DATA, 16, 1, 0);
	submit(BAR1_SLOT1, 0);
	isa_check("descriptor loop: NEEDS_RESET", broken(BAR1_SLOT1));
	setup(BAR1_SLOT1, QSIZE, DESC);
	desc(0, DESC, 16 * QSIZE, 4, 0);
	desc(1, DESC, 16 * QSIZE, 4, 0);
	submit(BAR1_SLOT1, 0);
	isa_check("nested indirect: NEEDS_RESET", broken(BAR1_SLOT1));

	/* Zero lengths: no header, no status. */
	setup(BAR1_SLOT1, QSIZE, DESC);
	desc(0, HDR, 0, 0, 0);
	submit(BAR1_SLOT1, 0);
	isa_check("zero-length request: NEEDS_RESET", in_8(BAR1_SLOT1 + CC_STATUS) & S_NEEDS_RESET);

	/* Bad queue sizes and rings outside RAM: the queue never becomes ready. */
	st = setup(BAR1_SLOT1, 3, DESC);
	isa_check("queue size 3 refused", !in_le16(BAR1_SLOT1 + CC_QENABLE) && (st & S_NEEDS_RESET));
	setup(BAR1_SLOT1, 1024, DESC);
	isa_check("queue size 1024 refused", !in_le16(BAR1_SLOT1 + CC_QENABLE));
	setup(BAR1_SLOT1, QSIZE, 0xfffff000u);
	isa_check("rings outside RAM refused", !in_le16(BAR1_SLOT1 + CC_QENABLE));

	/* Reset brings the device back. */
	out_8(BAR1_SLOT1 + CC_STATUS, 0);
	isa_check("reset clears status", in_8(BAR1_SLOT1 + CC_STATUS) == 0);
	st = setup(BAR1_SLOT1, QSIZE, DESC);
	read_request(BAR1_SLOT1, DATA, 512);
	isa_check("works again after reset", !(st & S_NEEDS_RESET) && used_idx() == 1 &&
		  *(volatile uint8_t *)STAT == 0);

	/* The legacy I/O BAR of the same device: features are the low 32 bits (no VERSION_1). */
	out_8(IO_WIN + IO_SLOT1 + 0x12, 0);
	isa_check("legacy features: indirect + event idx",
		  (in_le32(IO_WIN + IO_SLOT1) & (3u << 28)) == (3u << 28));
	isa_check("legacy queue size 256", in_le16(IO_WIN + IO_SLOT1 + 0x0c) == 256);

	/* The VIRTIO_PCI_CAP_PCI_CFG window (the last capability, at 0x84): BAR1 offset 4 = features. */
	isa_check("pci_cfg capability", (cfg_r32(1, 0x84) & 0xff0000ffu) == 0x05000009u);
	cfg_w32(1, 0x88, 1);
	cfg_w32(1, 0x8c, CC_DF);
	cfg_w32(1, 0x90, 4);
	out_le32(BAR1_SLOT1 + CC_DFSELECT, 0);
	isa_check("pci_cfg window reads a BAR", cfg_r32(1, 0x94) == in_le32(BAR1_SLOT1 + CC_DF));
	cfg_w32(1, 0x8c, CC_QSELECT);
	cfg_w32(1, 0x90, 2);
	cfg_w32(1, 0x94, 1);
	isa_check("pci_cfg window writes a BAR", in_le16(BAR1_SLOT1 + CC_QSELECT) == 1);
	out_le16(BAR1_SLOT1 + CC_QSELECT, 0);

	/* The read-only disk: RO offered, a write gets IOERR, no NEEDS_RESET. */
	out_le32(BAR1_SLOT2 + CC_DFSELECT, 0);
	isa_check("RO feature offered", in_le32(BAR1_SLOT2 + CC_DF) & (1u << 5));
	setup(BAR1_SLOT2, QSIZE, DESC);
	blk_header(1, 0);
	clear(DATA, 512);
	desc(0, HDR, 16, 1, 1);
	desc(1, DATA, 512, 1, 2);
	desc(2, STAT, 1, 2, 0);
	*(volatile uint8_t *)STAT = 0xff;
	submit(BAR1_SLOT2, 0);
	isa_check("write to read-only disk: IOERR", used_idx() == 1 && *(volatile uint8_t *)STAT == 1 &&
		  !(in_8(BAR1_SLOT2 + CC_STATUS) & S_NEEDS_RESET));

	/*
	 * Code read by DMA runs as read (after iccci, as Linux does): the
	 * device's writes kill the blocks decoded (and translated) from the
	 * old bytes of the buffer.
	 */
	isa_check("code from the disk runs", dma_code(0x38600001u) == 1); /* li r3,1 */
	isa_check("code overwritten by DMA runs anew", dma_code(0x38600002u) == 2); /* li r3,2 */
	isa_puts("hostile: done\n");
	return 0;
}
