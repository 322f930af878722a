# trec_case.bash — loaded by the lceval suites that run trec_* vectors
# (tests/vectors/eval/NAME, ../shared/vectors/eval/NAME): made by
# tests/refdiff/eval-vector.py from trec_eval 10.0.
#
# Runs every command of a trec_* case (expected/commands.json) and compares stdout,
# stderr and the exit code with trec_eval's.  Prints each difference.
trec_case() {
	python3 - "$1" <<'EOF'
import json, os, subprocess, sys
case = sys.argv[1]
bad = 0
for c in json.load(open(os.path.join(case, "expected", "commands.json"))):
    p = subprocess.run(["lceval"] + c["argv"], cwd=case, capture_output=True)
    want = open(os.path.join(case, "expected", c["stdout_file"]), "rb").read()
    if p.stdout != want:
        bad += 1; print(f"{case}: {c['name']}: stdout differs")
    if p.returncode != c["exit_code"]:
        bad += 1; print(f"{case}: {c['name']}: exit {p.returncode}, want {c['exit_code']}")
    # trec_eval's stderr must come first, byte for byte; lceval may add "lceval: " lines after it
    extra = p.stderr.decode()[len(c["stderr"]):]
    if not p.stderr.decode().startswith(c["stderr"]) or any(not l.startswith("lceval: ") for l in extra.splitlines()):
        bad += 1; print(f"{case}: {c['name']}: stderr {p.stderr.decode()!r}, want {c['stderr']!r}")
sys.exit(1 if bad else 0)
EOF
}
