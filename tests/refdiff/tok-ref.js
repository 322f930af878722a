// tok-ref.js REF_PREFIX KIND NAME_OR_TOKENIZER_JSON TEXTS.jsonl OUT.jsonl: the reference ids of every
// text for tok-diff.sh.  KIND tiktoken: npm tiktoken@1.0.22 (WASM) per mode, ordinary / all / default
// (null when it raises), cross-checked against tiktoken-rs-node@1.0.6 (native) on the ordinary ids
// of texts without a special-token string.  KIND hf: @anush008/tokenizers@0.6.0 (native HF
// tokenizers 0.22.2), add_special_tokens false and true, and decode(ids, skip_special_tokens=false).
// Raw-byte texts ("b64") are decoded the WHATWG way (each maximal invalid subpart -> U+FFFD)
// first, as every reference takes a string.  One output line per text: {"id", ...ids per mode}.
'use strict';
const fs = require('fs');
const [ref, kind, name, textsPath, outPath] = process.argv.slice(2);
const dec = new TextDecoder('utf-8', { fatal: false });
const lines = fs.readFileSync(textsPath, 'utf8').split('\n').filter((l) => l.length);
const out = fs.openSync(outPath, 'w');
const put = (o) => fs.writeSync(out, JSON.stringify(o) + '\n');
const textOf = (r) => (r.b64 !== undefined ? dec.decode(Buffer.from(r.b64, 'base64')) : r.text);

if (kind === 'tiktoken') {
  const { get_encoding } = require(ref + '/node_modules/tiktoken');
  const e = get_encoding(name);
  let rs = null;
  try {
    rs = require(ref + '/node_modules/tiktoken-rs-node-linux-x64-gnu/tiktoken-rs-node.linux-x64-gnu.node').getEncoding(name);
  } catch (x) { /* cross-check optional */ }
  const specials = Object.keys(JSON.parse(fs.readFileSync(process.env.VOCAB_JSON, 'utf8')).special_tokens);
  for (const l of lines) {
    const r = JSON.parse(l);
    const t = textOf(r);
    // both tiktoken builds overflow fancy-regex's stack on a piece near 1M spaces (they panic;
    // the WASM instance is then unusable) and their merge loop is quadratic in the piece length
    // (minutes on a 100 KB word): long/* texts over 20,000 characters are left to the HF
    // references (hf/gpt35turbo and hf/gpt4o are cl100k_base and o200k_base)
    if (r.id.startsWith('long/') && t.length > 20000) { put({ id: r.id, skip: 'longer than the tiktoken references take' }); continue; }
    const o = { id: r.id, ordinary: Array.from(e.encode_ordinary(t)) };
    o.dec = Buffer.from(e.decode(Uint32Array.from(o.ordinary))).toString('base64');
    const hasSpecial = specials.some((s) => t.includes(s));
    if (hasSpecial) {
      o.all = Array.from(e.encode(t, 'all'));
      try { o.default = Array.from(e.encode(t)); } catch (x) { o.default = null; o.error = String(x); }
    } else if (rs) {
      const x = Array.from(rs.encode(t));
      if (JSON.stringify(x) !== JSON.stringify(o.ordinary)) o.xcheck = x;
    }
    put(o);
  }
  e.free();
} else {
  const { Tokenizer } = require(ref + '/node_modules/@anush008/tokenizers');
  const tok = Tokenizer.fromFile(name);
  (async () => {
    for (const l of lines) {
      const r = JSON.parse(l);
      const t = textOf(r);
      const f = (await tok.encode(t, null, { addSpecialTokens: false })).getIds();
      const a = (await tok.encode(t, null, { addSpecialTokens: true })).getIds();
      const o = { id: r.id, f: Array.from(f), t: Array.from(a) };
      o.dec = f.length ? await tok.decode(Array.from(f), false) : '';
      put(o);
    }
    fs.closeSync(out);
  })().catch((x) => { console.error('tok-ref: ' + x); process.exit(1); });
}
