/*
 * pack — concat-and-chunk and best-fit-decreasing packing baselines, and the report
 * table lcdecompose --report/--compare prints.  See pack.h for the definitions.
 */
#include "pack.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lc_concat_init(lc_concat *c, size_t len, lc_pack_emit_fn emit, void *ctx)
{
	memset(c, 0, sizeof *c);
	c->cap = len + 1;
	c->buf = lc_xmalloc(c->cap * sizeof *c->buf);
	c->emit = emit;
	c->ctx = ctx;
	snprintf(c->rep.method, sizeof c->rep.method, "concat");
	c->rep.seq_len = len;
}

void lc_concat_doc(lc_concat *c, const uint32_t *tok, size_t n)
{
	c->rep.docs++;
	c->rep.tokens_in += n;
	if (!n)
		return;
	c->docs_in_buf++;
	while (n) {
		size_t take = c->cap - c->fill;
		if (take > n)
			take = n;
		memcpy(c->buf + c->fill, tok, take * sizeof *tok);
		c->fill += take;
		tok += take;
		n -= take;
		if (c->fill == c->cap) {
			if (c->emit)
				c->emit(c->ctx, c->buf, c->fill, c->docs_in_buf > 1);
			c->rep.sequences++;
			c->rep.tokens_kept += c->cap;
			c->rep.attn_cost += (uint64_t)(c->cap - 1) * (c->cap - 1);
			if (c->docs_in_buf > 1)
				c->rep.crossing++;
			c->fill = 0;
			c->docs_in_buf = n ? 1 : 0;
		}
	}
}

void lc_concat_finish(lc_concat *c)
{
	c->rep.tokens_dropped += c->fill;
	c->fill = 0;
	free(c->buf);
	c->buf = NULL;
}

/* ---- best-fit decreasing ------------------------------------------------------ */

struct lc_bestfit {
	size_t cap;
	int keep;
	uint32_t *plen;          /* piece lengths */
	uint64_t *poff;          /* piece offsets into toks (keep) */
	size_t np, cp;
	uint32_t *toks;
	size_t nt, ct;
	uint64_t docs, tokens_in;
};

lc_bestfit *lc_bestfit_new(size_t len, int keep_tokens)
{
	lc_bestfit *b = lc_xcalloc(1, sizeof *b);
	b->cap = len + 1;
	b->keep = keep_tokens;
	return b;
}

static void add_piece(lc_bestfit *b, uint64_t off, size_t n)
{
	if (b->np == b->cp) {
		b->cp = b->cp ? b->cp * 2 : 1024;
		b->plen = lc_xrealloc(b->plen, b->cp * sizeof *b->plen);
		if (b->keep)
			b->poff = lc_xrealloc(b->poff, b->cp * sizeof *b->poff);
	}
	b->plen[b->np] = (uint32_t)n;
	if (b->keep)
		b->poff[b->np] = off;
	b->np++;
}

void lc_bestfit_doc(lc_bestfit *b, const uint32_t *tok, size_t n)
{
	b->docs++;
	b->tokens_in += n;
	uint64_t base = b->nt;
	if (b->keep) {
		if (b->nt + n > b->ct) {
			while (b->nt + n > b->ct)
				b->ct = b->ct ? b->ct * 2 : 1 << 16;
			b->toks = lc_xrealloc(b->toks, b->ct * sizeof *b->toks);
		}
		memcpy(b->toks + b->nt, tok, n * sizeof *tok);
		b->nt += n;
	}
	for (size_t off = 0; off < n; off += b->cap)
		add_piece(b, base + off, n - off < b->cap ? n - off : b->cap);
}


void lc_bestfit_finish(lc_bestfit *b, lc_pack_emit_fn emit, void *ctx, lc_pack_report *rep)
{
	memset(rep, 0, sizeof *rep);
	snprintf(rep->method, sizeof rep->method, "bestfit");
	rep->seq_len = b->cap - 1;
	rep->docs = b->docs;
	rep->tokens_in = b->tokens_in;
	size_t np = b->np, cap = b->cap;
	/* order pieces: counting sort by length descending (stable) */
	uint32_t *order = lc_xmalloc((np ? np : 1) * sizeof *order);
	{
		size_t *cnt = lc_xcalloc(cap + 2, sizeof *cnt);
		for (size_t i = 0; i < np; i++)
			cnt[cap - b->plen[i]]++;
		size_t s = 0;
		for (size_t v = 0; v <= cap; v++) {
			size_t t = cnt[v];
			cnt[v] = s;
			s += t;
		}
		for (size_t i = 0; i < np; i++)
			order[cnt[cap - b->plen[i]]++] = (uint32_t)i;
		free(cnt);
	}
	/* bins by remaining room: FIFO-free stacks per room value; bitset of non-empty rooms */
	size_t words = (cap + 1 + 63) / 64;
	uint64_t *nonempty = lc_xcalloc(words, sizeof *nonempty);
	uint32_t *head = lc_xmalloc((cap + 1) * sizeof *head);    /* per room: a stack of bins */
	for (size_t i = 0; i <= cap; i++)
		head[i] = UINT32_MAX;
	uint32_t *next = NULL, *room = NULL, *bin_of = lc_xmalloc((np ? np : 1) * sizeof *bin_of);
	size_t nbins = 0, cbins = 0;
	for (size_t oi = 0; oi < np; oi++) {
		uint32_t p = order[oi];
		size_t need = b->plen[p];
		/* smallest room >= need */
		size_t r = need, found = SIZE_MAX;
		size_t w = r / 64;
		uint64_t m = nonempty[w] & (~0ULL << (r % 64));
		while (1) {
			if (m) {
				found = w * 64 + (size_t)__builtin_ctzll(m);
				break;
			}
			if (++w >= words)
				break;
			m = nonempty[w];
		}
		uint32_t bin;
		if (found != SIZE_MAX && found <= cap) {
			bin = head[found];
			head[found] = next[bin];
			if (head[found] == UINT32_MAX)
				nonempty[found / 64] &= ~(1ULL << (found % 64));
		} else {
			if (nbins == cbins) {
				cbins = cbins ? cbins * 2 : 1024;
				next = lc_xrealloc(next, cbins * sizeof *next);
				room = lc_xrealloc(room, cbins * sizeof *room);
			}
			bin = (uint32_t)nbins++;
			room[bin] = (uint32_t)cap;
		}
		room[bin] -= (uint32_t)need;
		bin_of[p] = bin;
		size_t nr = room[bin];
		if (!nr)
			continue;   /* full: can take nothing more */
		/* among bins with equal room the most recently filled one is used first */
		next[bin] = head[nr];
		head[nr] = bin;
		nonempty[nr / 64] |= 1ULL << (nr % 64);
	}
	/* report */
	uint32_t *npieces = lc_xcalloc(nbins ? nbins : 1, sizeof *npieces);
	for (size_t i = 0; i < np; i++)
		npieces[bin_of[i]]++;
	rep->sequences = nbins;
	for (size_t i = 0; i < nbins; i++) {
		rep->tokens_kept += cap - room[i];
		rep->tokens_padded += room[i];
		rep->attn_cost += (uint64_t)(cap - 1) * (cap - 1);
		if (npieces[i] > 1)
			rep->crossing++;
	}
	if (emit && b->keep && nbins) {
		/* group pieces by bin, in placement order */
		size_t *start = lc_xcalloc(nbins + 1, sizeof *start);
		for (size_t i = 0; i < nbins; i++)
			start[i + 1] = start[i] + npieces[i];
		uint32_t *grp = lc_xmalloc(np * sizeof *grp);
		size_t *pos = lc_xmalloc(nbins * sizeof *pos);
		memcpy(pos, start, nbins * sizeof *pos);
		for (size_t oi = 0; oi < np; oi++) {
			uint32_t p = order[oi];
			grp[pos[bin_of[p]]++] = p;
		}
		uint32_t *seq = lc_xmalloc(cap * sizeof *seq);
		for (size_t i = 0; i < nbins; i++) {
			size_t n = 0;
			for (size_t j = start[i]; j < start[i + 1]; j++) {
				uint32_t p = grp[j];
				memcpy(seq + n, b->toks + b->poff[p], b->plen[p] * sizeof *seq);
				n += b->plen[p];
			}
			emit(ctx, seq, n, npieces[i] > 1);
		}
		free(seq), free(pos), free(grp), free(start);
	}
	free(npieces), free(order), free(nonempty), free(head), free(next), free(room), free(bin_of);
}

void lc_bestfit_free(lc_bestfit *b)
{
	if (!b)
		return;
	free(b->plen), free(b->poff), free(b->toks);
	free(b);
}

void lc_pack_table(lc_buf *out, const lc_pack_report *r, int n)
{
	static const char *rows[] = { "documents", "sequences", "tokens in", "tokens kept",
		"tokens dropped", "tokens padded", "boundary-crossing sequences",
		"attention cost (sum len^2)" };
	lc_buf_printf(out, "%-30s", "method");
	for (int i = 0; i < n; i++) {
		char h[48];
		if (r[i].seq_len)
			snprintf(h, sizeof h, "%s-%llu", r[i].method, (unsigned long long)r[i].seq_len);
		else
			snprintf(h, sizeof h, "%s", r[i].method);
		lc_buf_printf(out, " %18s", h);
	}
	lc_buf_addc(out, '\n');
	for (size_t row = 0; row < sizeof rows / sizeof rows[0]; row++) {
		lc_buf_printf(out, "%-30s", rows[row]);
		for (int i = 0; i < n; i++) {
			const uint64_t v[] = { r[i].docs, r[i].sequences, r[i].tokens_in, r[i].tokens_kept,
				r[i].tokens_dropped, r[i].tokens_padded, r[i].crossing, r[i].attn_cost };
			lc_buf_printf(out, " %18llu", (unsigned long long)v[row]);
		}
		lc_buf_addc(out, '\n');
	}
}
