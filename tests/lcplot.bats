#!/usr/bin/env bats
load helpers
setup() {
	lctk_setup
	printf '%s\n' '{"name":"original","ratio":1,"r1":0.40}' '{"name":"lctk","ratio":2,"r1":"0.39"}' \
		'{"name":"llm","ratio":2.3,"r1":0.37}' '{"name":"no-y","ratio":3}' > t.jsonl
}

teardown() {
	# the interrupted run of the signal test and its stand-in gnuplot
	[ -z "${LCPID:-}" ] || kill "$LCPID" 2>/dev/null || true
	[ ! -s "$T/gp.pid" ] || kill "$(cat "$T/gp.pid")" 2>/dev/null || true
}

need_gnuplot() {
	command -v gnuplot >/dev/null || skip "gnuplot not installed"
}

@test "lcplot: gnuplot script with the data inline, one series per --by value" {
	run lcplot -x ratio -y r1 --by name --title 'size vs R@1' t.jsonl
	assert_success
	assert_line "set title 'size vs R@1' noenhanced"
	assert_line '$s0 << EOD'
	assert_line '1 0.4'
	assert_line '2 0.39'
	assert_line --partial "plot \$s0 using 1:2 with points pt 7 ps 1.2 title 'original' noenhanced"
	assert_line --partial "\$s2 using 1:2 with points pt 7 ps 1.2 title 'llm' noenhanced"
	assert_line 'set key inside right top noenhanced'
	assert_line 'lcplot: warning: 1 record without numeric '"'"'ratio'"'"' and '"'"'r1'"'"' skipped'
}

@test "lcplot: --label FIELD that points lack is said on stderr, with how to name them when none has it" {
	printf '{"ratio": 2, "r": 0.5}\n{"ratio": 3, "r": 0.4, "name": "x"}\n' > l.jsonl
	run -0 --separate-stderr lcplot -x ratio -y r --label name l.jsonl
	[ "$stderr" = "lcplot: warning: 1 of 2 points without 'name' drawn without a label" ] || fail "$stderr"
	run -0 --separate-stderr lcplot -x ratio -y r --label nosuch l.jsonl
	[ "$stderr" = "lcplot: warning: 2 of 2 points without 'nosuch' drawn without a label (name a field the records hold, or set it with --input-name)" ] ||
		fail "$stderr"
	run -0 --separate-stderr lcplot -x ratio -y r l.jsonl
	[ -z "$stderr" ] || fail "$stderr"
}

@test "lcplot: one series has no legend entry" {
	run lcplot -x ratio -y r1 t.jsonl
	assert_success
	assert_line 'unset key'
	assert_line 'plot $s0 using 1:2 with points pt 7 ps 1.2 notitle'
	refute_output --partial " title '"
	# --by with a single value is a single series too
	run lcplot -x ratio -y r1 --by nosuchfield t.jsonl
	assert_success
	assert_line 'unset key'
	refute_output --partial " title '"
}

@test "lcplot: histogram counts per bin, linear and logarithmic bins" {
	printf '{"v":%s}\n' 1 1 2 3 4 4 4 > h.jsonl
	run lcplot --type hist --bins 3 -x v h.jsonl
	assert_success
	assert_line '1.5 2 1'
	assert_line '2.5 1 1'
	assert_line '3.5 4 1'
	assert_line --partial 'using 1:2:3 with boxes'
	# log bins: 1, 10, 100, 1000 fall one per decade
	printf '{"v":%s}\n' 1 10 100 1000 > g.jsonl
	run lcplot --type hist --bins 3 --logx -x v g.jsonl
	assert_success
	assert_line 'set logscale x'
	assert_line '3.1622776601683795 1 1 10'
	assert_line '31.622776601683793 1 10 100'
	assert_line '316.22776601683796 2 100 1000'
	# -y has no place in a histogram: refused, not ignored
	run -2 lcplot --type hist -x v -y v h.jsonl
	assert_output --partial "--type hist counts the values of -x: drop -y v"
}

@test "lcplot: values are written in the shortest form that reads back, so close large values stay apart" {
	printf '{"x":%s,"y":%s}\n' 1700000000123 0.1 1700000000456 0.30000000000000004 2 1e-300 > big.jsonl
	run lcplot -x x -y y big.jsonl
	assert_success
	assert_line '1700000000123 0.1'
	assert_line '1700000000456 0.30000000000000004'
	assert_line '2 1e-300'
}

@test "lcplot: --logx histogram boxes span their bins' edges (1-10, 10-100, ...), not a linear width around the centre" {
	printf '{"v":%s}\n' 1 10 100 1000 10000 > g.jsonl
	run lcplot --type hist --bins 4 --logx -x v g.jsonl
	assert_success
	assert_line '3162.2776601683795 2 1000 10000'
	assert_line 'plot $s0 using 1:2:3:4:(0):2 with boxxyerror notitle'
	run lcplot --type hist --bins 4 --logx --logy -x v g.jsonl
	assert_success
	assert_line 'plot $s0 using 1:2:3:4:(0.5):2 with boxxyerror notitle'
	need_gnuplot
	run lcplot --type hist --bins 4 --logx --logy -x v -o h.svg g.jsonl
	assert_success
}

@test "lcplot: --logy and --logx set log axes and skip values <= 0 with a count" {
	printf '%s\n' '{"x":1,"y":10}' '{"x":2,"y":0}' '{"x":0,"y":5}' '{"x":3,"y":100}' > l.jsonl
	run lcplot -x x -y y --logy l.jsonl
	assert_success
	assert_line 'set logscale y'
	assert_line 'lcplot: warning: 1 record with y <= 0 skipped: a logarithmic axis cannot show them'
	assert_line '0 5'
	refute_line '2 0'
	run lcplot -x x -y y --logx --logy l.jsonl
	assert_success
	assert_line 'set logscale x'
	assert_line 'lcplot: warning: 2 records with x or y <= 0 skipped: a logarithmic axis cannot show them'
	refute_line '0 5'
}

@test "lcplot: error bars from --yerr or --ylow/--yhigh" {
	printf '%s\n' '{"x":1,"y":0.5,"e":0.1,"lo":0.45,"hi":0.6}' '{"x":2,"y":0.7,"e":0.05,"lo":0.6,"hi":0.72}' \
		'{"x":3,"y":0.8}' > e.jsonl
	run lcplot -x x -y y --yerr e e.jsonl
	assert_success
	assert_line '1 0.5 0.4 0.6'
	assert_line '2 0.7 0.6499999999999999 0.75'
	assert_line 'plot $s0 using 1:2:3:4 with yerrorbars pt 7 ps 1.2 notitle'
	assert_line "lcplot: warning: 1 record without numeric error bar field 'e' (>= 0) skipped"
	run lcplot -x x -y y --ylow lo --yhigh hi --type lines e.jsonl
	assert_success
	assert_line '1 0.5 0.45 0.6'
	assert_line 'plot $s0 using 1:2:3:4 with yerrorlines pt 0 notitle'
	need_gnuplot
	run lcplot -x x -y y --yerr e --logy -o e.svg e.jsonl
	assert_success
	run grep -c '<svg' e.svg
	assert_success
}

@test "lcplot: SVG, PNG and PDF through gnuplot, written atomically" {
	need_gnuplot
	run lcplot -x ratio -y r1 --label name -o f.svg t.jsonl
	assert_success
	run grep -c '<svg' f.svg
	assert_success
	run grep -c '>original<' f.svg
	assert_success
	run lcplot -x ratio -y r1 -o f.png t.jsonl
	assert_success
	[ "$(head -c 4 f.png | od -An -c | tr -d ' ')" = '211PNG' ]
	run lcplot -x ratio -y r1 --by name -o f.pdf t.jsonl
	assert_success
	[ "$(head -c 5 f.pdf)" = '%PDF-' ]
	run lcplot -x ratio -y r1 --format pdf -o figure t.jsonl
	assert_success
	[ "$(head -c 5 figure)" = '%PDF-' ]
	# a compression suffix is lc_output's: the picture is gzip'd
	run lcplot -x ratio -y r1 -o f.svg.gz t.jsonl
	assert_success
	run sh -c 'gzip -dc f.svg.gz | grep -c "<svg"'
	assert_success
}

@test "lcplot: an -o suffix lcplot cannot write is a usage error before any work" {
	run lcplot -x ratio -y r1 -o fig.jpg t.jsonl
	assert_failure 2
	assert_output --partial 'lcplot writes .svg, .png, .pdf or a gnuplot script'
	assert_no_file fig.jpg
	# before any work: the input is not even read
	run lcplot -x ratio -y r1 -o fig.eps does-not-exist.jsonl
	assert_failure 2
	run lcplot -x ratio -y r1 --format svg -o fig.png t.jsonl
	assert_failure 2
	assert_output --partial 'names a png file but --format is svg'
	assert_no_file fig.png
	run lcplot -x ratio -y r1 --format jpg -o fig t.jsonl
	assert_failure 2
	run lcplot -x ratio -y r1 -o fig.gp t.jsonl
	assert_success
	run grep -c '^plot ' fig.gp
	assert_success
}

@test "lcplot: bad usage and input" {
	run lcplot -y r1 t.jsonl
	assert_failure 2
	run lcplot -x ratio t.jsonl
	assert_failure 2
	run lcplot -x ratio -y r1 --type pie t.jsonl
	assert_failure 2
	run lcplot -x ratio -y r1 --format svg t.jsonl
	assert_failure 2
	run lcplot -x ratio -y r1 --size '800,500;x' t.jsonl
	assert_failure 2
	run lcplot -x ratio -y r1 --ylow a t.jsonl
	assert_failure 2
	assert_output --partial '--ylow and --yhigh go together'
	run lcplot -x ratio -y r1 --yerr e --ylow a --yhigh b t.jsonl
	assert_failure 2
	run lcplot -x ratio --type hist --yerr e t.jsonl
	assert_failure 2
	run lcplot -x nope -y r1 -o x.svg t.jsonl
	assert_failure 1
	assert_output --partial 'nothing to plot'
	assert_no_file x.svg
	echo '{bad' > b.jsonl
	run lcplot -x a -y b b.jsonl
	assert_failure 1
	assert_output --partial 'b.jsonl:1'
	printf '{"a": 1,\n "b": [}\n' > b.json
	run lcplot -x a -y b b.json
	assert_failure 1
	assert_output --partial 'b.json:2:'
}

# Issue 18 #1: a backquote in a double-quoted gnuplot string is a shell command.
# Every string that reaches the script carries a payload; none may run, neither
# when lcplot draws nor when the saved script is run through gnuplot later.
@test "lcplot: no string from data or options is ever evaluated by gnuplot" {
	need_gnuplot
	# field names, --by values, --label values, title, axis labels, output name
	cat > p.jsonl <<'EOF'
{"`touch mx`":1,"`touch my`":2,"s":"`touch ms` it's","l":"`touch ml` @GPVAL_TERM a_b^c{x}"}
{"`touch mx`":2,"`touch my`":3,"s":"x' . system('touch mq') . '","l":"two\nlines `touch mn`"}
EOF
	local args=(-x '`touch mx`' -y '`touch my`' --by s --label l --title '`touch mt` T_1^2'
		--xlabel "\`touch mxl\` it's" --ylabel '" . system("touch myl") . "')
	for f in svg png pdf; do
		run lcplot "${args[@]}" -o "\`touch mo\`.$f" p.jsonl
		assert_success
		[ -s "\`touch mo\`.$f" ]
	done
	run lcplot "${args[@]}" -o s.gp p.jsonl
	assert_success
	run gnuplot -e "set terminal svg; set output 'g.svg'" s.gp
	assert_success
	run gnuplot -e "set terminal svg enhanced; set output 'ge.svg'" s.gp
	assert_success
	for m in mx my ms mq ml mn mt mxl myl mo; do
		assert_no_file "$m"
	done
	# the texts are drawn literally: no substitution, no macro, no enhanced markup
	for svg in '`touch mo`.svg' g.svg ge.svg; do
		run grep -cF '>`touch ml` @GPVAL_TERM a_b^c{x}<' "$svg"
		assert_success
		run grep -cF '>`touch mt` T_1^2<' "$svg"
		assert_success
		run grep -cF ">\`touch ms\` it's<" "$svg"
		assert_success
		run grep -cF ">x' . system('touch mq') . '<" "$svg"
		assert_success
		run grep -cF '>lines `touch mn`<' "$svg"
		assert_success
	done
}

@test "lcplot: SIGINT while gnuplot runs leaves no temp file, in TMPDIR or anywhere" {
	# a stand-in gnuplot that notes where its output goes, writes a little and hangs
	mkdir bin tmp out
	cat > bin/gnuplot <<EOF
#!/bin/sh
where=\$(readlink /proc/\$\$/fd/1); echo "\$where" > "$T/gp.stdout"
printf '<svg>'
echo \$\$ > "$T/gp.pid.tmp" && mv "$T/gp.pid.tmp" "$T/gp.pid"
exec sleep 1000
EOF
	chmod +x bin/gnuplot
	# a background job ignores SIGINT unless told otherwise
	PATH="$T/bin:$PATH" TMPDIR="$T/tmp" env --default-signal=INT lcplot -x ratio -y r1 -o out/f.svg t.jsonl 3>&- 2>/dev/null &
	LCPID=$!
	local i
	for i in $(seq 600); do
		[ ! -s gp.pid ] || break
		sleep 0.1
	done
	[ -s gp.pid ] || fail "the stand-in gnuplot never started"
	kill -INT "$LCPID"
	local st=0
	wait "$LCPID" || st=$?
	LCPID=
	[ "$st" -eq 130 ] || fail "lcplot ended with status $st, expected death by SIGINT (130)"
	# gnuplot wrote into a pipe, not a temp file that SIGINT would leave behind
	local where
	where=$(cat gp.stdout)
	[[ $where != /* ]] || [ ! -e "$where" ] || fail "gnuplot's output $where was left behind"
	[ -z "$(ls -A tmp)" ] || fail "files left in TMPDIR: $(ls -A tmp)"
	[ -z "$(ls -A out)" ] || fail "files left beside the output: $(ls -A out)"
}

@test "lcplot: reads lceval --json (pretty, nested) and pastes a report beside it" {
	V="$ROOT/tests/vectors/eval"
	lceval -m loft --json "$V/loft_edge_a/queries.jsonl" "$V/loft_edge_a/preds.jsonl" > a.eval.json 2>/dev/null
	[ "$(wc -l < a.eval.json)" -gt 3 ]
	cp a.eval.json b.eval.json
	printf '{"name":"lead","ratio":2}\n' > a.report.json
	printf '{"name":"lctk","ratio":3.5}\n' > b.report.json
	# the frontier: ratio from the reports, recall@1 from lceval's output, one point per compressor
	run lcplot --paste -x ratio -y quality.recall@1 --label name --type linespoints \
		<(cat a.report.json b.report.json) <(cat a.eval.json b.eval.json)
	assert_success
	assert_line '2 0.39285714285714285'
	assert_line '3.5 0.39285714285714285'
	assert_line --partial "set label 'lead' at first 2, first 0.39285714285714285"
	run lcplot --paste -x ratio -y quality.recall@1 a.report.json <(cat a.eval.json b.eval.json)
	assert_failure 1
	assert_output --partial 'has 1 records but'
	# several runs: {"runs": [...]}; --records picks them, a path reaches into each
	run lceval --json -m recall.1,5 "$V/trec_graded/qrels.txt" "$V/trec_graded/run.txt" "$V/trec_graded/run.txt"
	assert_success
	printf '%s\n' "$output" > multi.json
	run lcplot --records runs -x summary.recall_5 -y summary.recall_1 --by run multi.json
	assert_success
	assert_line '0.5291666666666667 0'
	run lcplot --records runs.0 -x summary.recall_5 -y summary.recall_1 multi.json
	assert_success
	assert_line '0.5291666666666667 0'
	run lcplot --records nope -x a -y b multi.json
	assert_failure 1
	assert_output --partial "multi.json:1: no 'nope' in this JSON value"
	# a top-level array is a list of records; a key with a dot wins over the path
	printf '[{"a.b":1,"a":{"b":5},"c":2},\n {"a.b":3,"c":4}]\n' > arr.json
	run lcplot -x a.b -y c arr.json
	assert_success
	assert_line '1 2'
	assert_line '3 4'
}

@test "lcplot: a trailing backslash or quote cannot end a gnuplot string early" {
	printf '%s\n' '{"x":1,"y":2,"s":"a\\","l":"end'"'"'"}' '{"x":2,"y":3,"s":"b'"'"'","l":"\\"}' > q.jsonl
	run lcplot -x x -y y --by s --label l --title 'T\' q.jsonl
	assert_success
	assert_line "set title 'T\\' noenhanced"
	assert_line "set label 'end''' at first 1, first 2 offset 1,0.7 left noenhanced front"
	assert_line --partial "title 'a\\' noenhanced"
	assert_line --partial "title 'b''' noenhanced"
	need_gnuplot
	run lcplot -x x -y y --by s --label l --title 'T\' -o q.svg q.jsonl
	assert_success
	run grep -cF "<text>end'</text>" q.svg
	assert_success
	run grep -cF '<text>T\</text>' q.svg
	assert_success
}

@test "lcplot: a text starting with a quote or holding two in a row reaches gnuplot 5.4 intact" {
	need_gnuplot
	printf '%s\n' '{"x":1,"y":2,"s":"'"'"'A","l":"'"'"'p"}' '{"x":2,"y":3,"s":"B'"''"'","l":"q'"''''"'"}' > q.jsonl
	run lcplot -x x -y y --by s --label l --title "'90s results" --xlabel "a''b" -o q.svg q.jsonl
	assert_success
	for t in "'90s results" "a''b" "'A" "B''" "'p" "q''''"; do
		grep -qF "<text>$t</text>" q.svg || fail "no <text>$t</text> in the SVG"
	done
	run lcplot -x x -y y --by s --title "''" q.jsonl
	assert_success
	assert_line "set title \"'\".\"'\" noenhanced"
}

@test "lcplot: --group pairs each compressor's lcompress --report with its lceval --json; --input-name names the points" {
	V="$ROOT/tests/vectors/color"
	mkdir rep ev
	lcompress --quiet --lead --ratio 1 --report rep/original.json -o c-original.jsonl "$V/corpus.jsonl"
	lcompress --quiet --lead --report rep/lead.json -o c-lead.jsonl "$V/corpus.jsonl"
	for n in original lead; do
		lcretrieve --quiet -k 10 -c c-$n.jsonl -o r-$n.jsonl "$V/queries.jsonl"
		lceval -m loft --json -o ev/$n.json "$V/queries.jsonl" r-$n.jsonl
	done
	# the shortest form that reads back (Python's repr, without a trailing .0)
	ratio() { python3 -c 'import json,sys; print(repr(float(json.load(open(sys.argv[1]))["ratio"])).removesuffix(".0"))' "$1"; }
	r1() { python3 -c 'import json,sys; print(repr(float(json.load(open(sys.argv[1]))["quality"]["recall@1"])).removesuffix(".0"))' "$1"; }
	run lcplot --group 2 --input-name name --label name -x ratio -y quality.recall@1 \
		rep/original.json ev/original.json rep/lead.json ev/lead.json
	assert_success
	assert_line "$(ratio rep/original.json) $(r1 ev/original.json)"
	assert_line "$(ratio rep/lead.json) $(r1 ev/lead.json)"
	assert_line --partial "set label 'original' at first 1, first $(r1 ev/original.json)"
	assert_line --partial "set label 'lead' at first $(ratio rep/lead.json), first"
	# a name from the file, unless the record has the field already
	printf '{"ratio":2,"name":"given"}\n' > x.json
	run lcplot --input-name name --label name -x ratio -y ratio x.json
	assert_success
	assert_line --partial "set label 'given'"
	# inputs that do not split into groups, and --paste with --group
	run lcplot --group 2 -x ratio -y quality.recall@1 rep/original.json ev/original.json rep/lead.json
	assert_failure 2
	assert_output --partial '3 inputs do not split into groups of 2'
	run lcplot --group 2 --paste -x ratio -y ratio rep/original.json ev/original.json
	assert_failure 2
	run lcplot --group 2 -x ratio -y quality.recall@1 rep/original.json <(printf '{}\n{}\n')
	assert_failure 1
	assert_output --partial '--group: rep/original.json has 1 records but'
	# each passage of the reports, one series per report (--records + --input-name)
	run lcplot --type hist -x ratio --records per_passage --input-name compressor --by compressor rep/original.json rep/lead.json
	assert_success
	assert_output --partial "title 'original'"
	assert_output --partial "title 'lead'"
}
