/*
 * llm — OpenAI-compatible chat client over libcurl's multi interface, with
 * retries, a persistent response cache and OpenAI Batch files (see llm.h).
 *
 * Scheduling: a job is created when a slot frees (make() is called then), looked
 * up in the cache, and otherwise started as a curl easy handle.  A retryable
 * failure parks the job in a wait list with a due time; the loop polls curl with
 * a timeout no later than the earliest due time.
 */
#include "llm.h"

#include "rng.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "input.h"
#include "json.h"
#include "sha256.h"

struct lc_llm {
	lc_llm_opts o;
	char *url;            /* for messages: no user:password, no query */
	char *req_url;        /* what is POSTed to (query kept; credentials go separately) */
	char *user, *password;   /* from the endpoint's user:password@, URL-decoded, or NULL */
	char *legacy_url;     /* the URL cache keys held before v2 (old entries stay readable) */
	size_t max_reply;
	char *cache;          /* directory, NULL = off */
	char *auth;           /* "Authorization: Bearer KEY" or NULL */
	lc_llm_stats stats;
	lc_rng rng;              /* retry jitter (timing only), seeded by --seed */
	char *same_error;     /* the last connection/auth failure, to count repeats */
	size_t same_count;    /* attempts in a row that failed exactly that way */
	char *abort_msg;      /* set when the run stopped early: see lc_llm_aborted() */
};

typedef struct job {
	size_t i;
	json_t *body;
	char *payload;
	char hash[65];
	int attempts;
	double due;
	double retry_after;   /* seconds, < 0 = none */
	lc_buf resp;
	size_t max_reply;
	int too_big;          /* the reply passed max_reply: transfer aborted */
	char *last_error;
	CURL *h;
	struct curl_slist *hdrs;
} job;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Uniform in [0, 1), from the client's seeded lc_rng (53 bits). */
static double rnd01(lc_llm *c)
{
	return (double)(lc_rng_next(&c->rng) >> 11) / 9007199254740992.0;
}

void lc_llm_opts_default(lc_llm_opts *o)
{
	memset(o, 0, sizeof *o);
	o->parallel = 4;
	o->connect_timeout = 10;
	o->timeout = 600;
	o->retries = 5;
	o->backoff = 1;
	o->backoff_max = 60;
	o->temperature = 0;
	o->max_tokens = 0;
	o->seed = 0;
	o->max_reply = 0;
}

static int mkdirs(const char *path)
{
	char *p = lc_xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return r;
}

/* The URL the cache keys of lctk before v2 were made from: the endpoint string
 * with /v1 and /chat/completions appended as text (a query mangled into it). */
static char *legacy_url(const char *endpoint)
{
	size_t n = strlen(endpoint);
	while (n > 0 && endpoint[n - 1] == '/')
		n--;
	static const char tail[] = "/chat/completions";
	lc_buf u = {0};
	lc_buf_add(&u, endpoint, n);
	const char *host = strstr(u.p, "://");
	if (host && !strchr(host + 3, '/'))
		lc_buf_adds(&u, "/v1");
	if (u.len < sizeof tail - 1 || strcmp(u.p + u.len - (sizeof tail - 1), tail))
		lc_buf_adds(&u, tail);
	return lc_buf_detach(&u);
}

static char *url_part(CURLU *u, CURLUPart what, unsigned flags)
{
	char *p = NULL;
	if (curl_url_get(u, what, &p, flags) != CURLUE_OK || !p)
		return NULL;
	char *r = lc_xstrdup(p);
	curl_free(p);
	return r;
}

/* Parses the endpoint with libcurl's URL API: the request URL gets
 * /chat/completions (or /v1/chat/completions after a bare host) appended to its
 * path, before any query; user:password go to CURLOPT_USERNAME/PASSWORD; the
 * URL shown in messages has neither credentials nor query. */
static int parse_endpoint(lc_llm *c, const char *endpoint, int *openai, lc_err *e)
{
	CURLU *u = curl_url();
	CURLUcode rc = curl_url_set(u, CURLUPART_URL, endpoint, 0);
	if (rc != CURLUE_OK) {
		/* the text is not echoed: it may hold a key */
		curl_url_cleanup(u);
		return lc_err_set(e, LC_EXIT_USAGE, "--endpoint: not a usable URL (%s)", curl_url_strerror(rc));
	}
	char *scheme = url_part(u, CURLUPART_SCHEME, 0), *host = url_part(u, CURLUPART_HOST, 0);
	char *path = url_part(u, CURLUPART_PATH, 0), *query = url_part(u, CURLUPART_QUERY, 0);
	c->user = url_part(u, CURLUPART_USER, CURLU_URLDECODE);
	c->password = url_part(u, CURLUPART_PASSWORD, CURLU_URLDECODE);
	*openai = scheme && host && !strcasecmp(scheme, "https") && !strcasecmp(host, "api.openai.com");
	lc_buf p = {0};
	size_t n = path ? strlen(path) : 0;
	while (n > 0 && path[n - 1] == '/')
		n--;
	static const char tail[] = "/chat/completions";
	lc_buf_add(&p, path ? path : "", n);
	if (!n)
		lc_buf_adds(&p, "/v1");
	if (p.len < sizeof tail - 1 || strcmp(p.p + p.len - (sizeof tail - 1), tail))
		lc_buf_adds(&p, tail);
	curl_url_set(u, CURLUPART_PATH, p.p, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	curl_url_set(u, CURLUPART_OPTIONS, NULL, 0);
	c->req_url = url_part(u, CURLUPART_URL, 0);
	curl_url_set(u, CURLUPART_QUERY, NULL, 0);
	char *shown = url_part(u, CURLUPART_URL, 0);
	lc_buf d = {0};
	lc_buf_adds(&d, shown ? shown : "(endpoint)");
	if (query && *query)
		lc_buf_adds(&d, "?...");
	c->url = lc_buf_detach(&d);
	free(shown);
	free(scheme);
	free(host);
	free(path);
	free(query);
	lc_buf_free(&p);
	curl_url_cleanup(u);
	if (!c->req_url)
		return lc_err_set(e, LC_EXIT_USAGE, "--endpoint: not a usable URL");
	return 0;
}

lc_llm *lc_llm_new(const lc_llm_opts *o, lc_err *e)
{
	if (!o->endpoint || !*o->endpoint) {
		lc_err_set(e, LC_EXIT_USAGE, "no endpoint: give --endpoint URL (e.g. http://127.0.0.1:8080/v1)");
		return NULL;
	}
	if (strncasecmp(o->endpoint, "http://", 7) && strncasecmp(o->endpoint, "https://", 8)) {
		lc_err_set(e, LC_EXIT_USAGE, "--endpoint: expected an http:// or https:// URL");
		return NULL;
	}
	if (!o->model || !*o->model) {
		lc_err_set(e, LC_EXIT_USAGE, "no model: give --model NAME");
		return NULL;
	}
	static int curl_ready;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
			lc_err_set(e, LC_EXIT_INPUT, "libcurl could not be initialised");
			return NULL;
		}
		curl_ready = 1;
	}
	lc_llm *c = lc_xcalloc(1, sizeof *c);
	c->o = *o;
	if (c->o.parallel < 1)
		c->o.parallel = 1;
	lc_rng_seed(&c->rng, (uint64_t)o->seed);
	int openai = 0;
	if (parse_endpoint(c, o->endpoint, &openai, e) < 0) {
		lc_llm_free(c);
		return NULL;
	}
	c->legacy_url = legacy_url(o->endpoint);

	c->max_reply = o->max_reply;
	const char *mr = getenv("LCTK_LLM_MAX_REPLY");
	if (!c->max_reply && mr && *mr) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(mr, &end, 10);
		if (*end || errno || v < 1024 || mr[0] == '-') {
			lc_err_set(e, LC_EXIT_USAGE, "LCTK_LLM_MAX_REPLY: expected a number of bytes >= 1024, got '%s'", mr);
			lc_llm_free(c);
			return NULL;
		}
		c->max_reply = (size_t)v;
	}
	if (!c->max_reply)
		c->max_reply = LC_LLM_MAX_REPLY_DEFAULT;

	/* LCTK_API_KEY goes wherever the user points it; OPENAI_API_KEY, set for
	 * OpenAI, only to OpenAI over https */
	const char *key = getenv("LCTK_API_KEY");
	if ((!key || !*key) && (key = getenv("OPENAI_API_KEY")) && *key && !openai) {
		lc_warn("warning: OPENAI_API_KEY is sent only to https://api.openai.com, not to %s: "
		        "set LCTK_API_KEY to send a key to this endpoint", c->url);
		key = NULL;
	}
	if (key && *key) {
		if (strpbrk(key, "\r\n")) {
			lc_err_set(e, LC_EXIT_USAGE, "the API key in the environment contains a line break");
			lc_llm_free(c);
			return NULL;
		}
		lc_buf a = {0};
		lc_buf_printf(&a, "Authorization: Bearer %s", key);
		c->auth = lc_buf_detach(&a);
	}

	if (!o->no_cache) {
		lc_buf d = {0};
		const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
		if (o->cache_dir && *o->cache_dir)
			lc_buf_adds(&d, o->cache_dir);
		else if (xdg && *xdg)
			lc_buf_printf(&d, "%s/lctk/llm", xdg);
		else if (home && *home)
			lc_buf_printf(&d, "%s/.cache/lctk/llm", home);
		else {
			lc_err_set(e, LC_EXIT_USAGE, "no cache directory: set HOME or XDG_CACHE_HOME, give --cache DIR or --no-cache");
			lc_llm_free(c);
			return NULL;
		}
		if (mkdirs(d.p) < 0) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create the cache directory: %s (give --cache DIR or --no-cache)",
			           d.p, strerror(errno));
			lc_buf_free(&d);
			lc_llm_free(c);
			return NULL;
		}
		c->cache = lc_buf_detach(&d);
	}
	return c;
}

const char *lc_llm_aborted(const lc_llm *c)
{
	return c->abort_msg;
}

/* A password or header holding a key: wiped before it is freed. */
static void free_secret(char *p)
{
	if (p) {
		explicit_bzero(p, strlen(p));
		free(p);
	}
}

void lc_llm_free(lc_llm *c)
{
	if (!c)
		return;
	free(c->url);
	free(c->req_url);
	free(c->legacy_url);
	free(c->user);
	free_secret(c->password);
	free(c->cache);
	free(c->same_error);
	free(c->abort_msg);
	free_secret(c->auth);
	free(c);
}

const char *lc_llm_url(const lc_llm *c) { return c->url; }
const lc_llm_stats *lc_llm_stats_get(const lc_llm *c) { return &c->stats; }

json_t *lc_llm_user_messages(const char *text)
{
	return json_pack("[{s:s, s:s}]", "role", "user", "content", text);
}

json_t *lc_llm_body(const lc_llm *c, json_t *messages)
{
	json_t *b = json_object();
	json_object_set_new(b, "model", json_string(c->o.model));
	json_object_set(b, "messages", messages);
	if (c->o.temperature >= 0)
		json_object_set_new(b, "temperature", json_real(c->o.temperature));
	if (c->o.max_tokens > 0)
		json_object_set_new(b, "max_tokens", json_integer(c->o.max_tokens));
	return b;
}

/* --- cache --------------------------------------------------------------------- */

/* The cache key of a body: SHA-256 of a tag and the canonical body (model,
 * messages, parameters) — not the URL, so localhost and 127.0.0.1, or another
 * port of the same server, share answers.  legacy_url != NULL gives the key lctk
 * used before (v1: the URL too), to read entries written then. */
static void body_hash(json_t *body, const char *legacy_url, char hex[65])
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	lc_sha256 h;
	unsigned char d[32];
	static const char v1[] = "lctk-llm-cache-v1\n", v2[] = "lctk-llm-cache-v2\n";
	lc_sha256_init(&h);
	if (legacy_url) {
		lc_sha256_update(&h, v1, sizeof v1 - 1);
		lc_sha256_update(&h, legacy_url, strlen(legacy_url) + 1);   /* NUL separates the URL */
	} else
		lc_sha256_update(&h, v2, sizeof v2 - 1);
	lc_sha256_update(&h, s, strlen(s));
	lc_sha256_final(&h, d);
	free(s);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void request_hash(const lc_llm *c, json_t *body, char hex[65])
{
	(void)c;
	body_hash(body, NULL, hex);
}

static char *cache_file(const lc_llm *c, const char *hex)
{
	lc_buf p = {0};
	lc_buf_printf(&p, "%s/%.2s/%s.json", c->cache, hex, hex);
	return lc_buf_detach(&p);
}

static int cache_read_file(lc_llm *c, const char *hex, char **content)
{
	char *path = cache_file(c, hex);
	json_error_t je;
	json_t *v = json_load_file(path, 0, &je);
	int hit = 0;
	if (v) {
		const char *why, *t = lc_llm_content(json_object_get(v, "response"), &why);
		if (t) {
			*content = lc_xstrdup(t);
			hit = 1;
		}
		json_decref(v);
	}
	if (!hit && access(path, F_OK) == 0)
		lc_warn("%s: unreadable cache entry, asking again", path);
	free(path);
	return hit;
}

/* The entry under the v2 key, else one an older lctk wrote for the same endpoint. */
static int cache_read(lc_llm *c, const char *hex, json_t *body, char **content)
{
	if (!c->cache)
		return 0;
	if (cache_read_file(c, hex, content))
		return 1;
	char old[65];
	body_hash(body, c->legacy_url, old);
	return cache_read_file(c, old, content);
}

static void cache_write(lc_llm *c, const char *hex, json_t *response)
{
	if (!c->cache)
		return;
	lc_buf dir = {0};
	lc_buf_printf(&dir, "%s/%.2s", c->cache, hex);
	if (mkdir(dir.p, 0700) < 0 && errno != EEXIST) {
		lc_warn("%s: cannot create cache directory: %s", dir.p, strerror(errno));
		lc_buf_free(&dir);
		return;
	}
	lc_buf tmp = {0};
	lc_buf_printf(&tmp, "%s/.%s.XXXXXX", dir.p, hex);
	int fd = mkstemp(tmp.p);
	if (fd < 0) {
		lc_warn("%s: cannot write cache entry: %s", dir.p, strerror(errno));
		lc_buf_free(&dir);
		lc_buf_free(&tmp);
		return;
	}
	/* no URL: it may carry credentials, and the key does not depend on it */
	json_t *entry = json_pack("{s:i, s:s, s:O}", "lctk_cache", 2, "model", c->o.model, "response", response);
	char *s = json_dumps(entry, JSON_COMPACT);
	json_decref(entry);
	size_t n = strlen(s), off = 0;
	int bad = 0;
	while (off < n) {
		ssize_t w = write(fd, s + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			bad = 1;
			break;
		}
		off += (size_t)w;
	}
	if (!bad && write(fd, "\n", 1) != 1)
		bad = 1;
	if (close(fd) < 0)
		bad = 1;
	free(s);
	char *path = cache_file(c, hex);
	if (bad || rename(tmp.p, path) < 0) {
		lc_warn("%s: cannot write cache entry: %s", path, strerror(errno));
		unlink(tmp.p);
	}
	free(path);
	lc_buf_free(&dir);
	lc_buf_free(&tmp);
}

/* --- the transfer loop -------------------------------------------------------- */

/* Counts the decoded bytes (libcurl inflates gzip/deflate before this): past
 * max_reply the transfer is aborted, so a huge or a gzip-bomb reply costs at most
 * max_reply bytes of memory. */
static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	job *j = ud;
	size_t len = size * n;
	if (len > j->max_reply - j->resp.len) {
		j->too_big = 1;
		return 0;
	}
	lc_buf_add(&j->resp, p, len);
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	job *j = ud;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len > sizeof name - 1 && !strncasecmp(p, name, sizeof name - 1)) {
		char v[128];
		size_t vl = len - (sizeof name - 1);
		if (vl >= sizeof v)
			vl = sizeof v - 1;
		memcpy(v, p + sizeof name - 1, vl);
		v[vl] = 0;
		char *s = v;
		while (*s == ' ' || *s == '\t')
			s++;
		for (char *t = s + strlen(s); t > s && (t[-1] == '\r' || t[-1] == '\n' || t[-1] == ' '); t--)
			t[-1] = 0;
		char *end;
		double secs = strtod(s, &end);
		if (end != s && !*end && secs >= 0 && isfinite(secs))
			j->retry_after = secs;
		else {
			time_t at = curl_getdate(s, NULL);
			if (at != (time_t)-1) {
				double d = difftime(at, time(NULL));
				j->retry_after = d > 0 ? d : 0;
			}
		}
	}
	return len;
}

static void job_free(job *j)
{
	if (!j)
		return;
	json_decref(j->body);
	free(j->payload);
	lc_buf_free(&j->resp);
	free(j->last_error);
	if (j->hdrs)
		curl_slist_free_all(j->hdrs);
	free(j);
}

static void job_start(lc_llm *c, CURLM *m, job *j)
{
	lc_buf_reset(&j->resp);
	j->max_reply = c->max_reply;
	j->too_big = 0;
	j->retry_after = -1;
	j->attempts++;
	c->stats.http++;
	if (j->attempts > 1)
		c->stats.retries++;
	if (!j->payload)
		j->payload = json_dumps(j->body, JSON_COMPACT);
	if (!j->hdrs) {
		j->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
		j->hdrs = curl_slist_append(j->hdrs, "Expect:");
		if (c->auth)
			j->hdrs = curl_slist_append(j->hdrs, c->auth);
	}
	CURL *h = curl_easy_init();
	j->h = h;
	curl_easy_setopt(h, CURLOPT_URL, c->req_url);
	if (c->user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
	}
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, j->payload);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(j->payload));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, j->hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "lctk/" LCTK_VERSION);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->o.connect_timeout * 1000));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(c->o.timeout * 1000));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_reply);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, j);
	curl_easy_setopt(h, CURLOPT_PRIVATE, j);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_multi_add_handle(m, h);
}

static int retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_BAD_CONTENT_ENCODING:
		return 1;
	default:
		return 0;
	}
}

static void set_error(job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(job *j, const char *fmt, ...)
{
	lc_buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	lc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(j->last_error);
	j->last_error = lc_buf_detach(&b);
}

/* The server's error text, shortened for one line. */
static void server_message(const lc_buf *resp, char *out, size_t outn)
{
	const char *why = NULL;
	json_t *v = resp->len ? json_loadb(resp->p, resp->len, 0, NULL) : NULL;
	if (v) {
		lc_llm_content(v, &why);
	}
	const unsigned char *src = (const unsigned char *)(why ? why : resp->len ? resp->p : "(empty body)");
	/* a hostile server's text must not drive the terminal: control characters
	 * (C0, DEL, C1 as UTF-8) are shown as \xNN */
	size_t k = 0;
	for (size_t i = 0; src[i] && i < 200 && k + 9 < outn; i++) {
		unsigned char ch = src[i];
		if (ch == '\n' || ch == '\r' || ch == '\t')
			out[k++] = ' ';
		else if (ch < 0x20 || ch == 0x7f || ch >= 0xf8 || (ch == 0xc2 && src[i + 1] >= 0x80 && src[i + 1] <= 0x9f)) {
			k += (size_t)snprintf(out + k, outn - k, "\\x%02x", ch);
			if (ch == 0xc2)
				k += (size_t)snprintf(out + k, outn - k, "\\x%02x", src[++i]);
		} else
			out[k++] = (char)ch;
	}
	out[k] = 0;
	json_decref(v);
}

typedef struct waitlist {
	job **v;
	size_t n, cap;
} waitlist;

static void wait_push(waitlist *w, job *j)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->v = lc_xrealloc(w->v, w->cap * sizeof *w->v);
	}
	w->v[w->n++] = j;
}

/* Earliest-due job index, or -1. */
static long wait_first(const waitlist *w)
{
	long best = -1;
	for (size_t k = 0; k < w->n; k++)
		if (best < 0 || w->v[k]->due < w->v[best]->due)
			best = (long)k;
	return best;
}

static void finish(lc_llm *c, job *j, int ok, const char *content, int cached, lc_llm_done_fn done, void *ud)
{
	lc_llm_result r = { ok, ok ? content : NULL, ok ? NULL : j->last_error, cached, j->attempts };
	c->stats.requests++;
	if (cached)
		c->stats.cached++;
	if (!ok)
		c->stats.failed++;
	done(ud, j->i, &r);
}

/* A connection or auth failure the same for every request (wrong port, host or
 * key): counts it; returns 1 when LC_LLM_SAME_FAILURES attempts in a row failed
 * exactly this way (c->abort_msg then says so). */
static int same_failure(lc_llm *c, CURLcode rc, long status, const char *error)
{
	int kind = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
	           (rc == CURLE_OK && (status == 401 || status == 403));
	if (!kind) {
		c->same_count = 0;
		return 0;
	}
	if (c->same_count && c->same_error && !strcmp(c->same_error, error))
		c->same_count++;
	else {
		free(c->same_error);
		c->same_error = lc_xstrdup(error);
		c->same_count = 1;
	}
	if (c->same_count < LC_LLM_SAME_FAILURES)
		return 0;
	lc_buf b = {0};
	lc_buf_printf(&b, "%zu requests in a row failed the same way: %s; nothing more sent", c->same_count, error);
	free(c->abort_msg);
	c->abort_msg = lc_buf_detach(&b);
	return 1;
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

size_t lc_llm_run(lc_llm *c, size_t n, lc_llm_make_fn make, lc_llm_done_fn done, void *ud)
{
	CURLM *m = curl_multi_init();
	waitlist w = {0};
	job **act = lc_xcalloc((size_t)c->o.parallel + 1, sizeof *act);   /* the jobs in curl */
	struct sigaction sa, old_sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, NULL, &old_sa);
	int catch_int = old_sa.sa_handler != SIG_IGN;   /* an ignored SIGINT stays ignored */
	if (catch_int)
		sigaction(SIGINT, &sa, NULL);
	size_t next = 0, failed = 0;
	int active = 0;
	for (;;) {
		/* fill free slots: due retries first, then new requests */
		while (active < c->o.parallel) {
			long k = wait_first(&w);
			if (k >= 0 && w.v[k]->due <= now_s()) {
				job *j = w.v[k];
				w.v[k] = w.v[--w.n];
				job_start(c, m, j);
				act[active++] = j;
				continue;
			}
			if (next >= n)
				break;
			size_t i = next++;
			json_t *msgs = make(ud, i);
			if (!msgs)
				continue;
			job *j = lc_xcalloc(1, sizeof *j);
			j->i = i;
			j->body = lc_llm_body(c, msgs);
			json_decref(msgs);
			request_hash(c, j->body, j->hash);
			char *content;
			if (cache_read(c, j->hash, j->body, &content)) {
				finish(c, j, 1, content, 1, done, ud);
				free(content);
				job_free(j);
				continue;
			}
			job_start(c, m, j);
			act[active++] = j;
		}
		if (active == 0 && w.n == 0 && next >= n)
			break;

		int running;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			CURL *h = msg->easy_handle;
			CURLcode rc = msg->data.result;
			job *j;
			curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&j);
			long status = 0;
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
			curl_multi_remove_handle(m, h);
			curl_easy_cleanup(h);
			j->h = NULL;
			for (int a = 0; a < active; a++)
				if (act[a] == j) {
					act[a] = act[--active];
					break;
				}

			int retry = 0;
			if (j->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
				set_error(j, "%s: the reply is larger than %zu bytes (counted after decoding): "
				          "not retried; if it is genuine, raise the limit with LCTK_LLM_MAX_REPLY=BYTES in the environment",
				          c->url, c->max_reply);
				retry = 0;
			} else if (rc != CURLE_OK) {
				set_error(j, "%s: %s", c->url, curl_easy_strerror(rc));
				retry = retryable_curl(rc);
			} else if (status == 200) {
				json_t *v = json_loadb(j->resp.p ? j->resp.p : "", j->resp.len, 0, NULL);
				const char *why = "malformed JSON in the reply";
				const char *t = v ? lc_llm_content(v, &why) : NULL;
				if (t) {
					c->same_count = 0;
					cache_write(c, j->hash, v);
					finish(c, j, 1, t, 0, done, ud);
					json_decref(v);
					job_free(j);
					continue;
				}
				json_decref(v);
				set_error(j, "HTTP 200 but %s", why);
				retry = 1;
			} else {
				char sm[256];
				server_message(&j->resp, sm, sizeof sm);
				set_error(j, "HTTP %ld: %s", status, sm);
				retry = status == 429 || status == 408 || status >= 500;
			}
			if (same_failure(c, rc, status, j->last_error)) {
				job_free(j);
				goto stop;
			}
			if (retry && j->attempts <= c->o.retries) {
				double d;
				if (j->retry_after >= 0)
					d = j->retry_after + rnd01(c) * 0.1 * c->o.backoff;
				else {
					d = c->o.backoff * pow(2, j->attempts - 1);
					if (d > c->o.backoff_max)
						d = c->o.backoff_max;
					d = d * (0.5 + 0.5 * rnd01(c));
				}
				if (d > c->o.backoff_max)
					d = c->o.backoff_max;
				j->due = now_s() + d;
				if (c->o.verbose)
					lc_warn("request %zu: %s; retry %d/%d in %.1fs", j->i + 1, j->last_error, j->attempts,
					        c->o.retries, d);
				wait_push(&w, j);
				continue;
			}
			if (j->attempts > 1) {
				char *e = j->last_error;
				j->last_error = NULL;
				set_error(j, "%s (after %d attempts)", e, j->attempts);
				free(e);
			}
			finish(c, j, 0, NULL, 0, done, ud);
			failed++;
			job_free(j);
		}
		if (active == 0 && w.n == 0 && next >= n)
			break;
		/* sleep in curl until traffic or the next due retry */
		long k = wait_first(&w);
		int tmo = 1000;
		if (k >= 0) {
			double d = w.v[k]->due - now_s();
			if (d < 0)
				d = 0;
			if (d * 1000 < tmo)
				tmo = (int)(d * 1000) + 1;
			if (active >= c->o.parallel)
				tmo = 1000;   /* a retry cannot start anyway */
		}
		if (interrupted)
			goto stop;
		if (active > 0 || k >= 0)
			curl_multi_poll(m, NULL, 0, tmo, NULL);
		if (interrupted)
			goto stop;
	}
stop:
	/* stopped early (or done: then both lists are empty): what is in flight or
	 * waiting is dropped unanswered */
	for (int a = 0; a < active; a++) {
		curl_multi_remove_handle(m, act[a]->h);
		curl_easy_cleanup(act[a]->h);
		act[a]->h = NULL;
		job_free(act[a]);
	}
	for (size_t k = 0; k < w.n; k++)
		job_free(w.v[k]);
	free(act);
	free(w.v);
	curl_multi_cleanup(m);
	if (catch_int)
		sigaction(SIGINT, &old_sa, NULL);
	if (interrupted) {
		size_t answered = c->stats.requests - c->stats.failed;
		if (c->cache)
			lc_warn("interrupted: %zu of %zu answers are cached in %s; re-run the same command to resume "
			        "from the cache (nothing answered is asked again)",
			        answered, n, c->cache);
		else
			lc_warn("interrupted: %zu of %zu answered; the cache is off (--no-cache), so a re-run asks again",
			        answered, n);
		raise(SIGINT);   /* the default action now: -o outputs are removed, exit status 130 */
	}
	if (c->o.verbose)
		lc_warn("%zu requests: %zu from cache, %zu HTTP attempts (%zu retries), %zu failed", c->stats.requests,
		        c->stats.cached, c->stats.http, c->stats.retries, c->stats.failed);
	return failed;
}

/* --- OpenAI Batch -------------------------------------------------------------- */

void lc_llm_batch_request(lc_buf *b, const char *custom_id, json_t *body)
{
	json_t *line = json_pack("{s:s, s:s, s:s, s:O}", "custom_id", custom_id, "method", "POST", "url",
	                         "/v1/chat/completions", "body", body);
	lc_json_dump(b, line);
	lc_buf_addc(b, '\n');
	json_decref(line);
}

int lc_llm_batch_read(const char *path, lc_llm_batch_fn fn, void *ud, lc_err *e)
{
	lc_input *in = lc_input_open(path, NULL, e);
	if (!in)
		return -1;
	char *line;
	size_t len;
	int r;
	lc_buf idb = {0}, msg = {0};
	while ((r = lc_input_getline(in, &line, &len, e)) == 1) {
		const char *where = lc_input_where(in);
		size_t k = 0;
		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (k == len)
			continue;   /* blank lines: tolerated in Batch output */
		json_t *v = lc_json_parse_object(line, len, where, e);
		if (!v) {
			r = -1;
			break;
		}
		const char *id = lc_json_id(json_object_get(v, "custom_id"), &idb, "custom_id", where, e);
		if (!id) {
			json_decref(v);
			r = -1;
			break;
		}
		lc_llm_result res = { 0, NULL, NULL, 0, 1 };
		json_t *err = json_object_get(v, "error");
		json_t *resp = json_object_get(v, "response");
		lc_buf_reset(&msg);
		if (err && !json_is_null(err)) {
			const char *m = json_string_value(json_object_get(err, "message"));
			const char *code = json_string_value(json_object_get(err, "code"));
			lc_buf_printf(&msg, "batch error%s%s: %s", code ? " " : "", code ? code : "", m ? m : "(no message)");
		} else if (!json_is_object(resp)) {
			lc_buf_adds(&msg, "batch result has neither response nor error");
		} else {
			json_t *st = json_object_get(resp, "status_code");
			const char *why;
			const char *t = lc_llm_content(json_object_get(resp, "body"), &why);
			if (json_is_integer(st) && json_integer_value(st) != 200)
				lc_buf_printf(&msg, "batch status %lld: %s", (long long)json_integer_value(st),
				              t ? "request failed" : why);
			else if (!t)
				lc_buf_printf(&msg, "batch result: %s", why);
			else {
				res.ok = 1;
				res.content = t;
			}
		}
		if (!res.ok)
			res.error = msg.p;
		fn(ud, id, &res, where);
		json_decref(v);
	}
	lc_buf_free(&idb);
	lc_buf_free(&msg);
	lc_input_close(in);
	return r < 0 ? -1 : 0;
}
