/* SPDX-License-Identifier: MIT */
/* loadstore.c - every load/store form: update, indexed, byte-reversed, multiple, string, reservations. */
#include "isa.h"

static uint8_t buf[128] __attribute__((aligned(32)));

static void fill(void)
{
	int i;

	for (i = 0; i < 128; i++)
		buf[i] = (uint8_t)(0x80 + i * 3);
}

static void dump(const char *name)
{
	int i;

	isa_puts(name);
	isa_puts(":");
	for (i = 0; i < 48; i += 4) {
		isa_putc(' ');
		isa_hex32(((uint32_t)buf[i] << 24) | ((uint32_t)buf[i + 1] << 16) |
			  ((uint32_t)buf[i + 2] << 8) | buf[i + 3]);
	}
	isa_putc('\n');
}

/* A load: prints the value and how far the base register moved. */
#define LD(mn, ops, off)                                                                   \
	do {                                                                               \
		uint32_t d_, a_ = (uint32_t)buf + (off), a0_ = a_, x_ = 5;                 \
		__asm__ volatile(mn " " ops : "=&r"(d_), "+b"(a_) : "r"(x_) : "memory");   \
		isa_puts(mn " " #off ": ");                                                \
		isa_hex32(d_);                                                             \
		isa_puts(" ra+=");                                                         \
		isa_dec(a_ - a0_);                                                         \
		isa_putc('\n');                                                            \
	} while (0)

#define ST(mn, ops, off)                                                                   \
	do {                                                                               \
		uint32_t v_ = 0xa1b2c3d4, a_ = (uint32_t)buf + (off), a0_ = a_, x_ = 6;    \
		fill();                                                                    \
		__asm__ volatile(mn " " ops : "+b"(a_) : "r"(x_), "r"(v_) : "memory");     \
		isa_puts(mn " ra+=");                                                      \
		isa_dec(a_ - a0_);                                                         \
		isa_putc(' ');                                                             \
		dump("mem");                                                               \
	} while (0)

int main(void)
{
	uint32_t r[8], ok, v, i;

	fill();
	LD("lbz", "%0,3(%1)", 0);
	LD("lbzu", "%0,3(%1)", 0);
	LD("lbzx", "%0,%1,%2", 0);
	LD("lbzux", "%0,%1,%2", 0);
	LD("lhz", "%0,2(%1)", 0);
	LD("lhzu", "%0,-2(%1)", 8);
	LD("lhzx", "%0,%1,%2", 1);
	LD("lhzux", "%0,%1,%2", 1);
	LD("lha", "%0,2(%1)", 0);
	LD("lhau", "%0,6(%1)", 0);
	LD("lhax", "%0,%1,%2", 1);
	LD("lhaux", "%0,%1,%2", 3);
	LD("lwz", "%0,4(%1)", 0);
	LD("lwzu", "%0,4(%1)", 0);
	LD("lwzx", "%0,%1,%2", 3);
	LD("lwzux", "%0,%1,%2", 3);
	LD("lwz", "%0,1(%1)", 0);
	LD("lhbrx", "%0,%1,%2", 0);
	LD("lwbrx", "%0,%1,%2", 0);
	LD("lwbrx", "%0,%1,%2", 2);
	ST("stb", "%2,1(%0)", 0);
	ST("stbu", "%2,1(%0)", 0);
	ST("stbx", "%2,%0,%1", 0);
	ST("stbux", "%2,%0,%1", 0);
	ST("sth", "%2,2(%0)", 0);
	ST("sthu", "%2,2(%0)", 0);
	ST("sthx", "%2,%0,%1", 1);
	ST("sthux", "%2,%0,%1", 1);
	ST("stw", "%2,4(%0)", 0);
	ST("stwu", "%2,4(%0)", 0);
	ST("stwx", "%2,%0,%1", 0);
	ST("stwux", "%2,%0,%1", 0);
	ST("stw", "%2,1(%0)", 2);
	ST("sthbrx", "%2,%0,%1", 0);
	ST("stwbrx", "%2,%0,%1", 0);
	ST("stwbrx", "%2,%0,%1", 1);

	/* lmw/stmw r24..r31: word-aligned here (unaligned raises alignment, see int_align). */
	fill();
	__asm__ volatile("lmw 24,8(%8)\n mr %0,24\n mr %1,25\n mr %2,26\n mr %3,27\n mr %4,28\n"
			 " mr %5,29\n mr %6,30\n mr %7,31"
			 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]), "=r"(r[4]), "=r"(r[5]),
			   "=r"(r[6]), "=r"(r[7])
			 : "b"(buf) : "r24", "r25", "r26", "r27", "r28", "r29", "r30", "r31");
	for (i = 0; i < 8; i++)
		isa_show("lmw", r[i]);
	__asm__ volatile("li 28,0x1111\n li 29,0x2222\n lis 30,0x3333\n lis 31,-1\n stmw 28,4(%0)"
			 : : "b"(buf) : "r28", "r29", "r30", "r31", "memory");
	dump("stmw");

	/* String loads: bytes fill registers left to right, the last one padded with zeros. */
	fill();
	r[0] = r[1] = r[2] = 0xdeadbeef;
	__asm__ volatile("lswi 5,%3,7\n mr %0,5\n mr %1,6\n" : "=r"(r[0]), "=r"(r[1]), "=r"(r[2])
			 : "b"(buf + 1) : "r5", "r6");
	isa_show("lswi 7 r5", r[0]);
	isa_show("lswi 7 r6", r[1]);
	__asm__ volatile("mtxer %4\n lswx 5,%3,%5\n mr %0,5\n mr %1,6\n mr %2,7"
			 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]) : "b"(buf), "r"(9u), "r"(2u)
			 : "r5", "r6", "r7", "xer");
	isa_show("lswx 9 r5", r[0]);
	isa_show("lswx 9 r6", r[1]);
	isa_show("lswx 9 r7", r[2]);
	/* lswi with NB=0 means 32 bytes; wraps from r31 to r0 is avoided by starting at r24. */
	__asm__ volatile("lswi 24,%2,0\n mr %0,24\n mr %1,31" : "=r"(r[0]), "=r"(r[1]) : "b"(buf)
			 : "r24", "r25", "r26", "r27", "r28", "r29", "r30", "r31");
	isa_show("lswi 32 r24", r[0]);
	isa_show("lswi 32 r31", r[1]);
	/* lswx with XER[TBC] = 0 leaves the target unchanged. */
	__asm__ volatile("li 5,0x77\n mtxer %2\n lswx 5,%1,%3\n mr %0,5"
			 : "=r"(r[0]) : "b"(buf), "r"(0u), "r"(0u) : "r5", "xer");
	isa_show("lswx 0 r5", r[0]);
	fill();
	__asm__ volatile("lis 5,0x0102\n ori 5,5,0x0304\n lis 6,0x0506\n ori 6,6,0x0708\n"
			 " stswi 5,%0,6" : : "b"(buf + 3) : "r5", "r6", "memory");
	dump("stswi 6");
	fill();
	__asm__ volatile("lis 5,0x0102\n ori 5,5,0x0304\n lis 6,0x0506\n ori 6,6,0x0708\n"
			 " lis 7,0x090a\n mtxer %1\n stswx 5,%0,%2" : : "b"(buf), "r"(11u), "r"(4u)
			 : "r5", "r6", "r7", "xer", "memory");
	dump("stswx 11");

	/* lwarx/stwcx.: a reservation makes the store succeed once (CR0[EQ]), then fail. */
	v = 0;
	__asm__ volatile("lwarx %0,0,%2\n addi %0,%0,1\n stwcx. %0,0,%2\n mfcr %1"
			 : "=&r"(v), "=&r"(ok) : "b"(buf + 64) : "cr0", "memory");
	isa_show("stwcx. with reservation cr", ok & 0xf0000000);
	__asm__ volatile("stwcx. %1,0,%2\n mfcr %0" : "=&r"(ok) : "r"(0x99u), "b"(buf + 64)
			 : "cr0", "memory");
	isa_show("stwcx. without reservation cr", ok & 0xf0000000);
	isa_show("reserved word", *(volatile uint32_t *)(buf + 64));

	/* dcbz zeroes the whole 32-byte line containing the address (PPC440x5 cache line). */
	fill();
	__asm__ volatile("dcbz %0,%1" : : "b"(buf), "r"(37u) : "memory");
	dump("dcbz line 32");
	for (i = 64; i < 72; i++)
		buf[i] = (uint8_t)i;
	/* Cache hints and barriers have no architected effect on data. */
	__asm__ volatile("dcbt 0,%0\n dcbtst 0,%0\n dcbst 0,%0\n dcbf 0,%0\n icbi 0,%0\n icbt 0,%0\n"
			 " isync\n msync\n mbar\n mbar 0\n sync\n eieio"
			 : : "b"(buf + 64) : "memory");
	isa_show("after hints", *(volatile uint32_t *)(buf + 64));
	return 0;
}
