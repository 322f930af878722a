# slurm-helpers.bash — a private one-node Slurm cluster for tests/slurm.bats.
#
#   load helpers
#   load slurm-helpers
#   setup_file()    { slurm_need && slurm_start; }
#   teardown_file() { slurm_stop; }
#   teardown()      { slurm_cancel_all; lctk_teardown; }
#
# Installs nothing: `make check` installs the Debian packages (DEB_TEST in the
# Makefile: slurmctld slurmd slurm-client munge).  slurm_need skips with a clear
# message unless the machine can run the daemons (root, Debian, the programs).
#
# slurm_start makes a fresh state directory (so no old job comes back), writes a
# slurm.conf whose ports are free ones picked now and whose munge socket is
# private, starts munged (as the munge user), slurmctld and slurmd (as root, in the
# foreground, fd 3 closed), and returns once the node is idle.  Their pids go to
# $SLURM_DIR/pids; slurm_stop cancels every job, waits for the job steps to end,
# then kills the daemons by those pids.  Every wait polls a condition; its limit
# only bounds a hang.  The directory is removed at the end.  SLURM_CONF is exported, so sbatch/squeue/scontrol in the
# tests talk to this cluster and no other.

# slurm_need: skip unless this machine can run a private cluster.
slurm_need() {
	[ "$(id -u)" -eq 0 ] || skip "slurm: needs root (starts munged, slurmctld and slurmd); run make check as root on Debian"
	[ -f /etc/debian_version ] || skip "slurm: needs Debian's slurm packages (slurmctld slurmd slurm-client munge)"
	local c
	for c in munged slurmctld slurmd sbatch squeue scontrol scancel setpriv; do
		command -v "$c" >/dev/null ||
			skip "slurm: $c is not installed (make deps-test installs slurmctld slurmd slurm-client munge)"
	done
	id munge >/dev/null 2>&1 || skip "slurm: no munge user (reinstall the munge package)"
}

# slurm_free_port: an unused TCP port of 127.0.0.1, picked by the kernel.
slurm_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# slurm_start: starts the cluster (see above); exports SLURM_DIR and SLURM_CONF.
# On failure it stops what it started and prints the daemons' logs.
slurm_start() {
	# not under bats' private (0700) temporary directory: munged checks every
	# directory above its files and slurmd's job steps run from it
	SLURM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lctk-slurm.XXXXXX") || return 1
	export SLURM_DIR
	chmod 755 "$SLURM_DIR"
	mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool" "$SLURM_DIR/log"
	# munge checks its directories: only the munge user writes them, all may traverse
	mkdir -m 711 "$SLURM_DIR/munge"
	head -c 1024 /dev/urandom > "$SLURM_DIR/munge/munge.key"
	chmod 400 "$SLURM_DIR/munge/munge.key"
	chown -R munge:munge "$SLURM_DIR/munge"
	: > "$SLURM_DIR/pids"
	local cpus mem
	cpus=$(nproc)
	mem=$(awk '$1 == "MemTotal:" { print int($2 / 1024 / 2) }' /proc/meminfo)
	cat > "$SLURM_DIR/slurm.conf" <<EOF
ClusterName=lctktest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$(slurm_free_port)
SlurmdPort=$(slurm_free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SLURM_DIR/munge/sock
CredType=cred/munge
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerParameters=batch_sched_delay=0,sched_interval=1,bf_interval=1
ReturnToService=2
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
	export SLURM_CONF="$SLURM_DIR/slurm.conf"
	setpriv --reuid=munge --regid=munge --init-groups munged -F \
		--socket="$SLURM_DIR/munge/sock" --key-file="$SLURM_DIR/munge/munge.key" \
		--log-file="$SLURM_DIR/munge/munged.log" --pid-file="$SLURM_DIR/munge/munged.pid" \
		--seed-file="$SLURM_DIR/munge/munged.seed" \
		</dev/null >"$SLURM_DIR/log/munged.out" 2>&1 3>&- &
	echo "munged $!" >> "$SLURM_DIR/pids"
	if ! slurm_wait 30 test -S "$SLURM_DIR/munge/sock"; then
		slurm_fail_start "munged did not create its socket"
		return 1
	fi
	slurmctld -D -c </dev/null >"$SLURM_DIR/log/slurmctld.out" 2>&1 3>&- &
	echo "slurmctld $!" >> "$SLURM_DIR/pids"
	slurmd -D -N localhost </dev/null >"$SLURM_DIR/log/slurmd.out" 2>&1 3>&- &
	echo "slurmd $!" >> "$SLURM_DIR/pids"
	if ! slurm_wait 60 slurm_node_idle; then
		slurm_fail_start "the node did not become idle"
		return 1
	fi
}

# slurm_wait SECONDS COMMAND...: wait_until COMMAND succeeds, but gives up at once
# when a daemon started so far has exited.
slurm_wait() {
	local limit=$(( $1 * 20 * ${LCTK_WAIT_SCALE:-1} )) i
	shift
	for ((i = 0; i < limit; i++)); do
		if "$@"; then return 0; fi
		slurm_daemons_alive || return 1
		sleep 0.05
	done
	return 1
}

# slurm_daemons_alive: every daemon slurm_start started still runs.
slurm_daemons_alive() {
	local name pid
	while read -r name pid; do
		alive "$pid" || { echo "slurm: $name (pid $pid) exited" >&2; return 1; }
	done < "$SLURM_DIR/pids"
}

# slurm_pid NAME: the pid of daemon NAME (munged, slurmctld, slurmd), if started.
slurm_pid() {
	awk -v n="$1" '$1 == n { print $2 }' "$SLURM_DIR/pids" 2>/dev/null
}

# slurm_node_idle: the one node is up and idle (also checks the daemons still run).
slurm_node_idle() {
	local state
	state=$(sinfo -h -n localhost -o %T 2>/dev/null) || return 1
	[ "$state" = idle ]
}

# slurm_fail_start WHY: prints WHY and the daemons' logs, stops the cluster.
slurm_fail_start() {
	echo "slurm_start: $1; logs:" >&2
	local f
	for f in "$SLURM_DIR"/log/* "$SLURM_DIR"/munge/munged.log; do
		[ -s "$f" ] && { echo "== $f" >&2; tail -20 "$f" >&2; }
	done
	slurm_stop
}

# slurm_cancel_all: cancels every job of the cluster and waits until none is left
# running (job steps end before the daemons are stopped).
slurm_cancel_all() {
	[ -n "${SLURM_DIR:-}" ] || return 0
	local ctld
	ctld=$(slurm_pid slurmctld)
	[ -n "$ctld" ] && alive "$ctld" || return 0
	scancel --quiet --user=root 2>/dev/null || true
	wait_until 60 slurm_no_jobs_running || echo "slurm: jobs still running after 60 s" >&2
}

# slurm_no_jobs_running: no job of the cluster is pending, running or completing.
slurm_no_jobs_running() {
	local n
	n=$(squeue -h -t PENDING,RUNNING,COMPLETING,CONFIGURING,SUSPENDED -o %i 2>/dev/null) || return 0
	[ -z "$n" ]
}

# slurm_stop: cancels the jobs, then kills slurmd, slurmctld and munged by pid
# (in that order) and reaps them.  Safe to call twice or after a failed start.
slurm_stop() {
	[ -n "${SLURM_DIR:-}" ] && [ -f "$SLURM_DIR/pids" ] || return 0
	slurm_cancel_all
	local name pid
	for name in slurmd slurmctld munged; do
		pid=$(slurm_pid "$name")
		[ -z "$pid" ] || kill_wait "$pid"
	done
	rm -rf "$SLURM_DIR"
}
