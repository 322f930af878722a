/*
 * tokcache — binary cache of loaded tokenizer.json models (see tokcache.h).
 *
 * File layout (host byte order, checked): a fixed header (tc_head: magic, format
 * version, source SHA-256 and size, file length, checksum, the scalars of
 * struct lc_tok and the offset and length of each table), then the tables, each
 * at a 64-byte boundary.  The big tables are used in place from a read-only
 * mapping; the small ones (added tokens, normalizer steps, template ids, decoder
 * strings) are copied so that lc_tok_free can free them as usual.
 */
#define _GNU_SOURCE
#include "tokcache.h"
#include "tok_impl.h"
#include "buf.h"
#include "data.h"
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bump whenever tc_head, a table's layout or anything the engine derives at load
 * time (hash functions, sp_glue, byte tables) changes: old files then stop matching. */
#define TC_VERSION 1
static const char TC_MAGIC[8] = { 'L', 'C', 'T', 'K', 'T', 'O', 'K', '\n' };

enum { S_OFF, S_LEN, S_BLOB, S_HS, S_TWO, S_T3, S_T4, S_BLOOM, S_PKEY, S_PVAL, S_FBBYTE, S_GLUE,
       S_DOFF, S_DLEN, S_DBLOB, S_BORDER, S_ADD, S_NOPS, S_PRE, S_POST, S_STR, NSEC };

typedef struct tc_add { uint32_t soff, slen, id, special, normalized; } tc_add;
typedef struct tc_nop { uint32_t foff, flen, toff, tlen; } tc_nop; /* foff NONE32: Prepend */

typedef struct tc_head {
	char magic[8];
	uint32_t version, endian;
	uint8_t sha[32];
	uint64_t src_size, file_size, checksum;
	uint64_t sec_off[NSEC], sec_len[NSEC];
	uint64_t n_vocab, blob_len, hmask, max_tok_len, m3, m4, bmask, pmask, nrank, nadd, nborder;
	uint64_t npre, npost, nnops, dblob_len, str_len;
	int64_t eot;
	uint32_t mode, whole_lookup, nfc, nst, sp, fuse_unk, unk, sp_space, cats;
	uint32_t strip_start, strip_stop, strip_ch, dec_from, dec_to; /* dec_*: S_STR offsets, NONE32 = none */
	uint32_t st_kind[6], st_km[6], st_kg[6], st_ps[6];
	uint32_t byte_id[256], fb_id[256], bstart[257];
	uint32_t pad;
} tc_head;

/* ---- checksum: four 64-bit multiply-rotate lanes, every byte ------------------- */

static inline uint64_t rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

static uint64_t checksum(const uint8_t *p, size_t n, uint64_t seed)
{
	const uint64_t K1 = 0x9E3779B185EBCA87ull, K2 = 0xC2B2AE3D27D4EB4Full;
	uint64_t a = seed + K1, b = seed ^ K2, c = seed, d = seed - K1;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		uint64_t w[4];
		memcpy(w, p + i, 32);
		a = rotl(a + w[0] * K2, 31) * K1;
		b = rotl(b + w[1] * K2, 31) * K1;
		c = rotl(c + w[2] * K2, 31) * K1;
		d = rotl(d + w[3] * K2, 31) * K1;
	}
	uint64_t h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18) + n;
	for (; i < n; i++)
		h = rotl(h ^ (p[i] * K1), 11) * K2;
	h ^= h >> 33;
	h *= K2;
	return h ^ (h >> 29);
}

/* checksum of the whole file with the header's checksum field read as 0 */
static uint64_t file_checksum(const uint8_t *m, size_t n)
{
	tc_head h;
	memcpy(&h, m, sizeof h);
	h.checksum = 0;
	uint64_t s = checksum((const uint8_t *)&h, sizeof h, 1);
	return checksum(m + sizeof h, n - sizeof h, s);
}

int lc_tokcache_reseal(void *m, size_t n)
{
	tc_head h;
	if (n < sizeof h)
		return -1;
	memcpy(&h, m, sizeof h);
	h.checksum = file_checksum(m, n);
	memcpy(m, &h, sizeof h);
	return 0;
}

/* ---- where ------------------------------------------------------------------- */

static int cache_off(void)
{
	const char *v = getenv("LCTK_NO_CACHE");
	return v && *v && strcmp(v, "0");
}

static char *cache_dir(void)
{
	const char *d = getenv("LCTK_CACHE"), *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	lc_buf b = {0};
	if (d && *d)
		lc_buf_adds(&b, d);
	else if (x && *x == '/')
		lc_buf_printf(&b, "%s/lctk", x);
	else if (home && *home)
		lc_buf_printf(&b, "%s/.cache/lctk", home);
	else
		return NULL;
	return lc_buf_detach(&b);
}

/* mkdir -p (0700 for what it creates); 0 if dir exists afterwards */
static int mkdirs(const char *dir)
{
	struct stat st;
	if (!stat(dir, &st))
		return S_ISDIR(st.st_mode) ? 0 : -1;
	char *p = lc_xstrdup(dir);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0700);
			*s = '/';
		}
	int rc = mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

static void hex(const uint8_t *v, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", v[i]);
}

int lc_tokcache_begin(lc_tokcache *c, const char *path)
{
	memset(c, 0, sizeof *c);
	struct stat st;
	if (cache_off() || stat(path, &st) || !S_ISREG(st.st_mode))
		return -1;
	char *rp = realpath(path, NULL);
	if (!rp)
		return -1;
	c->dir = cache_dir();
	if (!c->dir) {
		free(rp);
		return -1;
	}
	lc_buf k = {0};
	lc_buf_printf(&k, "%s\n%ju %ju %jd %jd.%09ld %jd.%09ld v%d", rp, (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
		      (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		      (intmax_t)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, TC_VERSION);
	char kh[65];
	lc_sha256_hex(k.p, k.len, kh);
	lc_buf_reset(&k);
	lc_buf_printf(&k, "%s/ref-%.32s", c->dir, kh);
	c->ref = lc_buf_detach(&k);
	c->src_size = (uint64_t)st.st_size;
	free(rp);
	return 0;
}

void lc_tokcache_end(lc_tokcache *c)
{
	free(c->dir);
	free(c->ref);
	memset(c, 0, sizeof *c);
}

static char *data_name(const lc_tokcache *c, const char shahex[65])
{
	lc_buf b = {0};
	lc_buf_printf(&b, "%s/tok-%s.v%d.bin", c->dir, shahex, TC_VERSION);
	return lc_buf_detach(&b);
}

char *lc_tokcache_file(const lc_tokcache *c, const uint8_t sha[32])
{
	char h[65];
	hex(sha, 32, h);
	return data_name(c, h);
}

/* ---- writing ----------------------------------------------------------------- */

typedef struct wbuf { lc_buf b; tc_head h; } wbuf;

static void sec(wbuf *w, int s, const void *p, size_t n)
{
	while (w->b.len % 64)
		lc_buf_addc(&w->b, 0);
	w->h.sec_off[s] = w->b.len;
	w->h.sec_len[s] = n;
	if (n)
		lc_buf_add(&w->b, p, n);
}

static uint32_t str_add(lc_buf *s, const char *p, size_t n)
{
	uint32_t o = (uint32_t)s->len;
	lc_buf_add(s, p ? p : "", n);
	return o;
}

/* Writes data to name atomically (temporary file + rename); -1 on failure. */
static int write_atomic(const char *name, const void *data, size_t n)
{
	lc_buf t = {0};
	lc_buf_printf(&t, "%s.tmpXXXXXX", name);
	int fd = mkstemp(t.p);
	if (fd < 0) {
		lc_buf_free(&t);
		return -1;
	}
	const char *p = data;
	size_t left = n;
	while (left) {
		ssize_t r = write(fd, p, left);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			break;
		}
		p += r;
		left -= (size_t)r;
	}
	int ok = !left && fchmod(fd, 0644) == 0;
	ok &= close(fd) == 0;
	if (!ok || rename(t.p, name)) {
		unlink(t.p);
		lc_buf_free(&t);
		return -1;
	}
	lc_buf_free(&t);
	return 0;
}

void lc_tokcache_store_ref(const lc_tokcache *c, const uint8_t sha[32])
{
	if (!c->dir || mkdirs(c->dir))
		return;
	char sh[65];
	hex(sha, 32, sh);
	lc_buf r = {0};
	lc_buf_printf(&r, "LCTKREF%d %s\n", TC_VERSION, sh);
	write_atomic(c->ref, r.p, r.len);
	lc_buf_free(&r);
}

void lc_tokcache_sha(const void *src, size_t n, uint8_t sha[32])
{
	lc_sha256 sc;
	lc_sha256_init(&sc);
	lc_sha256_update(&sc, src, n);
	lc_sha256_final(&sc, sha);
}

static int cacheable(const lc_tok *t)
{
	if (t->mode != MODE_HF || t->map || t->nst > 6)
		return 0;
	for (int i = 0; i < t->nst; i++)
		if (t->st[i].re || t->st[i].kind == PT_PCRE)
			return 0;
	return 1;
}

void lc_tokcache_store(const lc_tokcache *c, const lc_tok *t, const uint8_t sha[32])
{
	if (!c->dir || !cacheable(t) || mkdirs(c->dir))
		return;
	wbuf w;
	memset(&w, 0, sizeof w);
	tc_head *h = &w.h;
	memcpy(h->magic, TC_MAGIC, 8);
	h->version = TC_VERSION;
	h->endian = 0x01020304;
	memcpy(h->sha, sha, 32);
	h->src_size = c->src_size;
	size_t nv = t->n_vocab;
	h->n_vocab = nv;
	h->blob_len = t->blob_len;
	h->hmask = t->hmask;
	h->max_tok_len = t->max_tok_len;
	h->m3 = t->m3;
	h->m4 = t->m4;
	h->bmask = t->bmask;
	h->pmask = t->pmask;
	h->nrank = t->nrank;
	h->nadd = t->nadd;
	h->nborder = t->bstart[256];
	h->npre = t->npre;
	h->npost = t->npost;
	h->nnops = t->nnops;
	h->dblob_len = t->sp ? t->dblob_len : 0;
	h->eot = t->eot;
	h->mode = (uint32_t)t->mode;
	h->whole_lookup = (uint32_t)t->whole_lookup;
	h->nfc = (uint32_t)t->nfc;
	h->nst = (uint32_t)t->nst;
	h->sp = (uint32_t)t->sp;
	h->fuse_unk = (uint32_t)t->fuse_unk;
	h->unk = t->sp ? t->unk : NONE32;
	h->sp_space = t->sp ? t->sp_space : NONE32;
	h->cats = t->cats;
	h->strip_start = t->strip_start;
	h->strip_stop = t->strip_stop;
	h->strip_ch = (uint8_t)t->strip_ch;
	for (int i = 0; i < t->nst; i++) {
		h->st_kind[i] = (uint32_t)t->st[i].kind;
		h->st_km[i] = (uint32_t)t->st[i].keep_matches;
		h->st_kg[i] = (uint32_t)t->st[i].keep_gaps;
		h->st_ps[i] = (uint32_t)t->st[i].prefix_space;
	}
	memcpy(h->byte_id, t->byte_id, sizeof h->byte_id);
	memcpy(h->fb_id, t->fb_id, sizeof h->fb_id);
	memcpy(h->bstart, t->bstart, sizeof h->bstart);
	/* the strings of the small tables */
	lc_buf str = {0};
	tc_add *ad = lc_xcalloc(t->nadd + 1, sizeof *ad);
	for (size_t i = 0; i < t->nadd; i++)
		ad[i] = (tc_add){ str_add(&str, t->add[i].s, t->add[i].n), (uint32_t)t->add[i].n, t->add[i].id,
				  (uint32_t)t->add[i].special, (uint32_t)t->add[i].normalized };
	tc_nop *no = lc_xcalloc(t->nnops + 1, sizeof *no);
	for (size_t i = 0; i < t->nnops; i++) {
		const struct norm_op *op = &t->nops[i];
		no[i].foff = op->from ? str_add(&str, op->from, op->nfrom) : NONE32;
		no[i].flen = (uint32_t)op->nfrom;
		no[i].toff = str_add(&str, op->to, op->nto);
		no[i].tlen = (uint32_t)op->nto;
	}
	h->dec_from = h->dec_to = NONE32;
	if (t->dec_from) {
		h->dec_from = str_add(&str, t->dec_from, strlen(t->dec_from) + 1);
		h->dec_to = str_add(&str, t->dec_to, strlen(t->dec_to) + 1);
	}
	h->str_len = str.len;
	lc_buf_add(&w.b, (const char *)h, sizeof *h); /* placeholder, rewritten below */
	sec(&w, S_OFF, t->off, nv * 4);
	sec(&w, S_LEN, t->len, nv * 4);
	sec(&w, S_BLOB, t->blob, t->blob_len);
	sec(&w, S_HS, t->hs, (t->hmask + 1) * sizeof *t->hs);
	sec(&w, S_TWO, t->two, 65536 * 4);
	sec(&w, S_T3, t->t3, (t->m3 + 1) * 8);
	sec(&w, S_T4, t->t4, (t->m4 + 1) * 8);
	sec(&w, S_BLOOM, t->bloom, (t->bmask + 1) / 64 * 8);
	sec(&w, S_PKEY, t->pkey, (t->pmask + 1) * 8);
	sec(&w, S_PVAL, t->pval, (t->pmask + 1) * 8);
	sec(&w, S_FBBYTE, t->fb_byte, t->sp ? nv * 2 : 0);
	sec(&w, S_GLUE, t->sp_glue, t->sp ? (nv + 63) / 64 * 8 : 0);
	sec(&w, S_DOFF, t->doff, t->sp ? nv * 4 : 0);
	sec(&w, S_DLEN, t->dlen, t->sp ? nv * 4 : 0);
	sec(&w, S_DBLOB, t->dblob, h->dblob_len);
	sec(&w, S_BORDER, t->border, h->nborder * 4);
	sec(&w, S_ADD, ad, t->nadd * sizeof *ad);
	sec(&w, S_NOPS, no, t->nnops * sizeof *no);
	sec(&w, S_PRE, t->pre_ids, t->npre * 4);
	sec(&w, S_POST, t->post_ids, t->npost * 4);
	sec(&w, S_STR, str.p, str.len);
	h->file_size = w.b.len;
	memcpy(w.b.p, h, sizeof *h);
	h->checksum = file_checksum((const uint8_t *)w.b.p, w.b.len);
	memcpy(w.b.p, h, sizeof *h);
	char sh[65];
	hex(h->sha, 32, sh);
	char *name = data_name(c, sh);
	if (!write_atomic(name, w.b.p, w.b.len))
		lc_tokcache_store_ref(c, sha);
	free(name);
	free(ad);
	free(no);
	lc_buf_free(&str);
	lc_buf_free(&w.b);
}

/* ---- reading ------------------------------------------------------------------- */

static int is_mask(uint64_t m) { return m && m < (1ull << 40) && !((m + 1) & m); }

/* Every check that keeps the engine in bounds and its probe loops finite. */
static int valid(const uint8_t *m, size_t fsz, const tc_head *h)
{
	uint64_t nv = h->n_vocab;
	if (nv == 0 || nv > 16777216 || !is_mask(h->hmask) || !is_mask(h->m3) || !is_mask(h->m4) ||
	    !is_mask(h->pmask) || h->bmask < 63 || !is_mask(h->bmask) || h->max_tok_len > 65535 ||
	    h->nrank > h->pmask + 1 || h->nst > 6 || h->blob_len > UINT32_MAX || h->dblob_len > UINT32_MAX ||
	    h->str_len > UINT32_MAX || h->nadd > nv || h->nborder > h->nadd || h->nnops > 64 ||
	    h->npre > 64 || h->npost > 64 || h->mode != MODE_HF || h->sp > 1 || h->nfc > 1 ||
	    h->strip_ch > 255 || h->strip_start > 64 || h->strip_stop > 64 ||
	    (h->eot < -1 || h->eot >= (int64_t)nv))
		return 0;
	uint64_t want[NSEC] = {
		[S_OFF] = nv * 4, [S_LEN] = nv * 4, [S_BLOB] = h->blob_len, [S_HS] = (h->hmask + 1) * sizeof(vslot),
		[S_TWO] = 65536 * 4, [S_T3] = (h->m3 + 1) * 8, [S_T4] = (h->m4 + 1) * 8,
		[S_BLOOM] = (h->bmask + 1) / 64 * 8, [S_PKEY] = (h->pmask + 1) * 8, [S_PVAL] = (h->pmask + 1) * 8,
		[S_FBBYTE] = h->sp ? nv * 2 : 0, [S_GLUE] = h->sp ? (nv + 63) / 64 * 8 : 0,
		[S_DOFF] = h->sp ? nv * 4 : 0, [S_DLEN] = h->sp ? nv * 4 : 0, [S_DBLOB] = h->dblob_len,
		[S_BORDER] = h->nborder * 4, [S_ADD] = h->nadd * sizeof(tc_add), [S_NOPS] = h->nnops * sizeof(tc_nop),
		[S_PRE] = h->npre * 4, [S_POST] = h->npost * 4, [S_STR] = h->str_len,
	};
	for (int s = 0; s < NSEC; s++)
		if (h->sec_len[s] != want[s] || h->sec_off[s] % 64 || h->sec_off[s] < sizeof *h ||
		    h->sec_off[s] > fsz || h->sec_len[s] > fsz - h->sec_off[s])
			return 0;
#define SEC(s, T) ((const T *)(m + h->sec_off[s]))
	const uint32_t *off = SEC(S_OFF, uint32_t), *len = SEC(S_LEN, uint32_t);
	for (uint64_t i = 0; i < nv; i++)
		if (len[i] != NONE32 && (uint64_t)off[i] + len[i] > h->blob_len)
			return 0;
	const vslot *hs = SEC(S_HS, vslot);
	int empty = 0;
	for (uint64_t i = 0; i <= h->hmask; i++) {
		if (hs[i].id == NONE32) {
			empty = 1;
			continue;
		}
		if (hs[i].id >= nv || len[hs[i].id] != hs[i].len || hs[i].len > h->max_tok_len)
			return 0;
	}
	if (!empty)
		return 0;
	const uint32_t *two = SEC(S_TWO, uint32_t);
	for (size_t i = 0; i < 65536; i++)
		if (two[i] != NONE32 && two[i] >= nv)
			return 0;
	for (int s = S_T3; s <= S_T4; s++) {
		const uint64_t *tab = SEC(s, uint64_t);
		uint64_t n = (s == S_T3 ? h->m3 : h->m4) + 1;
		empty = 0;
		for (uint64_t i = 0; i < n; i++) {
			if (tab[i] == UINT64_MAX)
				empty = 1;
			else if ((uint32_t)tab[i] >= nv)
				return 0;
		}
		if (!empty)
			return 0;
	}
	const uint64_t *pk = SEC(S_PKEY, uint64_t), *pv = SEC(S_PVAL, uint64_t);
	empty = 0;
	for (uint64_t i = 0; i <= h->pmask; i++) {
		if (pk[i] == UINT64_MAX)
			empty = 1;
		else if ((uint32_t)pv[i] >= nv || (pv[i] >> 32) >= h->nrank)
			return 0;
	}
	if (!empty)
		return 0;
	for (int i = 0; i < 256; i++)
		if ((h->byte_id[i] != NONE32 && h->byte_id[i] >= nv) || (h->fb_id[i] != NONE32 && h->fb_id[i] >= nv))
			return 0;
	if (h->sp) {
		const int16_t *fb = SEC(S_FBBYTE, int16_t);
		const uint32_t *doff = SEC(S_DOFF, uint32_t), *dlen = SEC(S_DLEN, uint32_t);
		for (uint64_t i = 0; i < nv; i++)
			if (fb[i] < -1 || fb[i] > 255 || (uint64_t)doff[i] + dlen[i] > h->dblob_len)
				return 0;
		if ((h->unk != NONE32 && h->unk >= nv) || (h->sp_space != NONE32 && h->sp_space >= nv))
			return 0;
	}
	for (int i = 0; i < 256; i++)
		if (h->bstart[i] > h->bstart[i + 1])
			return 0;
	if (h->bstart[0] != 0 || h->bstart[256] != h->nborder)
		return 0;
	const uint32_t *bo = SEC(S_BORDER, uint32_t);
	const tc_add *ad = SEC(S_ADD, tc_add);
	for (uint64_t i = 0; i < h->nborder; i++)
		if (bo[i] >= h->nadd || ad[bo[i]].slen == 0)
			return 0;
	for (uint64_t i = 0; i < h->nadd; i++)
		if ((uint64_t)ad[i].soff + ad[i].slen > h->str_len || ad[i].id >= nv)
			return 0;
	const tc_nop *no = SEC(S_NOPS, tc_nop);
	for (uint64_t i = 0; i < h->nnops; i++)
		if ((no[i].foff != NONE32 && (uint64_t)no[i].foff + no[i].flen > h->str_len) ||
		    (uint64_t)no[i].toff + no[i].tlen > h->str_len)
			return 0;
	const char *str = SEC(S_STR, char);
	for (int k = 0; k < 2; k++) {
		uint32_t o = k ? h->dec_to : h->dec_from;
		if (o != NONE32 && (o >= h->str_len || !memchr(str + o, 0, h->str_len - o)))
			return 0;
	}
	if ((h->dec_from == NONE32) != (h->dec_to == NONE32))
		return 0;
	for (uint32_t i = 0; i < h->nst; i++)
		if (h->st_kind[i] >= PT_PCRE || h->st_km[i] > 1 || h->st_kg[i] > 1 || h->st_ps[i] > 1)
			return 0;
#undef SEC
	return 1;
}

/* The content hash the ref file names, or -1. */
static int read_ref(const char *ref, char sh[65])
{
	FILE *f = fopen(ref, "r");
	if (!f)
		return -1;
	char line[128];
	char want[32];
	snprintf(want, sizeof want, "LCTKREF%d ", TC_VERSION);
	int ok = fgets(line, sizeof line, f) && !strncmp(line, want, strlen(want)) &&
		 strlen(line) == strlen(want) + 65 && line[strlen(want) + 64] == '\n';
	fclose(f);
	if (!ok)
		return -1;
	memcpy(sh, line + strlen(want), 64);
	sh[64] = 0;
	for (int i = 0; i < 64; i++)
		if (!((sh[i] >= '0' && sh[i] <= '9') || (sh[i] >= 'a' && sh[i] <= 'f')))
			return -1;
	return 0;
}

int lc_tokcache_load(const lc_tokcache *c, const uint8_t *sha, lc_tok *t)
{
	char sh[65];
	if (!c->dir)
		return -1;
	if (sha)
		hex(sha, 32, sh);
	else if (read_ref(c->ref, sh))
		return -1;
	char *name = data_name(c, sh);
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	free(name);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < sizeof(tc_head) ||
	    (uint64_t)st.st_size > ((uint64_t)1 << 40)) {
		close(fd);
		return -1;
	}
	size_t fsz = (size_t)st.st_size;
	uint8_t *m = mmap(NULL, fsz, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	tc_head h;
	memcpy(&h, m, sizeof h);
	uint8_t want[32];
	for (int i = 0; i < 32; i++)
		sscanf(sh + 2 * i, "%2hhx", &want[i]);
	if (memcmp(h.magic, TC_MAGIC, 8) || h.version != TC_VERSION || h.endian != 0x01020304 ||
	    memcmp(h.sha, want, 32) || h.src_size != c->src_size || h.file_size != fsz ||
	    file_checksum(m, fsz) != h.checksum || !valid(m, fsz, &h)) {
		munmap(m, fsz);
		return -1;
	}
#define SEC(s) ((void *)(m + h.sec_off[s]))
	t->map = m;
	t->maplen = fsz;
	t->n_vocab = h.n_vocab;
	t->off = SEC(S_OFF);
	t->len = SEC(S_LEN);
	t->blob = SEC(S_BLOB);
	t->blob_len = t->blob_cap = h.blob_len;
	t->hs = SEC(S_HS);
	t->two = SEC(S_TWO);
	t->t3 = SEC(S_T3);
	t->t4 = SEC(S_T4);
	t->m3 = h.m3;
	t->m4 = h.m4;
	t->bloom = SEC(S_BLOOM);
	t->bmask = h.bmask;
	t->hmask = h.hmask;
	t->max_tok_len = h.max_tok_len;
	memcpy(t->byte_id, h.byte_id, sizeof t->byte_id);
	t->pkey = SEC(S_PKEY);
	t->pval = SEC(S_PVAL);
	t->pmask = h.pmask;
	t->whole_lookup = (int)h.whole_lookup;
	t->nrank = h.nrank;
	const char *str = SEC(S_STR);
	const tc_add *ad = SEC(S_ADD);
	t->add = lc_xcalloc(h.nadd + 1, sizeof *t->add);
	for (size_t i = 0; i < h.nadd; i++)
		t->add[i] = (added){ lc_xstrndup(str + ad[i].soff, ad[i].slen), ad[i].slen, ad[i].id,
				     (int)ad[i].special, (int)ad[i].normalized };
	t->nadd = h.nadd;
	t->border = lc_xmalloc((h.nborder + 1) * sizeof *t->border);
	if (h.nborder)
		memcpy(t->border, SEC(S_BORDER), h.nborder * 4);
	memcpy(t->bstart, h.bstart, sizeof t->bstart);
	t->cats = h.cats;
	t->eot = (long)h.eot;
	t->nfc = (int)h.nfc;
	t->nst = (int)h.nst;
	for (int i = 0; i < t->nst; i++)
		t->st[i] = (stage){ (int)h.st_kind[i], (int)h.st_km[i], (int)h.st_kg[i], (int)h.st_ps[i], NULL };
	if (h.npre) {
		t->pre_ids = lc_xmalloc(h.npre * 4);
		memcpy(t->pre_ids, SEC(S_PRE), h.npre * 4);
	}
	t->npre = h.npre;
	if (h.npost) {
		t->post_ids = lc_xmalloc(h.npost * 4);
		memcpy(t->post_ids, SEC(S_POST), h.npost * 4);
	}
	t->npost = h.npost;
	const tc_nop *no = SEC(S_NOPS);
	t->nops = lc_xcalloc(h.nnops + 1, sizeof *t->nops);
	for (size_t i = 0; i < h.nnops; i++) {
		struct norm_op *op = &t->nops[i];
		op->from = no[i].foff == NONE32 ? NULL : lc_xstrndup(str + no[i].foff, no[i].flen);
		op->nfrom = no[i].foff == NONE32 ? 0 : no[i].flen;
		op->to = lc_xstrndup(str + no[i].toff, no[i].tlen);
		op->nto = no[i].tlen;
	}
	t->nnops = h.nnops;
	t->sp = (int)h.sp;
	memcpy(t->fb_id, h.fb_id, sizeof t->fb_id);
	t->unk = h.unk;
	t->fuse_unk = (int)h.fuse_unk;
	t->sp_space = h.sp_space;
	if (t->sp) {
		t->fb_byte = SEC(S_FBBYTE);
		t->sp_glue = SEC(S_GLUE);
		t->doff = SEC(S_DOFF);
		t->dlen = SEC(S_DLEN);
		t->dblob = SEC(S_DBLOB);
		t->dblob_len = t->dblob_cap = h.dblob_len;
	}
	if (h.dec_from != NONE32) {
		t->dec_from = lc_xstrdup(str + h.dec_from);
		t->dec_to = lc_xstrdup(str + h.dec_to);
	}
	t->strip_ch = (char)h.strip_ch;
	t->strip_start = h.strip_start;
	t->strip_stop = h.strip_stop;
#undef SEC
	return 0;
}

void lc_tokcache_unmap(lc_tok *t)
{
	if (!t->map)
		return;
	t->off = t->len = NULL;
	t->blob = NULL;
	t->hs = NULL;
	t->two = NULL;
	t->t3 = t->t4 = t->bloom = t->pkey = t->pval = t->sp_glue = NULL;
	t->fb_byte = NULL;
	t->doff = t->dlen = NULL;
	t->dblob = NULL;
	munmap(t->map, t->maplen);
	t->map = NULL;
	t->maplen = 0;
}

int lc_tok_cached(const lc_tok *t) { return t->map != NULL; }
