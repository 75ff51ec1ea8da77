#!/bin/sh
# Writes what the packages ship beside the binary, generated from the
# commands themselves so they never drift: bash, zsh and fish completions
# (cobra) and the man page smtpsetup(1) (the hidden `man` command).
# Usage: packaging/generate.sh [DIR]   (default: build)
set -eu
cd "$(dirname "$0")/.."
out=${1:-build}
mkdir -p "$out/completions" "$out/man"
host="$out/smtpsetup-host"
CGO_ENABLED=0 go build -o "$host" .
"$host" completion bash > "$out/completions/smtpsetup.bash"
"$host" completion zsh > "$out/completions/_smtpsetup"
"$host" completion fish > "$out/completions/smtpsetup.fish"
"$host" man | gzip -9n > "$out/man/smtpsetup.1.gz"
rm -f "$host"
