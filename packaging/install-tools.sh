#!/usr/bin/env bash
# Installs the real tools the packaging and fleet tests run, on a fresh
# Debian machine (CI), without starting any service they ship:
#   promtool (prometheus)   check --metrics output
#   ansible-core, python3-apt  the Ansible role, run against localhost
#   cloud-init              `cloud-init schema` on the first-boot example
#   man-db, bash-completion `man -w smtpsetup`, completion after installing the .deb
#   nfpm                    the packages (go install; not in Debian)
# Tests that need one of them skip that part when it is missing, so
# `go test ./...` still runs with nothing but Go.
set -euo pipefail

created_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	# Keep Prometheus and cloud-init from starting on the CI machine.
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	created_policy=1
fi
trap '[ -z "$created_policy" ] || rm -f /usr/sbin/policy-rc.d' EXIT

want=(prometheus ansible-core python3-apt python3-yaml cloud-init man-db bash-completion)
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	log=/tmp/smtpsetup-tools-apt.log
	apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1 || {
		apt-get update -q >>"$log" 2>&1
		apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1 || { tail -20 "$log"; exit 1; }
	}
fi
# The Prometheus server itself is not wanted, only promtool.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
	systemctl disable --now prometheus >/dev/null 2>&1 || true
fi

if ! command -v nfpm >/dev/null && [ ! -x "$(go env GOPATH)/bin/nfpm" ]; then
	go install github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
fi
echo "tools: $(promtool --version 2>&1 | head -1); $(ansible-playbook --version | head -1); cloud-init $(cloud-init --version 2>&1); nfpm $("$(go env GOPATH)/bin/nfpm" --version 2>/dev/null | grep -m1 -i version || true)"
