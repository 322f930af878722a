#!/usr/bin/python3
"""Helper for tests/bench/lcindex.sh: Xapian BM25 reference, a tiny evaluator
(recall@1, nDCG@10 as trec_eval/LOFT define them for these qrels) and the
100k-passage corpus replicator.  Run with Debian's /usr/bin/python3 (python3-xapian).

  bm25_ref.py eval QUERIES RUN_JSONL            -> "recall@1 ndcg@10"
  bm25_ref.py xapian-eval CORPUS QUERIES RUNOUT  -> writes a Xapian run (top 100)
  bm25_ref.py replicate N OUT CORPUS...          -> N passages, fresh pids
  bm25_ref.py mix N OUT CORPUS...                -> N synthetic passages, no exact repeats:
        each a title and 2-6 sentences from different source passages (seed 0)
  bm25_ref.py realtext N OUT [DIR...]           -> N passages of 40 words of real text: the
        man pages and /usr/share/doc files of this machine (no exact repeats, seed 0)
  bm25_ref.py xapian-build CORPUS DBDIR          -> prints "docs seconds"
  bm25_ref.py xapian-query DBDIR QUERIES...      -> prints "queries seconds"
"""
import hashlib, json, math, random, re, sys, time


def load_corpus(path):
    for line in open(path, encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            yield str(d["pid"]), d.get("title_text") or "", d.get("passage_text") or ""


def load_queries(path):
    for line in open(path, encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            yield str(d["qid"]), d["query_text"], {str(p): r for p, r in d.get("answers", [])}


def evaluate(qpath, runpath):
    run = {}
    for line in open(runpath, encoding="utf-8"):
        d = json.loads(line)
        run[d["qid"]] = [(h["pid"], h["score"]) for h in d["hits"]]
    r1 = nd = 0.0
    n = 0
    for qid, _, gold in load_queries(qpath):
        n += 1
        hits = run.get(qid, [])
        # trec_eval order: score descending, ties by docno descending
        hits = sorted(hits, key=lambda h: (-h[1], tuple(-ord(c) for c in h[0])))
        top = [p for p, _ in hits]
        r1 += len(set(top[:1]) & set(gold)) / min(1, len(gold)) if gold else 0
        dcg = sum(gold.get(p, 0) / math.log2(i + 2) for i, p in enumerate(top[:10]))
        ideal = sorted(gold.values(), reverse=True)[:10]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        nd += dcg / idcg if idcg > 0 else 0
    return r1 / n, nd / n


SENT = re.compile(r"(?<=[.!?])\s+(?=[\"'(A-Z0-9])")


def mix(n, out, corpora, seed=0):
    """Streams n passages to out: passage i has the title of a random source
    passage and 2-6 sentences, each drawn from a different random source
    passage, so lengths and term statistics stay those of natural text while
    no passage repeats another (a repeat is redrawn; checked by a 64-bit hash
    of title and text).  Deterministic for a seed."""
    rows = [(t, [x for x in SENT.split(p.strip()) if x]) for c in corpora for _, t, p in load_corpus(c)]
    rows = [(t, s) for t, s in rows if s]
    rng = random.Random(seed)
    seen = set()
    m = len(rows)
    with open(out, "w", encoding="utf-8") as f:
        i = 0
        while i < n:
            title = rows[rng.randrange(m)][0]
            srcs, want = set(), rng.randint(2, 6)
            while len(srcs) < want:
                srcs.add(rng.randrange(m))
            sents = []
            for j in sorted(srcs, key=lambda j: rng.random()):
                ss = rows[j][1]
                sents.append(ss[rng.randrange(len(ss))])
            text = " ".join(sents)
            h = hashlib.blake2b((title + "\0" + text).encode(), digest_size=8).digest()
            if h in seen:
                continue
            seen.add(h)
            f.write(json.dumps({"pid": "m%07d" % i, "title_text": title,
                                "passage_text": text, "metadata": {}}) + "\n")
            i += 1


ROFF_ESCAPE = re.compile(r"\\f[BIRPC]|\\f\(..|\\\(..|\\[&|^%]|\\s[-+]?\d")


def realtext(n, out, dirs, words=40, seed=0):
    """Writes n passages of real, human-written text with a vocabulary that grows
    as a real collection's does (unlike replicate and mix, whose words all come
    from the 4,003 LOFT passages): every regular file under dirs (default the
    man pages and /usr/share/doc), gzip read, roff requests and font escapes
    dropped, cut into runs of `words` words (a file's last run kept when it has
    >= 8), exact repeats dropped (licences, boilerplate), shuffled (seed) so each
    size is a uniform sample of the same text.  Titles are the file names.  The
    text depends on the packages installed: the results file records the number
    of passages available and a hash of the passages written."""
    import gzip, os
    files = []
    for root in dirs:
        for d, _, fs in os.walk(root):
            for name in fs:
                path = os.path.join(d, name)
                if not os.path.islink(path) and os.path.isfile(path):
                    files.append(path)
    files.sort()
    seen, rows = set(), []
    for path in files:
        try:
            with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
                raw = f.read()
        except (OSError, EOFError):
            continue
        if b"\0" in raw[:4096]:
            continue
        text = raw.decode("utf-8", "replace")
        if "/man/" in path:
            text = "\n".join(l for l in text.split("\n") if not l.startswith((".", "'")))
            text = ROFF_ESCAPE.sub("", text).replace("\\-", "-").replace("\\e", "\\")
        ws = text.split()
        title = os.path.basename(path).split(".")[0]
        for i in range(0, len(ws), words):
            run = ws[i:i + words]
            if len(run) < 8:
                continue
            s = " ".join(run)
            h = hashlib.blake2b(s.encode(), digest_size=8).digest()
            if h not in seen:
                seen.add(h)
                rows.append((title, s))
    if len(rows) < n:
        sys.exit("bm25_ref.py realtext: only %d passages of text under %s, %d asked" % (len(rows), " ".join(dirs), n))
    random.Random(seed).shuffle(rows)
    digest = hashlib.sha256()
    with open(out, "w", encoding="utf-8") as f:
        for i, (title, text) in enumerate(rows[:n]):
            line = json.dumps({"pid": "t%07d" % i, "title_text": title, "passage_text": text, "metadata": {}}) + "\n"
            digest.update(line.encode())
            f.write(line)
    print("%d %s" % (len(rows), digest.hexdigest()[:16]))


def xapian_db(corpus, dbdir):
    import xapian
    db = xapian.WritableDatabase(dbdir, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    n = 0
    t0 = time.perf_counter()
    for pid, title, text in load_corpus(corpus):
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text_without_positions(title)
        tg.index_text_without_positions(text)
        doc.set_data(pid)
        db.add_document(doc)
        n += 1
    db.commit()
    db.close()
    return n, time.perf_counter() - t0


def xapian_searcher(dbdir):
    import xapian
    db = xapian.Database(dbdir)
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_database(db)
    enq = xapian.Enquire(db)
    enq.set_weighting_scheme(xapian.BM25Weight(0.9, 0, 1, 0.4, 0.5))
    flags = 0  # plain words: no boolean/phrase syntax

    def search(text, k=100):
        enq.set_query(qp.parse_query(text, flags))
        return [(m.document.get_data().decode(), m.weight) for m in enq.get_mset(0, k)]
    return search


def main():
    cmd = sys.argv[1]
    if cmd == "eval":
        r1, nd = evaluate(sys.argv[2], sys.argv[3])
        print("%.3f %.3f" % (r1, nd))
    elif cmd == "xapian-eval":
        import tempfile
        corpus, queries, out = sys.argv[2:5]
        with tempfile.TemporaryDirectory() as d:
            xapian_db(corpus, d + "/db")
            search = xapian_searcher(d + "/db")
            with open(out, "w") as f:
                for qid, text, _ in load_queries(queries):
                    hits = search(text)
                    f.write(json.dumps({"qid": qid, "hits": [{"pid": p, "score": s} for p, s in hits]}) + "\n")
    elif cmd == "replicate":
        n, out = int(sys.argv[2]), sys.argv[3]
        rows = [r for c in sys.argv[4:] for r in load_corpus(c)]
        with open(out, "w") as f:
            for i in range(n):
                pid, title, text = rows[i % len(rows)]
                f.write(json.dumps({"pid": "p%07d" % i, "title_text": title,
                                    "passage_text": text, "metadata": {}}) + "\n")
    elif cmd == "mix":
        mix(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
    elif cmd == "realtext":
        realtext(int(sys.argv[2]), sys.argv[3], sys.argv[4:] or ["/usr/share/man", "/usr/share/doc"])
    elif cmd == "xapian-build":
        n, s = xapian_db(sys.argv[2], sys.argv[3])
        print(n, "%.3f" % s)
    elif cmd == "xapian-query":
        search = xapian_searcher(sys.argv[2])
        qs = [t for q in sys.argv[3:] for _, t, _ in load_queries(q)]
        t0 = time.perf_counter()
        for t in qs:
            search(t)
        print(len(qs), "%.3f" % (time.perf_counter() - t0))


if __name__ == "__main__":
    main()
