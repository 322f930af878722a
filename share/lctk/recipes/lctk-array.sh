#!/bin/sh
# lctk-array.sh — one sharded lctk stage (N tasks of `--shard K/N`, then `merge`) run
# locally, with GNU parallel, or as a Slurm job array followed by a merge job.
#
#   lctk-array.sh [-s local|parallel|slurm] [-n N] [-w WORKDIR] [--tasks K,...]
#                 [--mem MB] [--cpus C] [--merge-mem MB] STAGE OUT [STAGE-OPTIONS...] INPUT...
#
#   STAGE   program run by each task                 merge
#   index   lcindex --shard K/N -o PART ARGS         lcindex merge -o OUT PARTS
#   dd      lcdecompose --shard K/N -o PART ARGS     lcdecompose merge -o OUT PARTS
#   compress  lcompress --shard K/N -o PART ARGS     lcompress merge -o OUT PARTS
#   retrieve  lcretrieve --shard K/N -o PART ARGS    lcretrieve merge -o OUT PARTS
#   count   lctok count --total --shard K/N ...      lctok merge -o OUT PARTS (the sum)
#   candidates  lcgen candidates --shard K/N ...     lcgen merge -o OUT PARTS
#   labels  lcgen labels --shard K/N ...             lcgen merge -o OUT PARTS
#
# The scheduler comes from -s, else $SCHEDULER, else local.  WORKDIR (default
# OUT.parts) holds task.sh and merge.sh (the exact commands, runnable by hand:
# `sh task.sh K`, `sh merge.sh`), the parts and one log per task; on a cluster
# it must be on a file system every node sees.  Tasks run in the current directory.
#
#   local     runs the N tasks one after another, then the merge.
#   parallel  runs them with GNU parallel (-j N; options from $PARALLEL, so
#             PARALLEL='--sshlogin a,b --workdir .' spreads them over hosts
#             sharing the directory), then the merge.
#   slurm     submits `sbatch --array=1-N task.sh` (each task gets K from
#             SLURM_ARRAY_TASK_ID and N written into task.sh: SLURM_ARRAY_TASK_COUNT
#             would be 1 for a re-run task) with --cpus-per-task/--mem from the
#             stage's measured per-shard figures (lctk-scale(7)), then (with
#             --merge-mem MB, default --mem)
#             `sbatch --dependency=afterok:ARRAY --kill-on-invalid-dep=yes merge.sh`,
#             waits, reading states with scontrol (no slurmdbd needed), and reports
#             every task and the merge.  Other sbatch settings come from the SBATCH_*
#             environment variables (SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT).
#
# Every task's final state is reported on stderr; if any task fails the merge does
# not run (Slurm cancels it), the failed tasks are named with their logs and the
# exit status is 1, with the command that re-runs only them (--tasks) and then the
# merge.  Exit 2: bad usage.
set -eu
me=lctk-array.sh

usage() {
	echo "usage: $me [-s local|parallel|slurm] [-n N] [-w WORKDIR] [--tasks K,...] [--mem MB] [--cpus C] [--merge-mem MB] STAGE OUT [OPTIONS...] INPUT..." >&2
	echo "       STAGE: index, dd, compress, retrieve, count, candidates or labels (see the top of $0)" >&2
	exit 2
}
die() { echo "$me: $*" >&2; exit 1; }
# q ARG: ARG quoted for sh
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

sched=${SCHEDULER:-local}
n=4
work=
tasks=
mem=
merge_mem=
cpus=
orig=
while [ $# -gt 0 ]; do
	case $1 in
	-s | --scheduler) [ $# -ge 2 ] || usage; sched=$2; orig="$orig -s $(q "$2")"; shift 2 ;;
	-n) [ $# -ge 2 ] || usage; n=$2; orig="$orig -n $(q "$2")"; shift 2 ;;
	-w) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--tasks) [ $# -ge 2 ] || usage; tasks=$2; shift 2 ;;
	--mem) [ $# -ge 2 ] || usage; mem=$2; orig="$orig --mem $(q "$2")"; shift 2 ;;
	--cpus) [ $# -ge 2 ] || usage; cpus=$2; orig="$orig --cpus $(q "$2")"; shift 2 ;;
	--merge-mem) [ $# -ge 2 ] || usage; merge_mem=$2; orig="$orig --merge-mem $(q "$2")"; shift 2 ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) echo "$me: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -ge 3 ] || usage
stage=$1
out=$2
shift 2
case $sched in local | parallel | slurm) ;; *) echo "$me: scheduler must be local, parallel or slurm, not '$sched'" >&2; exit 2 ;; esac
case $n in '' | 0 | *[!0-9]*) echo "$me: -n must be a positive number of shards, not '$n'" >&2; exit 2 ;; esac
for v in "$mem" "$cpus" "$merge_mem"; do
	case $v in *[!0-9]*) echo "$me: --mem, --cpus and --merge-mem take a number, not '$v'" >&2; exit 2 ;; esac
done
[ -n "$tasks" ] || tasks=$(seq -s, 1 "$n")
for k in $(echo "$tasks" | tr , ' '); do
	case $k in '' | 0 | *[!0-9]*) echo "$me: --tasks takes shard numbers 1..$n separated by commas, not '$tasks'" >&2; exit 2 ;; esac
	[ "$k" -le "$n" ] || { echo "$me: --tasks: shard $k is past -n $n" >&2; exit 2; }
done

# Per stage: the program, the part's name, and the per-task resources measured on
# one shard (lctk-scale(7)): MB of memory and CPUs.
case $stage in
index) prog=lcindex; part='part-$K.idx'; task_opts='--quiet'; merge_cmd='lcindex merge'; def_mem=256; def_cpus=1 ;;
dd) prog=lcdecompose; part='part-$K'; task_opts='--quiet --force'; merge_cmd='lcdecompose merge'; def_mem=512; def_cpus=1 ;;
compress) prog=lcompress; part='part-$K.jsonl'; task_opts='--quiet'; merge_cmd='lcompress merge'; def_mem=1024; def_cpus=1 ;;
retrieve) prog=lcretrieve; part='part-$K.jsonl'; task_opts='--quiet'; merge_cmd='lcretrieve merge'; def_mem=1024; def_cpus=1 ;;
count) prog='lctok count'; part='part-$K.txt'; task_opts='--quiet --total'; merge_cmd='lctok merge'; def_mem=256; def_cpus=1 ;;
candidates) prog='lcgen candidates'; part='part-$K.jsonl'; task_opts=; merge_cmd='lcgen merge'; def_mem=1024; def_cpus=1 ;;
labels) prog='lcgen labels'; part='part-$K.jsonl'; task_opts=; merge_cmd='lcgen merge'; def_mem=1024; def_cpus=1 ;;
*) echo "$me: unknown stage '$stage' (index, dd, compress, retrieve, count, candidates or labels)" >&2; exit 2 ;;
esac
[ -n "$mem" ] || mem=$def_mem
[ -n "$cpus" ] || cpus=$def_cpus
[ -n "$merge_mem" ] || merge_mem=$mem
command -v "${prog%% *}" >/dev/null || die "${prog%% *} is not on PATH (make install, or PATH=build/bin:\$PATH)"

[ -n "$work" ] || work=$out.parts
mkdir -p "$work" || die "$work: cannot create the work directory"
work=$(cd "$work" && pwd)
case $out in /*) ;; *) out=$PWD/$out ;; esac

# task.sh and merge.sh: the commands, with every argument quoted
args=
for a in "$@"; do args="$args $(q "$a")"; done
{
	echo "#!/bin/sh"
	echo "# $me: task K of $n of stage $stage (K = \$1, or Slurm's array index)"
	echo "set -eu"
	echo "K=\${1:-\${SLURM_ARRAY_TASK_ID:?give the shard number K}}"
	echo "cd $(q "$PWD")"
	echo "exec >$(q "$work")/task-\$K.log 2>&1"
	echo "exec $prog $task_opts --shard \"\$K/$n\" -o $(q "$work")/$part$args"
} > "$work/task.sh.tmp"
mv "$work/task.sh.tmp" "$work/task.sh"
{
	echo "#!/bin/sh"
	echo "# $me: merge of the $n parts of stage $stage"
	echo "set -eu"
	echo "exec >$(q "$work")/merge.log 2>&1"
	printf 'exec %s -o %s' "$merge_cmd" "$(q "$out")"
	for k in $(seq 1 "$n"); do
		K=$k
		eval "p=\"$part\""
		printf ' %s' "$(q "$work/$p")"
	done
	echo
} > "$work/merge.sh.tmp"
mv "$work/merge.sh.tmp" "$work/merge.sh"

# report_and_exit FAILED: the verdict; FAILED is the space-separated failed tasks
report_and_exit() {
	failed=$(echo $1 | tr ' ' ,)
	if [ -n "$failed" ]; then
		echo "$me: $stage: task(s) $failed of $n failed; the merge did not run" >&2
		for k in $(echo "$failed" | tr , ' '); do
			echo "$me:   task $k/$n log: $work/task-$k.log" >&2
		done
		echo "$me: re-run only them, then the merge: $(q "$0")$orig -w $(q "$work") --tasks $failed $(q "$stage") $(q "$out")$args" >&2
		exit 1
	fi
}

case $sched in
local)
	bad=
	for k in $(echo "$tasks" | tr , ' '); do
		if sh "$work/task.sh" "$k"; then st=COMPLETED; else st="FAILED (exit $?)"; bad="$bad $k"; fi
		echo "$me: $stage task $k/$n: $st" >&2
	done
	report_and_exit "$bad"
	sh "$work/merge.sh" || die "$stage merge: FAILED (exit $?); log: $work/merge.log"
	echo "$me: $stage merge: COMPLETED -> $out" >&2
	;;
parallel)
	command -v parallel >/dev/null || die "GNU parallel is not installed (apt-get install parallel)"
	rm -f "$work/joblog"
	echo "$tasks" | tr , '\n' | parallel --will-cite --halt never -j "$n" --joblog "$work/joblog" \
		sh "$work/task.sh" '{}' || true
	bad=
	for k in $(echo "$tasks" | tr , ' '); do
		# joblog: Seq Host Starttime JobRuntime Send Receive Exitval Signal Command
		st=$(awk -v k="$k" -F'\t' 'NR > 1 && $NF ~ (" " k "$") { print $7 ":" $8 }' "$work/joblog")
		if [ "$st" = 0:0 ]; then
			echo "$me: $stage task $k/$n: COMPLETED" >&2
		else
			echo "$me: $stage task $k/$n: FAILED (exit:signal ${st:-not run})" >&2
			bad="$bad $k"
		fi
	done
	report_and_exit "$bad"
	sh "$work/merge.sh" || die "$stage merge: FAILED (exit $?); log: $work/merge.log"
	echo "$me: $stage merge: COMPLETED -> $out" >&2
	;;
slurm)
	for c in sbatch scontrol; do command -v $c >/dev/null || die "$c is not installed (apt-get install slurm-client)"; done
	poll=${LCTK_ARRAY_POLL:-1}
	array=$(sbatch --parsable --job-name="lctk-$stage" --array="$tasks" \
		--cpus-per-task="$cpus" --mem="$mem" --output="$work/slurm-%A_%a.out" \
		"$work/task.sh") || die "sbatch of the $stage tasks failed"
	array=${array%%;*}
	merge=$(sbatch --parsable --job-name="lctk-$stage-merge" --dependency="afterok:$array" \
		--kill-on-invalid-dep=yes --cpus-per-task=1 --mem="$merge_mem" \
		--output="$work/slurm-%j.out" "$work/merge.sh") || die "sbatch of the $stage merge failed"
	merge=${merge%%;*}
	echo "$me: $stage: array job $array (tasks $tasks of $n), merge job $merge" >&2
	# states JOB: "TASK STATE EXIT" per array task (TASK - for a plain job); a
	# pending range of tasks is one line "1-3 PENDING"; nothing if Slurm forgot JOB
	states() {
		scontrol -o show job "$1" 2>/dev/null | awk '{
			t = "-"; s = "?"; e = "?"
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^ArrayTaskId=/) t = substr($i, 13)
				else if ($i ~ /^JobState=/) s = substr($i, 10)
				else if ($i ~ /^ExitCode=/) e = substr($i, 10)
			}
			print t, s, e
		}'
	}
	done_state() {
		case $1 in COMPLETED | FAILED | CANCELLED | TIMEOUT | OUT_OF_MEMORY | NODE_FAIL | PREEMPTED | BOOT_FAIL | DEADLINE) return 0 ;; esac
		return 1
	}
	while :; do
		busy=0
		st=$(states "$array")
		while read -r t s e; do
			[ -z "$s" ] || done_state "$s" || busy=1
		done <<EOF
$st
EOF
		m=$(states "$merge")
		[ -z "$m" ] || done_state "$(echo "$m" | awk '{ print $2 }')" || busy=1
		[ $busy -eq 1 ] || break
		sleep "$poll"
	done
	bad=
	for k in $(echo "$tasks" | tr , ' '); do
		line=$(echo "$st" | awk -v k="$k" '$1 == k')
		s=$(echo "$line" | awk '{ print $2 }')
		e=$(echo "$line" | awk '{ print $3 }')
		[ -n "$s" ] || s="UNKNOWN (Slurm no longer knows the job)"
		echo "$me: $stage task $k/$n: $s${e:+ (exit:signal $e)}" >&2
		[ "$s" = COMPLETED ] || bad="$bad $k"
	done
	ms=$(echo "$m" | awk '{ print $2 }')
	[ -n "$ms" ] || ms=UNKNOWN
	if [ -n "$bad" ]; then
		echo "$me: $stage merge job $merge: $ms" >&2
		report_and_exit "$bad"
	fi
	[ "$ms" = COMPLETED ] || die "$stage merge job $merge: $ms; log: $work/merge.log; re-run it with: sbatch $work/merge.sh"
	echo "$me: $stage merge: COMPLETED -> $out" >&2
	;;
esac
