#!/usr/bin/env bats
# lceval -m passkey: lcgen probes scored from scripted answers in each form lctk
# writes (plain JSONL, lcretrieve --responses lines, OpenAI Batch results):
# exact accuracies per target length (fixed by the script) and per depth of the
# key (against an independent computation from the prompts), the JSON lcplot
# draws directly, and bad input.

load helpers
setup() {
	lctk_setup
	# 12 probes: lengths 200, 400, 800, four each (ids passkey-LENGTH-K)
	lcgen probes --lengths 200,400,800 --per-length 4 --seed 7 -o probes.jsonl
}

# What the scripted model does with each probe (the same in every form):
# 200: all right; 400: right, wrong, missing, failed; 800: wrong, missing, missing, right.
PLAN='{"passkey-200-0":"right","passkey-200-1":"right","passkey-200-2":"right","passkey-200-3":"right",
"passkey-400-0":"right","passkey-400-1":"wrong","passkey-400-2":"missing","passkey-400-3":"failed",
"passkey-800-0":"wrong2","passkey-800-1":"missing","passkey-800-2":"missing","passkey-800-3":"right"}'

# answers FORM: the plan's answers in FORM (plain, responses, batch), last probe first.
answers() {
	PLAN="$PLAN" python3 - "$1" <<'EOF'
import json, os, sys
form = sys.argv[1]
plan = json.loads(os.environ["PLAN"])
probes = [json.loads(l) for l in open("probes.jsonl")]
for i, p in enumerate(reversed(probes)):
    what = plan[p["id"]]
    if what == "missing":
        continue
    # wrong: the key with a digit more (a longer number is not the key), or no number
    text = {"right": "The pass key is %s." % p["answer"], "wrong": "The pass key is %s0." % p["answer"],
            "wrong2": "I could not find it.", "failed": None}[what]
    if form == "plain":
        line = {"id": p["id"], "answer": text}
    elif form == "responses":
        line = {"qid": p["id"], "response_text": text, "pids": None}
    elif text is None:
        line = {"id": "batch_req_%d" % i, "custom_id": p["id"],
                "response": {"status_code": 500, "body": {"error": {"message": "overloaded"}}}, "error": None}
    else:
        line = {"id": "batch_req_%d" % i, "custom_id": p["id"], "response": {"status_code": 200, "request_id": "r%d" % i,
                "body": {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}}, "error": None}
    print(json.dumps(line))
EOF
}

# check_json FILE [PROBES]: lceval's --json in FILE against the plan, with the depth
# of each key from the probe's 'depth' (lcgen's slot of the key, 0 to 1), or when a
# probe has none found independently (the first whole-number occurrence of the key
# in the prompt, floor(100 * offset / length)); bins of ten.
check_json() {
	PLAN="$PLAN" python3 - "$1" "${2:-probes.jsonl}" <<'EOF'
import json, os, re, sys
plan = json.loads(os.environ["PLAN"])
got = json.load(open(sys.argv[1]))
rows = {}
def add(key, what):
    r = rows.setdefault(key, {"probes": 0, "correct": 0, "wrong": 0, "failed": 0, "missing": 0})
    r["probes"] += 1
    r[{"right": "correct", "wrong": "wrong", "wrong2": "wrong", "failed": "failed", "missing": "missing"}[what]] += 1
for l in open(sys.argv[2]):
    p = json.loads(l)
    if "depth" in p:
        depth = min(9, int(p["depth"] * 100 + 1e-9) // 10) * 10
    else:
        m = re.search(r"(?<![0-9])%s(?![0-9])" % p["answer"], p["prompt"])
        depth = min(9, (m.start() * 100 // len(p["prompt"])) // 10) * 10
    what = plan[p["id"]]
    add(("all",), what)
    add(("length", p["length"]), what)
    add(("depth", depth), what)
    add(("cell", p["length"], depth), what)
def want(kind):
    out = []
    for k in sorted(k for k in rows if k[0] == kind):
        r = {"run": got["runs"][0]["run"]}
        if kind in ("length", "cell"):
            r["length"] = k[1]
        if kind in ("depth", "cell"):
            r["depth"] = k[-1]
        r.update(rows[k])
        r["accuracy"] = r["correct"] / r["probes"]
        out.append(r)
    return out
bad = 0
for key, kind in (("runs", "all"), ("by_length", "length"), ("by_depth", "depth"), ("by_length_depth", "cell")):
    if got[key] != want(kind):
        bad = 1
        print("%s: got %s\n want %s" % (key, got[key], want(kind)))
if len(want("depth")) < 3:
    bad = 1
    print("the probes' keys fall in fewer than 3 depth bins: the depth check would be weak")
sys.exit(bad)
EOF
}

@test "lceval -m passkey: text table, exact accuracy per length, overall 6 of 12" {
	answers plain > a.jsonl
	run -0 --separate-stderr lceval -m passkey probes.jsonl a.jsonl
	assert_line --index 0 $'run\tlength\tdepth\tprobes\tcorrect\twrong\tfailed\tmissing\taccuracy'
	assert_line $'a.jsonl\t200\tall\t4\t4\t0\t0\t0\t1.0000'
	assert_line $'a.jsonl\t400\tall\t4\t1\t1\t1\t1\t0.2500'
	assert_line $'a.jsonl\t800\tall\t4\t1\t1\t0\t2\t0.2500'
	assert_line $'a.jsonl\tall\tall\t12\t6\t2\t1\t3\t0.5000'
}

@test "lceval -m passkey --json: plain answers, per length and depth as computed independently" {
	answers plain > a.jsonl
	lceval -m passkey --json probes.jsonl a.jsonl > eval.json
	run check_json eval.json
	assert_success
}

@test "lceval -m passkey --json: probes without 'depth' (other generators) take it from the key's place in the prompt" {
	answers plain > a.jsonl
	jq -c 'del(.depth)' probes.jsonl > nodepth.jsonl
	lceval -m passkey --json nodepth.jsonl a.jsonl > eval.json
	run check_json eval.json nodepth.jsonl
	assert_success
}

@test "lcgen probes: 'depth' is the key's slot among the filler, 0 to 1, and differs between probes" {
	run -0 jq -s '[.[].depth] | (all(. >= 0 and . <= 1)) and (unique | length > 3)' probes.jsonl
	assert_output true
}

@test "lceval -m passkey --json: lcretrieve --responses lines score the same" {
	answers responses > r.jsonl
	lceval -m passkey --json probes.jsonl r.jsonl > eval.json
	run check_json eval.json
	assert_success
}

@test "lceval -m passkey --json: OpenAI Batch results (a 500 is failed) score the same, compressed too" {
	answers batch > b.jsonl
	gzip -k b.jsonl
	lceval -m passkey --json probes.jsonl b.jsonl.gz > eval.json
	run check_json eval.json
	assert_success
}

@test "lceval -m passkey: the three forms mixed in one file, any order" {
	answers plain | grep -- '-200-' > m.jsonl
	answers responses | grep -- '-400-' >> m.jsonl
	answers batch | grep -- '-800-' >> m.jsonl
	lceval -m passkey --json probes.jsonl m.jsonl > eval.json
	run check_json eval.json
	assert_success
}

@test "lceval -m passkey: Batch requests from lcgen probes --model join the probes on custom_id" {
	lcgen probes --lengths 200,400,800 --per-length 4 --seed 7 --model some-model -o req.jsonl
	# every request answered with its own key, read back from the request's prompt
	python3 - <<'EOF' > res.jsonl
import json, re
for l in open("req.jsonl"):
    r = json.loads(l)
    key = re.search(r"The pass key is ([0-9]+)\.", r["body"]["messages"][0]["content"]).group(1)
    print(json.dumps({"custom_id": r["custom_id"], "response": {"status_code": 200,
          "body": {"choices": [{"message": {"content": key}}]}}, "error": None}))
EOF
	run -0 lceval -m passkey probes.jsonl res.jsonl
	assert_line $'res.jsonl\tall\tall\t12\t12\t0\t0\t0\t1.0000'
}

@test "lceval -m passkey --json | lcplot: accuracy against length, one point per length" {
	answers plain > a.jsonl
	set -o pipefail
	lceval -m passkey --json probes.jsonl a.jsonl | lcplot --records by_length -x length -y accuracy --type linespoints > fig.gp
	run sed -n '/^\$s0 << EOD$/,/^EOD$/p' fig.gp
	assert_output $'$s0 << EOD\n200 1\n400 0.25\n800 0.25\nEOD'
}

@test "lceval -m passkey: two runs, rows named by run, one lcplot series each" {
	answers plain > a.jsonl
	answers batch | grep -- '-200-' > b.jsonl
	lceval -m passkey --json probes.jsonl a.jsonl b.jsonl > eval.json
	run -0 jq -c '[.runs[] | [.run, .correct, .missing, .accuracy]]' eval.json
	assert_output '[["a.jsonl",6,3,0.5],["b.jsonl",4,8,0.3333333333333333]]'
	run -0 lcplot --records by_length -x length -y accuracy --by run eval.json
	assert_output --partial "title 'b.jsonl'"
}

@test "lceval -m passkey -q and --jsonl: every probe's result" {
	answers batch > b.jsonl
	run -0 lceval -m passkey --jsonl probes.jsonl b.jsonl
	assert_equal "${#lines[@]}" 12
	run -0 jq -r 'select(.id == "passkey-400-3" or .id == "passkey-800-1" or .id == "passkey-400-1") | .result' <<<"$output"
	assert_output $'wrong\nfailed\nmissing'
	run -0 lceval -m passkey -q probes.jsonl b.jsonl
	assert_line --regexp $'^b\\.jsonl\tpasskey-200-0\t200\t[0-9]+\t[0-9]+\tcorrect$'
}

@test "lceval -m passkey -o and --report: the same JSON object, written atomically" {
	answers plain > a.jsonl
	run -0 lceval -m passkey --json -o eval.json --report rep.json probes.jsonl a.jsonl
	assert_no_stdout
	run -0 jq -n '[inputs] | .[0].by_length == .[1].by_length and .[0].by_depth == .[1].by_depth and .[0].runs == .[1].runs' eval.json rep.json
	assert_output true
	run -0 jq -r '.program + " " + (.options.measures | join(","))' rep.json
	assert_output 'lceval passkey'
}

@test "lceval -m passkey: no answers at all: every probe missing, accuracy 0" {
	: > none.jsonl
	run -0 lceval -m passkey probes.jsonl none.jsonl
	assert_line $'none.jsonl\tall\tall\t12\t0\t0\t0\t12\t0.0000'
}

@test "lceval -m passkey: an answer to no probe is an error naming FILE:LINE, no output" {
	answers plain > a.jsonl
	echo '{"id": "passkey-1600-0", "answer": "1"}' >> a.jsonl
	run -1 --separate-stderr lceval -m passkey -o out.txt probes.jsonl a.jsonl
	assert_equal "$stderr" "lceval: a.jsonl:10: 'passkey-1600-0' is not a probe of the probes file (lcgen probes with the same --lengths, --per-length and --seed gives the same ids)"
	assert_no_file out.txt
}

@test "lceval -m passkey: two answers to one probe, bad JSON, no text: FILE:LINE errors" {
	printf '%s\n' '{"id": "passkey-200-0", "answer": "1"}' '{"id": "passkey-200-0", "answer": "2"}' > d.jsonl
	run -1 --separate-stderr lceval -m passkey probes.jsonl d.jsonl
	assert_equal "$stderr" "lceval: d.jsonl:2: a second answer to probe 'passkey-200-0' (the first is d.jsonl:1)"
	printf '%s\n' '{"id": "passkey-200-0", "answer": "1"}' '{"id": ' > j.jsonl
	run -1 --separate-stderr lceval -m passkey probes.jsonl j.jsonl
	assert_output ''
	assert_regex "$stderr" '^lceval: j\.jsonl:2:[0-9]+: invalid JSON'
	echo '{"id": "passkey-200-0", "score": 1}' > n.jsonl
	run -1 --separate-stderr lceval -m passkey probes.jsonl n.jsonl
	assert_regex "$stderr" "^lceval: n\\.jsonl:1: no answer text"
}

@test "lceval -m passkey: bad probes, probes and answers swapped, other measures: clear errors" {
	answers plain > a.jsonl
	run -1 --separate-stderr lceval -m passkey a.jsonl probes.jsonl
	assert_equal "$stderr" "lceval: a.jsonl:1: an answer, not a probe: give the probes (lcgen probes) first: lceval -m passkey PROBES ANSWERS"
	echo '{"id": "p", "answer": "5", "prompt": "5"}' > noleng.jsonl
	run -1 --separate-stderr lceval -m passkey noleng.jsonl a.jsonl
	assert_regex "$stderr" "^lceval: noleng\\.jsonl:1: not a probe: .* \\(no 'length'\\)$"
	echo '{"id": "p", "length": 100, "answer": "5", "prompt": "no key here"}' > nokey.jsonl
	run -1 --separate-stderr lceval -m passkey nokey.jsonl a.jsonl
	assert_equal "$stderr" "lceval: nokey.jsonl:1: the key '5' is not in the prompt: its depth is unknown"
	run -2 --separate-stderr lceval -m passkey -m map probes.jsonl a.jsonl
	assert_equal "$stderr" "lceval: -m passkey is scored alone: give the other measures in another call"
}

@test "lceval -m passkey: the probes or the Batch requests given as answers are errors, not a perfect score" {
	run -1 --separate-stderr lceval -m passkey probes.jsonl probes.jsonl
	assert_equal "$stderr" "lceval: probes.jsonl:1: a probe, not an answer: give the model's answers after the probes"
	lcgen probes --lengths 200,400,800 --per-length 4 --seed 7 --model some-model -o req.jsonl
	run -1 --separate-stderr lceval -m passkey probes.jsonl req.jsonl
	assert_equal "$stderr" "lceval: req.jsonl:1: a Batch request, not its result: give the results file the Batch API returns"
}
