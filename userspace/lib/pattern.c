// SPDX-License-Identifier: GPL-2.0
/*
 * Data patterns.  Every byte depends on the pattern seed and on its absolute
 * offset, so a page that lands at the wrong place, a stale page and a page
 * of zeroes are all told apart from the expected data.
 */
#include <string.h>

#include "pinkit.h"

static uint64_t mix64(uint64_t x)
{
	/* splitmix64 finaliser */
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t pattern_word(uint64_t seed, size_t word)
{
	return mix64(seed * UINT64_C(0x100000001b3) ^ (uint64_t)word);
}

uint8_t pk_pattern_byte(uint64_t seed, size_t off)
{
	uint64_t w = pattern_word(seed, off / 8);

	return (uint8_t)(w >> (8 * (off % 8)));
}

void pk_pattern_fill(void *buf, size_t len, uint64_t seed, size_t base)
{
	uint8_t *p = buf;
	size_t i = 0;

	/* head up to an 8-byte pattern boundary */
	while (i < len && (base + i) % 8) {
		p[i] = pk_pattern_byte(seed, base + i);
		i++;
	}
	for (; i + 8 <= len; i += 8) {
		uint64_t w = pattern_word(seed, (base + i) / 8);
		unsigned int b;

		/* byte order is defined by pk_pattern_byte, not by the host */
		for (b = 0; b < 8; b++)
			p[i + b] = (uint8_t)(w >> (8 * b));
	}
	for (; i < len; i++)
		p[i] = pk_pattern_byte(seed, base + i);
}

void pk_pattern_fill_periodic(void *buf, size_t len, uint64_t seed,
			      size_t page_size)
{
	uint8_t *p = buf;
	size_t off;

	if (!len || !page_size)
		return;
	pk_pattern_fill(p, len < page_size ? len : page_size, seed, 0);
	for (off = page_size; off < len; off += page_size)
		memcpy(p + off, p,
		       len - off < page_size ? len - off : page_size);
}

static void count_tail(const uint8_t *e, const uint8_t *g, size_t len,
		       size_t first, size_t page_size, struct pk_mismatch *m)
{
	size_t i, last_page = (size_t)-1;

	m->offset = first;
	m->expected = e[first];
	m->got = g[first];
	m->bytes = 0;
	m->pages = 0;
	for (i = first; i < len; i++) {
		if (e[i] == g[i])
			continue;
		m->bytes++;
		if (page_size && i / page_size != last_page) {
			last_page = i / page_size;
			m->pages++;
		}
	}
}

int pk_compare(const void *expect, const void *got, size_t len,
	       size_t page_size, struct pk_mismatch *m)
{
	const uint8_t *e = expect, *g = got;
	size_t off = 0, chunk = 4096;

	/* memcmp is fast on the common, equal path; scan only a bad chunk */
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (memcmp(e + off, g + off, n)) {
			size_t i = off;

			while (e[i] == g[i])
				i++;
			if (m)
				count_tail(e, g, len, i, page_size, m);
			return 1;
		}
		off += n;
	}
	if (m)
		memset(m, 0, sizeof(*m));
	return 0;
}
