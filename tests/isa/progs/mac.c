/* SPDX-License-Identifier: MIT */
/* mac.c - the 440 multiply-accumulate family (mul*hw, mac*hw, nmac*hw with o/. forms) and dlmzb. */
#include "isa.h"

static const uint32_t vals[][2] = {
	{ 0x00010002, 0x00030004 }, { 0x7fff8000, 0x80007fff }, { 0xffffffff, 0xffffffff },
	{ 0x80008000, 0x80008000 }, { 0x7fff7fff, 0x7fff7fff }, { 0x12345678, 0xfedcba98 },
};
static const uint32_t accs[] = { 0x00000000, 0x7ffffff0, 0x80000010, 0xffffffff };

static void line(const char *mn, uint32_t a, uint32_t b, uint32_t acc, uint32_t d, uint32_t x,
		 uint32_t c)
{
	isa_puts(mn);
	isa_putc(' ');
	isa_hex32(a);
	isa_putc(' ');
	isa_hex32(b);
	isa_puts(" acc=");
	isa_hex32(acc);
	isa_puts(" -> d=");
	isa_hex32(d);
	isa_puts(" xer=");
	isa_hex32(x);
	isa_puts(" cr=");
	isa_hex32(c);
	isa_putc('\n');
}

/* d starts as the accumulator; XER starts with CA set (must be untouched) and SO clear. */
#define T(mn, nacc)                                                                        \
	do {                                                                               \
		unsigned i_, k_;                                                           \
		for (i_ = 0; i_ < sizeof(vals) / sizeof(vals[0]); i_++)                    \
			for (k_ = 0; k_ < (nacc); k_++) {                                  \
				uint32_t a_ = vals[i_][0], b_ = vals[i_][1], d_ = accs[k_], x_, c_; \
				__asm__ volatile("mtxer %3; mtcrf 0xff,%4; " mn " %0,%5,%6; " \
						 "mfxer %1; mfcr %2"                       \
						 : "+&r"(d_), "=&r"(x_), "=&r"(c_)         \
						 : "r"(0x20000000u), "r"(0u), "r"(a_), "r"(b_) \
						 : "cr0", "xer");                          \
				line(mn, a_, b_, accs[k_], d_, x_, c_);                    \
			}                                                                  \
	} while (0)

#define DL(s0, s1)                                                                         \
	do {                                                                               \
		uint32_t d_, x_, c_;                                                       \
		__asm__ volatile("mtxer %3; mtcrf 0xff,%3; dlmzb. %0,%4,%5; mfxer %1; mfcr %2" \
				 : "=&r"(d_), "=&r"(x_), "=&r"(c_)                         \
				 : "r"(0x80000000u), "r"(s0), "r"(s1) : "cr0", "xer");     \
		isa_puts("dlmzb. ");                                                       \
		isa_hex32(s0);                                                             \
		isa_putc(' ');                                                             \
		isa_hex32(s1);                                                             \
		isa_puts(" -> d=");                                                        \
		isa_hex32(d_);                                                             \
		isa_puts(" xer=");                                                         \
		isa_hex32(x_);                                                             \
		isa_puts(" cr=");                                                          \
		isa_hex32(c_);                                                             \
		isa_putc('\n');                                                            \
	} while (0)

int main(void)
{
	T("mulchw", 1);
	T("mulchw.", 1);
	T("mulchwu", 1);
	T("mulhhw", 1);
	T("mulhhwu.", 1);
	T("mullhw.", 1);
	T("mullhwu", 1);
	T("macchw", 4);
	T("macchwo.", 4);
	T("macchws", 4);
	T("macchwso.", 4);
	T("macchwu", 4);
	T("macchwuo.", 4);
	T("macchwsu", 4);
	T("macchwsuo.", 4);
	T("machhw.", 4);
	T("machhwo", 4);
	T("machhws.", 4);
	T("machhwu", 4);
	T("machhwsuo.", 4);
	T("maclhw", 4);
	T("maclhwo.", 4);
	T("maclhws", 4);
	T("maclhwu.", 4);
	T("maclhwsu", 4);
	T("nmacchw", 4);
	T("nmacchwo.", 4);
	T("nmacchws", 4);
	T("nmacchwso.", 4);
	T("nmachhw.", 4);
	T("nmachhws", 4);
	T("nmaclhw", 4);
	T("nmaclhwso.", 4);
	/* dlmzb: index of the first zero byte in rS||rB (1-8), or 8 with none; XER[TBC] too. */
	DL(0x41424344u, 0x45464748u);
	DL(0x00424344u, 0x45464748u);
	DL(0x41420044u, 0x45464748u);
	DL(0x41424300u, 0x45464748u);
	DL(0x41424344u, 0x45004748u);
	DL(0x41424344u, 0x45464700u);
	DL(0x41424344u, 0x00000000u);
	return 0;
}
