#!/usr/bin/env bash
# bench/run.sh — a side-by-side load benchmark of mockserver, Stoplight Prism and a bare net/http
# hello-world (this machine's ceiling), one server at a time, all traffic on 127.0.0.1.
#
#   bench/run.sh            full run: every mix, mockserver (default and -v silent), Prism
#                           (default and -v silent), hello-world; writes bench/results.md
#   bench/run.sh --quick    smoke check: 3 s per mix, petstore + seeds, mockserver + hello-world,
#                           no Prism; writes bench/results-quick.md
#
# Environment (all optional):
#   DURATION=10            seconds of wrk per mix (3 with --quick)
#   WARMUP=2               seconds of warm-up per mix before the measured run (its statuses are counted)
#   MIXES="petstore github stripe seeds"   mixes or groups to run (petstore = petstore-get
#                          petstore-post petstore-post-sessions petstore-invalid)
#   SERVERS="mockserver mockserver-silent prism prism-silent hello hello-sized"
#                          hello-sized answers bodies as large as mockserver's on the same mix
#                          (so it runs after mockserver): the ceiling for that body size
#   MOCKSERVER_CORPUS=../shared/corpus     the real-world descriptions (beside the repo)
#   PRISM_WAIT=120         seconds Prism may take to answer its first request
#   STARTUP_WAIT=120       the same for mockserver and hello-world
#   QUIET_WAIT=60          seconds to wait, before each start and each measured run, for the rest
#                          of the machine to go quiet (under 10% of a core); then it runs anyway
#   QUIET_BUDGET=900       at most this many seconds of such waiting over the whole run
#   PACED_RATE=10000       after the saturating run, one more (mockserver and the hello-worlds) with
#                          every connection pacing itself to about this many req/s in all: the
#                          latency of a busy server that is not saturated (0: no paced run)
#   RETRIES=2              measured runs repeated while over 10% of the machine was busy elsewhere
#   PRISM_DIR=DIR          reuse a Prism installed earlier with npm install --prefix DIR
#   RESULTS=FILE           where the Markdown goes
#   KEEP_TMP=1             keep the scratch directory (server logs, raw wrk output)
#
# Go servers run with GODEBUG=gctrace=1 (added to any GODEBUG of the caller's): the "GC CPU"
# column is the CPU the collector's cycles took during the measured run (the "ms cpu" figures of
# runtime's trace lines: assists, background and idle marking, the stop-the-world phases) as a
# share of the server's own CPU (/proc/PID/stat) in that time. A mix may have a setup file,
# bench/mixes/MIX.setup: requests sent once to each fresh server before its warm-up (the record
# a read mix reads), one "METHOD PATH [JSON BODY]" a line.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")

# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------

QUICK=0
for arg in "$@"; do
	case $arg in
	--quick) QUICK=1 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "run.sh: unknown argument $arg (see --help)" >&2
		exit 2
		;;
	esac
done

if ((QUICK)); then
	DURATION=${DURATION:-3}
	WARMUP=${WARMUP:-1}
	MIXES=${MIXES:-petstore seeds}
	SERVERS=${SERVERS:-mockserver hello}
	RESULTS=${RESULTS:-$BENCH_DIR/results-quick.md}
else
	DURATION=${DURATION:-10}
	WARMUP=${WARMUP:-2}
	MIXES=${MIXES:-petstore github stripe seeds}
	SERVERS=${SERVERS:-mockserver mockserver-silent prism prism-silent hello hello-sized}
	RESULTS=${RESULTS:-$BENCH_DIR/results.md}
fi
CORPUS=$(cd "${MOCKSERVER_CORPUS:-$REPO/../shared/corpus}" 2>/dev/null && pwd) || {
	echo "run.sh: no corpus at ${MOCKSERVER_CORPUS:-$REPO/../shared/corpus} (set MOCKSERVER_CORPUS)" >&2
	exit 2
}
PRISM_WAIT=${PRISM_WAIT:-120}
STARTUP_WAIT=${STARTUP_WAIT:-120}
CONNECTIONS=50
THREADS=2
PACED_RATE=${PACED_RATE:-10000}

# The mock reads MOCKSERVER_* from the environment: none of the caller's may change what is measured.
for v in $(compgen -e | grep '^MOCKSERVER_' | grep -v '^MOCKSERVER_CORPUS$' || true); do
	unset "$v"
done

TMP=$(mktemp -d /tmp/mockserver-bench.XXXXXX)
PRISM_DIR=${PRISM_DIR:-$TMP/prism}
PRISM=$PRISM_DIR/node_modules/.bin/prism
MOCKSERVER=$TMP/mockserver
HELLO=$TMP/hello
READY=$TMP/ready
ROWS=$TMP/rows.tsv    # mix server statuses rps p50 p99 errors rss startup other paced(rps p50 p99 errors) gc
CMDS=$TMP/commands.txt
NOTES=$TMP/notes.txt
: >"$ROWS"
: >"$CMDS"
: >"$NOTES"

# ---------------------------------------------------------------------------------------------
# Clean-up: every process this script starts is recorded and killed, by its id, on exit.
# ---------------------------------------------------------------------------------------------

STARTED=()

cleanup() {
	local pid
	for pid in "${STARTED[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${STARTED[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ ${KEEP_TMP:-0} == 1 ]]; then
		echo "scratch directory kept: $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# forget PID: a process that has been waited for is no longer ours to kill (its id may be reused).
forget() {
	local p keep=()
	for p in "${STARTED[@]}"; do
		[[ $p == "$1" ]] || keep+=("$p")
	done
	STARTED=("${keep[@]}")
}

log() { printf '\n== %s\n' "$*" >&2; }
note() { printf '%s\n' "$*" >>"$NOTES"; printf 'note: %s\n' "$*" >&2; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---------------------------------------------------------------------------------------------
# Mixes: each has a wrk script in bench/mixes/ (method, path, headers, body) and a group; a group
# is one description, served by one start of each server.
# ---------------------------------------------------------------------------------------------

ALL_MIXES="petstore-get petstore-post petstore-post-sessions petstore-invalid github stripe seeds"

mix_group() {
	case $1 in
	petstore-*) echo petstore ;;
	*) echo "$1" ;;
	esac
}

expand_mixes() {
	local m list=()
	for m in $1; do
		case $m in
		petstore) list+=(petstore-get petstore-post petstore-post-sessions petstore-invalid) ;;
		petstore-get | petstore-post | petstore-post-sessions | petstore-invalid | github | stripe | seeds) list+=("$m") ;;
		*)
			echo "run.sh: unknown mix $m (one of: petstore $ALL_MIXES)" >&2
			exit 2
			;;
		esac
	done
	echo "${list[@]}"
}

# group_spec GROUP SERVER: the description a server is given for a group. Prism serves one file,
# so the seed endpoints are specs/ir-engine.yaml for it; mockserver serves the whole specs/.
group_spec() {
	case $1 in
	petstore) echo "$CORPUS/petstore.yaml" ;;
	github) echo "$CORPUS/github-api.github.com.json" ;;
	stripe) echo "$CORPUS/stripe-spec3.json" ;;
	seeds)
		case $2 in
		prism*) echo "$REPO/specs/ir-engine.yaml" ;;
		*) echo "specs" ;;
		esac
		;;
	esac
}

# ---------------------------------------------------------------------------------------------
# Installing and building
# ---------------------------------------------------------------------------------------------

need_wrk() {
	command -v wrk >/dev/null && return
	log "installing wrk from Debian"
	if [[ $(id -u) != 0 ]]; then
		echo "run.sh: wrk is missing and this is not root: apt-get install -y wrk" >&2
		exit 1
	fi
	apt-get update
	apt-get install -y wrk
}

# need_prism installs Prism 5 from the npm registry into the scratch directory (never the repo).
# A failure is recorded and Prism's rows are skipped: the rest of the run still means something.
need_prism() {
	[[ -x $PRISM ]] && return 0
	if ! command -v npm >/dev/null; then
		note "Prism not measured: npm is not installed"
		return 1
	fi
	log "installing @stoplight/prism-cli@5 into $PRISM_DIR (latest published: $(npm view @stoplight/prism-cli version 2>/dev/null || echo '?'))"
	if ! npm install --prefix "$PRISM_DIR" --no-audit --no-fund @stoplight/prism-cli@5 >"$TMP/npm-install.log" 2>&1; then
		note "Prism not measured: npm install @stoplight/prism-cli@5 failed: $(grep -m1 -i 'err' "$TMP/npm-install.log" || tail -1 "$TMP/npm-install.log")"
		return 1
	fi
	# npm prefers the newest 5.x whose "engines" accept this machine's node: say so when that is
	# not the newest release.
	local got latest
	got=$(node -p "require('$PRISM_DIR/node_modules/@stoplight/prism-cli/package.json').version")
	latest=$(npm view @stoplight/prism-cli version 2>/dev/null || true)
	if [[ -n $latest && $got != "$latest" ]]; then
		note "Prism $got was installed, not the latest $latest: $latest requires node $(npm view "@stoplight/prism-cli@$latest" engines.node 2>/dev/null), this machine has $(node --version)"
	fi
}

build() {
	log "building mockserver and the hello-world"
	local try
	for try in 1 2 3; do
		if (cd "$REPO" && go build -o "$MOCKSERVER" ./cmd/mockserver) 2>"$TMP/build.log"; then
			break
		fi
		if ((try == 3)); then
			cat "$TMP/build.log" >&2
			echo "run.sh: go build ./cmd/mockserver failed" >&2
			exit 1
		fi
		echo "go build failed (a package mid-edit?); retrying in 30 s" >&2
		sleep 30
	done
	(cd "$REPO" && go build -o "$HELLO" ./bench/hello && go build -o "$READY" ./bench/ready)
}

# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------

free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo "run.sh: no free port found" >&2
	exit 1
}

# server_cmd SERVER GROUP PORT: sets CMD (the command line) and CWD (where it runs). The corpus
# descriptions are served from an empty directory, so that no fixtures/ is picked up; the seed
# endpoints from the repo, with its fixtures/, as `go run ./cmd/mockserver` does.
server_cmd() {
	local server=$1 group=$2 port=$3 spec
	spec=$(group_spec "$group" "$server")
	CWD=$TMP/empty
	case $server in
	mockserver | mockserver-silent)
		if [[ $group == seeds ]]; then
			CWD=$REPO
			CMD=("$MOCKSERVER" --spec "$spec" --host 127.0.0.1 --port "$port" --quiet)
			[[ $server == mockserver-silent ]] && CMD+=(--log-level error)
		else
			CMD=("$MOCKSERVER" mock -h 127.0.0.1 -p "$port" "$spec")
			[[ $server == mockserver-silent ]] && CMD+=(-v silent)
		fi
		;;
	prism | prism-silent)
		CMD=("$PRISM" mock -h 127.0.0.1 -p "$port" "$spec")
		[[ $server == prism-silent ]] && CMD+=(-v silent)
		;;
	hello)
		CMD=("$HELLO" -port "$port")
		;;
	hello-sized)
		CMD=("$HELLO" -port "$port" -size "$(cat "$TMP/bodybytes-$MIX")")
		;;
	esac
	return 0
}

# start_server SERVER GROUP: starts it on a free port and waits (polling every 20 ms) for its
# first HTTP answer, whatever the status. Sets PID, PORT and STARTUP (ms, or a reason).
start_server() {
	local server=$1 group=$2 wait=$STARTUP_WAIT t0
	[[ $server == prism* ]] && wait=$PRISM_WAIT
	PORT=$(free_port)
	server_cmd "$server" "$group" "$PORT"
	mkdir -p "$TMP/empty"
	SERVER_LOG=$TMP/$server-$group.log
	printf '%s\t%s\t(cd %s && %s)\n' "$server" "$(case $server in hello) echo 'every mix' ;; hello-sized) echo "$MIX" ;; *) echo "$group" ;; esac)" "$CWD" "${CMD[*]}" |
		sed "s#$TMP#\$TMP#g; s#$CORPUS#\$CORPUS#g; s#$REPO#\$REPO#g; s#-p $PORT#-p PORT#; s#--port $PORT#--port PORT#; s#-port $PORT#-port PORT#" >>"$CMDS.all"
	awk '!seen[$0]++' "$CMDS.all" >"$CMDS"
	t0=$(now_ms)
	(
		cd "$CWD"
		[[ $server == prism* ]] || export GODEBUG=${GODEBUG:+$GODEBUG,}gctrace=1
		exec "${CMD[@]}"
	) >"$SERVER_LOG" 2>&1 &
	PID=$!
	STARTED+=("$PID")
	# One process polls every 20 ms (bench/ready): a curl started every 20 ms would take CPU
	# from the server it times.
	local status=0
	"$READY" -url "http://127.0.0.1:$PORT/__bench_ready" -pid "$PID" -timeout "${wait}s" || status=$?
	case $status in
	0)
		STARTUP=$(($(now_ms) - t0))
		return 0
		;;
	2)
		START_RSS=-
		STARTUP="exited: $(tail -1 "$SERVER_LOG" | cut -c1-120)"
		;;
	*)
		STARTUP="did not answer in ${wait} s"
		START_RSS=$(peak_rss_mb "$PID")
		;;
	esac
	stop_server
	return 1
}

# stop_server: SIGTERM, 5 s to exit (an exited child stays a zombie until waited for), SIGKILL.
stop_server() {
	local state
	kill "$PID" 2>/dev/null || true
	for _ in $(seq 1 50); do
		state=$(awk '{ sub(/^.*\) /, ""); print $1 }' /proc/"$PID"/stat 2>/dev/null || echo Z)
		[[ $state == Z ]] && break
		sleep 0.1
	done
	kill -KILL "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	forget "$PID"
}

# peak_rss_mb PID: the high-water mark of resident memory (VmHWM) of the process and its
# descendants, in MB.
peak_rss_mb() {
	local pids=("$1") kb=0 p child
	local i=0
	while ((i < ${#pids[@]})); do
		for child in $(cat /proc/"${pids[i]}"/task/*/children 2>/dev/null); do
			pids+=("$child")
		done
		i=$((i + 1))
	done
	for p in "${pids[@]}"; do
		kb=$((kb + $(awk '/^VmHWM:/ {print $2}' /proc/"$p"/status 2>/dev/null || echo 0)))
	done
	awk -v kb="$kb" 'BEGIN { printf "%.0f", kb / 1024 }'
}

# ---------------------------------------------------------------------------------------------
# CPU accounting: the server and wrk share 2 cores, so anything else running (a test suite in
# another terminal) changes the numbers. Before each measured run we wait for the machine to be
# quiet, and each row says how much CPU the rest of the machine took during the run.
# ---------------------------------------------------------------------------------------------

CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)
QUIET_WAIT=${QUIET_WAIT:-60}
QUIET_BUDGET=${QUIET_BUDGET:-900}
QUIET_SPENT=0
BUSY_STARTS=0
RETRIES=${RETRIES:-2}

# cpu_busy: jiffies the whole machine's processes have been busy (all cores), from /proc/stat:
# user, nice, system, and steal (the host taking the CPU away). Interrupt and softirq time are left
# out: loopback TCP is mostly softirq, which no process is charged with.
cpu_busy() { awk '/^cpu / { print $2 + $3 + $4 + $9; exit }' /proc/stat; }

# proc_cpu PID: jiffies used by a process (user + system, with its waited-for children).
proc_cpu() { awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' /proc/"$1"/stat 2>/dev/null || echo 0; }

# children_cpu: sets CHILD_CPU to the seconds of CPU used by this shell's finished children (the
# `times` builtin; it must run in this shell, not in a $(…) subshell, whose children are its own).
children_cpu() {
	times >"$TMP/times"
	CHILD_CPU=$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60 + a[2] } print n }' "$TMP/times")
}

# wait_quiet: while the server idles, wait (up to QUIET_WAIT s, and QUIET_BUDGET s over the whole
# run) until the rest of the machine uses under 10% of one core; sets QUIET to what was last
# seen (% of one core).
wait_quiet() {
	local t0 t_end b0 b1 said=0
	t0=$(now_ms)
	t_end=$((t0 + QUIET_WAIT * 1000))
	while :; do
		b0=$(cpu_busy)
		sleep 1
		b1=$(cpu_busy)
		QUIET=$(((b1 - b0) * 100 / CLK_TCK))
		((QUIET < 10)) && break
		if (($(now_ms) > t_end)) || ((QUIET_SPENT + ($(now_ms) - t0) / 1000 >= QUIET_BUDGET)); then
			echo "  starting anyway: $QUIET% of a core busy elsewhere after $((($(now_ms) - t0) / 1000)) s of waiting" >&2
			BUSY_STARTS=$((BUSY_STARTS + 1))
			break
		fi
		((said)) || echo "  waiting for the machine to be quiet ($QUIET% of a core busy elsewhere)" >&2
		said=1
	done
	QUIET_SPENT=$((QUIET_SPENT + ($(now_ms) - t0) / 1000))
	return 0
}

# ---------------------------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------------------------

# to_ms VALUE: wrk's latency (12.3us, 4.5ms, 1.2s, 2.0m) in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; else if (u == "h") n *= 3600000
		printf "%.2f", n }'
}

# run_wrk ARGS…: wrk -t2 -c50 ARGS, in the background and waited for, so that an interrupt stops
# the run at once (the trap kills it); its output to stdout, errors included.
run_wrk() {
	wrk -t"$THREADS" -c"$CONNECTIONS" "$@" 2>&1 &
	local pid=$!
	STARTED+=("$pid")
	wait "$pid" || true
	forget "$pid"
}

# gc_lines: the runtime's gctrace lines in the server's log so far (the log lines of the server
# share the file; each trace line is written whole).
gc_lines() { grep -ao 'gc [0-9]* @[0-9.]*s [0-9]*%: .* ms cpu' "$SERVER_LOG" || true; }

# measure MIX OUT: one measured wrk run into OUT.txt; sets OTHER, the CPU the rest of the machine
# (not the server, not wrk) took meanwhile, in % of both cores, and GCCPU, the collector's share
# of the server's CPU during the run ("-" for a server without gctrace).
measure() {
	local mix=$1 out=$2 t0 b0 s0 s1 w0 g0
	wait_quiet
	children_cpu
	g0=$(gc_lines | wc -l)
	t0=$(now_ms) b0=$(cpu_busy) s0=$(proc_cpu "$PID") w0=$CHILD_CPU
	run_wrk -d"${DURATION}s" --latency -s "$BENCH_DIR/mixes/$mix.lua" "http://127.0.0.1:$PORT" >"$out.txt"
	children_cpu
	s1=$(proc_cpu "$PID")
	OTHER=$(awk -v b="$(($(cpu_busy) - b0))" -v s="$((s1 - s0))" -v w0="$w0" -v w1="$CHILD_CPU" \
		-v hz="$CLK_TCK" -v ms="$(($(now_ms) - t0))" -v n="$NPROC" \
		'BEGIN { o = ((b - s) / hz - (w1 - w0)) / (ms / 1000 * n) * 100; if (o < 0) o = 0; printf "%.0f", o }')
	GCCPU=-
	if [[ $SERVER_NAME != prism* ]]; then
		# "0.037+0.45/4.5/9.1+0.009 ms cpu": every figure is CPU time of the cycle.
		GCCPU=$(gc_lines | tail -n +$((g0 + 1)) | awk -v s="$((s1 - s0))" -v hz="$CLK_TCK" '
			{ sub(/ ms cpu$/, ""); sub(/.* ms clock, /, ""); n = split($0, f, /[+\/]/); for (i = 1; i <= n; i++) ms += f[i] }
			END { if (s > 0) printf "%.1f%%", ms / (s * 1000 / hz) * 100; else print "-" }')
	fi
}

# mix_setup MIX: the requests of bench/mixes/MIX.setup, sent once to the fresh server; sets
# SETUP to their statuses ("" without a setup file).
mix_setup() {
	local f=$BENCH_DIR/mixes/$1.setup method path body code
	SETUP=""
	[[ -f $f ]] || return 0
	while read -r method path body; do
		[[ -z $method || $method == \#* ]] && continue
		code=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' \
			-H 'Accept: application/json' ${body:+--data "$body"} "http://127.0.0.1:$PORT$path" || echo 000)
		SETUP+="${SETUP:+,}$method $path→$code"
	done <"$f"
}

# wrk_row FILE: "rps<TAB>p50<TAB>p99<TAB>socket errors" from a wrk --latency output.
wrk_row() {
	local rps p50 p99 errors
	rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$1")
	p50=$(awk '/^ +50%/ {print $2}' "$1")
	p99=$(awk '/^ +99%/ {print $2}' "$1")
	errors=$(awk '/Socket errors:/ { gsub(/,/, ""); n = $4 + $6 + $8 + $10 } END { print n + 0 }' "$1")
	[[ -n $p50 ]] && p50=$(to_ms "$p50")
	[[ -n $p99 ]] && p99=$(to_ms "$p99")
	printf '%s\t%s\t%s\t%s' "${rps:-0}" "${p50:--}" "${p99:--}" "$errors"
}

# run_mix SERVER MIX: a fresh start of the server for the mix (mockserver keeps state: a POST
# run must not inherit the records of the one before), a warm-up that counts the statuses, the
# measured run, the peak RSS, a stop. Repeated (up to RETRIES more times) while over 10% of the
# machine was busy elsewhere during the measured run; the least disturbed attempt is kept.
# Appends a row: mix server statuses rps p50 p99 errors rss start-up other.
run_mix() {
	local server=$1 mix=$2
	local out=$TMP/wrk-$server-$mix try best="" best_other=101 statuses
	cat "$BENCH_DIR/mixes/$mix.lua" "$BENCH_DIR/mixes/probe.lua" >"$out.probe.lua"
	MIX=$mix
	if [[ $server == hello-sized && ! -s $TMP/bodybytes-$mix ]]; then
		echo "  hello-sized: no mockserver run of $mix to take the body size from" >&2
		return
	fi
	for ((try = 0; try <= RETRIES; try++)); do
		wait_quiet
		if ! start_server "$server" "$(mix_group "$mix")"; then
			echo "  $server did not start: $STARTUP" >&2
			printf '%s\t%s\t-\t-\t-\t-\t-\t%s\t%s\t-\n' "$mix" "$server" "$START_RSS" "$STARTUP" >>"$ROWS"
			return
		fi
		SERVER_NAME=$server
		mix_setup "$mix"
		run_wrk -d"${WARMUP}s" -s "$out.probe.lua" "http://127.0.0.1:$PORT" >"$out.$try.warmup.txt"
		statuses=$(awk '/^STATUSES/ {print $2}' "$out.$try.warmup.txt")
		[[ -n $SETUP ]] && statuses="$statuses (setup: $SETUP)"
		if [[ $server == mockserver* && ! -s $TMP/bodybytes-$mix ]]; then
			awk '/^BODYBYTES/ {print $2}' "$out.$try.warmup.txt" >"$TMP/bodybytes-$mix"
		fi
		[[ $server == hello-sized ]] && statuses="$statuses ($(cat "$TMP/bodybytes-$mix") B)"
		measure "$mix" "$out.$try"
		paced=$'-\t-\t-\t-'
		if ((PACED_RATE > 0)) && [[ $server == mockserver* || $server == hello* ]]; then
			cat "$BENCH_DIR/mixes/$mix.lua" "$BENCH_DIR/mixes/paced.lua" >"$out.paced.lua"
			run_wrk -d"${DURATION}s" --latency -s "$out.paced.lua" "http://127.0.0.1:$PORT" -- "$PACED_RATE" "$CONNECTIONS" >"$out.$try.paced.txt"
			paced=$(wrk_row "$out.$try.paced.txt")
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s%%\t%s\t%s\n' "$mix" "$server" "${statuses:-none}" "$(wrk_row "$out.$try.txt")" \
			"$(peak_rss_mb "$PID")" "$STARTUP" "$OTHER" "$paced" "$GCCPU" >"$out.$try.row"
		stop_server
		printf '  %-22s %-17s start-up %6s ms  %s\n' "$mix" "$server" "$STARTUP" \
			"$(awk -F'\t' '{ printf "%-16s %6s req/s  p50 %7s ms  p99 %7s ms  errors %s  RSS %s MB  GC %s  other CPU %s", $3, $4, $5, $6, $7, $8, $15, $10 }' "$out.$try.row")" >&2
		if ((OTHER < best_other)); then
			best=$out.$try.row best_other=$OTHER
		fi
		((OTHER <= 10 || QUIET_SPENT >= QUIET_BUDGET)) && break
		((try < RETRIES)) && echo "  ${OTHER}% of the machine was busy elsewhere during the run: again" >&2
	done
	cat "$best" >>"$ROWS"
}

# bench_server SERVER: every selected mix, in turn.
bench_server() {
	local server=$1 mix
	log "$server"
	for mix in $SELECTED; do
		run_mix "$server" "$mix"
	done
}

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

# row MIX SERVER FIELD: one field of the results (3 statuses, 4 rps, 5 p50, 6 p99, 7 errors,
# 8 rss, 9 start-up, 10 other CPU; the paced run: 11 rps, 12 p50, 13 p99, 14 errors; 15 GC CPU).
row() { awk -F'\t' -v m="$1" -v s="$2" -v f="$3" '$1 == m && $2 == s { print $f }' "$ROWS"; }

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "—" }'
}

fmt_startup() {
	case $1 in
	'' | -) echo "—" ;;
	*[!0-9]*) echo "$1" ;;
	*) awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }' ;;
	esac
}

# results_table: the side-by-side table, as Markdown.
results_table() {
	local mix server
	echo "| mix | server | statuses (warm-up) | req/s | p50 ms | p99 ms | socket errors | peak RSS MB | GC CPU | start-up | other CPU |"
	echo "|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|"
	for mix in $SELECTED; do
		for server in $SERVERS; do
			[[ -n $(row "$mix" "$server" 2) ]] || continue
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$mix" "$server" "$(row "$mix" "$server" 3)" \
				"$(row "$mix" "$server" 4)" "$(row "$mix" "$server" 5)" "$(row "$mix" "$server" 6)" \
				"$(row "$mix" "$server" 7)" "$(row "$mix" "$server" 8)" "$(row "$mix" "$server" 15)" "$(fmt_startup "$(row "$mix" "$server" 9)")" \
				"$(row "$mix" "$server" 10)"
		done
	done
}

# paced_table: latency at a steady rate, below saturation.
paced_table() {
	local mix server
	echo "| mix | server | req/s | p50 ms | p99 ms | socket errors |"
	echo "|---|---|---:|---:|---:|---:|"
	for mix in $SELECTED; do
		for server in $SERVERS; do
			[[ -n $(row "$mix" "$server" 11) && $(row "$mix" "$server" 11) != - ]] || continue
			printf '| %s | %s | %s | %s | %s | %s |\n' "$mix" "$server" "$(row "$mix" "$server" 11)" \
				"$(row "$mix" "$server" 12)" "$(row "$mix" "$server" 13)" "$(row "$mix" "$server" 14)"
		done
	done
}

# ratio_table: throughput ratios per mix.
ratio_table() {
	local mix ms mss pr prs he
	echo "| mix | mockserver ÷ Prism | mockserver ÷ Prism -v silent | mockserver -v silent ÷ Prism -v silent | mockserver ÷ hello-world | mockserver -v silent ÷ hello-world | mockserver ÷ hello-sized |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for mix in $SELECTED; do
		ms=$(row "$mix" mockserver 4)
		mss=$(row "$mix" mockserver-silent 4)
		pr=$(row "$mix" prism 4)
		prs=$(row "$mix" prism-silent 4)
		he=$(row "$mix" hello 4)
		printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$mix" "$(ratio "$ms" "$pr")" "$(ratio "$ms" "$prs")" \
			"$(ratio "$mss" "$prs")" "$(ratio "$ms" "$he")" "$(ratio "$mss" "$he")" "$(ratio "$ms" "$(row "$mix" hello-sized 4)")"
	done
}

# targets: mockserver (default logging) against the targets in bench/README.md, with what the
# hello-world got on the same mix beside it (a target the ceiling misses is the machine's).
targets() {
	local mix rps he hs p99 hp s v pair
	verdict() { if awk "BEGIN { exit !($1) }" 2>/dev/null; then echo "met"; else echo "**missed**"; fi; }
	echo "| target | mockserver | hello-world | verdict |"
	echo "|---|---:|---:|---|"
	for mix in $SELECTED; do
		rps=$(row "$mix" mockserver 4)
		he=$(row "$mix" hello 4)
		[[ -n $rps && -n $he && $rps != - && $he != - ]] &&
			echo "| $mix: req/s ≥ 60% of hello-world | $rps ($(awk -v a="$rps" -v b="$he" 'BEGIN { printf "%.1f%%", 100 * a / b }')) | $he | $(verdict "$rps >= 0.6 * $he") |"
		hs=$(row "$mix" hello-sized 4)
		[[ -n $rps && -n $hs && $rps != - && $hs != - ]] &&
			echo "| (for comparison) $mix: req/s against hello-sized, the same body size | $rps ($(awk -v a="$rps" -v b="$hs" 'BEGIN { printf "%.1f%%", 100 * a / b }')) | $hs (sized) | — |"
	done
	for mix in $SELECTED; do
		p99=$(row "$mix" mockserver 6)
		hp=$(row "$mix" hello 6)
		[[ -n $p99 && $p99 != - ]] && echo "| $mix: p99 < 5 ms at $CONNECTIONS connections, saturated | $p99 ms | ${hp:-—} ms | $(verdict "$p99 < 5") |"
		p99=$(row "$mix" mockserver 13)
		hp=$(row "$mix" hello 13)
		[[ -n $p99 && $p99 != - ]] && echo "| $mix: p99 < 5 ms at $CONNECTIONS connections, paced to $PACED_RATE req/s | $p99 ms | ${hp:-—} ms | $(verdict "$p99 < 5") |"
	done
	for pair in github:1500 stripe:2000; do
		mix=${pair%%:*}
		s=$(row "$mix" mockserver 9)
		[[ -n $s ]] || continue
		if [[ $s =~ ^[0-9]+$ ]]; then v=$(verdict "$s < ${pair#*:}"); else v="**missed**"; fi
		echo "| start-up < $(awk -v ms="${pair#*:}" 'BEGIN { printf "%.1f", ms / 1000 }') s on $mix | $(fmt_startup "$s") | | $v |"
	done
	v=$(row stripe mockserver 8)
	[[ -n $v && $v != - ]] && echo "| RSS < 250 MB serving Stripe | $v MB | | $(verdict "$v < 250") |"
	true
}

machine() {
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) memory, Linux $(uname -r)"
	echo "- mockserver: $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$REPO" && [[ -n $(git status --porcelain -- . ':!bench' 2>/dev/null) ]] && echo ' with uncommitted changes in the work tree'), $(go version | awk '{print $3}')"
	echo "- load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $(cut -d" " -f1-3 /proc/loadavg) (anything else running on the 2 cores skews the numbers)"
	if [[ -x $PRISM ]]; then
		echo "- Prism: @stoplight/prism-cli $("$PRISM" --version 2>/dev/null), node $(node --version)"
	fi
	echo "- wrk: $(wrk --version 2>&1 | awk 'NR == 1 { print $2 }'), \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency -s bench/mixes/MIX.lua http://127.0.0.1:PORT\` after a ${WARMUP} s warm-up (\`-s MIX.lua+probe.lua\`, whose statuses are the table's)"
}

report() {
	{
		echo "# Benchmark results"
		echo
		echo "Written by \`bench/run.sh$( ((QUICK)) && echo ' --quick')\` (overwritten each run); what it measures and the targets: [README.md](README.md)."
		echo
		machine
		echo "- servers run one at a time on 127.0.0.1; wrk runs on the same 2 cores as the server"
		echo
		echo "## Results"
		echo
		results_table
		echo
		echo "Each row is a fresh start of the server. Start-up: from exec to the first HTTP answer (polled"
		echo "every 20 ms). Peak RSS: VmHWM of the server process (and children) at the end of the mix."
		echo "Statuses: what the warm-up's requests were answered, status×count (and, for a mix with a setup"
		echo "file, what its setup requests got). GC CPU: the collector's share of the server's CPU during the"
		echo "measured run (from GODEBUG=gctrace=1; Prism: —)."
		echo "Other CPU: what the rest of the machine (not the server, not wrk) used during the measured"
		echo "run, as a share of both cores; more than a few % means someone else's work skewed that row."
		echo
		if ((PACED_RATE > 0)); then
			echo "## Latency below saturation ($CONNECTIONS connections paced to about $PACED_RATE req/s in all)"
			echo
			echo "Saturated, a closed-loop client on the server's own 2 cores measures mostly its own queue"
			echo "(the hello-world's p99 there is about 7 ms); paced, the latency is the server's."
			echo
			paced_table
			echo
		fi
		echo "## Throughput ratios (req/s)"
		echo
		ratio_table
		echo
		echo "## Targets (mockserver, default logging)"
		echo
		targets
		if [[ -s $NOTES ]]; then
			echo
			echo "## Notes"
			echo
			sed 's/^/- /' "$NOTES"
		fi
		echo
		echo "## Commands"
		echo
		echo '```sh'
		echo "bench/run.sh$( ((QUICK)) && echo ' --quick')   # DURATION=$DURATION WARMUP=$WARMUP MIXES=\"$MIXES\" SERVERS=\"$SERVERS\""
		echo "REPO=$REPO CORPUS=$CORPUS TMP=\$(mktemp -d)"
		echo "go build -o \$TMP/mockserver ./cmd/mockserver"
		echo "go build -o \$TMP/hello ./bench/hello"
		grep -q prism "$CMDS" && echo "npm install --prefix \$TMP/prism @stoplight/prism-cli@5"
		awk -F'\t' '{ print "# " $1 ", " $2 ":"; print $3 }' "$CMDS"
		echo '```'
	} >"$RESULTS"
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

main() {
	SELECTED=$(expand_mixes "$MIXES")
	LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)
	local server servers=()
	need_wrk
	build
	for server in $SERVERS; do
		case $server in
		mockserver | mockserver-silent | hello | hello-sized) servers+=("$server") ;;
		prism | prism-silent)
			if need_prism; then servers+=("$server"); fi
			;;
		*)
			echo "run.sh: unknown server $server (mockserver mockserver-silent prism prism-silent hello hello-sized)" >&2
			exit 2
			;;
		esac
	done
	SERVERS=${servers[*]}
	log "mixes: $SELECTED; servers: $SERVERS; ${DURATION} s per mix after ${WARMUP} s of warm-up"
	for server in $SERVERS; do
		bench_server "$server"
	done
	((BUSY_STARTS)) && note "$BUSY_STARTS times the script stopped waiting for the machine to be quiet (QUIET_WAIT=${QUIET_WAIT} s, QUIET_BUDGET=${QUIET_BUDGET} s, ${QUIET_SPENT} s spent waiting): see the other CPU column"
	report
	log "results (also in ${RESULTS#"$REPO"/})"
	sed -n '/^## Results/,/^## Commands/p' "$RESULTS" | sed '$d'
}

main
