/* SPDX-License-Identifier: MIT */
/* byteorder.h - guest memory accesses that name their byte order: ld_be32(), st_le16(), ... */
#ifndef HV440_UTIL_BYTEORDER_H
#define HV440_UTIL_BYTEORDER_H

/*
 * The 440 is big-endian; PCI and virtio 1.x are little-endian; the host
 * (x86-64) is little-endian. Every access to guest memory or to a guest
 * visible buffer goes through one of these, so its byte order is written
 * at the call. memcpy() makes each an unaligned-safe single host access.
 */
#include <stdint.h>
#include <string.h>

static inline uint16_t ld_le16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t ld_le32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t ld_le64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint16_t ld_be16(const void *p) { return __builtin_bswap16(ld_le16(p)); }
static inline uint32_t ld_be32(const void *p) { return __builtin_bswap32(ld_le32(p)); }
static inline uint64_t ld_be64(const void *p) { return __builtin_bswap64(ld_le64(p)); }

static inline void st_le16(void *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void st_le32(void *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void st_le64(void *p, uint64_t v) { memcpy(p, &v, 8); }
static inline void st_be16(void *p, uint16_t v) { st_le16(p, __builtin_bswap16(v)); }
static inline void st_be32(void *p, uint32_t v) { st_le32(p, __builtin_bswap32(v)); }
static inline void st_be64(void *p, uint64_t v) { st_le64(p, __builtin_bswap64(v)); }

/* Reverse the low n bytes of v (n = 1, 2, 4 or 8): a byte-reversed access, a little-endian page. */
static inline uint64_t bswap_n(uint64_t v, unsigned n)
{
	switch (n) {
	case 2:
		return __builtin_bswap16((uint16_t)v);
	case 4:
		return __builtin_bswap32((uint32_t)v);
	case 8:
		return __builtin_bswap64(v);
	default:
		return v;
	}
}

/* Big-endian access of n bytes, n not known at compile time (1, 2, 4 and 8 are single host accesses). */
static inline uint64_t ld_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	switch (n) {
	case 1:
		return p[0];
	case 2:
		return ld_be16(p);
	case 4:
		return ld_be32(p);
	case 8:
		return ld_be64(p);
	default:
		for (unsigned i = 0; i < n; i++)
			v = (v << 8) | p[i];
		return v;
	}
}

static inline void st_be(uint8_t *p, unsigned n, uint64_t v)
{
	switch (n) {
	case 1:
		p[0] = (uint8_t)v;
		return;
	case 2:
		st_be16(p, (uint16_t)v);
		return;
	case 4:
		st_be32(p, (uint32_t)v);
		return;
	case 8:
		st_be64(p, v);
		return;
	default:
		for (unsigned i = n; i-- > 0; v >>= 8)
			p[i] = (uint8_t)v;
	}
}

#endif
