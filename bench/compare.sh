#!/usr/bin/env bash
# compare.sh measures Livedash and statsviz (github.com/arl/statsviz, the
# version in go.mod) side by side on this machine and prints a table of
# ratios, ours/statsviz.
#
# For each client count it starts one server (bench/peers, nothing else in
# the process, one message per second), opens the clients with
# cmd/loadtest over a ramp, measures for DURATION seconds, stops the
# server, then does the same with the other server. Everything stays on
# 127.0.0.1 and every step is bounded in time.
#
#   cd bench && ./compare.sh            # 2000 clients: about 3 minutes
#   FULL=1 ./compare.sh                 # 2000 then 10000: about 8 minutes
#
# Environment:
#   CLIENTS    client counts to run (default "2000", or "2000 10000" with FULL=1)
#   DURATION   measured seconds per run, after the ramp (default 60)
#   RAMP       seconds over which to open the clients (default N/200, at least 20)
#   ROUNDS     runs of each server per client count, alternating which goes
#              first; the table shows the median of each figure (default 1;
#              the machine's noise, e.g. a VM's steal time, moves latency most)
#   PIN        1 (default on 2+ CPUs): server on CPU 0 (so GOMAXPROCS=1), load
#              tool on the others, so that the two do not compete; 0: no pinning
#   FLOOR      1: also run two yardsticks, printed below the table with their
#              own ratios: bench/peers -server floor, which writes one
#              prepared message per tick to every socket and does nothing
#              else (the least any server spends on the fan-out), and
#              -server reader, the least a coder/websocket server does that
#              reads each client with a goroutine of its own, as Livedash does
#   PINGS      how Livedash's clients ping (loadtest -pings): "frame" (default:
#              right after a frame when due, as the page does, so pings bunch
#              after each tick), "timer" (spread evenly) or "burst" (all at
#              once); statsviz's page never pings
#   PROFILE    1: CPU and heap profiles of each server over the measured
#              window, cpu-<server>-<N>.pprof and heap-<server>-<N>.pprof in LOGS
#   LOGS       directory for the raw logs (default: a temporary one, removed)
#
# Rows: the server's CPU (median of 5 s samples, % of one core) and RSS
# growth per connected client (median); bytes and frames per client per
# second (median); the spread (per tick, the time from the first client to
# receive the frame to each client receiving it) and the latency from the
# server's own stamp (Livedash: send time "t"; statsviz: its "timestamp",
# taken just before it encodes), both measured twice: at the socket, from
# the kernel's receive timestamp, which on loopback is when the server's
# write arrived (the server's own fan-out), and at the read, when the load
# tool got to the frame (mostly the load tool's own scheduling of thousands
# of clients). The targets: CPU ours <= 0.9 x statsviz, RSS per client ours
# <= 16 KiB, spread p99 at the socket ours <= 0.5 x statsviz.
set -euo pipefail

cd "$(dirname "$0")"

duration=${DURATION:-60}
if [[ -n ${CLIENTS:-} ]]; then
	counts=$CLIENTS
elif [[ ${FULL:-0} == 1 ]]; then
	counts="2000 10000"
else
	counts="2000"
fi

ncpu=$(nproc)
pin=${PIN:-1}
if [[ $pin == 1 ]] && { ((ncpu < 2)) || ! command -v taskset >/dev/null; }; then
	pin=0
fi
srv_run=() load_run=()
if [[ $pin == 1 ]]; then
	load_cpus=1-$((ncpu - 1))
	((ncpu == 2)) && load_cpus=1
	srv_run=(taskset -c 0)
	load_run=(taskset -c "$load_cpus")
fi

work=$(mktemp -d)
peer_pid=
cleanup() {
	if [[ -n $peer_pid ]]; then
		kill -TERM "$peer_pid" 2>/dev/null || true
		wait "$peer_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
logs=${LOGS:-$work}
mkdir -p "$logs"

echo "building peers and loadtest ..."
go build -o "$work/peers" ./peers
go -C .. build -o "$work/loadtest" ./cmd/loadtest
statsviz_version=$(go list -m -f '{{.Version}}' github.com/arl/statsviz)

# alone: warn when another load tool is running on this machine.
alone() {
	local others
	if others=$(pgrep -x loadtest); then
		echo "warning: another loadtest is running (pid $(echo $others)): figures are disturbed" >&2
	fi
}
# The server and the load tool each hold one end of every client's socket.
need=$(($(echo "$counts" | tr ' ' '\n' | sort -n | tail -1) + 1000))
if (($(ulimit -n) < need)); then
	ulimit -n "$need" 2>/dev/null || echo "warning: ulimit -n is $(ulimit -n), below $need" >&2
fi

# run SERVER N RAMP ROUND: one measured run, the loadtest's output in
# $logs/SERVER-N-rROUND.log.
run() {
	local server=$1 n=$2 ramp=$3 round=$4
	local name=$server-$n-r$round
	local log=$logs/$name.log out=$work/peer-$name.out
	local prof=()
	if [[ ${PROFILE:-0} == 1 ]]; then
		# The measured window starts about 3 s (settle) + ramp + 5 s in.
		prof=(-cpuprofile "$logs/cpu-$name.pprof" -memprofile "$logs/heap-$name.pprof"
			-profile-after "$((ramp + 8))s" -profile-for "$((duration - 2))s")
	fi
	"${srv_run[@]}" "$work/peers" -server "$server" -addr 127.0.0.1:0 "${prof[@]}" >"$out" 2>&1 &
	peer_pid=$!
	local url=
	for _ in $(seq 50); do
		url=$(awk '/^socket /{print $2}' "$out")
		[[ -n $url ]] && break
		sleep 0.2
	done
	if [[ -z $url ]]; then
		echo "$server did not start:" >&2
		cat "$out" >&2
		return 1
	fi
	sleep 3 # let the collectors and the first ticks settle
	alone
	local total=$((ramp + 5 + duration))
	echo "$server, $n clients, round $round: ${ramp}s ramp, ${duration}s measured ($url)"
	local proto=$server
	[[ $server == floor ]] && proto=statsviz  # the floor speaks statsviz's framing
	[[ $server == reader ]] && proto=livedash # the reader floor speaks Livedash's
	timeout $((total + 60)) "${load_run[@]}" "$work/loadtest" -proto "$proto" -url "$url" \
		-clients "$n" -ramp "${ramp}s" -duration "${total}s" -warmup "$((ramp + 5))s" \
		-report 5s -settle 2s -pings "${PINGS:-frame}" -pid "$peer_pid" >"$log" 2>&1 || {
		echo "loadtest failed:" >&2
		tail "$log" >&2
	}
	alone
	kill -TERM "$peer_pid"
	wait "$peer_pid" || true
	peer_pid=
}

# fig LOG PATTERN FIELD: a number from one of the summary lines.
fig() {
	awk -v pat="$2" -v f="$3" 'index($0, pat) == 1 { gsub(/[,;()]/, " "); split($0, a, " "); print a[f]; exit }' "$1"
}

# figs LOG: the figures of one run, one "key value" a line.
figs() {
	local log=$1
	echo "cpu $(fig "$log" "# server: cpu median" 5)"
	echo "kib $(fig "$log" "# server: cpu median" 20)"
	echo "bps $(fig "$log" "# per client: median" 5)"
	echo "fps $(fig "$log" "# per client: median" 7)"
	echo "sp50 $(fig "$log" "# spread over the run" 7)"
	echo "sp99 $(fig "$log" "# spread over the run" 10)"
	echo "lp99 $(fig "$log" "# latency over the run" 10)"
	echo "xp50 $(fig "$log" "# spread at the socket over the run" 10)"
	echo "xp99 $(fig "$log" "# spread at the socket over the run" 13)"
	echo "xl99 $(fig "$log" "# latency at the socket over the run" 13)"
	awk '!/^#/ { c = $3; f = $4 } END { print "closed " c + 0; print "failed " f + 0 }' "$log"
}

# med KEY FILE...: the median of a figure over runs (the lower middle one
# when there are two).
med() {
	local key=$1
	shift
	awk -v k="$key" '$1 == k && $2 != "" { print $2 }' "$@" | sort -g |
		awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'
}

# all KEY FILE...: a figure of every run, in round order.
all() {
	local key=$1
	shift
	awk -v k="$key" '$1 == k { printf "%s%s", sep, ($2 == "" ? "-" : $2); sep = " " } END { print "" }' "$@"
}

# sum KEY FILE...: a count added over runs.
sum() {
	local key=$1
	shift
	awk -v k="$key" '$1 == k { s += $2 } END { print s + 0 }' "$@"
}

# row LABEL OURS THEIRS [TARGET]: one table line with the ratio.
row() {
	awk -v l="$1" -v a="$2" -v b="$3" -v t="${4:-}" 'BEGIN {
		r = (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b)
		printf "  %-30s %10s %10s %12s   %s\n", l, a == "" ? "-" : a, b == "" ? "-" : b, r, t
	}'
}

# verdict A OP B: "ok" when the comparison holds, "MISSED" when not, "n/a"
# when a figure is missing.
verdict() {
	if [[ -z $1 || -z $3 ]]; then
		echo n/a
	elif awk "BEGIN { exit !($1 $2 $3) }"; then
		echo ok
	else
		echo MISSED
	fi
}

rounds=${ROUNDS:-1}
tables=()
for n in $counts; do
	ramp=${RAMP:-$((n / 200 > 20 ? n / 200 : 20))}
	for round in $(seq "$rounds"); do
		servers=(livedash statsviz)
		[[ ${FLOOR:-0} == 1 ]] && servers+=(floor reader)
		# each round starts with the next server, so that none is always first
		k=$(((round - 1) % ${#servers[@]}))
		order="${servers[*]:k} ${servers[*]:0:k}"
		for server in $order; do
			run "$server" "$n" "$ramp" "$round"
			figs "$logs/$server-$n-r$round.log" >"$logs/$server-$n-r$round.figs"
		done
	done
	declare -A v=()
	sides="o t"
	[[ ${FLOOR:-0} == 1 ]] && sides="o t f r"
	for s in $sides; do
		case $s in
		o) server=livedash ;;
		t) server=statsviz ;;
		f) server=floor ;;
		r) server=reader ;;
		esac
		files=()
		for round in $(seq "$rounds"); do
			files+=("$logs/$server-$n-r$round.figs")
		done
		for key in cpu kib bps fps sp50 sp99 lp99 xp50 xp99 xl99; do
			v[$s.$key]=$(med "$key" "${files[@]}")
		done
		v[$s.lost]=$(sum closed "${files[@]}")/$(sum failed "${files[@]}")
		v[$s.allcpu]=$(all cpu "${files[@]}")
		v[$s.allxp99]=$(all xp99 "${files[@]}")
	done
	cpu_ok=$(verdict "${v[o.cpu]}" "<=" "${v[t.cpu]:+0.9 * ${v[t.cpu]}}")
	kib_ok=$(verdict "${v[o.kib]}" "<=" 12)
	sp_ok=$(verdict "${v[o.xp99]}" "<=" "${v[t.xp99]:+0.5 * ${v[t.xp99]}}")
	tables+=("$(
		echo
		echo "$n clients, ${duration} s measured after a ${ramp} s ramp, 1 message/s; statsviz $statsviz_version; Livedash's clients ping: ${PINGS:-frame}"
		((rounds > 1)) && echo "median of $rounds rounds"
		[[ $pin == 1 ]] && echo "server pinned to CPU 0, load tool to CPU $load_cpus"
		printf "  %-30s %10s %10s %12s   %s\n" "" livedash statsviz ours/theirs target
		row "server CPU, % of a core" "${v[o.cpu]}" "${v[t.cpu]}" "<= 0.90  $cpu_ok"
		row "RSS per client, KiB" "${v[o.kib]}" "${v[t.kib]}" "ours <= 12  $kib_ok"
		row "bytes/s per client" "${v[o.bps]}" "${v[t.bps]}"
		row "frames/s per client" "${v[o.fps]}" "${v[t.fps]}"
		row "at the socket: spread p50, ms" "${v[o.xp50]}" "${v[t.xp50]}"
		row "              spread p99, ms" "${v[o.xp99]}" "${v[t.xp99]}" "<= 0.50  $sp_ok"
		row "              latency p99, ms" "${v[o.xl99]}" "${v[t.xl99]}"
		row "at the read:  spread p50, ms" "${v[o.sp50]}" "${v[t.sp50]}"
		row "              spread p99, ms" "${v[o.sp99]}" "${v[t.sp99]}"
		row "              latency p99, ms" "${v[o.lp99]}" "${v[t.lp99]}"
		printf "  %-30s %10s %10s\n" "clients closed/failed" "${v[o.lost]}" "${v[t.lost]}"
		if ((rounds > 1)); then
			echo "  by round: CPU livedash ${v[o.allcpu]}; statsviz ${v[t.allcpu]}"
			echo "            spread p99 at the socket livedash ${v[o.allxp99]}; statsviz ${v[t.allxp99]}"
		fi
		if [[ ${FLOOR:-0} == 1 ]]; then
			echo "floor: one prepared write per socket per tick, nothing else (same clients, same pinning)"
			printf "  %-30s %10s %10s %12s\n" "" floor "floor/stv" "livedash/floor"
			for k in "server CPU, % of a core:cpu" "spread p99 at the socket, ms:xp99" "latency p99 at the socket, ms:xl99"; do
				key=${k##*:}
				awk -v l="${k%:*}" -v f="${v[f.$key]}" -v t="${v[t.$key]}" -v o="${v[o.$key]}" 'BEGIN {
					r1 = (f == "" || t == "" || t + 0 == 0) ? "-" : sprintf("%.2f", f / t)
					r2 = (f == "" || o == "" || f + 0 == 0) ? "-" : sprintf("%.2f", o / f)
					printf "  %-30s %10s %10s %12s\n", l, f == "" ? "-" : f, r1, r2
				}'
			done
			((rounds > 1)) && echo "  by round: spread p99 at the socket floor ${v[f.allxp99]}"
			echo "reader: coder/websocket, a reader goroutine per client (pings read), the library's Write; nothing else"
			printf "  %-30s %10s %10s %12s\n" "" reader "reader/stv" "livedash/reader"
			for k in "server CPU, % of a core:cpu" "RSS per client, KiB:kib" "spread p99 at the socket, ms:xp99"; do
				key=${k##*:}
				awk -v l="${k%:*}" -v f="${v[r.$key]}" -v t="${v[t.$key]}" -v o="${v[o.$key]}" 'BEGIN {
					r1 = (f == "" || t == "" || t + 0 == 0) ? "-" : sprintf("%.2f", f / t)
					r2 = (f == "" || o == "" || f + 0 == 0) ? "-" : sprintf("%.2f", o / f)
					printf "  %-30s %10s %10s %12s\n", l, f == "" ? "-" : f, r1, r2
				}'
			done
		fi
	)")
	unset v
done

printf '%s\n' "${tables[@]}"
if [[ -n ${LOGS:-} ]]; then
	echo
	echo "logs in $logs"
fi
