#!/usr/bin/env python3
"""The OPTION VOCABULARY tables of lctk(7) against the programs' real option
tables (run by tests/lint.sh): every long option that two or more programs take
has a row in the first table (argument, default, meaning) and in the second,
whose program list names exactly the programs that take it (a parenthesised
note after a name is allowed).  --fix rewrites the program lists in place.
usage: vocabtable.py BUILDDIR [MANPAGE] [--fix]"""
import os, re, subprocess, sys

def options(build):
    progs = {}
    bindir = os.path.join(build, 'bin')
    for name in sorted(os.listdir(bindir)):
        path = os.path.join(bindir, name)
        if not name.startswith('lc') or not os.access(path, os.X_OK) or '.' in name:
            continue
        subs = [None]
        out = subprocess.run([path, '--lctk-options'], capture_output=True, text=True).stdout
        subs += [l.split('\t')[1] for l in out.splitlines() if l.startswith('sub\t')]
        for s in subs:
            argv = [path] + ([s] if s else []) + ['--lctk-options']
            out = subprocess.run(argv, capture_output=True, text=True).stdout
            for l in out.splitlines():
                f = l.split('\t')
                if f[0] == 'opt' and f[2].startswith('--'):
                    progs.setdefault(f[2][2:], set()).add(name)
    return progs

def main():
    args = [a for a in sys.argv[1:] if a != '--fix']
    fix = '--fix' in sys.argv
    build, page = args[0], args[1] if len(args) > 1 else 'man/lctk.7'
    progs = options(build)
    # every program takes these (lib/cli/cli.c): not vocabulary rows
    for common in ('help', 'version', 'max-record'):
        progs.pop(common, None)
    shared = {o: p for o, p in progs.items() if len(p) >= 2}
    allprogs = set().union(*progs.values())
    lines = open(page).read().split('\n')
    sec = [i for i, l in enumerate(lines) if l.startswith('.Sh OPTION VOCABULARY')]
    if not sec:
        print(f'{page}: no OPTION VOCABULARY section')
        return 1
    end = next(i for i in range(sec[0] + 1, len(lines)) if lines[i].startswith('.Sh '))
    row = re.compile(r'^\.It (?:Fl [A-Za-z] , )?Fl -([a-z0-9-]+) Ta (.*)$')
    tables, cur = [], None
    for i in range(sec[0], end):
        if lines[i].startswith('.Bl -column'):
            cur = {}
            tables.append(cur)
        m = row.match(lines[i])
        if m and cur is not None:
            cur[m.group(1)] = i
    bad = 0
    if len(tables) < 2:
        print(f'{page}: OPTION VOCABULARY wants two tables (meanings, programs)')
        return 1
    meanings, programs = tables[0], tables[-1]
    for o in sorted(shared):
        if o not in meanings:
            print(f'{page}: --{o} ({", ".join(sorted(shared[o]))}) has no row in the vocabulary table')
            bad = 1
        if o not in programs:
            print(f'{page}: --{o} has no row in the programs table')
            bad = 1
    for o, i in programs.items():
        text = row.match(lines[i]).group(2)
        named = {re.sub(r'\s*\(.*', '', p).strip() for p in text.split(',')}
        real = progs.get(o, set())
        if named == {'all'} and real == allprogs:
            continue
        if named != real:
            if fix:
                notes = {re.sub(r'\s*\(.*', '', p).strip(): p.strip() for p in text.split(',')}
                lines[i] = f'.It Fl -{o} Ta ' + ', '.join(notes.get(p, p) for p in sorted(real))
            else:
                print(f'{page}:{i + 1}: --{o} is taken by {", ".join(sorted(real)) or "no program"}, '
                      f'the table says {", ".join(sorted(named))} (tests/vocabtable.py --fix)')
                bad = 1
    if fix:
        open(page, 'w').write('\n'.join(lines))
    return bad

sys.exit(main())
