#!/usr/bin/env python3
# eval-vector.py: writes the expected/ folder of a trec_* vector directory
# (tests/vectors/eval/NAME) from a trec_eval 10.0 binary, in the layout of the
# shared conformance vectors: expected/<name>.txt = exact stdout and
# expected/commands.json = argv, exit code and stderr of each command.
# Usage: eval-vector.py TREC_EVAL DIR NAME=ARGS... (ARGS split on blanks, e.g.
#        'c.num_rel=-c -m num_rel qrels.txt run.txt'); run from anywhere.
import json
import os
import subprocess
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: eval-vector.py TREC_EVAL DIR NAME=ARGS...")
    te, d = os.path.abspath(sys.argv[1]), sys.argv[2]
    exp = os.path.join(d, "expected")
    os.makedirs(exp, exist_ok=True)
    cmds = []
    for spec in sys.argv[3:]:
        name, args = spec.split("=", 1)
        argv = args.split()
        p = subprocess.run([te] + argv, cwd=d, capture_output=True)
        if p.returncode < 0:   # killed by a signal (255 is -Z's error exit)
            sys.exit("eval-vector.py: trec_eval crashed on %s" % args)
        out = name + ".txt"
        with open(os.path.join(exp, out), "wb") as f:
            f.write(p.stdout)
        cmds.append({"name": name, "command": "trec_eval " + " ".join(argv), "argv": argv,
                     "stdout_file": out, "exit_code": p.returncode,
                     "stderr": p.stderr.decode("utf-8", "surrogateescape")})
    with open(os.path.join(exp, "commands.json"), "w") as f:
        json.dump(cmds, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
