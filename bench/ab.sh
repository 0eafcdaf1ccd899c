#!/usr/bin/env bash
# bench/ab.sh — alternate builds of mockserver (and the net/http hello-world) on one mix, a fresh
# server each run, so that versions measured minutes apart on a shared machine are compared
# run for run: bench/run.sh measures one version at a time; this script interleaves them.
#
#   bench/ab.sh MIX SECONDS ROUNDS VERSION...
#
# A VERSION is a directory holding a checkout of this repository (a `git worktree add`), whose
# cmd/mockserver is built and served (the seeds mix from that directory, with its fixtures/), or
# "hello" (bench/hello of this checkout). Each run: start, the mix's setup file, a 2 s warm-up,
# SECONDS of `wrk -t2 -c50 --latency`. One line a run: req/s, p99, the server's CPU per request
# (/proc/PID/stat), the collector's share of it (GODEBUG=gctrace=1, as bench/run.sh's GC CPU)
# and peak RSS. Example (baseline, before and after a change):
#
#   git worktree add --detach /tmp/ab-old HEAD~1
#   bench/ab.sh petstore-post-sessions 5 3 /tmp/ab-old . hello
#
# MOCKSERVER_CORPUS as for bench/run.sh. Every process it starts is stopped by its id.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
CORPUS=$(cd "${MOCKSERVER_CORPUS:-$REPO/../shared/corpus}" && pwd)
(($# >= 4)) || { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
MIX=$1 SECS=$2 ROUNDS=$3
shift 3
TMP=$(mktemp -d /tmp/mockserver-ab.XXXXXX)
PID=
trap '[[ -n $PID ]] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT

declare -A BIN=() DIR=()
n=0
for v in "$@"; do
	if [[ $v == hello ]]; then
		(cd "$REPO" && go build -o "$TMP/hello" ./bench/hello)
		continue
	fi
	DIR[$v]=$(cd "$v" && pwd)
	n=$((n + 1))
	BIN[$v]=$TMP/mockserver-$n
	(cd "$v" && go build -o "${BIN[$v]}" ./cmd/mockserver)
done

cpu() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; } # jiffies, user + system
gclines() { grep -ao 'gc [0-9]* @[0-9.]*s [0-9]*%: .* ms cpu' "$TMP/server.log" || true; }

mkdir -p "$TMP/empty"
for _ in $(seq 1 "$ROUNDS"); do
	for v in "$@"; do
		port=$((20000 + RANDOM % 30000))
		case $v:$MIX in
		hello:*) cmd=("$TMP/hello" -port "$port") cwd=$TMP/empty ;;
		*:seeds) cmd=("${BIN[$v]}" --spec specs --host 127.0.0.1 --port "$port" --quiet) cwd=${DIR[$v]} ;;
		*:github) cmd=("${BIN[$v]}" mock -h 127.0.0.1 -p "$port" "$CORPUS/github-api.github.com.json") cwd=$TMP/empty ;;
		*:stripe) cmd=("${BIN[$v]}" mock -h 127.0.0.1 -p "$port" "$CORPUS/stripe-spec3.json") cwd=$TMP/empty ;;
		*) cmd=("${BIN[$v]}" mock -h 127.0.0.1 -p "$port" "$CORPUS/petstore.yaml") cwd=$TMP/empty ;;
		esac
		(cd "$cwd" && GODEBUG=gctrace=1 exec "${cmd[@]}") >"$TMP/server.log" 2>&1 &
		PID=$!
		for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
		if [[ -f $BENCH_DIR/mixes/$MIX.setup ]]; then
			while read -r method path body; do
				[[ -z $method || $method == \#* ]] && continue
				curl -s -o /dev/null -X "$method" -H 'Content-Type: application/json' ${body:+--data "$body"} "http://127.0.0.1:$port$path"
			done <"$BENCH_DIR/mixes/$MIX.setup"
		fi
		wrk -t2 -c50 -d2s -s "$BENCH_DIR/mixes/$MIX.lua" "http://127.0.0.1:$port" >/dev/null
		c0=$(cpu "$PID") g0=$(gclines | wc -l)
		wrk -t2 -c50 -d"${SECS}s" --latency -s "$BENCH_DIR/mixes/$MIX.lua" "http://127.0.0.1:$port" >"$TMP/wrk.txt"
		c1=$(cpu "$PID")
		rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$TMP/wrk.txt")
		p99=$(awk '/^ +99%/ { print $2 }' "$TMP/wrk.txt")
		ms=$(((c1 - c0) * 1000 / $(getconf CLK_TCK)))
		gc=$(gclines | tail -n +$((g0 + 1)) | awk -v ms="$ms" '
			{ sub(/ ms cpu$/, ""); sub(/.* ms clock, /, ""); n = split($0, f, /[+\/]/); for (i = 1; i <= n; i++) s += f[i] }
			END { if (ms > 0) printf "%.1f%%", s / ms * 100 }')
		rss=$(awk '/^VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$PID/status")
		printf '%-24s %-28s %7s req/s  p99 %8s  %6s µs CPU/req  GC %6s  RSS %s\n' "$MIX" "$v" "$rps" "$p99" \
			"$(awk -v ms="$ms" -v r="$rps" -v s="$SECS" 'BEGIN { if (r > 0) printf "%.1f", ms * 1000 / (r * s) }')" "${gc:--}" "$rss"
		kill "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
		PID=
	done
done
