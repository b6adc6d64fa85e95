/* SPDX-License-Identifier: MIT */
/* int_logic.c - logical ops, rotates, shifts (incl. sraw CA), compares, CR logic and CR moves. */
#include "isa.h"

static const uint32_t vals[][2] = {
	{ 0, 0 }, { 0xffffffff, 0 }, { 0x80000001, 31 }, { 0x12345678, 4 },
	{ 0xf0f0f0f0, 32 }, { 0x7fffffff, 63 }, { 0x80000000, 1 }, { 0xfffffff1, 0x21 },
	{ 0x0000ff80, 0x00008000 },
};

static void line(const char *mn, uint32_t a, uint32_t b, uint32_t d, uint32_t x, uint32_t c)
{
	isa_puts(mn);
	isa_putc(' ');
	isa_hex32(a);
	isa_putc(' ');
	isa_hex32(b);
	isa_puts(" -> d=");
	isa_hex32(d);
	isa_puts(" xer=");
	isa_hex32(x);
	isa_puts(" cr=");
	isa_hex32(c);
	isa_putc('\n');
}

/* d starts as 0x55aa55aa so rlwimi's insertion is visible; XER[SO] set to see it copied. */
#define TX(mn, ops, crin)                                                                       \
	do {                                                                               \
		unsigned i_;                                                               \
		for (i_ = 0; i_ < sizeof(vals) / sizeof(vals[0]); i_++) {                  \
			uint32_t a_ = vals[i_][0], b_ = vals[i_][1], d_ = 0x55aa55aa, x_, c_; \
			__asm__ volatile("mtxer %3; mtcrf 0xff,%4; " mn " " ops "; "       \
					 "mfxer %1; mfcr %2"                               \
					 : "+&r"(d_), "=&r"(x_), "=&r"(c_)                 \
					 : "r"(0xa0000000u), "r"(crin), "r"(a_), "r"(b_)     \
					 : "cr0", "cr1", "cr5", "cr7", "xer");             \
			line(mn, a_, b_, d_, x_, c_);                                      \
		}                                                                          \
	} while (0)

#define T(mn, ops) TX(mn, ops, 0u)
/* CR logic starts from CR = a so every input combination shows. */
#define TC(mn, ops) TX(mn, ops, a_)

int main(void)
{
	T("and.", "%0,%5,%6");
	T("andc.", "%0,%5,%6");
	T("or.", "%0,%5,%6");
	T("orc.", "%0,%5,%6");
	T("xor.", "%0,%5,%6");
	T("nand.", "%0,%5,%6");
	T("nor.", "%0,%5,%6");
	T("eqv.", "%0,%5,%6");
	T("and", "%0,%5,%6");
	T("andi.", "%0,%5,0x8001");
	T("andis.", "%0,%5,0x8001");
	T("ori", "%0,%5,0x1234");
	T("oris", "%0,%5,0x1234");
	T("xori", "%0,%5,0xffff");
	T("xoris", "%0,%5,0xffff");
	T("extsb.", "%0,%5");
	T("extsh.", "%0,%5");
	T("cntlzw.", "%0,%5");
	T("rlwinm.", "%0,%5,3,0,27");
	T("rlwinm", "%0,%5,31,28,3");
	T("rlwnm.", "%0,%5,%6,8,23");
	T("rlwimi.", "%0,%5,8,12,19");
	T("rlwimi", "%0,%5,0,31,0");
	T("slw.", "%0,%5,%6");
	T("srw.", "%0,%5,%6");
	T("sraw.", "%0,%5,%6");
	T("sraw", "%0,%5,%6");
	T("srawi.", "%0,%5,4");
	T("srawi", "%0,%5,0");
	T("srawi", "%0,%5,31");
	T("cmpw", "cr1,%5,%6");
	T("cmplw", "cr7,%5,%6");
	T("cmpwi", "cr5,%5,-1");
	T("cmplwi", "cr0,%5,0x8000");
	TC("crand", "2,4,5");
	TC("crxor", "6,6,6");
	TC("creqv", "0,0,0");
	TC("crnor", "31,0,3");
	TC("cror", "9,29,29");
	TC("crorc", "1,2,3");
	TC("crandc", "3,0,3");
	TC("crnand", "7,7,7");
	TC("mcrf", "cr7,cr0");
	T("mcrxr", "cr5");
	T("mtcrf", "0x81,%5");
	T("mtcrf", "0xff,%5");
	TC("mfcr", "%0");
	return 0;
}
