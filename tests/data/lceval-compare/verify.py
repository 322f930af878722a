# verify.py DIR CORRECTION ALPHA MD CSV TEX: recompute map, P_5, num_rel_ret and paired
# t-test marks of DIR's runs (bm25, weak, tuned) and check the three tables.
import math, re, sys
d, corr, alpha, md, csvf, tex = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
rel = {}
for l in open(d + '/qrels.txt'):
    q, _, doc, r = l.split()
    rel.setdefault(q, {})[doc] = int(r)
names = ['bm25.run', 'weak.run', 'tuned.run']
per = []   # per run: {measure: [per topic]}
topics = sorted(rel)
for n in names:
    ranked = {}
    for l in open(d + '/' + n):
        q, _, doc, _, s, _ = l.split()
        ranked.setdefault(q, []).append((-float(s), doc))
    m = {'map': [], 'P_5': [], 'num_rel_ret': []}
    for q in topics:
        docs = [x[1] for x in sorted(ranked[q])]
        nrel = sum(1 for v in rel[q].values() if v > 0)
        hits, ap = 0, 0.0
        for i, x in enumerate(docs):
            if rel[q].get(x, 0) > 0:
                hits += 1
                ap += hits / (i + 1)
        m['map'].append(ap / nrel)
        m['P_5'].append(sum(1 for x in docs[:5] if rel[q].get(x, 0) > 0) / 5)
        m['num_rel_ret'].append(hits)
    per.append(m)
def tpdf(t, v):
    return math.exp(math.lgamma((v + 1) / 2) - math.lgamma(v / 2)) / math.sqrt(v * math.pi) * (1 + t * t / v) ** (-(v + 1) / 2)
def ttest(a, b):
    dd = [y - x for x, y in zip(a, b)]
    n = len(dd); mu = sum(dd) / n
    sd = math.sqrt(sum((x - mu) ** 2 for x in dd) / (n - 1))
    if sd == 0:
        return 1.0 if mu == 0 else 0.0
    t = abs(mu / (sd / math.sqrt(n))); steps = 200000; h = t / steps
    s = tpdf(0, n - 1) + tpdf(t, n - 1) + sum((4 if i % 2 else 2) * tpdf(i * h, n - 1) for i in range(1, steps))
    return max(0.0, 1 - 2 * s * h / 3)
pairs = [(0, 1), (0, 2), (1, 2)]
want = {}   # (run, measure) -> (value, best, letters)
for meas in ('map', 'P_5', 'num_rel_ret'):
    summ = [sum(per[r][meas]) / len(topics) if meas != 'num_rel_ret' else sum(per[r][meas]) for r in range(3)]
    sig = {}
    if meas != 'num_rel_ret':
        p = [ttest(per[i][meas], per[j][meas]) for i, j in pairs]
        if corr == 'bonferroni':
            adj = [min(1, 3 * x) for x in p]
        elif corr == 'holm':
            order = sorted(range(3), key=lambda k: p[k]); adj = [0] * 3; run = 0
            for rank, k in enumerate(order):
                run = max(run, min(1, (3 - rank) * p[k])); adj[k] = run
        else:
            adj = p
        for (i, j), x in zip(pairs, adj):
            sig[i, j] = sig[j, i] = x < alpha
    rounded = [round(v, 4) for v in summ]
    top = max(rounded)
    for r in range(3):
        letters = ''.join('abc'[s] for s in range(3) if s != r and sig.get((r, s)) and summ[r] > summ[s])
        best = meas != 'num_rel_ret' and rounded[r] == top and rounded.count(top) < 3
        want[r, meas] = (summ[r], best, letters)
bad = 0
def check(what, r, meas, v, best, letters, exact=False):
    global bad
    wv, wb, wl = want[r, meas]
    ok = (abs(v - wv) < (1e-12 if exact else 5e-5)) and best == wb and letters == wl
    if not ok:
        bad += 1
        print(f'{what}: run {r} {meas}: got {v} best={best} {letters!r}, want {wv} best={wb} {wl!r}')
for l in open(csvf).read().splitlines()[1:]:
    lab, run, meas, v, best, letters = l.split(',')
    check('csv', 'abc'.index(lab), meas, float(v), best == '1', letters, exact=True)
ms = [c.strip() for c in open(md).readline().strip().strip('|').split('|')][2:]
rows = [l for l in open(md) if re.match(r'\| [abc] \|', l)]
assert len(rows) == 3, rows
for r, l in enumerate(rows):
    cells = [c.strip() for c in l.strip().strip('|').split('|')]
    for meas, c in zip(ms, cells[2:]):
        m = re.fullmatch(r'(\*\*)?([0-9.]+)(?:\*\*)?(?:<sup>([a-z]+)</sup>)?', c)
        check('markdown', r, meas, float(m.group(2)), bool(m.group(1)), m.group(3) or '')
body = open(tex).read()
for r in range(3):
    cells = re.search(r'^%s &\n[^\n]*&\n((?:[^\n]*\n){3})' % 'abc'[r], body, re.M).group(1).split('\n')[:3]
    for meas, c in zip(ms, cells):
        m = re.match(r'(\\textbf\{)?([0-9.]+)\}?(?:\$\^\{([a-z]+)\}\$)?(?:\\hphantom\{\$\^\{([a-z]+)\}\$\})?', c)
        check('latex', r, meas, float(m.group(2)), bool(m.group(1)), m.group(3) or '')
        if meas != 'num_rel_ret' and ''.join(sorted((m.group(3) or '') + (m.group(4) or ''))) != ''.join(x for x in 'abc' if x != 'abc'[r]):
            bad += 1; print('latex: superscript + phantom letters are not the other runs:', c)
sys.exit(1 if bad else 0)
