/* SPDX-License-Identifier: MIT */
/* int_arith.c - integer add/subtract/multiply/divide with XER[CA,OV,SO] and the Rc (CR0) forms. */
#include "isa.h"

static const uint32_t vals[][2] = {
	{ 0, 0 }, { 1, 1 }, { 0x7fffffff, 1 }, { 0x80000000, 0x80000000 },
	{ 0xffffffff, 1 }, { 0x80000000, 0xffffffff }, { 5, 3 }, { 0xfffffffe, 0x7fffffff },
	{ 0x12345678, 0x9abcdef0 },
};
static const uint32_t xers[] = { 0, 0xa0000000 };

static void line(const char *mn, uint32_t a, uint32_t b, uint32_t xin, uint32_t d, uint32_t x,
		 uint32_t c, int show_d)
{
	isa_puts(mn);
	isa_putc(' ');
	isa_hex32(a);
	isa_putc(' ');
	isa_hex32(b);
	isa_puts(" xer=");
	isa_hex32(xin);
	if (show_d) {
		isa_puts(" -> d=");
		isa_hex32(d);
	} else {
		isa_puts(" -> d=undefined");
	}
	isa_puts(" xer=");
	isa_hex32(x);
	isa_puts(" cr=");
	isa_hex32(show_d ? c : c & 0x10000000);
	isa_putc('\n');
}

/* Runs "mn d,a,b" (or "mn d,a") with XER preset and CR cleared; prints D, XER, CR. */
#define T(mn, ops, undef)                                                                  \
	do {                                                                               \
		unsigned i_, j_;                                                           \
		for (i_ = 0; i_ < sizeof(vals) / sizeof(vals[0]); i_++)                    \
			for (j_ = 0; j_ < 2; j_++) {                                       \
				uint32_t a_ = vals[i_][0], b_ = vals[i_][1], d_, x_, c_;   \
				__asm__ volatile("mtxer %3; mtcrf 0xff,%4; " mn " " ops "; " \
						 "mfxer %1; mfcr %2"                       \
						 : "=&r"(d_), "=&r"(x_), "=&r"(c_)         \
						 : "r"(xers[j_]), "r"(0u), "r"(a_), "r"(b_) \
						 : "cr0", "xer");                          \
				line(mn, a_, b_, xers[j_], d_, x_, c_, !(undef));          \
			}                                                                  \
	} while (0)

#define DIVUNDEF(s) (b_ == 0 || ((s) && a_ == 0x80000000 && b_ == 0xffffffff))

int main(void)
{
	T("add", "%0,%5,%6", 0);
	T("add.", "%0,%5,%6", 0);
	T("addo", "%0,%5,%6", 0);
	T("addo.", "%0,%5,%6", 0);
	T("addc", "%0,%5,%6", 0);
	T("addco.", "%0,%5,%6", 0);
	T("adde", "%0,%5,%6", 0);
	T("addeo.", "%0,%5,%6", 0);
	T("addme", "%0,%5", 0);
	T("addmeo.", "%0,%5", 0);
	T("addze", "%0,%5", 0);
	T("addzeo.", "%0,%5", 0);
	T("subf", "%0,%5,%6", 0);
	T("subfo.", "%0,%5,%6", 0);
	T("subfc", "%0,%5,%6", 0);
	T("subfco.", "%0,%5,%6", 0);
	T("subfe", "%0,%5,%6", 0);
	T("subfeo.", "%0,%5,%6", 0);
	T("subfme", "%0,%5", 0);
	T("subfmeo.", "%0,%5", 0);
	T("subfze", "%0,%5", 0);
	T("subfzeo.", "%0,%5", 0);
	T("neg", "%0,%5", 0);
	T("nego.", "%0,%5", 0);
	T("addic", "%0,%5,-1", 0);
	T("addic.", "%0,%5,0x7fff", 0);
	T("subfic", "%0,%5,100", 0);
	T("mulli", "%0,%5,-3", 0);
	T("mullw", "%0,%5,%6", 0);
	T("mullwo.", "%0,%5,%6", 0);
	T("mulhw", "%0,%5,%6", 0);
	T("mulhw.", "%0,%5,%6", 0);
	T("mulhwu", "%0,%5,%6", 0);
	T("mulhwu.", "%0,%5,%6", 0);
	T("divw", "%0,%5,%6", DIVUNDEF(1));
	T("divwo.", "%0,%5,%6", DIVUNDEF(1));
	T("divwu", "%0,%5,%6", DIVUNDEF(0));
	T("divwuo.", "%0,%5,%6", DIVUNDEF(0));
	return 0;
}
