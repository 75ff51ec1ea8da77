#!/usr/bin/env bash
# Start-up, side by side in one run: every smtpsetup command that answers
# without a network (`--version`, `--help`, `providers`, and each command's
# --help) beside `swaks --version` and `whiptail --version`, then the
# wizard's first frame and its bytes per typed character beside whiptail's,
# in an 80x24 pseudo-terminal. Prints the report's start-up and terminal
# tables. Needs Go and `apt-get install swaks whiptail`; ~1 minute.
#
#   bench/startup.sh             # N=21 runs per command, NTTY=9 terminal runs
#   N=7 NTTY=3 bench/startup.sh  # quicker
#
# Nothing listens and nothing connects: no server is needed.
set -euo pipefail

N=${N:-21}
NTTY=${NTTY:-9}
OUT=${OUT:-$(mktemp -d /tmp/smtpsetup-startup.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$OUT/bin
RES=$OUT/results.jsonl
: >"$RES"

mkdir -p "$BIN"
(
	cd "$ROOT"
	go build -o "$BIN/smtpsetup" .
	for t in timeit ttyprobe report; do
		go build -o "$BIN/$t" "./bench/$t"
	done
)
{
	echo "date        $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc       $(nproc)"
	echo "cpu         $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "load        $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "go          $(go version | cut -d' ' -f3-)"
	echo "swaks       $(swaks --version 2>&1 | head -1)"
	echo "whiptail    $(dpkg-query -W -f='${Version}' whiptail 2>/dev/null || echo '?')"
	echo "smtpsetup   $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
} >"$OUT/machine.txt"

run() { "$BIN/timeit" -n "$N" -out "$RES" -group startup "$@" >&2; }
export SMTPSETUP_CONFIG="$OUT/none/smtp.yaml" # no saved config is read
for c in "--version" "--help" "providers" "check --help" "setup --help" "export --help" "report --help"; do
	# shellcheck disable=SC2086
	run -case "$c" -tool smtpsetup -- "$BIN/smtpsetup" $c
done
run -case "--version" -tool swaks -- swaks --version
run -case "--version" -tool whiptail -- whiptail --version

"$BIN/ttyprobe" -tool smtpsetup-nodemo -bin "$BIN/smtpsetup" -n "$NTTY" -out "$RES" >&2
"$BIN/ttyprobe" -tool smtpsetup -bin "$BIN/smtpsetup" -n "$NTTY" -out "$RES" >&2
"$BIN/ttyprobe" -tool whiptail -n "$NTTY" -out "$RES" >&2

"$BIN/report" -results "$RES" -machine "$OUT/machine.txt"
echo "results: $RES" >&2
