#!/usr/bin/env bash
# Installs the Debian packages that the interop harness (servers.sh) needs:
# Postfix + Dovecot (SASL only), swaks, msmtp, openssl, and Exim as the second
# MTA. Exim is not installed as a package (it conflicts with postfix as a
# mail-transport-agent): its .deb is downloaded with apt-get and unpacked into
# $INTEROP_PREFIX (default /opt/smtpsetup-interop), its libraries are installed
# normally.
#
# Idempotent and quick when everything is already there. Never leaves a system
# MTA running: service starts during installation are blocked with a temporary
# /usr/sbin/policy-rc.d, and any system MTA/dovecot that was not running before
# and is running afterwards is stopped again.
set -euo pipefail

PREFIX="${INTEROP_PREFIX:-/opt/smtpsetup-interop}"
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" != 0 ]; then
	echo "install.sh: must run as root (sudo $0)" >&2
	exit 1
fi

PKGS=(postfix dovecot-core swaks libnet-ssleay-perl msmtp openssl ca-certificates libsasl2-modules)
# Runtime libraries of exim4-daemon-light (bookworm), minus what is always there.
EXIM_LIBS=(libgnutls-dane0 libgnutls30 libidn12 libidn2-0 libnsl2 libdb5.3 libpcre2-8-0 libcrypt1)

missing=()
for p in "${PKGS[@]}" "${EXIM_LIBS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

exim_bin="$PREFIX/exim4/usr/sbin/exim4"

# The Debian exim binary has its user compiled in (exim4-base's postinst
# would create it; we do not install exim4-base).
ensure_exim_user() {
	if ! getent passwd Debian-exim >/dev/null; then
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin Debian-exim
	fi
}

if [ ${#missing[@]} -eq 0 ] && [ -x "$exim_bin" ] && getent passwd Debian-exim >/dev/null; then
	echo "install.sh: everything already installed"
	exit 0
fi

# Which system daemons run now; we only stop what we caused to run.
was_running() { pgrep -x "$1" >/dev/null 2>&1; }
declare -A before=()
for d in master dovecot exim4 smtpd; do
	if was_running "$d"; then before[$d]=1; fi
done

# Block service starts from maintainer scripts (works with and without systemd).
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	created_policy=1
fi
cleanup() {
	if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT

if [ ${#missing[@]} -gt 0 ]; then
	echo "install.sh: installing ${missing[*]}"
	# Postfix: no system configuration (no /etc/postfix/main.cf, no service).
	echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
	if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/smtpsetup-interop-apt.log 2>&1; then
		# Package lists may be missing or stale on a fresh machine.
		apt-get update -q >>/tmp/smtpsetup-interop-apt.log 2>&1
		apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/smtpsetup-interop-apt.log 2>&1 || {
			tail -30 /tmp/smtpsetup-interop-apt.log >&2
			exit 1
		}
	fi
fi

if [ ! -x "$exim_bin" ]; then
	echo "install.sh: unpacking exim4-daemon-light into $PREFIX/exim4"
	tmp="$(mktemp -d)"
	(cd "$tmp" && { apt-get download -q exim4-daemon-light >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-get download -q exim4-daemon-light >/dev/null; }; })
	mkdir -p "$PREFIX"
	rm -rf "$PREFIX/exim4.new"
	dpkg-deb -x "$tmp"/exim4-daemon-light_*.deb "$PREFIX/exim4.new"
	rm -rf "$tmp" "$PREFIX/exim4"
	mv "$PREFIX/exim4.new" "$PREFIX/exim4"
	if ldd "$exim_bin" | grep -q 'not found'; then
		ldd "$exim_bin" | grep 'not found' >&2
		echo "install.sh: exim4 is missing libraries" >&2
		exit 1
	fi
fi

ensure_exim_user

# On a systemd machine the packages we just installed are enabled for the next
# boot (dovecot would then listen on the IMAP ports): disable them. servers.sh
# never uses the system services.
for p in "${missing[@]}"; do
	case "$p" in
	postfix) svc=postfix ;; dovecot-core) svc=dovecot ;; *) continue ;;
	esac
	if [ -d /run/systemd/system ]; then
		systemctl disable --now "$svc" >/dev/null 2>&1 || true
	elif command -v update-rc.d >/dev/null; then
		update-rc.d "$svc" disable >/dev/null 2>&1 || true
	fi
done

# Stop system daemons that the installation started despite policy-rc.d.
for d in master dovecot exim4 smtpd; do
	if [ -z "${before[$d]:-}" ] && was_running "$d"; then
		case "$d" in
		master) svc=postfix ;; *) svc="$d" ;;
		esac
		echo "install.sh: stopping system $svc started by the installation"
		service "$svc" stop >/dev/null 2>&1 || systemctl stop "$svc" >/dev/null 2>&1 || true
		systemctl disable "$svc" >/dev/null 2>&1 || true
	fi
done
echo "install.sh: done"
