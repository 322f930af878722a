#!/usr/bin/env bats
# docs.bats — the man pages render right: tests/lint.sh renders every page with
# mandoc -Tutf8 and fails on artefacts mandoc -Tlint lets through; the tree's
# pages pass; lctk(7) lists the programs and the environment.

load helpers
setup() { lctk_setup; }

# plant PAGE: a page with one artefact of each kind the lint must catch
plant() {
	cat > "$1" <<'PAGE'
.Dd December 5, 2026
.Dt LCBROKEN 1
.Os
.Sh NAME
.Nm lcbroken
.Nd a page with every rendering artefact
.Sh DESCRIPTION
Output:
.Brq Qq pid , Qq name , Qq text .
The prompt
.Ql Summarize. \nContent:\n{passage}
is sent.
Text replaces the field
.Pq or goes to Fl t if given .
See Pouransari and et al.
The id field
.Pq default Ql pid , else Ql id .
PAGE
}

@test "docs: make lint's page check passes on every page of the tree" {
	cd "$ROOT"
	run sh tests/lint.sh "$BUILD" --pages man/*.[1-9]
	assert_success
	assert_output "lint: pages ok"
}

@test "docs: the page lint fails on nested quotes, a \\n escape, words as options and 'and et al.'" {
	plant "$T/lcbroken.1"
	run mandoc -Tlint -W warning "$T/lcbroken.1"
	assert_success
	cd "$ROOT"
	run sh tests/lint.sh "$BUILD" --pages "$T/lcbroken.1"
	assert_failure 1
	assert_output --partial 'has "" (nested Qq/Dq?)'
	assert_output --partial 'lcbroken.1:11: roff backslash-n escape'
	assert_output --partial 'has a 0 glued to a word'
	assert_output --partial 'shows words as options (-if -given)'
	assert_output --partial 'says "and et al."'
	assert_output --partial 'opens a quote inside another'
}

@test "docs: a run of real options is not flagged" {
	cat > "$T/lcok.1" <<'PAGE'
.Dd December 5, 2026
.Dt LCOK 1
.Os
.Sh NAME
.Nm lcok
.Nd a page with real options side by side
.Sh DESCRIPTION
Use
.Fl q Fl o Ar DIR
or
.Fl \-tokens Fl \-openlm .
PAGE
	cd "$ROOT"
	run sh tests/lint.sh "$BUILD" --pages "$T/lcok.1"
	assert_success
	assert_output "lint: pages ok"
}

@test "color.mk with LOFT: the model is trained on the other datasets, DATA left out, and the table says held-out" {
	[ -z "${LCTK_VALGRIND:-}" ] || skip "the recipe compresses, trains and searches the whole sample: the per-program suites cover them under valgrind"
	mkdir loft
	ln -s "$ROOT/share/lctk/data/hotpotqa" loft/a
	ln -s "$ROOT/share/lctk/data/hotpotqa" loft/b
	run make -s -f "$ROOT/share/lctk/recipes/color.mk" LOFT=loft DATA=loft/a OUT=o RATIOS=2 AVERAGE=1 o/table.txt
	assert_success
	assert_output --partial 'color.mk: held-out: training on b, a left out'
	[ -f o/train/b/pairs.jsonl ] || fail "b's pairs not made"
	[ ! -e o/train/a ] || fail "the held-out dataset a was used for training"
	[ ! -e o/pairs.jsonl ] || fail "DATA's own pairs were made"
	run head -1 o/table.txt
	assert_output '# a: held-out (trained on b; a left out)'
}

@test "color.mk without LOFT: the default run is labelled in-sample, in the table and on stderr" {
	[ -z "${LCTK_VALGRIND:-}" ] || skip "the recipe compresses, trains and searches the whole sample: the per-program suites cover them under valgrind"
	run make -s -f "$ROOT/share/lctk/recipes/color.mk" OUT=o RATIOS=2 AVERAGE=1 o/table.txt
	assert_success
	assert_output --partial 'color.mk: in-sample: the model is trained on the queries it is evaluated on'
	run head -1 o/table.txt
	assert_output '# hotpotqa: in-sample (trained on the queries evaluated; pass LOFT=DIR for held-out)'
}

@test "color.mk with a given MODEL: the table names the model instead of claiming held-out" {
	[ -z "${LCTK_VALGRIND:-}" ] || skip "the recipe compresses, trains and searches the whole sample: the per-program suites cover them under valgrind"
	run make -s -f "$ROOT/share/lctk/recipes/color.mk" OUT=o RATIOS=2 AVERAGE=1 \
		MODEL="$ROOT/share/lctk/models/default.lcm" o/table.txt
	assert_success
	run head -1 o/table.txt
	assert_output --partial '# hotpotqa: given MODEL '
}

@test "lctk(7) lists every program and every environment variable the code reads" {
	cd "$ROOT"
	mandoc -Tutf8 man/lctk.7 | col -b > "$T/lctk.txt"
	sed -n '/^PROGRAMS/,/^[A-Z]/p' "$T/lctk.txt" > "$T/programs.txt"
	sed -n '/^ENVIRONMENT/,/^SEE ALSO/p' "$T/lctk.txt" > "$T/env.txt"
	for src in cmd/lc*.c; do
		p=$(basename "$src" .c)
		grep -q "^     $p(1)" "$T/programs.txt" || fail "PROGRAMS lacks $p"
	done
	grep -rhoE 'getenv\("[A-Z_]+"\)' lib cmd | sed 's/getenv("\(.*\)")/\1/' | sort -u > "$T/vars"
	[ -s "$T/vars" ] || fail "no getenv found"
	while read -r v; do
		if [ "$v" = HOME ]; then continue; fi   # named with XDG_CACHE_HOME
		grep -q "^     $v" "$T/env.txt" || fail "ENVIRONMENT lacks $v"
	done < "$T/vars"
}

@test "every long option a program's page lists (SYNOPSIS, OPTIONS) is one the program takes" {
	n=0
	for page in "$ROOT"/man/lc*.1; do
		p=$(basename "$page" .1)
		help=$("$p" --help 2>&1)
		for o in $(grep -oE '^\.(It|Op) Fl -[a-z0-9-]+' "$page" | awk '{print $3}' | sort -u); do
			n=$((n + 1))
			grep -qe "-$o\b" <<<"$help" || fail "$p(1) documents -$o, which $p --help does not list"
		done
	done
	[ "$n" -gt 100 ]
}

# complete PROG WORD...: what bash completion offers for the last WORD
complete_words() {
	bash -c 'source "$1/completions/lctk.bash"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		fn=_$1; $fn; printf "%s\n" "${COMPREPLY[@]}"' sh "$ROOT" "$@"
}

@test "completions: every tokenizer option offers the encodings" {
	local p o
	for p in "lctok -e" "lcdecompose -e" "lcgen -e" "lcompress -e" "lcompress --encoding" "lctrain -e" "lcretrieve -e" "lcretrieve --encoding"; do
		set -- $p
		run complete_words "$1" "$2" ""
		assert_success
		assert_line o200k_base
		assert_line gpt2
	done
}

@test "completions: where merge is optional (lcindex, lcretrieve, lcompress, lcdecompose) the first word completes options, merge and files" {
	: > "$T/queries.jsonl"
	local p
	for p in lcindex lcretrieve lcompress lcdecompose; do
		run complete_words "$p" --sha
		assert_success
		assert_output -- --shard
		run complete_words "$p" ""
		assert_success
		assert_line merge
		assert_line queries.jsonl
		run complete_words "$p" m
		assert_success
		assert_output merge
		# after merge, merge's own table
		run complete_words "$p" merge --o
		assert_success
		assert_output -- --output
	done
	run complete_words lcretrieve --tr
	assert_success
	assert_output -- --trec
	run complete_words lcindex --sta
	assert_success
	assert_output -- --stats
	run complete_words lcretrieve qu
	assert_success
	assert_output queries.jsonl
	# a program whose subcommand is required still offers only its subcommands first
	run complete_words lctok ""
	assert_success
	refute_line queries.jsonl
	assert_line encode
}

@test "zsh completions: where merge is optional the first word completes options, merge and files" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	zsh -fc 'zmodload zsh/zpty' 2>/dev/null || skip "zsh has no zsh/zpty module"
	: > "$T/queries.jsonl"
	local p
	for p in lcindex lcretrieve lcompress lcdecompose; do
		run -0 timeout 60 zsh -f "$ROOT/tests/zsh-complete.zsh" "$ROOT/completions" "$p "
		assert_line merge
		assert_line queries.jsonl
		run -0 timeout 60 zsh -f "$ROOT/tests/zsh-complete.zsh" "$ROOT/completions" "$p --sha"
		assert_output -- --shard
	done
	run -0 timeout 60 zsh -f "$ROOT/tests/zsh-complete.zsh" "$ROOT/completions" "lcretrieve merge --o"
	assert_output -- --output
	# a required subcommand: only the subcommands first
	run -0 timeout 60 zsh -f "$ROOT/tests/zsh-complete.zsh" "$ROOT/completions" "lctok "
	assert_line encode
	refute_line queries.jsonl
}

@test "completions: lceval -m offers measures, --template and --prompt offer templates, --prompt and --tokenizer files too" {
	run complete_words lceval -m nd
	assert_success
	assert_line ndcg
	assert_line ndcg_cut
	run complete_words lceval --measure ""
	assert_success
	assert_line all_trec
	assert_line recall@1
	run complete_words lcretrieve --template fe
	assert_success
	assert_output fever
	: > "$T/fevertpl.txt"
	run complete_words lcretrieve --prompt fe
	assert_success
	assert_line fever
	assert_line fevertpl.txt
	run complete_words lcgen --prompt sci
	assert_success
	assert_output scifact
	: > "$T/tok.json"
	for p in lcretrieve lcompress lctok lcgen; do
		run complete_words "$p" --tokenizer tok
		assert_success
		assert_output tok.json
	done
}
