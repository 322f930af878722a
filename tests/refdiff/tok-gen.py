#!/usr/bin/env python3
"""tok-gen.py SEED N SHARED OUT.jsonl: the texts tok-diff.sh feeds to lctok and to the
reference tokenizers.  Deterministic for a given SEED: N random texts per category
(ws digits contr scripts comb uver emoji ctrl bytes special sp punct code url cjk
mixed), a sweep of every code point 0x80..0x323FF (plus samples of the planes above)
in contexts that expose its regex category, long texts (100 KB, one huge word,
runs of spaces and newlines) and the LOFT passages under SHARED/data/loft.
One JSON object a line: {"id": "CATEGORY/N", "text": ...} or, for invalid UTF-8,
{"id": ..., "b64": raw bytes} (never containing CR or LF: lctok reads them with --text)."""
import base64, glob, json, os, random, sys

seed, n, shared, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
R = random.Random(seed)
C = chr

def rng_chars(ranges):
    lo, hi = R.choice(ranges)
    return C(R.randint(lo, hi))

WS = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\xa0", "\u1680", "\u180e", "\u2000", "\u2001",
      "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a",
      "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\x1c", "\x1d", "\x1e", "\x1f"]
DIGIT_SETS = [(0x30, 0x39), (0x660, 0x669), (0x6f0, 0x6f9), (0x966, 0x96f), (0x9e6, 0x9ef), (0xe50, 0xe59),
              (0xff10, 0xff19), (0x1d7ce, 0x1d7ff), (0x11f50, 0x11f59), (0x1e4f0, 0x1e4f9), (0x10d40, 0x10d49),
              (0x11bf0, 0x11bf9), (0x16ac0, 0x16ac9), (0x1fbf0, 0x1fbf9), (0x116d0, 0x116e3), (0x1ccf0, 0x1ccf9),
              (0x2070, 0x2079), (0x2080, 0x2089), (0x2460, 0x2473), (0x2160, 0x2188), (0xbc, 0xbe), (0x3007, 0x3007),
              (0x1d2c0, 0x1d2d3), (0x10107, 0x10133), (0xb2, 0xb3), (0xb9, 0xb9)]
SCRIPTS = [(0x41, 0x5a), (0x61, 0x7a), (0xc0, 0x24f), (0x370, 0x3ff), (0x400, 0x4ff), (0x531, 0x587), (0x5d0, 0x5ea),
           (0x620, 0x64a), (0x904, 0x939), (0x985, 0x9b9), (0xe01, 0xe30), (0x10a0, 0x10ff), (0x1100, 0x11ff),
           (0xac00, 0xd7a3), (0x3041, 0x3096), (0x30a1, 0x30fa), (0x4e00, 0x9fff), (0x1200, 0x135a), (0x13a0, 0x13f5),
           (0xb85, 0xbb9), (0x1780, 0x17b3), (0x1820, 0x1878), (0xf40, 0xf6c), (0x1e00, 0x1eff), (0x2c00, 0x2c5f),
           (0x10400, 0x1044f), (0x1d400, 0x1d6a5), (0x20000, 0x2a6df), (0x2b0, 0x2ff), (0x1c80, 0x1c8a),
           (0x1f00, 0x1fff), (0x2160, 0x2188), (0xa7c0, 0xa7dc), (0x10570, 0x105bc), (0x105c0, 0x105f3)]
MARKS = [(0x300, 0x36f), (0x483, 0x489), (0x591, 0x5bd), (0x610, 0x61a), (0x64b, 0x65f), (0x900, 0x903),
         (0x93a, 0x94f), (0x981, 0x983), (0x9bc, 0x9d7), (0xe31, 0xe3a), (0x1ab0, 0x1ace), (0x1dc0, 0x1dff),
         (0x20d0, 0x20f0), (0xfe00, 0xfe0f), (0xfe20, 0xfe2f), (0x302a, 0x302f), (0x3099, 0x309a),
         (0x1d165, 0x1d169), (0x1d16d, 0x1d172), (0xe0100, 0xe01ef), (0x1cf00, 0x1cf2d), (0x10efd, 0x10eff),
         (0x0897, 0x0897), (0x11f00, 0x11f03), (0x1e4ec, 0x1e4ef), (0x16d70, 0x16d72)]
UVER = [(0x10e80, 0x10eb1), (0x10fb0, 0x10fcb), (0x11900, 0x11959), (0x18b00, 0x18cd5), (0x1fb00, 0x1fbca),
        (0x30000, 0x3134a), (0x10570, 0x105bc), (0x12f90, 0x12ff2), (0x10f70, 0x10f89), (0x16a70, 0x16ac9),
        (0x1e290, 0x1e2ae), (0x1cf00, 0x1cfc3), (0x10780, 0x107ba), (0x1df00, 0x1df2a), (0x1e7e0, 0x1e7fe),
        (0x1aff0, 0x1affe), (0x870, 0x89f), (0x11f00, 0x11f5a), (0x1e4d0, 0x1e4f9), (0x31350, 0x323af),
        (0x1d2c0, 0x1d2d3), (0x1e030, 0x1e08f), (0x11b00, 0x11b09), (0x2ebf0, 0x2ee5d), (0x2ffc, 0x2fff),
        (0x10d40, 0x10d8f), (0x16100, 0x16139), (0x16d40, 0x16d79), (0x1e5d0, 0x1e5ff), (0x11bc0, 0x11bf9),
        (0x105c0, 0x105f3), (0x11380, 0x113e2), (0x1cc00, 0x1ceb3), (0x13460, 0x143fa), (0x116d0, 0x116e3),
        (0xa7cb, 0xa7dc), (0x1c89, 0x1c8a), (0x0897, 0x0897), (0x1fa70, 0x1faff), (0x0378, 0x0379),
        (0x2fe0, 0x2fef), (0xe000, 0xf8ff), (0xf0000, 0xffffd), (0x100000, 0x10fffd), (0xfdd0, 0xfdef),
        (0xfffe, 0xffff), (0x1fffe, 0x1ffff), (0x10fffe, 0x10ffff), (0x40000, 0x4ffff), (0xe0000, 0xe007f),
        (0x180e, 0x180e), (0x1b4f, 0x1b4f), (0xcf3, 0xcf3), (0xece, 0xece), (0x1123f, 0x11241), (0x13439, 0x1343f)]
EMOJI = ["\U0001F600", "\U0001F44D", "\U0001F3FB", "\U0001F3FF", "\u200d", "\ufe0f", "\ufe0e", "\u2764", "\U0001F468",
         "\U0001F469", "\U0001F467", "\U0001F466", "\U0001F1FA", "\U0001F1F8", "\U0001F1EC", "\U0001F1E7", "\U0001F3F4",
         "\U000E0067", "\U000E0062", "\U000E0073", "\U000E007F", "\u20e3", "#", "1", "\u2640", "\u2642", "\U0001F9D1",
         "\U0001F91D", "\U0001FAF1", "\U0001FAF2", "\u263a", "\U0001F3F3", "\u26a7", "\U0001F308", "\U0001FA75"]
CONTR = ["s", "t", "re", "ve", "m", "ll", "d", "S", "T", "RE", "Re", "rE", "VE", "Ve", "M", "LL", "Ll", "lL", "D",
         "\u017f", "x", "", "ss", "dd", "\u212a"]
APOS = ["'", "\u2019", "\u02bc", "\u2018", "`", "''"]
PUNCT = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + ["\u2014", "\u2013", "\u00ab", "\u00bb", "\u201c", "\u201d",
         "\u3001", "\u3002", "\uff0c", "\u00bf", "\u00a1", "\u2026", "\u00b7", "\u060c", "\u0964", "\u00a7", "\u00b6"]
CTRL = [C(i) for i in range(0, 32)] + ["\x7f"] + [C(i) for i in range(0x80, 0xa0)] + ["\u200e", "\u200f", "\u202e", "\u2066", "\u00ad", "\u2060", "\ufff9"]
CODE = ["def f(x):\n    return x**2\n", "int main(void) {\n\treturn 0;\n}\n", "if (a && b || !c) { x += 1; }",
        "    ", "\t\t", "x=>x+1", "#include <stdio.h>", "SELECT * FROM t WHERE id = 42;", "a[i] = b[j]->c;",
        "// comment", "/* c */", "'''doc'''", "\"\"\"", "::", "->", "!==", "<<=", "0x1F", "1e-10", "__init__",
        "camelCaseName", "snake_case_name", "$HOME", "@decorator", "{{template}}", "</div>", "<br/>", "\\n\\t"]
URLS = ["https://example.com/a/b?c=1&d=2#frag", "http://x.y", "ftp://ftp.example.org/pub/file.tar.gz",
        "www.example.co.uk", "user@example.com", "https://ja.wikipedia.org/wiki/%E6%97%A5%E6%9C%AC",
        "https://例え.jp/パス", "mailto:a.b+c@d.org", "C:\\Windows\\System32", "/usr/local/bin/lctok", "../a/./b"]

def load_specials():
    sp = {"<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>"}
    for tj in sorted(glob.glob(os.path.join(shared, "vocab/hf/*/tokenizer.json"))):
        try:
            d = json.load(open(tj, encoding="utf-8"))
        except Exception:
            continue
        at = d.get("added_tokens") or []
        if len(at) > 300:
            at = R.sample(at, 300) + at[:40]
        for a in at:
            sp.add(a["content"])
    return sorted(sp)

SPECIALS = load_specials()

def word(lo=1, hi=12):
    k = R.randint(lo, hi)
    s = "".join(R.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(k))
    return s

def digits_run():
    k = R.randint(1, 20)
    if R.random() < 0.6:
        return "".join(R.choice("0123456789") for _ in range(k))
    lo, hi = R.choice(DIGIT_SETS)
    return "".join(C(R.randint(lo, hi)) for _ in range(k))

def ws_run():
    r = R.random()
    if r < 0.4:
        return " " * R.randint(1, 40)
    if r < 0.6:
        return "".join(R.choice(WS) for _ in range(R.randint(1, 8)))
    return "".join(R.choice([" ", "\n", "\t", "\r\n", "\xa0", "\u3000", "\x85", "\u2028"]) for _ in range(R.randint(1, 12)))

def contr():
    a = R.choice(APOS)
    s = R.choice(["", word(1, 6), " ", "1", "\u00e9t\u00e9", "\u00c9"]) + a + R.choice(CONTR)
    return s + R.choice(["", "", " ", "s", "x", "'", a, "1", "\n", "\u00e9"])

def script_word():
    k = R.randint(1, 10)
    s = ""
    for _ in range(k):
        s += rng_chars(SCRIPTS)
        if R.random() < 0.25:
            s += rng_chars(MARKS)
    return s

def comb():
    s = R.choice(["e", "E", "a", "o", "u", "n", "c", "A", "\u0391", "\u03c9", "\u0415", "\u0627", "\u0915", "\u1100",
                  "\uac00", " ", "1", "'", "\u00e9", "\u1e9b", "\u212b", "\u2126", "\u0f71", "\u0958", "\u3099"])
    for _ in range(R.randint(1, 5)):
        s += rng_chars(MARKS) if R.random() < 0.8 else R.choice(["\u0301", "\u0323", "\u0302", "\u0308", "\u031b", "\u0345", "\u0f72", "\u0f74"])
    return s

def uver():
    x = rng_chars(UVER)
    tmpl = R.choice(["1{}2", "a{}b", "{}", " {}", "{}'s", "A{}", "{}{}{}", " {}1", "{}\n", "x {} y", "12{}345", "\u00a0{}",
                     "{}a", "a{}A", "'{}", "{}.", "!{}", "{} ", "  {}"])
    return tmpl.replace("{}", x)

def emoji():
    k = R.randint(1, 8)
    return "".join(R.choice(EMOJI) for _ in range(k))

def special():
    s = R.choice(SPECIALS)
    r = R.random()
    if r < 0.15:
        s = s[:R.randint(1, max(1, len(s) - 1))]
    elif r < 0.25:
        s = s[R.randint(1, max(1, len(s) - 1)):]
    elif r < 0.35:
        s = s + s
    elif r < 0.45:
        s = word(1, 4) + s + word(1, 4)
    elif r < 0.5:
        s = s + R.choice(SPECIALS)
    return s

def atom(cat):
    f = {"ws": ws_run, "digits": digits_run, "contr": contr, "scripts": script_word, "comb": comb, "uver": uver,
         "emoji": emoji, "special": special, "punct": lambda: "".join(R.choice(PUNCT) for _ in range(R.randint(1, 5))),
         "ctrl": lambda: "".join(R.choice(CTRL) for _ in range(R.randint(1, 4))), "code": lambda: R.choice(CODE),
         "url": lambda: R.choice(URLS), "cjk": lambda: "".join(C(R.randint(0x4e00, 0x9fff)) if R.random() < 0.7 else R.choice("\u3001\u3002\uff0c\u3000\u30fc\u3041\u30a2\uff11\uff21") for _ in range(R.randint(1, 12))),
         "word": lambda: word(), "prose": lambda: R.choice(["The", "quick", "brown", "fox", "isn't", "they're", "it's", "2024", "U.S.", "e.g.", "(1998)", "Dr.", "naïve", "café"])}[cat]
    return f()

CATS = ["ws", "digits", "contr", "scripts", "comb", "uver", "emoji", "special", "punct", "ctrl", "code", "url", "cjk"]

def text_for(cat):
    parts = []
    for _ in range(R.randint(1, 10)):
        r = R.random()
        if r < 0.55:
            parts.append(atom(cat))
        elif r < 0.75:
            parts.append(R.choice([" ", "", "\n", "  "]))
        elif r < 0.9:
            parts.append(atom(R.choice(["word", "prose", "digits", "ws"])))
        else:
            parts.append(atom(R.choice(CATS)))
    t = "".join(parts)
    # lctok --text would drop NUL?  No: JSON carries every code point, NUL included
    return t

# invalid UTF-8 pieces
BAD = [b"\x80", b"\xbf", b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xed\xa0\x80", b"\xed\xbf\xbf",
       b"\xed\xa0\x80\xed\xb0\x80", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80",
       b"\xfe", b"\xff", b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"\xf0\x9f", b"\xe2", b"\xc3\xc3\xa9", b"\xe2\x28\xa1",
       b"\xf0\x28\x8c\xbc", b"\xf0\x90\x28\xbc", b"\xa0\xa1", b"\xe1\x80\xe2\xf0\x91\x92\xf1\xbf\x41", b"\x80\x80\x80\x80"]

def bytes_text():
    parts = []
    for _ in range(R.randint(1, 8)):
        r = R.random()
        if r < 0.45:
            parts.append(R.choice(BAD))
        else:
            parts.append(text_for(R.choice(CATS)).encode("utf-8"))
    b = b"".join(parts).replace(b"\n", b" ").replace(b"\r", b" ")
    try:
        b.decode("utf-8")
        b += R.choice(BAD)
    except UnicodeDecodeError:
        pass
    return b

def sp_text():
    r = R.random()
    pool = ["", " ", "  ", "   ", "\u2581", "\u2581\u2581", " \u2581", "\u2581 ", "<s>", "</s>", "<unk>", "<bos>", "<eos>", "<pad>",
            "<start_of_turn>", "<end_of_turn>", "<0x0A>", "<0x41>", "\n", "\t", "\n\n", "\t\t", word(1, 6), " " + word(1, 6),
            "\U0001F9FF", "\u2d30", "\U0001D11E", "\U00013000", "\uFFFD", "\x00", "\x01", "\r", "<unused3>", "<mask>",
            "<image_soft_token>", "<start_of_image>", "<p>", "</p>", "<b>", "<td>", "12", " 3"]
    k = R.randint(1, 8)
    return "".join(R.choice(pool) for _ in range(k))

recs = []
def add(cat, t):
    recs.append({"id": "%s/%d" % (cat, len(recs)), "text": t})

for cat in CATS:
    for _ in range(n):
        add(cat, text_for(cat))
for _ in range(n):
    add("mixed", "".join(atom(R.choice(CATS + ["word", "prose"])) + R.choice(["", " ", "\n"]) for _ in range(R.randint(2, 16))))
for t in ["", " ", "  ", "   a", "a ", "a  ", " a ", "\u2581", "\u2581a", "a\u2581", " \u2581 ", "\u2581\u2581\u2581",
          "<s>", " <s>", "<s> ", "<s>a", "a<s>", "a</s>b", "<s><s>", "</s> </s>", "<unk>", "x<unk>y", "<s", "s>", "<0x41>",
          "\U0001F9FF", "a\U0001F9FF b", "\x00", "\n", " \n ", "\t\t", "<start_of_turn>user\nhi<end_of_turn>\n",
          "<bos><bos>", "<eos>", "<pad>x", "<mask>", "<unused0>", "<unused99>x", "<b>bold</b>", "<td> </td>"]:
    add("sp", t)
for _ in range(n):
    add("sp", sp_text())
for _ in range(n):
    b = bytes_text()
    recs.append({"id": "bytes/%d" % len(recs), "b64": base64.b64encode(b).decode()})

# code point sweep: each code point X in contexts where its category (L subclass, M, N, \s, other) matters
def sweep_cps():
    cps = list(range(0x80, 0xd800)) + list(range(0xe000, 0x323b0)) + list(range(0x323b0, 0x110000, 97)) + \
        list(range(0xe0000, 0xe0200)) + [0x10fffd, 0x10fffe, 0x10ffff]
    return cps
SWEEP_CTX = ["a{X}A", "1{X}2", " {X}b", "'{X}", "{X}'s", "\n{X} "]
cps = sweep_cps()
chunk = 256
for i in range(0, len(cps), chunk):
    t = "".join(R.choice(SWEEP_CTX).replace("{X}", C(c)) for c in cps[i:i + chunk])
    add("sweep", t)

# long texts
add("long", "a" * 100000)
add("long", " " * 1000000)  # tiktoken references fail on it (tok-ref.js): HF only
add("long", " " * 500000)
add("long", "x" + " " * 100000 + "y")
add("long", "\n" * 50000 + "a")
add("long", "1" * 30000)
add("long", "".join(R.choice("abc xyz\n\u00e9\u4e00") for _ in range(100000)))
add("long", "\u2581" * 5000 + "a")
add("long", "\u00e9" * 30000)
add("long", "\U0001F600" * 20000)
add("long", "\t" * 40000 + "x")
add("long", "b" * 15000)
add("long", "x" + " " * 19000 + "y")
add("long", " " * 19999)
add("long", "7" * 19999)

# LOFT passages (title + text), and a few joined
loft = []
for f in sorted(glob.glob(os.path.join(shared, "data/loft/*/corpus.jsonl"))):
    ds = f.split(os.sep)[-2]
    for line in open(f, encoding="utf-8"):
        d = json.loads(line)
        loft.append((ds, d.get("pid", ""), (d.get("title_text") or "") + "\n" + (d.get("passage_text") or "")))
R.shuffle(loft)
for ds, pid, t in loft[:max(n, 200)]:
    add("loft", t)
for i in range(3):
    add("loft-long", "\n\n".join(t for _, _, t in loft[i * 60:(i + 1) * 60]))

with open(out, "w", encoding="utf-8") as o:
    for r in recs:
        o.write(json.dumps(r, ensure_ascii=True) + "\n")
print("%d texts" % len(recs), file=sys.stderr)
