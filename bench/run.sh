#!/usr/bin/env bash
# Runs every smtpsetup benchmark and prints a Markdown report beside swaks
# and whiptail. Needs Go and `apt-get install swaks whiptail`. The method,
# the goals and the last measured figures are in docs/benchmarks.md.
#
#   bench/run.sh                 # everything, N=7 runs per figure
#   N=3 NDIAG=1 bench/run.sh     # quicker
#
# Settings (environment):
#   N       runs per time-to-verdict figure (default 7)
#   NDIAG   runs per diagnosis figure (default 3; the slow ones wait 10-30 s each)
#   NTTY    pseudo-terminal runs per tool (default 5)
#   RTTS    round trip times in ms (default "0 50 100")
#   OUT     directory for the results (default: a new one under /tmp)
#   SKIP_SLOW=1  skip the cases that wait for a timeout (silent, blackhole,
#                swaks on an implicit-TLS port)
#
# Everything listens on and connects to 127.0.0.1 only. Every process the
# script starts is stopped on exit (trap), every wait is bounded, and every
# server and proxy also stops by itself after an hour.
set -euo pipefail

N=${N:-7}
NDIAG=${NDIAG:-3}
NTTY=${NTTY:-5}
RTTS=${RTTS:-"0 50 100"}
SKIP_SLOW=${SKIP_SLOW:-0}
OUT=${OUT:-$(mktemp -d /tmp/smtpsetup-bench.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$OUT/bin
RES=$OUT/results.jsonl
: >"$RES"
: >"$OUT/load.txt"
rm -f "$OUT/ports.env"

PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n== %s\n' "$*" >&2; }
mark_load() { printf '%-28s load %s\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"; }

for tool in go swaks whiptail; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (apt-get install swaks whiptail)" >&2; exit 2; }
done

# wait_file FILE: up to 10 s for FILE to appear.
wait_file() {
	local i
	for i in $(seq 1 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "run.sh: $1 did not appear" >&2
	return 1
}

say "building into $BIN"
mkdir -p "$BIN"
(
	cd "$ROOT"
	go build -o "$BIN/smtpsetup" .
	go build -ldflags='-s -w' -o "$BIN/smtpsetup-stripped" .
	for t in benchserver rttproxy timeit cancellat ttyprobe report; do
		go build -o "$BIN/$t" "./bench/$t"
	done
)

{
	echo "date        $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc       $(nproc)"
	echo "cpu         $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "memory      $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "kernel      $(uname -r)"
	echo "go          $(go version | cut -d' ' -f3-)"
	echo "swaks       $(swaks --version 2>&1 | head -1)"
	echo "whiptail    $(dpkg-query -W -f='${Version}' whiptail 2>/dev/null || echo '?')"
	echo "smtpsetup   $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?') $(cd "$ROOT" && git status --porcelain 2>/dev/null | grep -q . && echo '(uncommitted changes)')"
} >"$OUT/machine.txt"
mark_load "start"

say "starting the servers"
"$BIN/benchserver" -dir "$OUT" -lifetime 1h </dev/null >>"$OUT/benchserver.log" 2>&1 &
PIDS+=($!)
wait_file "$OUT/ports.env"
# shellcheck disable=SC1091
. "$OUT/ports.env"
PW=$(head -1 "$PASSWORD_FILE")
OURS=("$BIN/smtpsetup" check --host 127.0.0.1 --username "$BENCH_USER" --password-file "$PASSWORD_FILE" --ca-file "$CA_FILE" --json)
# swaks takes the password only on its command line; it is a throw-away one.
SWAKS=(swaks --auth PLAIN --auth-user "$BENCH_USER" --auth-password "$PW" --quit-after AUTH --tls-verify --tls-ca-path "$CA_FILE")

# proxy PORT RTT VAR: starts rttproxy (in this shell, so that the trap
# knows it) and sets VAR to its port.
proxy() {
	local f="$OUT/proxy.$1.$2.addr"
	rm -f "$f"
	"$BIN/rttproxy" -target "127.0.0.1:$1" -rtt "${2}ms" -addr-file "$f" -lifetime 1h </dev/null >>"$OUT/proxy.log" 2>&1 &
	PIDS+=($!)
	wait_file "$f"
	printf -v "$3" '%s' "$(cut -d: -f2 "$f")"
}

# stop_proxies: ends the proxies started so far (the servers stay).
stop_proxies() {
	local keep=("${PIDS[0]}") p
	for p in "${PIDS[@]:1}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	PIDS=("${keep[@]}")
}

timeit() { "$BIN/timeit" -out "$RES" "$@"; }

# ports_at RTT: sets SSL_P and TLS_P to the implicit-TLS and STARTTLS ports,
# through proxies for a non-zero RTT.
ports_at() {
	stop_proxies
	if [ "$1" = 0 ]; then
		SSL_P=$IMPLICIT_PORT TLS_P=$STARTTLS_PORT
	else
		proxy "$IMPLICIT_PORT" "$1" SSL_P
		proxy "$STARTTLS_PORT" "$1" TLS_P
	fi
}

say "time to verdict: N=$N, RTT $RTTS ms"
mark_load "verdict"
for rtt in $RTTS; do
	ports_at "$rtt"
	timeit -n "$N" -group verdict -case ssl -tool smtpsetup -rtt "$rtt" -verdict json -- "${OURS[@]}" --port "$SSL_P" --security ssl
	timeit -n "$N" -group verdict -case ssl -tool swaks -rtt "$rtt" -verdict swaks -- "${SWAKS[@]}" --server "127.0.0.1:$SSL_P" --tlsc
	timeit -n "$N" -group verdict -case starttls -tool smtpsetup -rtt "$rtt" -verdict json -- "${OURS[@]}" --port "$TLS_P" --security starttls
	timeit -n "$N" -group verdict -case starttls -tool swaks -rtt "$rtt" -verdict swaks -- "${SWAKS[@]}" --server "127.0.0.1:$TLS_P" --tls
done

say "time to the diagnosis: NDIAG=$NDIAG (default timeouts)"
mark_load "diagnosis"
diag() { timeit -n "$NDIAG" -warmup 0 -timeout 90s -group diagnosis "$@"; }
for rtt in 0 100; do
	ports_at "$rtt"
	diag -case starttls-on-implicit -rtt "$rtt" -tool smtpsetup -verdict json -- "${OURS[@]}" --port "$SSL_P" --security starttls
	[ "$SKIP_SLOW" = 1 ] || diag -case starttls-on-implicit -rtt "$rtt" -tool swaks -verdict swaks -- "${SWAKS[@]}" --server "127.0.0.1:$SSL_P" --tls
	diag -case ssl-on-starttls -rtt "$rtt" -tool smtpsetup -verdict json -- "${OURS[@]}" --port "$TLS_P" --security ssl
	diag -case ssl-on-starttls -rtt "$rtt" -tool swaks -verdict swaks -- "${SWAKS[@]}" --server "127.0.0.1:$TLS_P" --tlsc
done
if [ "$SKIP_SLOW" != 1 ]; then
	diag -case silent -tool smtpsetup -verdict json -- "${OURS[@]}" --port "$SILENT_PORT" --security starttls
	diag -case silent -tool swaks -verdict swaks -- "${SWAKS[@]}" --server "127.0.0.1:$SILENT_PORT" --tls
	if [ "$BLACKHOLE_PORT" != 0 ]; then
		diag -case blackhole -tool smtpsetup -verdict json -- "${OURS[@]}" --port "$BLACKHOLE_PORT" --security starttls
		diag -case blackhole -tool swaks -verdict swaks -- "${SWAKS[@]}" --server "127.0.0.1:$BLACKHOLE_PORT" --tls
	else
		echo "blackhole: not measurable here ($BLACKHOLE_STATUS)" >&2
	fi
fi

stop_proxies

say "cancel latency"
mark_load "cancel"
"$BIN/cancellat" -n 10 -out "$RES"

say "peak memory"
mark_load "memory"
timeit -n 5 -group memory -case normal-ssl -tool smtpsetup -verdict json -- "${OURS[@]}" --port "$IMPLICIT_PORT" --security ssl
timeit -n 5 -group memory -case normal-ssl -tool swaks -verdict swaks -- "${SWAKS[@]}" --server "127.0.0.1:$IMPLICIT_PORT" --tlsc
for c in endless-line:$ENDLESS_PORT endless-reply:$ENDLESSREPLY_PORT; do
	timeit -n 5 -timeout 60s -group memory -case "${c%%:*}" -tool smtpsetup -verdict json -- "${OURS[@]}" --port "${c#*:}" --security starttls
	# swaks gets a 1 GiB address-space limit in case it reads without bound,
	# and 10 s instead of 30 (against the endless reply it never returns by
	# itself: timeit kills it after 20 s; its memory is what counts here).
	timeit -n 2 -warmup 0 -timeout 20s -group memory -case "${c%%:*}" -tool swaks -verdict swaks \
		-note "swaks --timeout 10; killed after 20 s if still running (exit -2)" -- \
		bash -c 'ulimit -v 1048576; exec "$@"' swaks "${SWAKS[@]}" --server "127.0.0.1:${c#*:}" --tls --timeout 10
done
# A cross-check of the rusage figure with GNU time.
/usr/bin/time -v "${OURS[@]}" --port "$ENDLESS_PORT" --security starttls >/dev/null 2>"$OUT/time-v.txt" || true
grep 'Maximum resident' "$OUT/time-v.txt" >&2 || true

say "binary size"
for b in smtpsetup:go-build smtpsetup-stripped:go-build-ldflags=-s-w; do
	printf '{"group":"size","case":"%s","tool":"smtpsetup","unit":"bytes","values":[%s]}\n' \
		"${b#*:}" "$(stat -c %s "$BIN/${b%%:*}")" >>"$RES"
done

say "terminal: NTTY=$NTTY"
mark_load "tty"
"$BIN/ttyprobe" -tool smtpsetup -bin "$BIN/smtpsetup" -n "$NTTY" -out "$RES"
"$BIN/ttyprobe" -tool smtpsetup-nodemo -bin "$BIN/smtpsetup" -n "$NTTY" -out "$RES"
"$BIN/ttyprobe" -tool whiptail -n "$NTTY" -out "$RES"

say "go benchmarks"
mark_load "go test -bench"
(cd "$ROOT" && go test -run '^$' -bench 'CleanText|Diagnose535|Catalogue' -benchmem -count 1 ./smtp) | tee "$OUT/gobench.txt" >&2
mark_load "end"

{
	cat "$OUT/load.txt"
} >>"$OUT/machine.txt"
"$BIN/report" -results "$RES" -machine "$OUT/machine.txt" >"$OUT/report.md"
{
	echo
	echo '### Go benchmarks (go test -bench, ./smtp)'
	echo
	echo '```'
	grep -E '^(Benchmark|cpu:)' "$OUT/gobench.txt"
	echo '```'
} >>"$OUT/report.md"
cat "$OUT/report.md"
echo >&2
echo "results in $OUT (report.md, results.jsonl)" >&2
