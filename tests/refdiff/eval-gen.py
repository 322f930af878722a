#!/usr/bin/env python3
# eval-gen.py: seeded differential test of lceval against trec_eval 10.0.
# Generates small random qrels/run pairs and trec_eval command lines (see
# eval-diff.sh, which builds the reference and calls this), runs both programs
# and compares stdout byte for byte, the exit status and the first line of
# standard error.  lceval(1)'s documented differences are checked as documented
# instead (see classify()).  A mismatch is shrunk line by line and saved under
# --out as a directory holding qrels.txt, run.txt, argv and both outputs.
# Usage: eval-gen.py --te TREC_EVAL --lc LCEVAL --seed S --cases N --out DIR
import argparse
import os
import random
import subprocess
import sys
import tempfile

# ---- inputs -----------------------------------------------------------------
# Ids are str; a lone surrogate U+DC80..U+DCFF is the raw byte 0x80..0xFF
# (Python's surrogateescape, which every file is written with): bytes that are
# not UTF-8, which trec_eval compares with strcmp as any other byte.  BYTES are
# such spellings next to the valid ones they could be confused with: U+FFFD
# itself (what a repair would make of any of them), é as UTF-8 and as Latin-1,
# a lead byte without its continuation, a stray continuation byte; and control
# bytes, which are text to trec_eval (isspace is false for them).
BYTES = ["\udcff", "\udcfe", "\udce9", "\u00e9", "\ufffd", "\udcc3", "\udc80", "\udcbf", "\udcef\udcbf",
         "\x01", "\x1b", "\x7f", "\x1f"]

QID_STYLES = [
    lambda r, i: str(i + 1),                       # 1 2 ... 10 (strcmp: 1 < 10 < 2)
    lambda r, i: str(r.randrange(1, 400)),
    lambda r, i: "q" + str(i + 1),
    lambda r, i: r.choice(["Q", "q", "topic_", "t-", "T.", "é", "ä-", "A", "a"]) + str(r.randrange(0, 30)),
    lambda r, i: r.choice(["b", "B", "_", "0", "00", "0a", "z", "zz", "Z1", "q1", "q01", "\u00e9t\u00e9", "\u4e2d"]) + r.choice(["", str(i)]),
    lambda r, i: r.choice(["q", "", "Q"]) + r.choice(BYTES) + r.choice(["", str(i), r.choice(BYTES)]),
]

DOC_STYLES = [
    lambda r: "d%d" % r.randrange(1, 25),
    lambda r: r.choice(["doc", "Doc", "DOC", "doc_", "doc-", "doc.", "d"]) + str(r.randrange(0, 12)),
    lambda r: r.choice(["a", "b", "A", "B", "_", "-", "0", "00", "9", "10", "é", "ä", "\u4e2d", "z", "~", "aa", "ab", "a-b", "a_b"]) + r.choice(["", "", "1", "2", "10"]),
    lambda r: "%s%d" % (r.choice(["WSJ870", "FT911-", "LA0101"]), r.randrange(0, 20)),
    lambda r: r.choice(["d", "", "D"]) + r.choice(BYTES) + r.choice(["", "1", "2", r.choice(BYTES)]),
    # long docnos: past the reader's 16-byte qid compare and 64-byte line masks
    lambda r: r.choice(["L", "L" + r.choice(BYTES)]) + "x" * r.choice([14, 15, 16, 60, 64, 300, 5000]) + str(r.randrange(0, 6)),
]

# score spellings: (value, spellings...) -- equal doubles in every spelling
SCORES = [
    (1.0, ["1", "1.0", "1e0", "1.000", "+1", "10e-1", "1E0", "0.1e1"]),
    (0.0, ["0", "-0", "0.0", "-0.0", "+0", "0e5", "0.000"]),
    (0.5, ["0.5", ".5", "5e-1", "0.50", "+.5"]),
    (2.0, ["2", "2.0", "2e0"]),
    (-1.0, ["-1", "-1.0", "-1e0"]),
    (-3.25, ["-3.25", "-325e-2"]),
    (1e-300, ["1e-300", "0.1e-299"]),
    (1e300, ["1e300", "1E+300"]),
    (7.0, ["7", "07", "7.0"]),
    (1.5, ["1.5"]),
    (3.0, ["3"]),
    (0.1, ["0.1", "1e-1"]),
    (0.3, ["0.3", "0.30000000000000004"]),   # different doubles? 0.1+0.2 is not 0.3
    (12345678.9, ["12345678.9"]),
    (float("inf"), ["inf", "Infinity", "1e400"]),
    (float("-inf"), ["-inf", "-1e400"]),
]
NAN_SPELLINGS = ["nan", "NaN", "-nan"]

REL_SPELL = {  # rel value -> spellings atol() reads as that value
    -2: ["-2"], -1: ["-1", "-01"], 0: ["0", "00", "-0", "+0"],
    1: ["1", "01", "+1"], 2: ["2", "02"], 3: ["3"], 4: ["4"], 5: ["5"],
}


class Case:
    def __init__(self):
        self.qrels = []     # lines without newline
        self.run = []
        self.argv = []
        self.qrels_eol = "\n"
        self.run_eol = "\n"
        self.qrels_final_nl = True
        self.run_final_nl = True
        self.flags = set()  # properties classify() needs
        self.stdin_run = False
        self.lc_extra = []  # lceval-only options that must not change output
        self.jg = False     # -R qrels_jg: qrels with judgment groups
        self.prefs = None   # -R prefs or qrels_prefs: preference judgments
        self.zwant = False  # -Z zscores.txt: its lines made by prepare_z()
        self.zargs = []     # the -Z option, after argv's
        self.z = None       # the z file's text (None: no file written)
        self.zdrop = None   # (qid, name) left out of the z file for one topic

    def text(self, lines, eol, final):
        s = eol.join(lines)
        if lines and final:
            s += eol
        return s


def sep(r):
    return r.choice([" ", " ", " ", "\t", "  ", " \t"])


JG_NAMES = ["0", "1", "2", "10", "u1", "u2", "a", "B", "_", "\u00e9", "\udce9", "\udcff"]


def rand_rels(r, pool, kind):
    rels = {}
    for d in r.sample(pool, r.randint(1, len(pool))):
        if kind < 0.15:
            v = r.choice([0, 0, -1])          # no relevant docs
        elif kind < 0.35:
            v = r.choice([0, 1])              # binary
        elif kind < 0.40:
            v = r.choice([-1, -2, 0, 1])
        else:
            v = r.choice([-1, 0, 0, 1, 1, 2, 3, 4, 5])
        rels[d] = v
    return rels


# preference levels: (value atof reads, spellings); negative ones are rare
LEVELS = [
    (0.0, ["0", "0.0", "-0", "0e3", "x"]),     # "x": atof reads 0
    (1.0, ["1", "1.0", "1e0", "+1", "1abc"]),
    (2.0, ["2", "2.00"]),
    (2.5, ["2.5", "25e-1"]),
    (3.0, ["3"]),
    (0.5, [".5", "0.5"]),
    (10.0, ["10", "1e1"]),
    (float("inf"), ["inf"]),
]
NEG_LEVELS = [(-1.0, ["-1", "-1.0"]), (-2.5, ["-2.5"])]
JSG_NAMES = ["s1", "s2", "0", "1", "a", "B", "x_y", "s\udcfe"]


def spell_level(r, v, table):
    for val, sp in table:
        if val == v:
            return r.choice(sp)
    raise ValueError(v)


def gen_prefs_lines(r, c, qrels_topics, pools):
    """-R prefs ("qid jg jsg docno level") or qrels_prefs ("qid jg docno
    level"): one to three groups a topic; in prefs a group has one to three
    sub-groups, each ranking some of the group's docs by a level the group
    gives each doc (so that a group is consistent), now and then broken on
    purpose: a doc at two levels of a sub-group, a doc both 0 and not 0, or
    contradicting sub-groups (trec_eval aborts there)."""
    table = LEVELS + (NEG_LEVELS if r.random() < 0.15 else [])
    if any(v < 0 for v, _ in table):
        c.flags.add("prefs:neglevel")
    five = c.prefs == "prefs"
    breaking = r.random() < 0.15          # a case with some broken groups
    lines = []
    for q in qrels_topics:
        for g in r.sample(JG_NAMES, r.choice([1, 1, 2, 2, 3])):
            docs = r.sample(pools[q], r.randint(1, len(pools[q])))
            levels = [r.choice(table)[0] for _ in range(r.choice([1, 2, 2, 3, 4]))]
            truth = {d: r.choice(levels) for d in docs}
            subs = r.sample(JSG_NAMES, r.choice([1, 1, 2, 3])) if five else ["0"]
            for sg in subs:
                part = docs if len(subs) == 1 else r.sample(docs, r.randint(1, len(docs)))
                for d in part:
                    v = truth[d]
                    if breaking and r.random() < 0.1:
                        v = r.choice(table)[0]            # may contradict the group
                        c.flags.add("prefs:broken")
                    lines.append((q, g, sg, d, v))
                    if breaking and r.random() < 0.05:    # the same doc again in the sub-group
                        lines.append((q, g, sg, d, r.choice([v, r.choice(table)[0]])))
                        c.flags.add("prefs:twice")
    if r.random() < 0.5:
        r.shuffle(lines)
    c.prefs_lines = lines
    out = []
    for (q, g, sg, d, v) in lines:
        f = [q, g] + ([sg] if five else []) + [d, spell_level(r, v, table)]
        out.append(sep(r).join(f))
    if r.random() < 0.1 and len(out) > 1:
        # one comment at column 0, not first-last-consecutive (trec_eval's parser breaks otherwise)
        out.insert(r.randrange(1, len(out)), "# a comment " + r.choice(["", "1 0 d 1"]))
    if r.random() < 0.04 and out:
        # a line of too few or too many fields: trec_eval's "Malformed line N", exit 2
        bad = r.choice(["q1 g d1", "q1 g s d1 1 extra", "", "   ", "q1", "q1 g s d 1 2 3"])
        out.insert(r.randrange(0, len(out) + 1), bad)
        c.flags.add("prefs:malformed")
    if r.random() < 0.1:
        out = [l + r.choice([" ", "\t", "  "]) for l in out]   # trailing blanks
    if r.random() < 0.08:
        c.qrels_eol = "\r\n"
    if r.random() < 0.1:
        c.qrels_final_nl = False
    c.qrels = out


def rnonrel_oob(c):
    """trec_eval's prefs_avgjg_Rnonrel(_ret) recount of a one-sub-group group
    takes R docs from its last equivalence class, and reads past the class
    when it has fewer: possible only when the group has two levels <= 0
    (lceval(1)).  True when the case asks for those measures and has such a
    group."""
    if not c.prefs or not any(f in c.flags for f in ("m:prefs_avgjg_Rnonrel", "m:prefs_avgjg_Rnonrel_ret", "m:all_prefs")):
        return False
    subs, low = {}, {}
    for (q, g, sg, d, v) in c.prefs_lines:
        subs.setdefault((q, g), set()).add(sg)
        if v <= 0:
            low.setdefault((q, g), set()).add(v)
    return any(len(subs[k]) == 1 and len(low.get(k, ())) >= 2 for k in subs)


def gen_qrels_and_run(r, c):
    ntop = r.choice([1, 1, 2, 2, 3, 4, 5, 7, 10, 15, 30])
    style = r.choice(QID_STYLES)
    qids = []
    seen = set()
    for i in range(ntop * 3):
        q = style(r, i)
        if q not in seen:
            seen.add(q)
            qids.append(q)
        if len(qids) == ntop:
            break
    dstyle = r.choice(DOC_STYLES)
    mixed_docs = r.random() < 0.3
    judged = {}          # qid -> {doc: rel}
    pools = {}           # qid -> its docs
    qrels_topics = []
    run_topics = []
    for q in qids:
        in_qrels = r.random() < 0.9
        in_run = r.random() < 0.85
        if not in_qrels and not in_run:
            in_qrels = True
        ndocs = r.choice([1, 2, 3, 5, 8, 12, 20, 40])
        pool = []
        for _ in range(ndocs * 3):
            d = (r.choice(DOC_STYLES) if mixed_docs else dstyle)(r)
            if d not in pool:
                pool.append(d)
            if len(pool) >= ndocs:
                break
        if in_qrels:
            rels = rand_rels(r, pool, r.random())
            if all(v < 0 for v in rels.values()) and r.random() < 0.9:
                rels[next(iter(rels))] = 0    # keep the undefined case rare
            if all(v < 0 for v in rels.values()):
                c.flags.add("allneg")
            judged[q] = rels
            qrels_topics.append(q)
        if in_run:
            run_topics.append((q, pool))
        pools[q] = pool
    # run-only topics also happen through in_qrels False above
    if c.prefs:
        gen_prefs_lines(r, c, qrels_topics, pools)
    else:
        # ---- qrels lines (-R qrels_jg: "qid group docno rel", one to three groups a topic,
        # each with its own judgments; the first group's are judged[q])
        lines = []
        for q in qrels_topics:
            groups = r.sample(JG_NAMES, r.choice([1, 1, 2, 2, 3])) if c.jg else [None]
            for gi, g in enumerate(groups):
                rels = judged[q] if gi == 0 else rand_rels(r, pools[q], r.random())
                for d, v in rels.items():
                    lines.append((q, g, d, v))
        order = r.random()
        if order < 0.5:
            r.shuffle(lines)
        elif order < 0.7:
            lines.sort(key=lambda t: (t[0], t[1] or "", t[2]))
        if r.random() < 0.03 and lines:      # judged twice (in one group): fatal in both
            t = r.choice(lines)
            lines.insert(r.randrange(len(lines) + 1), (t[0], t[1], t[2], r.choice([0, 1, 2])))
            c.flags.add("dup")
        iters = r.choice([["0"], ["0", "Q0", "1", "x"]])
        c.qrels = ["%s%s%s%s%s%s%s" % (q, sep(r), g if c.jg else r.choice(iters), sep(r), d, sep(r), r.choice(REL_SPELL[v]))
                   for (q, g, d, v) in lines]
        if r.random() < 0.1 and len(c.qrels) > 1:
            # one comment at column 0, not first-last-consecutive (trec_eval's parser breaks otherwise)
            pos = r.randrange(1, len(c.qrels))
            c.qrels.insert(pos, "# a comment " + r.choice(["", "1 0 d 1"]))
        if r.random() < 0.1:
            c.qrels = [l + r.choice([" ", "\t", "  "]) for l in c.qrels]   # trailing blanks
        if r.random() < 0.08:
            c.qrels_eol = "\r\n"
        if r.random() < 0.1:
            c.qrels_final_nl = False
    # ---- run lines
    score_pool = r.sample(SCORES, r.choice([1, 2, 3, 4, 6]))
    use_nan = r.random() < 0.05
    rlines = []
    tag = r.choice(["run", "tag1", "STANDARD", "r-é", "r\udcff", "r\x01"])
    for q, pool in run_topics:
        extra = [d for d in (dstyle(r) for _ in range(r.randint(0, 5))) if d not in pool]
        cand = list(dict.fromkeys(pool + extra))
        k = r.randint(1, len(cand))
        docs = r.sample(cand, k)
        for rank, d in enumerate(docs):
            if use_nan and r.random() < 0.1:
                s = r.choice(NAN_SPELLINGS)
            else:
                v, sp = r.choice(score_pool)
                s = r.choice(sp)
            rlines.append([q, r.choice(["Q0", "Q0", "0", "x"]), d, str(r.choice([rank + 1, rank, 0, 1, -5])), s, tag])
    if r.random() < 0.03 and rlines:      # retrieved twice: fatal in both
        t = list(r.choice(rlines))
        rlines.insert(r.randrange(len(rlines) + 1), t)
        c.flags.add("dup")
    o = r.random()
    if o < 0.3:
        r.shuffle(rlines)                 # topics interleaved
    elif o < 0.5:
        # topic blocks in shuffled order, docs shuffled inside
        by = {}
        for l in rlines:
            by.setdefault(l[0], []).append(l)
        ks = list(by)
        r.shuffle(ks)
        rlines = [l for k in ks for l in r.sample(by[k], len(by[k]))]
    if r.random() < 0.1 and rlines:
        # the last line's tag is the runid
        rlines[-1][5] = "lasttag"
    out = []
    for l in rlines:
        s = sep(r).join(l)
        if r.random() < 0.05:
            s += sep(r) + r.choice(["extra", "7 8", "x\ty"])
        if r.random() < 0.03:
            s = r.choice([" ", "\t"]) + s
        out.append(s)
    if r.random() < 0.15:
        for _ in range(r.randint(1, 3)):
            out.insert(r.randrange(len(out) + 1), r.choice(["", "# comment", "  # indented", "#", "   ", "\t"]))
    c.run = out
    if r.random() < 0.08:
        c.run_eol = "\r\n"
    if r.random() < 0.1:
        c.run_final_nl = False
    if not qrels_topics:
        c.flags.add("emptyqrels")
    if not rlines:
        # no result line: an empty file is bad input (lceval(1), exit 1; trec_eval
        # exits 2); comments or blank lines make a run without topics in both
        c.flags.add("emptyrun" if c.text(c.run, c.run_eol, c.run_final_nl) == "" else "nolines-run")
    c.qrels_qids = set(qrels_topics)
    c.run_qids = set(q for q, _ in run_topics)


# ---- measures ---------------------------------------------------------------

CUTS = [1, 2, 3, 5, 7, 10, 15, 20, 30, 100, 1000]
FRACS = ["0", "0.1", "0.25", "0.5", "0.33", "1", "1.5", "2", "0.05", ".2", "0.999"]
GAINS = ["1=3,2=7", "0=1", "1=2", "2=0.5,1=0.7", "1=-1", "1=0.5", "3=1,2=2,1=3", "0=0,1=1,2=3",
         "-1=2", "1=1.5,2=1.2", "4=10", "2=0", "1=3,1=4", "5=2", "1=0.3,2=0.9,3=0.6"]
PLAIN = ["runid", "num_q", "num_ret", "num_rel", "num_rel_ret", "map", "gm_map", "Rprec",
         "bpref", "recip_rank", "iprec_at_recall", "P", "relstring", "recall", "infAP",
         "gm_bpref", "Rprec_mult", "utility", "11pt_avg", "binG", "G", "ndcg", "ndcg_rel",
         "Rndcg", "ndcg_cut", "map_cut", "relative_P", "success", "set_P", "set_relative_P",
         "set_recall", "set_map", "set_F", "num_nonrel_judged_ret", "rbp", "rbp_resid", "unj",
         "dcg", "ideal_dcg", "yaap", "official", "all_trec", "set"]
CUT_MEAS = ["P", "recall", "ndcg_cut", "map_cut", "relative_P", "success", "unj"]
FRAC_MEAS = ["iprec_at_recall", "Rprec_mult"]
JG_MEAS = ["map_avgjg", "P_avgjg", "Rprec_mult_avgjg", "qrels_jg"]
PREFS_MEAS = ["prefs_num_prefs_poss", "prefs_num_prefs_ful", "prefs_num_prefs_ful_ret", "prefs_simp", "prefs_pair",
              "prefs_avgjg", "prefs_avgjg_Rnonrel", "prefs_simp_ret", "prefs_pair_ret", "prefs_avgjg_ret",
              "prefs_avgjg_Rnonrel_ret", "prefs_simp_imp", "prefs_pair_imp", "prefs_avgjg_imp", "prefs", "all_prefs"]
GAIN_MEAS = ["ndcg", "ndcg_rel", "Rndcg", "binG", "G", "rbp", "dcg", "ideal_dcg"]


def cutlist(r):
    n = r.choice([1, 1, 2, 3, 4])
    cs = r.sample(CUTS, n)
    if r.random() < 0.6:
        cs.sort()
    return ",".join(str(x) for x in cs)


def gen_jg_measure(r, c):
    m = r.choice(JG_MEAS)
    c.flags.add("m:" + m)
    if m == "P_avgjg" and r.random() < 0.5:
        return m + "." + cutlist(r)
    if m == "Rprec_mult_avgjg" and r.random() < 0.5:
        return m + "." + ",".join(sorted(set(r.sample(FRACS, r.randint(1, 3))), key=lambda s: float(s)))
    return m


def gen_measure(r, c):
    # qrels_jg's and prefs' measures: mostly with their -R, now and then
    # without (and the other way round): trec_eval's format error, exit 4
    if r.random() < (0.92 if c.prefs else 0.03):
        m = r.choice(PREFS_MEAS)
        c.flags.add("m:" + m)
        return m
    if r.random() < (0.92 if c.jg else 0.03):
        return gen_jg_measure(r, c)
    k = r.random()
    if k < 0.25:
        m = r.choice(PLAIN)
        c.flags.add("m:" + m)
        return m
    if k < 0.55:
        m = r.choice(CUT_MEAS)
        c.flags.add("m:" + m + ".k")
        if r.random() < 0.02 and "prefs:malformed" not in c.flags:
            # (lceval rejects a bad parameter before it reads the files, trec_eval after)
            return m + "." + r.choice(["5,5", "0", "-1", "x", "3,x"])
        return m + "." + cutlist(r)
    if k < 0.65:
        m = r.choice(FRAC_MEAS)
        c.flags.add("m:" + m + ".f")
        return m + "." + ",".join(sorted(set(r.sample(FRACS, r.randint(1, 3))), key=lambda s: float(s)))
    if k < 0.85:
        m = r.choice(GAIN_MEAS)
        c.flags.add("m:" + m + ".g")
        g = r.choice(GAINS)
        if m == "rbp" and r.random() < 0.7:
            g = "p=" + r.choice(["0.8", "0.5", "0.95", "0.9", "0.1"]) + r.choice(["", "," + g])
        return m + "." + g
    if k < 0.92:
        c.flags.add("m:set_F.b")
        return "set_F." + r.choice(["0.5", "1", "2", "0.25", "3"])
    c.flags.add("m:utility.p")
    return "utility." + r.choice(["1,-1,0,0", "2,-1,1,0.5", "1,0,0,0", "3,-2,0.5,0.1"])


def gen_args(r, c):
    a = []
    if r.random() < 0.5:
        a.append("-q")
    if r.random() < 0.3:
        a.append("-c")
    if r.random() < 0.05:
        a.append("-n")
    if r.random() < 0.15:
        a += ["-l", r.choice(["0", "1", "2", "3", "-1", "5"])]
    if r.random() < 0.15:
        a += ["-M", r.choice(["1", "2", "3", "5", "10", "0"])]
    if r.random() < 0.08:
        a.append("-J")
    if r.random() < 0.05:
        a += ["-N", r.choice(["100", "5", "1000000"])]
    if c.jg:
        a += r.choice([["-R", "qrels_jg"], ["--Rel_info_format", "qrels_jg"], ["-Rqrels_jg"]])
    elif c.prefs:
        a += r.choice([["-R", c.prefs], ["--Rel_info_format", c.prefs], ["-R" + c.prefs]])
    elif r.random() < 0.03:
        a += ["-R", "qrels"]
    nm = r.choice([0, 1, 1, 2, 3, 5])
    if (c.jg or c.prefs) and nm == 0 and r.random() < 0.7:
        nm = 1                            # (the default, official, fails on qrels_jg and prefs)
    for _ in range(nm):
        a += ["-m", gen_measure(r, c)]
    if nm == 0:
        c.flags.add("m:(official default)")
    # trec_eval keeps one gain list for dcg, ideal_dcg and ndcg (m_ndcg.c): with
    # gains given to one of two or more, it applies them to all and frees the
    # list once per measure (abort, or output left to chance).  lceval(1): each
    # uses its own gains; such cases are counted as skipped.
    sel = [a[i + 1] for i in range(len(a) - 1) if a[i] == "-m"]
    named = set(m.split(".")[0] for m in sel)
    if "all_trec" in named:
        named.add("ndcg")
    shared = named & {"dcg", "ideal_dcg", "ndcg"}
    if len(shared) > 1 and any("." in m and m.split(".")[0] in shared for m in sel):
        c.flags.add("sharedgains")
    # spelling variants of options
    if r.random() < 0.1:
        a = [{"-q": "--query_eval_wanted", "-c": "--complete_rel_info_wanted", "-n": "--nosummary"}.get(x, x) for x in a]
    c.argv = a
    if r.random() < 0.15:
        c.zwant = True
        c.zargs = r.choice([["-Z", "zscores.txt"], ["--Zscore", "zscores.txt"], ["-Zzscores.txt"]])
        c.flags.add("-Z")
    if r.random() < 0.1:
        # -D N.QID: one qrels topic (or one the run alone has, or none); N > 0
        # makes trec_eval print debug lines lceval does not (classify())
        qs = sorted(c.qrels_qids | c.run_qids) or ["1"]
        lvl = r.choice(["0", "0", "0", "", "1", "2"])
        q = r.choice(qs + ["nosuch", ""])
        a += r.choice([["-D", lvl + "." + q], ["--Debug_level", lvl + "." + q], ["-D" + lvl + "." + q]])
        if r.random() < 0.1:
            lvl = r.choice(["0", "1"])
            a += ["-D", lvl]                      # keeps the QID
        c.flags.add("-D")
        if lvl not in ("0", ""):
            c.flags.add("-D level")
    if r.random() < 0.02:
        # -v: trec_eval's version line when getopt meets it (stderr compared)
        at = [i for i in range(len(a) + 1) if i == 0 or a[i - 1] not in ("-m", "-l", "-M", "-N", "-R", "--Rel_info_format", "-D", "--Debug_level")]
        a.insert(r.choice(at), "-v")
        c.flags.add("-v")
    if r.random() < 0.1:
        c.stdin_run = True
    if r.random() < 0.1:
        c.lc_extra = ["-j", "2"]


ZMEANS = ["0", "0.1", ".25", "0.5", "1", "2", "-1.5", "1e-1", "3", "10", "-4.5"]
ZSDS = ["0.2", "0.05", "1", "0.5e0", "3", "2.5", "0.01"]


def prepare_z(r, c, te, d):
    """-Z: a z file for the value names trec_eval prints for this case (-q run
    without -Z), the same names for every topic listed; now and then one name
    left out for one topic, a topic left out, a name nobody prints, a stddev 0;
    rarely a malformed, empty or missing file.  A topic after the file's last
    makes trec_eval read past its table (a crash or chance): mostly a last
    topic that sorts after every qid keeps that away."""
    k = r.random()
    if k < 0.02:
        c.z = r.choice(["a b c\n", "q m 1 2\n\nq n 1 2\n", "q m 1 2 3\n", "q m 1 2\nq n 1\n", "\n"])
        c.flags.add("z:malformed")
        return
    if k < 0.03:
        c.z = ""
        c.flags.add("z:empty")
        return
    if k < 0.04:
        c.z = None
        c.flags.add("z:nofile")
        return
    plain = [x for x in c.argv if x not in ("-n", "--nosummary")]
    rc, out, _ = run_prog(te, c, d, (), argv=["-q"] + plain)
    names = []
    for line in out.decode("utf-8", "replace").split("\n"):
        f = line.split("\t")
        if len(f) == 3 and f[0].strip() not in names and f[0].strip() != "runid":
            names.append(f[0].strip())
    names += [n for n in ("gm_map", "gm_bpref", "num_q") if r.random() < 0.5 and n not in names]
    kept = [n for n in names if r.random() < 0.9] + (["no_such_measure"] if r.random() < 0.2 else [])
    qids = [q for q in sorted(c.qrels_qids | c.run_qids) if r.random() < 0.85]
    if r.random() < 0.85:
        qids.append("\udcff" * 8)              # sorts after every qid (bytes 0xff)
    lines = []
    drop = None
    if r.random() < 0.15 and qids and kept:
        drop = (r.choice(qids), r.choice(kept))
        c.zdrop = drop
        c.flags.add("z:drop")
    for q in qids:
        for n in kept:
            if (q, n) == drop:
                continue
            if r.random() < 0.05:
                mean, sd = r.choice(["0", "1", "0.5"]), "0"
            else:
                mean, sd = r.choice(ZMEANS), r.choice(ZSDS)
            lines.append(sep(r).join([q, n, mean, sd]))
    r.shuffle(lines)
    c.z = "\n".join(lines) + ("\n" if r.random() < 0.9 else "")
    if not lines:
        c.flags.add("z:empty")


def z_next_topic(c):
    """trec_eval's find_meas reads one past the topic's lines: a name missing
    for one topic that sorts after all of its names can take the next topic's
    first line (lceval(1)).  True when the left-out name is such a case."""
    if not c.zdrop or not c.z:
        return False
    by = {}
    for line in enc(c.z).split(b"\n"):
        f = line.split()                        # bytes: C's white space
        if len(f) == 4:
            by.setdefault(f[0], set()).add(f[1])
    q, n = enc(c.zdrop[0]), enc(c.zdrop[1])
    qs = sorted(by)
    if q not in by or any(m >= n for m in by[q]):
        return False
    i = qs.index(q)
    return i + 1 >= len(qs) or min(by[qs[i + 1]]) == n


def gen_case(r):
    c = Case()
    k = r.random()
    c.jg = k < 0.2
    c.prefs = r.choice(["prefs", "prefs", "qrels_prefs"]) if 0.2 <= k < 0.4 else None
    gen_qrels_and_run(r, c)
    gen_args(r, c)
    if c.prefs and c.qrels_qids - c.run_qids and "-c" not in c.argv and r.random() < 0.6:
        c.argv.insert(0, "-c")            # more cases that get to the measures
    if c.prefs:
        # the measures fail on the format, or read preferences, before any
        # ranking of relevance levels: an all-negative topic is no case here
        c.flags.discard("allneg")
        c.flags.add(c.prefs)
        if rnonrel_oob(c):
            c.flags.add("rnonrel-oob")
    if c.jg:
        # qrels_jg's ranking counts levels from 0 (form_res_rels_jg): an
        # all-negative topic is defined there; other measures fail on the
        # format before they rank anything
        c.flags.discard("allneg")
        c.flags.add("qrels_jg")
    elif any(f in c.flags for f in ("m:" + m for m in JG_MEAS)):
        c.flags.add("jg-measure-plain-qrels")
    return c


# ---- running and comparing --------------------------------------------------

def enc(s):
    """The bytes of a generated str (lone surrogates: raw bytes)."""
    return s.encode("utf-8", "surrogateescape")


def run_prog(prog, c, d, extra=(), argv=None):
    qp = os.path.join(d, "qrels.txt")
    rp = os.path.join(d, "run.txt")
    zp = os.path.join(d, "zscores.txt")
    if os.path.exists(zp):
        os.remove(zp)
    if c.z is not None:
        with open(zp, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
            f.write(c.z)
    with open(qp, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
        f.write(c.text(c.qrels, c.qrels_eol, c.qrels_final_nl))
    with open(rp, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
        f.write(c.text(c.run, c.run_eol, c.run_final_nl))
    argv = [prog] + list(extra) + (c.argv + c.zargs if argv is None else argv) + ["qrels.txt", "-" if c.stdin_run else "run.txt"]
    stdin = open(rp, "rb") if c.stdin_run else subprocess.DEVNULL
    try:
        p = subprocess.run(argv, cwd=d, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    finally:
        if c.stdin_run:
            stdin.close()
    return p.returncode, p.stdout, p.stderr


def first_line(b):
    return b.split(b"\n", 1)[0]


def rbp_only(a, b):
    """The outputs differ only in the values of rbp lines (not rbp_resid)."""
    la, lb = a.split(b"\n"), b.split(b"\n")
    if len(la) != len(lb):
        return False
    for x, y in zip(la, lb):
        if x == y:
            continue
        fx, fy = x.split(b"\t"), y.split(b"\t")
        name = fx[0].rstrip(b" ")
        if name.startswith(b"Zrbp"):
            name = name[1:]                # -Z's prefix
        if not (name == b"rbp" or (name.startswith(b"rbp_") and not name.startswith(b"rbp_resid"))):
            return False
        if fx[:2] != fy[:2]:
            return False
    return True


def runid_only(a, b):
    """The outputs differ only in runid lines."""
    la, lb = a.split(b"\n"), b.split(b"\n")
    return len(la) == len(lb) and all(x == y or (x.startswith(b"runid ") and y.startswith(b"runid "))
                                      for x, y in zip(la, lb))


def measure_lines(te_out, lc_out):
    """trec_eval's output without its debug printouts (-D N, N > 0): the lines
    of two tabs, a measure line that follows a printout on the same line cut
    to lceval's line there; None when the two do not line up."""
    te = [l for l in te_out.split(b"\n") if l.count(b"\t") == 2]
    lc = [l for l in lc_out.split(b"\n") if l.count(b"\t") == 2]
    if len(te) != len(lc):
        return None
    return b"\n".join(y if x != y and x.endswith(y) else x for x, y in zip(te, lc)), b"\n".join(lc)


def debug_lines_only(te_out, lc_out):
    """lceval's lines are trec_eval's with its debug printouts taken out:
    every lceval line comes in trec_eval's output, in order, whole or at the
    end of a line (m_gm_bpref.c's printout at -D 2 ends without a newline, so
    the measure's own line follows it on the same line)."""
    it = iter(te_out.split(b"\n"))
    return all(any(x == y or (x and y.endswith(x)) for y in it) for x in lc_out.split(b"\n"))


def lctk_escaped(b):
    """A message line as lctk prints data in messages (lctk(7), lib/core/err.c):
    control bytes and bytes that are not UTF-8 as \\xNN, C1 controls as \\u00NN."""
    out = []
    for ch in b.decode("utf-8", "surrogateescape"):
        o = ord(ch)
        if 0xdc80 <= o <= 0xdcff:
            out.append("\\x%02x" % (o - 0xdc00))
        elif o < 0x20 or o == 0x7f:
            out.append("\\x%02x" % o)
        elif 0x80 <= o < 0xa0:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    return "".join(out).encode("utf-8", "surrogateescape")


def classify(c, te, lc):
    """None if lceval agrees (or differs as documented), else a reason."""
    trc, tout, terr = te
    lrc, lout, lerr = lc
    if trc < 0:                     # killed by a signal (exit 255: -Z file errors)
        return "skip:te-crash"
    if ("emptyqrels" in c.flags or "emptyrun" in c.flags):
        # lceval(1) EXIT STATUS: an empty qrels or run is bad input (exit 1);
        # a bad -m parameter may be found first (exit 2 in both).
        return None if (lrc == 1 or lrc == trc) and lout == b"" else "empty input: lceval exit %d" % lrc
    if "sharedgains" in c.flags:
        return "skip:shared-gains" if lrc == 0 or lrc == trc else "shared gains: lceval exit %d" % lrc
    if "rnonrel-oob" in c.flags and (tout != lout or trc != lrc):
        # lceval(1): trec_eval's prefs_avgjg_Rnonrel recount reads past a
        # class (uninitialised or another group's values); lceval takes the
        # class's own docs.
        return "skip:rnonrel-oob"
    if "allneg" in c.flags:
        # lceval(1): a topic whose judgments are all negative scores 0 in every
        # measure; trec_eval's behaviour is undefined there.
        return "skip:allneg" if lrc == 0 or lrc == trc else "allneg: lceval exit %d" % lrc
    if trc != lrc:
        return "exit %d vs %d" % (trc, lrc)
    if tout != lout:
        if z_next_topic(c):
            return "skip:z-next-topic"
        if "-D level" in c.flags and debug_lines_only(tout, lout):
            return None   # lceval(1): trec_eval's debug printouts (-D N, N > 0) are not made
        ml = measure_lines(tout, lout) if "-D level" in c.flags else None
        if "nolines-run" in c.flags and runid_only(tout, lout):
            return "skip:runid-uninit"   # trec_eval's runid of a run without lines is uninitialised
        if rbp_only(tout, lout) or (ml and rbp_only(*ml)):
            # trec_eval's m_rbp.c reads min and max uninitialised: its rbp
            # then depends on what the measure computed before it left on
            # the stack (lceval(1) and the vectors' README, KNOWN DEFECT).
            return "skip:rbp-uninit"
        return "stdout"
    if trc != 0 or "-v" in c.flags:
        tl, ll = first_line(terr), first_line(lerr)
        if tl != ll:
            if trc == 2 and b"Malformed line" in tl and ll.startswith(b"lceval: ") and b"malformed" in ll:
                return None   # lceval's FILE:LINE message for a malformed line (documented exit 2)
            if lctk_escaped(tl) == ll:
                return None   # lceval(1): an id in trec_eval's message shows its control and non-UTF-8 bytes as \xNN
            if (tl.startswith(b"trec_eval.get_qrels: duplicate docs ") and len(ll) >= 1000 and
                    lctk_escaped(tl).startswith(ll)):
                return None   # lceval(1): qrels_jg's message about a long docno is cut
            return "stderr"
    return None


def shrink(c, te_prog, lc_prog, d, reason):
    """Greedy line removal while the same kind of mismatch persists."""
    def still(cc):
        te = run_prog(te_prog, cc, d)
        lc = run_prog(lc_prog, cc, d, cc.lc_extra)
        x = classify(cc, te, lc)
        return x is not None and not x.startswith("skip") and x.split(":")[0] == reason.split(":")[0]
    changed = True
    while changed:
        changed = False
        for attr in ("run", "qrels"):
            i = 0
            while i < len(getattr(c, attr)):
                lines = getattr(c, attr)
                trial = lines[:i] + lines[i + 1:]
                setattr(c, attr, trial)
                if trial and still(c):
                    changed = True
                    continue
                setattr(c, attr, lines)
                i += 1
    return c


def save(c, out, n, te, lc, reason):
    d = os.path.join(out, "case%05d" % n)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "qrels.txt"), "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
        f.write(c.text(c.qrels, c.qrels_eol, c.qrels_final_nl))
    with open(os.path.join(d, "run.txt"), "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
        f.write(c.text(c.run, c.run_eol, c.run_final_nl))
    if c.z is not None:
        with open(os.path.join(d, "zscores.txt"), "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
            f.write(c.z)
    with open(os.path.join(d, "argv"), "w") as f:
        f.write(" ".join(c.argv + c.zargs + ["qrels.txt", "-" if c.stdin_run else "run.txt"]) + "\n")
        f.write("lceval extra: %s\nreason: %s\n" % (" ".join(c.lc_extra), reason))
    for name, res in (("te", te), ("lc", lc)):
        open(os.path.join(d, name + ".out"), "wb").write(res[1])
        open(os.path.join(d, name + ".err"), "wb").write(res[2] + b"exit %d\n" % res[0])
    return d


OPTS = {"-q", "-c", "-n", "-l", "-M", "-J", "-N", "-Z", "-D", "--query_eval_wanted",
        "--complete_rel_info_wanted", "--nosummary"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--te", required=True)
    ap.add_argument("--lc", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-report", type=int, default=20)
    ap.add_argument("--no-shrink", action="store_true")
    a = ap.parse_args()
    a.te, a.lc = os.path.abspath(a.te), os.path.abspath(a.lc)
    r = random.Random(a.seed)
    stats = {}
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        for n in range(a.cases):
            c = gen_case(r)
            if c.zwant:
                prepare_z(r, c, a.te, d)
            te = run_prog(a.te, c, d)
            lc = run_prog(a.lc, c, d, c.lc_extra)
            why = classify(c, te, lc)
            opts = set(x for x in c.argv if x in OPTS)
            opts |= {"stdin"} if c.stdin_run else set()
            opts |= {"-j 2"} if c.lc_extra else set()
            for f in c.flags | {"all"} | opts:
                s = stats.setdefault(f, [0, 0, 0])
                s[0] += 1
                if why is not None and why.startswith("skip"):
                    s[2] += 1
                elif why is not None:
                    s[1] += 1
            if why is None or why.startswith("skip"):
                continue
            bad += 1
            if bad <= a.max_report:
                if not a.no_shrink:
                    c = shrink(c, a.te, a.lc, d, why)
                    te = run_prog(a.te, c, d)
                    lc = run_prog(a.lc, c, d, c.lc_extra)
                p = save(c, a.out, n, te, lc, why)
                print("MISMATCH case %d (%s): %s" % (n, why, p), flush=True)
    print("# seed %d: %d cases, %d mismatches" % (a.seed, a.cases, bad))
    print("# per option / measure family: cases, mismatches, skipped (trec_eval crash, all-negative topic, rbp read uninitialised, gains shared by dcg/ideal_dcg/ndcg, -Z read past a topic's lines, prefs_avgjg_Rnonrel read past a class)")
    for k in sorted(stats):
        s = stats[k]
        print("#   %-28s %6d %5d %5d" % (k, s[0], s[1], s[2]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
