/* SPDX-License-Identifier: MIT */
/* fuzz_input.h - a cursor over a libFuzzer input: take bytes, integers, reading zeros past the end. */
#ifndef HV440_FUZZ_INPUT_H
#define HV440_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fin {
	const uint8_t *p;
	size_t n;
};

static inline size_t fin_left(const struct fin *in)
{
	return in->n;
}

static inline uint8_t fin_u8(struct fin *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static inline uint16_t fin_u16(struct fin *in)
{
	uint16_t hi = fin_u8(in);

	return (uint16_t)(hi << 8 | fin_u8(in));
}

static inline uint32_t fin_u32(struct fin *in)
{
	uint32_t hi = fin_u16(in);

	return hi << 16 | fin_u16(in);
}

static inline uint64_t fin_u64(struct fin *in)
{
	uint64_t hi = fin_u32(in);

	return hi << 32 | fin_u32(in);
}

/* Copy up to len bytes (zero-filling the rest); returns how many came from the input. */
static inline size_t fin_bytes(struct fin *in, void *buf, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	memcpy(buf, in->p, k);
	memset((uint8_t *)buf + k, 0, len - k);
	in->p += k;
	in->n -= k;
	return k;
}

#endif
