/* SPDX-License-Identifier: MIT */
/*
 * storm.c - device-driven storms: a UART and UIC lines left asserted while
 * the guest returns with EE (or CE) on, edge and software-set interrupts,
 * hundreds of thousands of UART, UIC, PCI and virtio register accesses,
 * PCI BARs dragged over other devices, a virtio-rng queue fed garbage
 * (loops, buffers outside RAM, zero and huge lengths, overlapping rings)
 * and notified without end, and a virtio-console transmit chain of 16 GiB.
 * Counts are exact; hv440 must do what the hardware or the virtio spec
 * says and live.
 *
 * Run with: hv440 --no-reboot -m 64M --console null --rng --kernel storm.elf
 * PCI slot 1 = virtio-console, slot 2 = virtio-rng (docs/devices.md).
 */
#include "isa.h"
#include "virtio_pci.h"

#define BARRIER() __asm__ volatile("" : : : "memory")
#define mtdcr(n, v) __asm__ volatile("mtdcr " STR(n) ",%0" : : "r"((uint32_t)(v)) : "memory")
#define mfdcr(n) \
	({ uint32_t v_; __asm__ volatile("mfdcr %0," STR(n) : "=r"(v_) : : "memory"); v_; })

/* UIC0 at DCR 0xC0 (PPC440EP manual, UIC registers); bit n is 0x80000000 >> n. */
#define UIC_SR  0xc0
#define UIC_SRS 0xc1
#define UIC_ER  0xc2
#define UIC_CR  0xc3
#define UIC_TR  0xc5
#define UIC_MSR 0xc6
#define UIC_VR  0xc7
#define UIC_VCR 0xc8
#define BIT(n) (0x80000000u >> (n))
#define IRQ_UART1 1
#define IRQ_SOFT  10   /* wired to nothing on the bamboo */
#define IRQ_SLOT2 27   /* INTA of PCI slot 2 */
#define NO_DCR 0x3ff

/* UART1 (NS16550A registers), in the 4 KiB page crt0.S maps for UART0. */
#define U1 0xef600400u
#define U_RBR 0
#define U_IER 1
#define U_IIR 2
#define U_FCR 2
#define U_MCR 4
#define U_LSR 5
#define U_SCR 7

#define MEM_WIN 0xa0000000u
#define IO_WIN  0xe8000000u
#define BAR1    0xa0000000u   /* slot 2 (rng), modern registers */
#define IO_BAR0 0x1000u       /* slot 2, legacy registers */
#define RNG_SLOT 2
#define RNG_ID 0x10051af4u
#define CONS_ID 0x10031af4u
#define BRIDGE_ID 0x027f1014u

/* The virtio-pci layout: virtio_pci.h; the legacy BAR0's queue registers: */
#define LEG_QUEUE_PFN 0x08
#define LEG_QUEUE_NOTIFY 0x10

/* Guest RAM (64 MiB; the program sits at 1 MiB). */
#define RAM_SIZE 0x04000000u
#define DESC     0x00400000u
#define AVAIL    0x00401000u
#define USED     0x00402000u
#define INDIRECT 0x00404000u
#define BUF      0x00410000u
#define CANARY   0x00600000u
#define CANARY_LEN 0x00100000u
#define SCRATCH  0x02000000u
#define SCRATCH_LEN 0x01000000u
#define RNG_MAX  0x10000u     /* virtio-rng fills at most 64 KiB per request (hw/virtio_rng.c) */

/* out_le32 .. in_8: tests/isa/lib/isa.h */

static uint32_t rng = 0x9e3779b9u;

static uint32_t next(void)
{
	return isa_xorshift(&rng);
}

static void ext_on(void) { mtmsr(mfmsr() | MSR_EE); }
static void ext_off(void) { mtmsr(mfmsr() & ~MSR_EE); }

static void uic_quiet(void)
{
	mtdcr(UIC_ER, 0);
	mtdcr(UIC_CR, 0);
	mtdcr(UIC_TR, 0);
	mtdcr(UIC_SR, 0xffffffffu);
}

/* ---- 1. a level line left asserted: taken again and again until the guest masks it ---- */

static volatile uint32_t n_int, limit, work, bad;

static void on_ext_left_pending(struct isa_frame *f)
{
	(void)f;
	if (++n_int == limit)
		mtdcr(UIC_ER, 0);                /* mask at the UIC: the guest moves on */
	else
		mtdcr(UIC_SR, BIT(IRQ_UART1));  /* write-1-to-clear; the level input sets it again */
}

static void uart_left_pending(void)
{
	uint32_t i;

	uic_quiet();
	n_int = 0;
	limit = 100000;
	isa_handlers[IV_EXTERNAL] = on_ext_left_pending;
	BARRIER();
	out_8(U1 + U_IER, 0x02);                 /* ETBEI with THR empty: THRE pending */
	isa_check("1 uart1 thre asserts uic0 input 1", mfdcr(UIC_SR) == BIT(IRQ_UART1));
	mtdcr(UIC_ER, BIT(IRQ_UART1));
	work = 0;
	ext_on();
	for (i = 0; i < 1000; i++)
		work++;
	ext_off();
	isa_show("1 uart thre left pending: interrupts (100000)", n_int);
	isa_show("1 work done after masking (1000)", work);
	isa_check("1 line still asserted, masked status clear",
		  mfdcr(UIC_SR) == BIT(IRQ_UART1) && mfdcr(UIC_MSR) == 0);
	out_8(U1 + U_IER, 0);
	mtdcr(UIC_SR, BIT(IRQ_UART1));
	isa_check("1 line drops when the uart is quiet", mfdcr(UIC_SR) == 0);
}

/* ---- 2. loopback ping-pong: one cause per interrupt, rx before thre (IIR priority) ---- */

static volatile uint32_t pp_tx, pp_rx, pp_n, pp_sum;

static void on_ext_pingpong(struct isa_frame *f)
{
	uint8_t iir = in_8(U1 + U_IIR) & 0x0f;

	(void)f;
	n_int++;
	if (iir == 0x04 || iir == 0x0c) {
		uint8_t c = in_8(U1 + U_RBR);

		if (c != (uint8_t)(pp_rx * 7u))
			bad++;
		pp_sum += c;
		pp_rx++;
	} else if (iir == 0x02) {
		if (pp_tx < pp_n) {
			out_8(U1 + U_RBR, (uint8_t)(pp_tx * 7u));
			pp_tx++;
		} else {
			out_8(U1 + U_IER, 0);
		}
	} else {
		bad++;
	}
	mtdcr(UIC_SR, BIT(IRQ_UART1));
}

static void uart_pingpong(void)
{
	uint32_t i, want = 0;

	uic_quiet();
	n_int = bad = pp_tx = pp_rx = pp_sum = 0;
	pp_n = 50000;
	isa_handlers[IV_EXTERNAL] = on_ext_pingpong;
	BARRIER();
	out_8(U1 + U_FCR, 0);                    /* 16450 mode: one receive holding register */
	out_8(U1 + U_MCR, 0x10);                 /* loopback */
	mtdcr(UIC_ER, BIT(IRQ_UART1));
	out_8(U1 + U_IER, 0x03);                 /* ERBFI | ETBEI */
	ext_on();
	for (i = 0; i < 1000 && in_8(U1 + U_IER); i++)
		;
	ext_off();
	for (i = 0; i < pp_n; i++)
		want += (uint8_t)(i * 7u);
	isa_show("2 uart loopback ping-pong: interrupts (100001)", n_int);
	isa_show("2 bytes received (50000)", pp_rx);
	isa_check("2 every byte in order, none spurious", bad == 0 && pp_sum == want);
	out_8(U1 + U_MCR, 0);
	uic_quiet();
}

/* ---- 3. receive overrun storm: a 16-byte FIFO, 20 bytes sent each round ---- */

static void uart_overrun(void)
{
	uint32_t r, i, got = 0, oe = 0, clean = 0, order = 0;

	out_8(U1 + U_FCR, 0xc1);                 /* FIFO on, trigger 14 */
	out_8(U1 + U_MCR, 0x10);
	for (r = 0; r < 5000; r++) {
		uint32_t k = 0;

		for (i = 0; i < 20; i++)
			out_8(U1 + U_RBR, (uint8_t)(r + i));
		if ((in_8(U1 + U_LSR) & 0x63) == 0x63)   /* DR, OE, THRE, TEMT */
			oe++;
		while (in_8(U1 + U_LSR) & 0x01) {
			if (in_8(U1 + U_RBR) != (uint8_t)(r + k))
				order++;
			k++;
		}
		got += k;
		if (in_8(U1 + U_LSR) == 0x60)
			clean++;
	}
	out_8(U1 + U_MCR, 0);
	out_8(U1 + U_FCR, 0);
	isa_show("3 uart overruns reported (5000)", oe);
	isa_show("3 bytes kept: 16 per round (80000)", got);
	isa_check("3 the first 16 of each round, in order; LSR clean after", order == 0 && clean == 5000);
}

/* ---- 4. edge-triggered: exactly one interrupt per edge, and edges latch once while masked ---- */

static void on_ext_edge(struct isa_frame *f)
{
	(void)f;
	n_int++;
	(void)in_8(U1 + U_IIR);                  /* reading IIR acknowledges THRE: the line drops */
	mtdcr(UIC_SR, BIT(IRQ_UART1));
}

static void uic_edges(void)
{
	uint32_t i, j, miss = 0;

	uic_quiet();
	n_int = 0;
	isa_handlers[IV_EXTERNAL] = on_ext_edge;
	BARRIER();
	mtdcr(UIC_TR, BIT(IRQ_UART1));
	mtdcr(UIC_ER, BIT(IRQ_UART1));
	ext_on();
	for (i = 0; i < 30000; i++) {
		out_8(U1 + U_IER, 0);
		out_8(U1 + U_IER, 0x02);         /* THRE again: a rising edge */
		for (j = 0; j < 1000 && n_int != i + 1; j++)
			;
		if (n_int != i + 1)
			miss++;
	}
	ext_off();
	isa_show("4 uic edge: interrupts (30000)", n_int);
	isa_show("4 edges not answered (0)", miss);
	/* With EE off, 1000 edges latch one status bit: one interrupt when EE comes on. */
	n_int = 0;
	for (i = 0; i < 1000; i++) {
		out_8(U1 + U_IER, 0);
		out_8(U1 + U_IER, 0x02);
		(void)in_8(U1 + U_IIR);
	}
	ext_on();
	for (i = 0; i < 1000; i++)
		work++;
	ext_off();
	isa_show("4 1000 edges while EE off: interrupts (1)", n_int);
	out_8(U1 + U_IER, 0);
	uic_quiet();
}

/* ---- 5. software-set status on an unwired line ---- */

static void on_ext_soft(struct isa_frame *f)
{
	(void)f;
	n_int++;
	mtdcr(UIC_SR, BIT(IRQ_SOFT));
}

static void uic_soft(void)
{
	uint32_t i, miss = 0;

	uic_quiet();
	n_int = 0;
	isa_handlers[IV_EXTERNAL] = on_ext_soft;
	BARRIER();
	mtdcr(UIC_ER, BIT(IRQ_SOFT));
	ext_on();
	for (i = 0; i < 50000; i++) {
		mtdcr(UIC_SRS, BIT(IRQ_SOFT));
		if (n_int != i + 1)
			miss++;
	}
	ext_off();
	isa_show("5 uic SRS storm: interrupts (50000)", n_int);
	isa_show("5 set bits not taken before the next instruction (0)", miss);
	uic_quiet();
}

/* ---- 6. critical: a line routed to the critical output, left pending under CE ---- */

static volatile uint32_t vr_seen_bad;

static void on_crit(struct isa_frame *f)
{
	(void)f;
	/* VR = VCR[VBA] + 512 * (distance of line 10 from bit 0) with PRO = 0 (UIC VR). */
	if (mfdcr(UIC_VR) != 0x00100000u + 512u * IRQ_SOFT)
		vr_seen_bad++;
	if (++n_int == limit)
		mtdcr(UIC_SR, BIT(IRQ_SOFT));
}

static void uic_critical(void)
{
	uint32_t i;

	uic_quiet();
	n_int = vr_seen_bad = 0;
	limit = 20000;
	isa_handlers[IV_CRITICAL] = on_crit;
	BARRIER();
	mtdcr(UIC_VCR, 0x00100000u);
	mtdcr(UIC_CR, BIT(IRQ_SOFT));
	mtdcr(UIC_ER, BIT(IRQ_SOFT));
	mtdcr(UIC_SRS, BIT(IRQ_SOFT));
	work = 0;
	mtmsr(mfmsr() | MSR_CE);
	for (i = 0; i < 1000; i++)
		work++;
	mtmsr(mfmsr() & ~MSR_CE);
	isa_show("6 critical left pending: interrupts (20000)", n_int);
	isa_show("6 wrong vectors in UIC VR (0)", vr_seen_bad);
	isa_show("6 work done after the handler cleared it (1000)", work);
	mtdcr(UIC_VCR, 0);
	uic_quiet();
	isa_handlers[IV_CRITICAL] = 0;
	BARRIER();
}

/* ---- 7. register storms: UART, UIC, PCI configuration, unmapped DCRs, bad access sizes ---- */

static volatile uint32_t n_mc;

static void on_mc(struct isa_frame *f) { n_mc++; f->srr0 += 4; }

static void register_storms(void)
{
	static const uint32_t ids[4] = { BRIDGE_ID, CONS_ID, RNG_ID, 0xffffffffu };
	uint32_t i, sum = 0, want = 0, bad_ids = 0, bad_vcr = 0, dcr0 = 0;

	for (i = 0; i < 200000; i++) {
		out_8(U1 + U_SCR, (uint8_t)i);
		sum += in_8(U1 + U_SCR);
		want += i & 0xff;
	}
	isa_check("7 uart scratch 200000 writes and reads", sum == want);
	for (i = 0; i < 100000; i++) {
		mtdcr(UIC_VCR, (i << 2) | 1);
		if (mfdcr(UIC_VCR) != ((i << 2) | 1))
			bad_vcr++;
	}
	mtdcr(UIC_VCR, 0);
	isa_show("7 uic VCR 100000 writes: wrong read-backs (0)", bad_vcr);
	for (i = 0; i < 100000; i++) {
		unsigned slot = i & 31;

		if (cfg_r32(slot, 0) != ids[slot < 3 ? slot : 3])
			bad_ids++;
	}
	isa_show("7 pci config 100000 id reads: wrong (0)", bad_ids);
	for (i = 0; i < 100000; i++) {
		mtdcr(NO_DCR, i);
		dcr0 |= mfdcr(NO_DCR);
	}
	isa_show("7 unmapped dcr 100000 writes and reads: bits seen (0)", dcr0);
	/* UART registers are one byte wide: a word access is a bus error, as is one past CFGDATA's end. */
	isa_handlers[IV_MCHECK] = on_mc;
	BARRIER();
	n_mc = 0;
	for (i = 0; i < 10000; i++) {
		(void)*(volatile uint32_t *)(U1 + U_SCR - 3);
		*(volatile uint32_t *)(PCI_CFG + 6) = i;
	}
	isa_handlers[IV_MCHECK] = 0;
	BARRIER();
	isa_show("7 wrong-size and straddling accesses: machine checks (20000)", n_mc);
	isa_check("7 pci config address untouched by them", cfg_r32(RNG_SLOT, 0) == RNG_ID);
}

/* ---- 8. BARs dragged over RAM, the UART, PCI config space and each other ---- */

static void bar_juggling(void)
{
	static const uint32_t where[8] = {
		0xef600000u,  /* over both UARTs: refused, UART keeps its page */
		PCI_CFG,      /* over the config registers: refused */
		0x00100000u,  /* over this program in RAM: RAM wins */
		MEM_WIN + 0x10000u, MEM_WIN + 0x20000u, MEM_WIN + 0x30000u,
		IO_WIN,       /* over the I/O window: refused */
		0,            /* unmapped */
	};
	uint32_t i, bad_numq = 0, mapped = 0;
	uint32_t code0 = *(volatile uint32_t *)0x00100000u;

	cfg_w32(RNG_SLOT, 0x04, 0);
	for (i = 0; i < 60000; i++) {
		uint32_t w = where[next() & 7];

		cfg_w32(RNG_SLOT, 0x14, w);
		cfg_w32(RNG_SLOT, 0x10, (next() & 0xff00u) | 1);   /* legacy I/O BAR anywhere */
		cfg_w32(RNG_SLOT, 0x04, next() & 7);
		if ((cfg_r32(RNG_SLOT, 0x04) & 2) && w >= MEM_WIN && w < MEM_WIN + 0x40000u) {
			mapped++;
			if (in_le16(w + CC_NUMQ) != 1)
				bad_numq++;
		}
	}
	cfg_w32(RNG_SLOT, 0x10, IO_BAR0 | 1);
	cfg_w32(RNG_SLOT, 0x14, BAR1);
	cfg_w32(RNG_SLOT, 0x04, 7);
	isa_show("8 BAR moves that left it in the memory window", mapped);
	isa_show("8 reads there that missed it (0)", bad_numq);
	isa_check("8 RAM under a BAR is still RAM", *(volatile uint32_t *)0x00100000u == code0);
	isa_check("8 pci config still answers", cfg_r32(0, 0) == BRIDGE_ID && cfg_r32(1, 0) == CONS_ID);
	isa_check("8 BAR works at its final place", in_le16(BAR1 + CC_NUMQ) == 1);
}

/* ---- 9-12. virtio-rng fed garbage ---- */

static void desc(uint32_t table, unsigned i, uint32_t addr, uint32_t len, uint16_t flags,
		 uint16_t nx)
{
	uint32_t p = table + 16 * i;

	out_le32(p, addr);
	out_le32(p + 4, 0);
	out_le32(p + 8, len);
	out_le16(p + 12, flags);
	out_le16(p + 14, nx);
}

static uint8_t vsetup(uint16_t qsize, uint32_t d, uint32_t a, uint32_t u)
{
	return virtio_setup(BAR1, 0, qsize, d, a, u);
}

static void clear_words(uint32_t a, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i += 4)
		*(volatile uint32_t *)(a + i) = 0;
}

static void avail_put(uint32_t a, uint16_t qsize, uint16_t idx, uint16_t head)
{
	out_le16(a + 4 + 2 * (idx % qsize), head);
}

static void notify(unsigned q) { out_le16(BAR1 + NOTIFY + 4 * q, (uint16_t)q); }

static uint32_t canary_sum(void)
{
	uint32_t i, s = 0;

	for (i = 0; i < CANARY_LEN; i += 4)
		s = (s << 1 | s >> 31) ^ *(volatile uint32_t *)(CANARY + i);
	return s;
}

/* The garbage a round writes, and whether the spec makes it an error (NEEDS_RESET). */
enum { G_HEAD, G_LOOP, G_OUTSIDE, G_STRADDLE, G_HUGE, G_ZERO, G_READONLY, G_IND_LEN,
       G_IND_OUTSIDE, G_IND_NESTED, G_IND_NEXT, G_NEXT_RANGE, G_AHEAD, G_OK, G_COUNT };

static uint32_t garbage(uint16_t qsize)
{
	uint32_t g = next() % G_COUNT, r = next();
	uint16_t head = 0, idx = 1;

	switch (g) {
	case G_HEAD:       head = (uint16_t)(qsize + (r % 1000)); break;
	case G_LOOP:       desc(DESC, 0, BUF, 64, F_WRITE | F_NEXT, 1);
			   desc(DESC, 1, BUF, 64, F_WRITE | F_NEXT, 0); break;
	case G_OUTSIDE:    desc(DESC, 0, RAM_SIZE + (r & 0x0ffffff0u), 64, F_WRITE, 0); break;
	case G_STRADDLE:   desc(DESC, 0, RAM_SIZE - 16 - (r & 15), 64, F_WRITE, 0); break;
	case G_HUGE:       desc(DESC, 0, BUF, 0xfffff000u | r, F_WRITE, 0); break;
	case G_ZERO:       desc(DESC, 0, BUF + (r & 0xff0u), 0, F_WRITE, 0); break;
	case G_READONLY:   desc(DESC, 0, BUF, 4096, 0, 0); break;
	case G_IND_LEN:    desc(DESC, 0, INDIRECT, (r & 1) ? 0 : 17 + (r & 0xfff0u), F_INDIRECT, 0); break;
	case G_IND_OUTSIDE: desc(DESC, 0, RAM_SIZE - 32, 256, F_INDIRECT, 0); break;
	case G_IND_NESTED: desc(DESC, 0, INDIRECT, 32, F_INDIRECT, 0);
			   clear_words(INDIRECT, 32);
			   desc(INDIRECT, 0, INDIRECT, 32, F_INDIRECT, 0); break;
	case G_IND_NEXT:   desc(DESC, 0, INDIRECT, 32, F_INDIRECT | F_NEXT, 1); break;
	case G_NEXT_RANGE: desc(DESC, 0, BUF, 64, F_WRITE | F_NEXT, (uint16_t)(qsize + (r & 0xff))); break;
	case G_AHEAD:      desc(DESC, 0, BUF, 64, F_WRITE, 0);
			   idx = (uint16_t)(qsize + 1 + (r % 1000)); break;
	case G_OK:         desc(DESC, 0, BUF + (r & 0xff000u), 4096, F_WRITE, 0); break;
	}
	avail_put(AVAIL, qsize, 0, head);
	out_le16(AVAIL + 2, idx);
	notify(0);
	return g;
}

static void virtio_garbage(void)
{
	uint32_t round, i, mismatch = 0, refused = 0, sum0 = canary_sum();

	for (round = 0; round < 2000; round++) {
		uint16_t qsize = (uint16_t)(1u << (1 + next() % 8));   /* 2 .. 256 */
		uint32_t g;
		uint8_t st;
		uint16_t used;

		clear_words(DESC, 0x3000);      /* no stale buffers when DRIVER_OK looks at the ring */
		if (vsetup(qsize, DESC, AVAIL, USED) & S_NEEDS_RESET)
			mismatch++;
		g = garbage(qsize);
		/* A notify storm on the queue, then one on a queue that does not exist. */
		for (i = 0; i < 50; i++)
			notify(0);
		st = in_8(BAR1 + CC_STATUS);
		used = in_le16(USED + 2);
		notify(2);
		if (!(in_8(BAR1 + CC_STATUS) & S_NEEDS_RESET))
			mismatch++;
		if (g == G_OK || g == G_ZERO || g == G_READONLY) {
			/* Taken and returned: 4096 random bytes, or none for a buffer with no room. */
			if ((st & S_NEEDS_RESET) || used != 1 || in_le32(USED + 4) != 0 ||
			    in_le32(USED + 8) != (g == G_OK ? 4096u : 0u))
				mismatch++;
		} else {
			/* The driver broke the rules: NEEDS_RESET, nothing used (virtio 1.2, 2.1.2). */
			if (!(st & S_NEEDS_RESET) || used != 0)
				mismatch++;
			refused++;
		}
	}
	isa_show("9 garbage rounds not as the spec says (0 of 2000)", mismatch);
	isa_show("9 rounds refused with NEEDS_RESET", refused);
	isa_check("9 memory outside the buffers untouched", canary_sum() == sum0);
}

/* 10. Every avail entry names the same head; then the index runs more than a queue ahead. */
static void virtio_same_head(void)
{
	uint32_t i, bad_used = 0;

	clear_words(AVAIL, 0x2000);
	clear_words(DESC, 0x1000);
	vsetup(256, DESC, AVAIL, USED);
	desc(DESC, 0, BUF, 4096, F_WRITE, 0);
	for (i = 0; i < 256; i++)
		avail_put(AVAIL, 256, (uint16_t)i, 0);
	out_le16(AVAIL + 2, 256);
	notify(0);
	for (i = 0; i < 256; i++)
		if (in_le32(USED + 4 + 8 * i) != 0 || in_le32(USED + 8 + 8 * i) != 4096)
			bad_used++;
	isa_show("10 one head in 256 avail entries: used idx (256)", in_le16(USED + 2));
	isa_show("10 wrong used entries (0)", bad_used);
	out_le16(AVAIL + 2, 256 + 257);
	notify(0);
	isa_check("10 avail index 257 ahead: NEEDS_RESET", (in_8(BAR1 + CC_STATUS) & S_NEEDS_RESET) &&
		  in_le16(USED + 2) == 256);
}

/* 11. Rings on top of each other: the used ring written over the avail ring it reads. */
static void virtio_overlap(void)
{
	uint32_t i;
	uint8_t st;

	clear_words(AVAIL, 0x2000);
	clear_words(DESC, 0x1000);
	st = vsetup(1, DESC, AVAIL, AVAIL);
	desc(DESC, 0, BUF, 16, F_WRITE, 0);
	avail_put(AVAIL, 1, 0, 0);
	out_le16(AVAIL + 2, 1);
	notify(0);
	for (i = 0; i < 1000; i++)
		notify(0);
	/* used->idx (AVAIL + 2) = 1 = avail->idx: nothing more to take. */
	isa_check("11 used ring on the avail ring: one buffer used, no error",
		  !(st & S_NEEDS_RESET) && in_le16(AVAIL + 2) == 1 &&
		  in_le32(AVAIL + 8) == 16 && !(in_8(BAR1 + CC_STATUS) & S_NEEDS_RESET));
	/* The descriptor table inside the used ring: the device overwrites it as it goes. */
	clear_words(AVAIL, 0x2000);
	st = vsetup(4, USED, AVAIL, USED);
	desc(USED, 2, BUF, 64, F_WRITE, 0);
	avail_put(AVAIL, 4, 0, 2);
	out_le16(AVAIL + 2, 1);
	notify(0);
	isa_check("11 descriptor table under the used ring: used idx 1",
		  !(st & S_NEEDS_RESET) && in_le16(USED + 2) == 1);
}

/* 12. Huge buffers: 256 chains, each an indirect table of 256 x 16 MiB over the same scratch. */
static void virtio_huge(void)
{
	uint32_t i, bad_len = 0, dirty = 0;

	clear_words(AVAIL, 0x2000);
	clear_words(DESC, 0x1000);
	clear_words(SCRATCH, 2 * RNG_MAX);
	vsetup(256, DESC, AVAIL, USED);
	for (i = 0; i < 256; i++)
		desc(INDIRECT, i, SCRATCH, SCRATCH_LEN, i < 255 ? F_WRITE | F_NEXT : F_WRITE,
		     (uint16_t)(i + 1));
	desc(DESC, 0, INDIRECT, 256 * 16, F_INDIRECT, 0);
	for (i = 0; i < 256; i++)
		avail_put(AVAIL, 256, (uint16_t)i, 0);
	out_le16(AVAIL + 2, 256);
	notify(0);
	for (i = 0; i < 256; i++)
		if (in_le32(USED + 8 + 8 * i) != RNG_MAX)
			bad_len++;
	for (i = RNG_MAX; i < 2 * RNG_MAX; i += 4)
		dirty |= *(volatile uint32_t *)(SCRATCH + i);
	isa_show("12 256 chains of 4 GiB: used idx (256)", in_le16(USED + 2));
	isa_show("12 used lengths other than 64 KiB (0)", bad_len);
	isa_show("12 bytes written past 64 KiB (0)", dirty);
}

/* 13. The device's INTx, level through the UIC, left pending; then the ISR read acknowledges it. */
static volatile uint32_t isr_seen;

static void on_ext_virtio(struct isa_frame *f)
{
	(void)f;
	if (++n_int == limit)
		isr_seen = in_8(BAR1 + ISR);    /* acknowledges: INTA drops */
	mtdcr(UIC_SR, BIT(IRQ_SLOT2));
}

static void virtio_intx(void)
{
	uint32_t i;

	uic_quiet();
	clear_words(AVAIL, 0x2000);
	clear_words(DESC, 0x1000);
	vsetup(16, DESC, AVAIL, USED);
	(void)in_8(BAR1 + ISR);
	desc(DESC, 0, BUF, 256, F_WRITE, 0);
	avail_put(AVAIL, 16, 0, 0);
	out_le16(AVAIL + 2, 1);
	notify(0);
	isa_check("13 used buffer raises INTA of slot 2", mfdcr(UIC_SR) == BIT(IRQ_SLOT2));
	n_int = isr_seen = 0;
	limit = 50000;
	isa_handlers[IV_EXTERNAL] = on_ext_virtio;
	BARRIER();
	mtdcr(UIC_ER, BIT(IRQ_SLOT2));
	work = 0;
	ext_on();
	for (i = 0; i < 1000; i++)
		work++;
	ext_off();
	isa_show("13 virtio INTx left pending: interrupts (50000)", n_int);
	isa_show("13 ISR when read (1: queue)", isr_seen);
	isa_show("13 work done after the ISR read (1000)", work);
	isa_check("13 line low, status clear", mfdcr(UIC_SR) == 0 && in_8(BAR1 + ISR) == 0);
	uic_quiet();
}

/* 14. The legacy registers: notify storm on queues that do not exist, ring PFNs outside RAM. */
static void virtio_legacy(void)
{
	uint32_t i, bad = 0;

	for (i = 0; i < 100000; i++)
		out_le16(IO_WIN + IO_BAR0 + LEG_QUEUE_NOTIFY, (uint16_t)(next() | 1));
	for (i = 0; i < 10000; i++) {
		out_le32(IO_WIN + IO_BAR0 + LEG_QUEUE_PFN, next() | 0x4000u);  /* >= 64 MiB */
		if (in_le32(IO_WIN + IO_BAR0 + LEG_QUEUE_PFN) != 0)
			bad++;
	}
	isa_show("14 legacy PFNs outside RAM accepted (0)", bad);
	/* After all of it, a reset and one good request. */
	clear_words(AVAIL, 0x2000);
	clear_words(DESC, 0x1000);
	vsetup(16, DESC, AVAIL, USED);
	desc(DESC, 0, BUF, 512, F_WRITE, 0);
	avail_put(AVAIL, 16, 0, 0);
	out_le16(AVAIL + 2, 1);
	notify(0);
	isa_check("14 a good request after the storms",
		  in_le16(USED + 2) == 1 && in_le32(USED + 8) == 512 &&
		  !(in_8(BAR1 + CC_STATUS) & S_NEEDS_RESET));
	out_8(BAR1 + CC_STATUS, 0);
}

/*
 * 15. virtio-console transmit: 256 chains, each an indirect table of 256 readable descriptors
 * over all 64 MiB of RAM (16 GiB a chain); then a notify storm on the receive queue.
 */
#define CONS_BAR (MEM_WIN + 0x8000u)

static void console_huge(void)
{
	uint32_t i;

	cfg_w32(1, 0x14, CONS_BAR);
	cfg_w32(1, 0x04, 6);
	clear_words(DESC, 0x3000);
	virtio_setup(CONS_BAR, 1, 256, DESC, AVAIL, USED);
	for (i = 0; i < 256; i++)
		desc(INDIRECT, i, 0, RAM_SIZE, i < 255 ? F_NEXT : 0, (uint16_t)(i + 1));
	desc(DESC, 0, INDIRECT, 256 * 16, F_INDIRECT, 0);
	for (i = 0; i < 256; i++)
		avail_put(AVAIL, 256, (uint16_t)i, 0);
	out_le16(AVAIL + 2, 256);
	out_le16(CONS_BAR + NOTIFY + 4, 1);
	/* hv440 sends the first 1 MiB of each (hw/virtio_console.c): 4 TiB would take many minutes. */
	isa_show("15 console: 256 chains of 16 GiB taken, used idx (256)", in_le16(USED + 2));
	for (i = 0; i < 100000; i++)
		out_le16(CONS_BAR + NOTIFY, 0);
	isa_check("15 console: rx notify storm, device fine",
		  !(in_8(CONS_BAR + CC_STATUS) & S_NEEDS_RESET) && in_le16(CONS_BAR + CC_NUMQ) == 2);
	out_8(CONS_BAR + CC_STATUS, 0);
	cfg_w32(1, 0x04, 0);
}

int main(void)
{
	uint32_t i;

	mtmsr(mfmsr() | MSR_ME);
	isa_tlb_write(2, PCI_CFG, PCI_CFG, TLB_SIZE_4K, 0, 0, TLB_I | TLB_G | TLB_SW | TLB_SR);
	isa_tlb_write(3, MEM_WIN, MEM_WIN, TLB_SIZE_256K, 0, 0, TLB_I | TLB_G | TLB_SW | TLB_SR);
	isa_tlb_write(4, IO_WIN, IO_WIN, TLB_SIZE_64K, 0, 0, TLB_I | TLB_G | TLB_SW | TLB_SR);
	for (i = 0; i < CANARY_LEN; i += 4)
		*(volatile uint32_t *)(CANARY + i) = next();

	uart_left_pending();
	uart_pingpong();
	uart_overrun();
	uic_edges();
	uic_soft();
	uic_critical();
	register_storms();
	bar_juggling();
	virtio_garbage();
	virtio_same_head();
	virtio_overlap();
	virtio_huge();
	virtio_intx();
	virtio_legacy();
	console_huge();
	isa_puts("storm: survived\n");
	isa_exit();
}
