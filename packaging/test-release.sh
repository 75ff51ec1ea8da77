#!/usr/bin/env bash
# CI: what a release produces, checked on this machine (as root):
#  1. every release target cross-compiles: static, stripped, stamped;
#     the sizes are printed (docs/benchmarks.md keeps them);
#  2. the packages (deb, rpm, apk, ipk) are built with nfpm from the nfpms
#     section of .goreleaser.yaml, the one list of what a package holds;
#  3. the .deb is installed with dpkg and used as a user would: --version,
#     man -w, bash completion, `check` against a local server, the systemd
#     units verified, /etc/smtpsetup 0700; then removed with dpkg -r.
# goreleaser itself (`goreleaser release --snapshot --clean`) does 1 and 2
# the same way but takes minutes to install; this needs only Go and nfpm.
set -euo pipefail
cd "$(dirname "$0")/.."
if dpkg-query -W -f='${Status}' smtpsetup 2>/dev/null | grep -q "install ok installed" || [ -e /etc/smtpsetup/smtp.yaml ]; then
	echo "smtpsetup is installed or configured here; this script installs, configures and removes it: run it on a CI machine" >&2
	exit 1
fi
out=$(mktemp -d /tmp/smtpsetup-release.XXXXXX)
bench=
cleanup() {
	[ -z "$bench" ] || kill "$bench" 2>/dev/null || true
	dpkg --purge smtpsetup >/dev/null 2>&1 || true
	rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
nfpm=$(command -v nfpm || echo "$(go env GOPATH)/bin/nfpm")

version=0.0.0-ci
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
date=$(git log -1 --format=%cI 2>/dev/null || date -u +%FT%TZ)
ldflags="-s -w -X main.buildVersion=$version -X main.buildCommit=$commit -X main.buildDate=$date"

echo "-- cross-compile every release target (CGO_ENABLED=0, -trimpath, -s -w)"
start=$SECONDS
# The targets are .goreleaser.yaml's: goarch, with goarm and gomips variants.
targets=$(python3 -c '
import yaml
b = yaml.safe_load(open(".goreleaser.yaml"))["builds"][0]
for a in b["goarch"]:
    a = str(a)
    variants = {"arm": b.get("goarm", []), "mips": b.get("gomips", []), "mipsle": b.get("gomips", [])}.get(a) or [""]
    for v in variants:
        print(a + ("/" + str(v) if v else ""))
')
[ "$(echo "$targets" | wc -l)" -ge 8 ] || fail "targets from .goreleaser.yaml: $targets"
for t in $targets; do
	arch=${t%%/*} variant=
	[ "$t" = "$arch" ] || variant=${t#*/}
	vars=(CGO_ENABLED=0 GOOS=linux GOARCH="$arch")
	case $arch in
	arm) vars+=(GOARM="$variant") ;;
	mips*) vars+=(GOMIPS="$variant") ;;
	esac
	bin="$out/smtpsetup-linux-$arch${variant:+-$variant}"
	env "${vars[@]}" go build -trimpath -ldflags "$ldflags" -o "$bin" .
	size=$(stat -c %s "$bin")
	gz=$(gzip -9c "$bin" | wc -c)
	awk -v n="${bin##*/}" -v s="$size" -v g="$gz" 'BEGIN { printf "  %-32s %6.2f MB  (gzip -9: %.2f MB)\n", n, s/1e6, g/1e6 }'
done
echo "  cross-compiled $(echo "$targets" | wc -l) targets in $((SECONDS - start)) s"
bin="$out/smtpsetup-linux-amd64"
if ldd "$bin" >/dev/null 2>&1; then fail "$bin is dynamically linked"; fi
"$bin" --version | grep -q "$version (commit ${commit:0:12}" || fail "--version does not carry the stamp: $("$bin" --version)"

echo "-- man page and completions, generated from the commands"
sh packaging/generate.sh build
zcat build/man/smtpsetup.1.gz | grep -q '^\.TH SMTPSETUP 1' || fail "man page has no .TH header"

echo "-- packages from .goreleaser.yaml's nfpms section"
python3 - "$bin" "$version" "$out/nfpm.yaml" <<'PY'
import sys, yaml
binary, version, dest = sys.argv[1:]
n = yaml.safe_load(open(".goreleaser.yaml"))["nfpms"][0]
cfg = {k: n[k] for k in ("vendor", "maintainer", "description", "section", "priority", "homepage", "license") if k in n}
cfg.update(name=n["package_name"], arch="amd64", platform="linux", version=version)
cfg["contents"] = [{"src": binary, "dst": n["bindir"] + "/smtpsetup", "file_info": {"mode": 0o755}}] + n["contents"]
yaml.safe_dump(cfg, open(dest, "w"))
PY
for p in deb rpm apk ipk; do
	"$nfpm" package --config "$out/nfpm.yaml" --packager "$p" --target "$out/" >/dev/null
done
ls -l "$out"/*.deb "$out"/*.rpm "$out"/*.apk "$out"/*.ipk | awk '{ printf "  %-44s %6.2f MB\n", $NF, $5/1e6 }' | sed "s|$out/||"

echo "-- install the .deb"
# Minimal images exclude man pages from dpkg; a user's machine does not.
dpkg --path-include='/usr/share/man/man1/smtpsetup.1.gz' -i "$out"/smtpsetup_*_amd64.deb >/dev/null
command -v smtpsetup | grep -qx /usr/bin/smtpsetup || fail "smtpsetup is not /usr/bin/smtpsetup"
smtpsetup --version
[ "$(man -w smtpsetup)" = /usr/share/man/man1/smtpsetup.1.gz ] || fail "man -w smtpsetup: $(man -w smtpsetup 2>&1)"
[ -e /usr/share/doc/smtpsetup/fleets.md ] || fail "docs not installed"
[ "$(stat -c %a /etc/smtpsetup)" = 700 ] || fail "/etc/smtpsetup is mode $(stat -c %a /etc/smtpsetup), want 700"
# Bash completion as an interactive bash loads it (bash-completion finds
# the script by the command's name): complete `smtpsetup ch`, `check --secu`.
words=$(bash -c '
	source /usr/share/bash-completion/bash_completion
	_completion_loader smtpsetup
	fn=$(complete -p smtpsetup | sed -n "s/.*-F \([^ ]*\) smtpsetup$/\1/p")
	COMP_WORDS=(smtpsetup ch); COMP_CWORD=1; COMP_LINE="smtpsetup ch"; COMP_POINT=${#COMP_LINE}
	"$fn" smtpsetup ch smtpsetup 2>/dev/null; echo "${COMPREPLY[*]}"
	COMP_WORDS=(smtpsetup check --secu); COMP_CWORD=2; COMP_LINE="smtpsetup check --secu"; COMP_POINT=${#COMP_LINE}
	"$fn" smtpsetup --secu check 2>/dev/null; echo "${COMPREPLY[*]}"')
echo "  bash completes: $(echo "$words" | tr '\n' ' ')"
echo "$words" | grep -qw check || fail "bash completion of 'smtpsetup ch': $words"
echo "$words" | grep -q -- --security || fail "bash completion of 'check --secu': $words"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify /usr/lib/systemd/system/smtpsetup-check.service /usr/lib/systemd/system/smtpsetup-check.timer
fi

echo "-- the installed binary checks a local server, and writes metrics"
go build -o "$out/benchserver" ./bench/benchserver
mkdir -p "$out/bench"
"$out/benchserver" -dir "$out/bench" -lifetime 5m &
bench=$!
for _ in $(seq 100); do [ -e "$out/bench/ports.env" ] && break; sleep 0.1; done
# shellcheck disable=SC1091
. "$out/bench/ports.env"
smtpsetup check --host localhost --port "$STARTTLS_PORT" --security starttls --username "$BENCH_USER" \
	--password-file "$PASSWORD_FILE" --ca-file "$CA_FILE" --metrics "$out/smtpsetup.prom"
grep -q '^smtpsetup_check_success{server="localhost:'"$STARTTLS_PORT"'"} 1$' "$out/smtpsetup.prom" || fail "metrics: $(cat "$out/smtpsetup.prom")"
if command -v promtool >/dev/null; then promtool check metrics <"$out/smtpsetup.prom"; fi

echo "-- remove"
dpkg -r smtpsetup >/dev/null
[ ! -e /usr/bin/smtpsetup ] || fail "/usr/bin/smtpsetup is still there after dpkg -r"

if command -v ansible-playbook >/dev/null; then
	echo "-- the Ansible role installs the .deb and configures this machine, twice"
	vars="$out/vars.yml"
	(umask 077 && printf 'smtpsetup_password: "%s"\n' "$(cat "$PASSWORD_FILE")" >"$vars")
	play() {
		ANSIBLE_ROLES_PATH=deploy/ansible/roles ANSIBLE_NOCOLOR=1 ANSIBLE_PYTHON_INTERPRETER=auto_silent \
			ansible-playbook -i localhost, -c local deploy/ansible/roles/smtpsetup/tests/test.yml -e "@$vars" \
			-e "smtpsetup_package_file=$(ls "$out"/smtpsetup_*_amd64.deb)" -e smtpsetup_host=localhost \
			-e "smtpsetup_port=$STARTTLS_PORT" -e smtpsetup_security=starttls -e "smtpsetup_username=$BENCH_USER" \
			-e "smtpsetup_from=$BENCH_USER" -e "smtpsetup_ca_file=$CA_FILE" >"$out/play.log" 2>&1 ||
			{ cat "$out/play.log"; fail "ansible-playbook"; }
		! grep -qF "$(cat "$PASSWORD_FILE")" "$out/play.log" || fail "the password is in Ansible's output"
		sed -n 's/^localhost *: //p' "$out/play.log"
	}
	play | grep -q 'changed=2 ' || fail "first run: want the package and the config changed: $(tail -3 "$out/play.log")"
	play | grep -q 'changed=0 ' || fail "second run: want nothing changed: $(tail -3 "$out/play.log")"
	tail -3 "$out/play.log" | sed -n 's/^localhost *: */  second run: /p'
	[ "$(stat -c %a /etc/smtpsetup/smtp.yaml)" = 600 ] || fail "config mode $(stat -c %a /etc/smtpsetup/smtp.yaml)"
	smtpsetup check >/dev/null || fail "check of the config the role wrote"
	rm -f /etc/smtpsetup/smtp.yaml /etc/smtpsetup/smtp.yaml.bak
	dpkg --purge smtpsetup >/dev/null
fi
echo "release: ok"
