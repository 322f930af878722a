#!/usr/bin/env python3
"""chainlint.py — finds assertions whose failure a bats suite would never see.

Bats runs each @test with `set -e` but only the status of a `&&`/`||` list's last
command, and of a pipeline's last command, can stop it; a check anywhere else is
dead.  (git's t/chainlint is the model: a small shell parser, not a grep.)  Reported,
as FILE:LINE: what is wrong and what to do, exit 1 when anything is found:

  and     a check ([ ], [[ ]], test, (( )), assert_*/refute_*, grep, cmp, diff or a
          `!` pipeline) followed by `&&` in a list that has no later `|| fail`
          (`|| false`, `|| return 1`, `|| exit 1`): when it fails, nothing does.
          `CHECK && break|continue|return|exit|skip` (control flow) and
          `CHECK && fail "why"` (a negative assertion) are allowed, and so is any
          list in an if/elif/while/until condition; a conditional is written with if.
  pipe    a pipeline whose non-final stage is the thing tested (an lc* program,
          "$BUILD/...", "$ROOT/...", python3, sh, bash, make) without
          `set -o pipefail` earlier in the test or in setup(): its status is lost;
          `run` in a pipeline is always reported (it runs in a subshell); so is
          such a pipeline in the script of sh -c / bash -c without -o pipefail.
  run     (@test only) `run CMD` whose status nothing checks before the next run
          or the end of the test: no assert_success/assert_failure/$status, and
          no `run -N` / `run !` (run cat/grep/head/tail/sed/wc/... reading a file for
          assert_output is exempt).
  subst   a check ([ ], [[ ]], test, assert_*/refute_*) inside $( ): its status
          is discarded with the substitution.

Checked: every @test and every function of each .bats file given.  The parser
knows quotes, $( ), ${ }, (( )), [[ ]], here-documents, comments, line
continuations, if/while/until/for/case; it is not a full shell parser, so keep
tests plain.
usage: chainlint.py FILE.bats...
"""
import re
import sys

CHECK_WORDS = {"[", "[[", "test", "grep", "cmp", "diff"}
SUBST_CHECKS = {"[", "[[", "test"}
CONTROL = {"break", "continue", "return", "exit", "skip"}
FAILERS = {"fail", "false", "flunk"}
READERS = {"cat", "grep", "head", "tail", "sed", "wc", "sort", "cut", "tr", "ls", "echo", "printf", "jq", "cmp", "diff"}
TESTED = {"run", "python3", "python", "sh", "bash", "make"}
RESERVED_START = {"if", "elif", "while", "until", "then", "do", "else", "fi", "done",
                  "esac", "{", "}", "(", ")", "function"}


class Tok:
    __slots__ = ("kind", "val", "line", "substs")

    def __init__(self, kind, val, line, substs=None):
        self.kind, self.val, self.line, self.substs = kind, val, line, substs or []

    def __repr__(self):
        return "%s:%r@%d" % (self.kind, self.val, self.line)


def skip_subst(s, i, close):
    """s[i] is just after the opener of $( (close ')') or ${ (close '}') or (( ;
    returns the index just past the matching close, honouring quotes and nesting."""
    depth = 1
    opener = "(" if close == ")" else "{"
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'" and close == ")":
            j = s.find("'", i + 1)
            i = len(s) if j < 0 else j + 1
            continue
        if c == '"':
            i = skip_dquote(s, i + 1)
            continue
        if c == "$" and i + 1 < len(s) and s[i + 1] in "({":
            i = skip_subst(s, i + 2, ")" if s[i + 1] == "(" else "}")
            continue
        if c == "#" and close == ")" and (i == 0 or s[i - 1] in " \t\n;"):
            j = s.find("\n", i)
            i = len(s) if j < 0 else j
            continue
        if c == opener:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def skip_dquote(s, i):
    """s[i] is just after an opening double quote; returns the index past its close."""
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c == "$" and i + 1 < len(s) and s[i + 1] in "({":
            i = skip_subst(s, i + 2, ")" if s[i + 1] == "(" else "}")
            continue
        if c == "`":
            j = s.find("`", i + 1)
            i = len(s) if j < 0 else j + 1
            continue
        i += 1
    return i


def tokenize(s, line0):
    """Tokens of shell text s, which starts on line line0: words (kind 'w', with the
    bodies of their $( ) in .substs as (text, line)) and operators (kind 'op':
    && || | ; ;; & ( ) and 'nl')."""
    toks = []
    i, line, n = 0, line0, len(s)
    heredocs = []  # pending (delimiter, strip_tabs)
    word, wline, substs = None, line, []
    in_dbl = False

    def end_word():
        nonlocal word, substs, in_dbl
        if word is not None:
            toks.append(Tok("w", word, wline, substs))
            if word == "[[":
                in_dbl = True
            elif word == "]]":
                in_dbl = False
        word, substs = None, []

    def add(ch):
        nonlocal word, wline
        if word is None:
            word, wline = "", line
        word += ch

    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n:
            if s[i + 1] == "\n":
                i += 2
                line += 1
                continue
            add(s[i:i + 2])
            i += 2
            continue
        if c == "\n":
            end_word()
            toks.append(Tok("op", "nl", line))
            line += 1
            i += 1
            for delim, strip in heredocs:
                while i < n:
                    j = s.find("\n", i)
                    j = n if j < 0 else j
                    text = s[i:j]
                    i = j + 1
                    line += 1
                    if (text.lstrip("\t") if strip else text) == delim:
                        break
            heredocs = []
            continue
        if c in " \t":
            end_word()
            i += 1
            continue
        if c == "#" and word is None:
            j = s.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "'":
            j = s.find("'", i + 1)
            j = n if j < 0 else j + 1
            add(s[i:j])
            line += s.count("\n", i, j)
            i = j
            continue
        if c == '"':
            j = skip_dquote(s, i + 1)
            collect_substs(s, i + 1, j, line, substs)
            add(s[i:j])
            line += s.count("\n", i, j)
            i = j
            continue
        if c == "`":
            j = s.find("`", i + 1)
            j = n if j < 0 else j + 1
            add(s[i:j])
            line += s.count("\n", i, j)
            i = j
            continue
        if c == "$" and i + 1 < n and s[i + 1] in "({":
            if s.startswith("$((", i):
                j = skip_subst(s, i + 3, ")")
                j = j + 1 if j < n and s[j] == ")" else j
            elif s[i + 1] == "(":
                j = skip_subst(s, i + 2, ")")
                substs.append((s[i + 2:j - 1], line))
            else:
                j = skip_subst(s, i + 2, "}")
            add(s[i:j])
            line += s.count("\n", i, j)
            i = j
            continue
        if c in "<>":
            m = re.match(r"<<-?[ \t]*(['\"]?)([A-Za-z_0-9]+)\1", s[i:])
            if m and not s.startswith("<<<", i):
                end_word()
                heredocs.append((m.group(2), s.startswith("<<-", i)))
                i += m.end()
                continue
            m = re.match(r"(>>|>&|>\||<&|<>|<<<|>|<)-?", s[i:])
            if in_dbl:
                add(c)
                i += 1
                continue
            # a redirection: fd digits before it stay in the word, the target follows
            add(m.group(0))
            i += m.end()
            if m.group(0).endswith("&") or m.group(0) in ("<&-", ">&-"):
                while i < n and (s[i].isdigit() or s[i] == "-"):
                    add(s[i])
                    i += 1
            end_word()
            continue
        if in_dbl and c in "&|()":
            if s.startswith("&&", i) or s.startswith("||", i):
                add(s[i:i + 2])
                i += 2
                continue
            add(c)
            i += 1
            continue
        if c == "&" and s.startswith("&>", i):
            end_word()
            add("&>")
            i += 2
            end_word()
            continue
        if c in ";&|":
            end_word()
            for op in ("&&", "||", ";;", ";&", "|&"):
                if s.startswith(op, i):
                    toks.append(Tok("op", op if op != "|&" else "|", line))
                    i += 2
                    break
            else:
                toks.append(Tok("op", c, line))
                i += 1
            continue
        if c == "(":
            if s.startswith("((", i) and word is None:
                j = skip_subst(s, i + 2, ")")
                j = j + 1 if j < n and s[j] == ")" else j
                add(s[i:j])
                line += s.count("\n", i, j)
                i = j
                end_word()
                continue
            if word is not None and word.endswith("="):  # array assignment
                j = skip_subst(s, i + 1, ")")
                add(s[i:j])
                i = j
                continue
            if word is not None and s.startswith("()", i):  # name() function
                add("()")
                i += 2
                end_word()
                continue
            end_word()
            toks.append(Tok("op", "(", line))
            i += 1
            continue
        if c == ")":
            end_word()
            toks.append(Tok("op", ")", line))
            i += 1
            continue
        add(c)
        i += 1
    end_word()
    return toks


def collect_substs(s, i, j, line, substs):
    """$( ) bodies inside a double-quoted string s[i:j]."""
    k = i
    while k < j:
        if s[k] == "\\":
            k += 2
            continue
        if s.startswith("$((", k):
            k = skip_subst(s, k + 3, ")") + 1
            continue
        if s.startswith("$(", k):
            e = skip_subst(s, k + 2, ")")
            substs.append((s[k + 2:e - 1], line + s.count("\n", i, k)))
            k = e
            continue
        k += 1


def cmd_name(words):
    """The command word of a simple command: past assignments, redirections, `!`."""
    neg = False
    for w in words:
        if w == "!":
            neg = True
            continue
        if re.match(r"^[A-Za-z_][A-Za-z_0-9]*(\[[^]]*\])?\+?=", w):
            continue
        if re.match(r"^\d*(>>|>&|>\||<&|<>|<<<|>|<|&>)", w):
            continue
        return w, neg
    return None, neg


def is_check(words):
    name, neg = cmd_name(words)
    if neg:
        return True
    if name is None:
        return False
    return (name in CHECK_WORDS or name.startswith("((") or name.startswith("assert_")
            or name.startswith("refute_") or name == "assert")


def is_tested(words):
    name, _ = cmd_name(words)
    if name is None:
        return False
    bare = name.strip('"')
    return (bool(re.match(r"^lc[a-z]+$", bare)) or name in TESTED
            or bare.startswith("$BUILD") or bare.startswith("${BUILD")
            or bare.startswith("$ROOT") or bare.startswith("${ROOT"))


def reader(words):
    """run cat/grep/head...: a file read for assert_output, whose status adds nothing."""
    rest = [w for w in words[1:] if not w.startswith("--")]
    return bool(rest) and rest[0] in READERS


def status_flag(words):
    """run -N / run ! check the status themselves."""
    for w in words[1:]:
        if w == "!" or re.match(r"^-\d+$", w):
            return True
        if w == "--" or not w.startswith("-"):
            return False
    return False


class Linter:
    def __init__(self, path):
        self.path = path
        self.found = []

    def report(self, line, msg):
        self.found.append((line, msg))

    def lists(self, toks):
        """Splits tokens into and-or lists: yields (elements, in_condition), where
        elements is [(pipeline, op_after)] and pipeline is a list of commands, each
        a list of word tokens."""
        out = []
        ctx = []  # stack of 'case' / 'pat' / 'cond' / 'for'
        cur, pipe, cmd = [], [], []
        cond = False
        at_start = True

        def flush_list():
            nonlocal cur, pipe, cmd
            if cmd:
                pipe.append(cmd)
            if pipe:
                cur.append((pipe, None))
            if cur:
                out.append((cur, cond))
            cur, pipe, cmd = [], [], []

        i = 0
        while i < len(toks):
            t = toks[i]
            top = ctx[-1] if ctx else None
            if top == "pat":
                if t.kind == "op" and t.val == ")":
                    ctx[-1] = "case"
                    at_start = True
                elif t.kind == "w" and t.val == "esac":
                    ctx.pop()
                    at_start = True
                i += 1
                continue
            if top == "for":
                if t.kind == "w" and t.val == "do":
                    ctx.pop()
                    at_start = True
                i += 1
                continue
            if t.kind == "op":
                if t.val in ("&&", "||"):
                    if cmd:
                        pipe.append(cmd)
                    cur.append((pipe, t.val))
                    pipe, cmd = [], []
                    # a newline after && || continues the list
                    while i + 1 < len(toks) and toks[i + 1].kind == "op" and toks[i + 1].val == "nl":
                        i += 1
                    at_start = True
                elif t.val == "|":
                    if cmd:
                        pipe.append(cmd)
                    cmd = []
                    while i + 1 < len(toks) and toks[i + 1].kind == "op" and toks[i + 1].val == "nl":
                        i += 1
                    at_start = True
                elif t.val in (";;", ";&"):
                    flush_list()
                    if top == "case":
                        ctx[-1] = "pat"
                    at_start = True
                else:  # ; & nl ( )
                    flush_list()
                    at_start = True
                i += 1
                continue
            # a word
            if at_start and not cmd and t.val in RESERVED_START | {"for", "case"}:
                v = t.val
                if cur or pipe:
                    flush_list()
                if v in ("if", "elif", "while", "until"):
                    cond = True
                elif v in ("then", "do"):
                    cond = False
                elif v == "for":
                    ctx.append("for")
                elif v == "esac" and top == "case":  # the last item had no ;;
                    ctx.pop()
                elif v == "case":
                    # case WORD in
                    i += 3
                    ctx.append("pat")
                    continue
                i += 1
                continue
            if at_start and not cmd and t.val.endswith("()"):
                i += 1
                continue
            cmd.append(t)
            at_start = False
            i += 1
        flush_list()
        return out

    def lint_subst(self, toks):
        for t in toks:
            for text, line in t.substs:
                inner = tokenize(text, line)
                for elems, _ in self.lists(inner):
                    for pipe, _op in elems:
                        for cmd in pipe:
                            name, _ = cmd_name([w.val for w in cmd])
                            if name in SUBST_CHECKS or (name or "").startswith(("assert_", "refute_")):
                                self.report(cmd[0].line, "%s inside $( ): its status is discarded; "
                                            "check it on its own line" % name)
                self.lint_subst(inner)

    def lint_shell_c(self, ws, line):
        """A pipeline in the script of sh -c / bash -c (also under run) loses the
        status of its first stages unless the shell has -o pipefail."""
        if ws and ws[0] == "run":
            ws = ws[1:]
            while ws and (ws[0].startswith("-") or ws[0] == "!"):
                ws = ws[1:]
        if len(ws) < 3 or ws[0] not in ("sh", "bash") or "-c" not in ws:
            return
        at = ws.index("-c")
        if "pipefail" in ws[:at] or at + 1 >= len(ws):
            return
        script = ws[at + 1]
        if len(script) >= 2 and script[0] == script[-1] and script[0] in "'\"":
            script = script[1:-1]
        for elems, cond in self.lists(tokenize(script, line)):
            for pipe, _ in elems:
                if cond or len(pipe) < 2:
                    continue
                for c in pipe[:-1]:
                    cw = [w.val for w in c]
                    if is_tested(cw):
                        self.report(line, "the status of %s is lost in this pipeline of %s -c; "
                                    "use bash -o pipefail -c" % (cmd_name(cw)[0], ws[0]))
                        break

    def lint_body(self, text, line0, is_test, pipefail_file):
        toks = tokenize(text, line0)
        self.lint_subst(toks)
        lists = self.lists(toks)
        pipefail = pipefail_file
        runs = []  # lines of runs whose status is not checked yet
        unchecked = []
        for li, (elems, cond) in enumerate(lists):
            words = [[[w.val for w in c] for c in p] for p, _ in elems]
            flat = [w for p in words for c in p for w in c]
            if "pipefail" in flat and "set" in flat:
                pipefail = True
            if any(w in ("assert_success", "assert_failure") or "$status" in w or "${status}" in w
                   for w in flat):
                runs = []
            for pi, (pipe, op) in enumerate(elems):
                first = pipe[0][0] if pipe and pipe[0] else None
                # run CMD whose status nothing checks
                if is_test and not cond and len(pipe) == 1:
                    ws = words[pi][0]
                    name, _ = cmd_name(ws)
                    at = ws.index("run") if "run" in ws else 0
                    if name == "run":
                        unchecked += runs  # the previous run's status is gone now
                        runs = []
                        if not status_flag(ws[at:]) and not reader(ws[at:]):
                            runs.append(pipe[0][0].line)
                # sh -c / bash -c 'A | B' without pipefail
                for c in words[pi]:
                    self.lint_shell_c(c, pipe[0][0].line)
                # pipes
                if len(pipe) > 1 and not cond:
                    for c in words[pi][:-1]:
                        if cmd_name(c)[0] == "run":
                            self.report(first.line, "run in a pipeline runs in a subshell: $status and "
                                        "$output are lost; run the whole pipeline as run bash -c '...'")
                            break
                        if is_tested(c) and not pipefail:
                            self.report(first.line, "the status of %s is lost in this pipeline; "
                                        "add set -o pipefail or write to a file first" % cmd_name(c)[0])
                            break
                # checks before &&
                if op != "&&" or cond:
                    continue
                check = is_check(words[pi][-1])
                if not check:
                    continue
                rest = elems[pi + 1:]
                nxt = cmd_name(words[pi + 1][0])[0] if pi + 1 < len(elems) and words[pi + 1] and words[pi + 1][0] else None
                if nxt in CONTROL and len(rest) == 1:
                    continue
                if nxt in FAILERS:  # CHECK && fail "why": a negative assertion
                    continue
                covered = False
                for k in range(pi + 1, len(elems)):
                    if elems[k][1] == "||" and k + 1 < len(elems):
                        fw = words[k + 1][0] if words[k + 1] else []
                        fn = cmd_name(fw)[0]
                        covered = fn in FAILERS or (fn in ("return", "exit") and len(fw) > 1 and fw[1] not in ("0",))
                        break
                if not covered:
                    self.report(first.line, "%s before && is not checked: bats ignores a failure "
                                "there; put it on its own line (or end the list with || fail \"why\")"
                                % " ".join(words[pi][-1])[:60])
        for line in unchecked + runs:
            self.report(line, "run without a status check: add assert_success / assert_failure N "
                        "(or run -N) after it")

    def lint_file(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                lines = f.read().split("\n")
        except OSError as e:
            print("chainlint: %s: %s" % (self.path, e.strerror), file=sys.stderr)
            return 2
        bodies = []
        i = 0
        while i < len(lines):
            ln = lines[i]
            m = re.match(r"^@test\s.*\{\s*$", ln)
            f = re.match(r"^(?:function\s+)?([A-Za-z_][A-Za-z_0-9]*)\s*\(\)\s*\{(.*)$", ln)
            if m or f:
                if f and f.group(2).strip():  # one-line function
                    bodies.append((f.group(2).rstrip().rstrip("}"), i + 1, False, f.group(1)))
                    i += 1
                    continue
                j = i + 1
                while j < len(lines) and not re.match(r"^\}\s*$", lines[j]):
                    j += 1
                bodies.append(("\n".join(lines[i + 1:j]), i + 2, bool(m), f.group(1) if f else None))
                i = j + 1
                continue
            i += 1
        pipefail_file = any(name == "setup" and re.search(r"\bset\s+-\w*o\s+pipefail", text)
                            for text, _, _, name in bodies)
        for text, line0, is_test, _ in bodies:
            self.lint_body(text, line0, is_test, pipefail_file)
        for line, msg in sorted(set(self.found)):
            print("%s:%d: %s" % (self.path, line, msg))
        return 1 if self.found else 0


def main(argv):
    if len(argv) < 2:
        print("usage: chainlint.py FILE.bats...", file=sys.stderr)
        return 2
    rc = 0
    for p in argv[1:]:
        rc = max(rc, Linter(p).lint_file())
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
