#!/usr/bin/env bash
# Private real mail servers on 127.0.0.1 for the interop tests.
#
#   servers.sh start DIR   create a test CA + certificate and start, all under DIR:
#                          Postfix (SASL via Dovecot) on 10587 (STARTTLS required),
#                          10465 (implicit TLS) and 10025 (plain relay, no login),
#                          and Exim on 11587 (STARTTLS + AUTH); Postfix refusing
#                          by its own limits on 10023 (anvil: one connection a
#                          minute) and 10022 (postscreen: 127.0.0.1 denylisted).
#                          Writes DIR/env.
#   servers.sh stop DIR    stop everything started under DIR (also after a failed
#                          start); stragglers are killed by pid file.
#
# Runs as root (postfix and dovecot start as root and drop privileges). Nothing
# outside DIR is written; /etc/postfix, /etc/dovecot and port 25 are not used.
# DIR and its parents must be traversable by the postfix, dovecot, nobody and
# Debian-exim users (servers.sh makes DIR itself 0755).
# Ports can be moved with INTEROP_SUBMISSION_PORT, INTEROP_SMTPS_PORT,
# INTEROP_RELAY_PORT, INTEROP_SECOND_PORT, INTEROP_HELO_PORT, INTEROP_LIMIT_PORT
# and INTEROP_SCREEN_PORT.
set -euo pipefail

PREFIX="${INTEROP_PREFIX:-/opt/smtpsetup-interop}"
EXIM="$PREFIX/exim4/usr/sbin/exim4"
SUBMISSION_PORT="${INTEROP_SUBMISSION_PORT:-10587}"
SMTPS_PORT="${INTEROP_SMTPS_PORT:-10465}"
RELAY_PORT="${INTEROP_RELAY_PORT:-10025}"
SECOND_PORT="${INTEROP_SECOND_PORT:-11587}"
HELO_PORT="${INTEROP_HELO_PORT:-10024}"
LIMIT_PORT="${INTEROP_LIMIT_PORT:-10023}"
SCREEN_PORT="${INTEROP_SCREEN_PORT:-10022}"
DOMAIN=example.test

# Test users. alice's password has spaces; bob's has spaces and symbols
# (never ':' nor tab: those separate fields in the files below).
USERS=(alice bob)
declare -A PASSWORDS=(
	[alice]='abcd efgh ijkl mnop'
	[bob]='p@ss w0rd!#$%&*()[]{}<>?~"'"'"'\'
)

log() { echo "servers.sh: $*" >&2; }
die() {
	log "$*"
	exit 1
}

usage() { die "usage: servers.sh start|stop DIR"; }

[ $# -eq 2 ] || usage
CMD="$1"
DIR="$2"
[ "$(id -u)" = 0 ] || die "must run as root"
case "$DIR" in /*) ;; *) DIR="$(pwd)/$DIR" ;; esac

PF="$DIR/postfix"
DV="$DIR/dovecot"
EX="$DIR/exim"
TLS="$DIR/tls"
MAIL="$DIR/mail"

# ---- stop ------------------------------------------------------------------

# alive PID COMM: the pid runs (and is not a zombie waiting for init) and its
# command name is COMM (guards against stale pid files pointing at a reused pid).
alive() {
	local stat
	[ -n "$1" ] && stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
	[ "${stat#*(}" != "$stat" ] || return 1
	local comm="${stat#*(}" state="${stat##*) }"
	comm="${comm%)*}"
	[ "$comm" = "$2" ] && [ "${state%% *}" != Z ]
}

readpid() { [ -r "$1" ] && tr -dc '0-9' <"$1" || true; }

# killpid FILE COMM: SIGTERM, wait up to 5 s, then SIGKILL the process and its group.
killpid() {
	local pid
	pid="$(readpid "$1")"
	if alive "$pid" "$2"; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 50); do
			alive "$pid" "$2" || break
			sleep 0.1
		done
		if alive "$pid" "$2"; then
			log "killing $2 ($pid) with SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$1"
}

# Processes whose working directory or command line points into DIR (postfix
# children chdir into the queue directory): the last resort.
stragglers() {
	local p
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "$$" ] && continue
		if [ "$(readlink "$p/cwd" 2>/dev/null)" = "$PF/queue" ] ||
			tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$DIR/"; then
			echo "${p#/proc/}"
		fi
	done
}

stop_all() {
	[ -d "$DIR" ] || return 0
	# SIGTERM is how "postfix stop" and "dovecot stop" stop their masters too;
	# signal all three at once and wait for them in parallel.
	killpid "$PF/queue/pid/master.pid" master &
	killpid "$DV/run/master.pid" dovecot &
	killpid "$EX/exim.pid" exim4 &
	wait
	local left
	left="$(stragglers | tr '\n' ' ')"
	if [ -n "${left// /}" ]; then
		log "killing stragglers: $left"
		# shellcheck disable=SC2086
		kill -TERM $left 2>/dev/null || true
		sleep 0.3
		# shellcheck disable=SC2086
		kill -KILL $left 2>/dev/null || true
	fi
	return 0
}

# ---- start -----------------------------------------------------------------

# port_open PORT: something listens on 127.0.0.1:PORT or 0.0.0.0:PORT. Read
# from /proc instead of connecting: a probe connection that closes without a
# TLS handshake makes Postfix's first implicit-TLS session wait 5 s.
port_open() {
	local hex
	hex="$(printf '%04X' "$1")"
	grep -qE "^ *[0-9]+: (0100007F|00000000):$hex 00000000:0000 0A " /proc/net/tcp
}

wait_port() {
	local i
	for i in $(seq 100); do
		port_open "$1" && return 0
		sleep 0.1
	done
	return 1
}

make_tls() {
	mkdir -p "$TLS"
	[ -s "$TLS/server.pem" ] && [ -s "$TLS/ca.pem" ] && return 0
	local o=(-batch -nodes -sha256)
	openssl req -x509 "${o[@]}" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 30 \
		-subj '/CN=smtpsetup interop test CA' -keyout "$TLS/ca.key" -out "$TLS/ca.pem" \
		-addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
	openssl req -new "${o[@]}" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-subj '/CN=localhost' -keyout "$TLS/server.key" -out "$TLS/server.csr" 2>/dev/null
	cat >"$TLS/server.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EOF
	openssl x509 -req -sha256 -days 30 -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" \
		-CAcreateserial -extfile "$TLS/server.ext" -out "$TLS/server.pem" 2>/dev/null
	# Throwaway test key: every daemon user must read it (exim reads it at STARTTLS time).
	chmod 0644 "$TLS"/*.pem "$TLS/server.key"
	chmod 0600 "$TLS/ca.key"
}

write_users() {
	# DIR/users: login<TAB>password, for tests; dovecot and exim get crypt hashes.
	: >"$DIR/users"
	: >"$DV/users"
	: >"$EX/passwd"
	: >"$PF/vmailbox"
	: >"$PF/sender_login"
	: >"$EX/localparts"
	local u login hash
	for u in "${USERS[@]}"; do
		login="$u@$DOMAIN"
		hash="$(printf '%s\n' "${PASSWORDS[$u]}" | openssl passwd -6 -stdin)"
		printf '%s\t%s\n' "$login" "${PASSWORDS[$u]}" >>"$DIR/users"
		printf '%s:{SHA512-CRYPT}%s\n' "$login" "$hash" >>"$DV/users"
		printf '%s: %s\n' "$login" "$hash" >>"$EX/passwd"
		printf '%s %s\n' "$login" "$u" >>"$PF/vmailbox"
		printf '%s %s\n' "$login" "$login" >>"$PF/sender_login"
		printf '%s: %s\n' "$u" "$u" >>"$EX/localparts"
	done
	chmod 0600 "$DIR/users"
	chown root:dovecot "$DV/users" && chmod 0640 "$DV/users"
	chown root:Debian-exim "$EX/passwd" && chmod 0640 "$EX/passwd"
}

write_postfix() {
	mkdir -p "$PF/queue" "$PF/data"
	chown postfix:postfix "$PF/data"
	local bare=""
	if postconf -d smtpd_forbid_bare_newline >/dev/null 2>&1; then
		bare="smtpd_forbid_bare_newline = reject
smtpd_forbid_bare_newline_exclusions ="
	fi
	# postscreen's access list: this machine is denylisted, so it is refused.
	printf '127.0.0.1/32 reject\n' >"$PF/postscreen_access.cidr"
	cat >"$PF/main.cf" <<EOF
# Private test instance, written by e2e/interop/servers.sh.
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
maillog_file = $PF/log
maillog_file_prefixes = $PF
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.$DOMAIN
mydomain = $DOMAIN
myorigin = $DOMAIN
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
relay_domains =
relayhost =
smtputf8_enable = no
biff = no
# Anything not for @$DOMAIN is accepted (relay port) and thrown away.
default_transport = discard:interop test relay
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_base = $MAIL
virtual_mailbox_maps = texthash:$PF/vmailbox
virtual_minimum_uid = 100
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
smtpd_banner = \$myhostname ESMTP smtpsetup-interop
smtpd_tls_cert_file = $TLS/server.pem
smtpd_tls_key_file = $TLS/server.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sasl_auth_enable = no
smtpd_sender_login_maps = texthash:$PF/sender_login
$bare
EOF
	local sub="
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=
  -o smtpd_helo_restrictions=
  -o smtpd_delay_reject=no
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject"
	cat >"$PF/master.cf" <<EOF
# service type private unpriv chroot wakeup maxproc command
127.0.0.1:$RELAY_PORT inet n - n - - smtpd
  -o syslog_name=postfix/relay
  -o smtpd_tls_security_level=none
127.0.0.1:$HELO_PORT inet n - n - - smtpd
  -o syslog_name=postfix/helo
  -o smtpd_tls_security_level=none
  -o smtpd_helo_required=yes
  -o smtpd_delay_reject=no
  -o smtpd_helo_restrictions=reject_non_fqdn_helo_hostname
127.0.0.1:$LIMIT_PORT inet n - n - - smtpd
  -o syslog_name=postfix/limit
  -o smtpd_tls_security_level=none
  -o smtpd_client_event_limit_exceptions=
  -o smtpd_client_connection_rate_limit=1
127.0.0.1:$SCREEN_PORT inet n - n - 1 postscreen
  -o syslog_name=postfix/screen
  -o postscreen_access_list=cidr:$PF/postscreen_access.cidr
  -o postscreen_denylist_action=drop
smtpd     pass  - - n - - smtpd
  -o syslog_name=postfix/screened
  -o smtpd_tls_security_level=none
127.0.0.1:$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes$sub
127.0.0.1:$SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes$sub
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
local     unix - n n - - local
virtual   unix - n n - - virtual
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
}

write_dovecot() {
	mkdir -p "$DV/run" "$DV/state"
	cat >"$DV/dovecot.conf" <<EOF
# Dovecot as SASL server for the private Postfix only, written by servers.sh.
instance_name = smtpsetup-interop
base_dir = $DV/run
state_dir = $DV/state
log_path = $DV/log
protocols =
ssl = no
auth_mechanisms = plain login
disable_plaintext_auth = no
auth_failure_delay = 1s
auth_verbose = yes
passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT username_format=%u $DV/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener $PF/queue/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
}

write_exim() {
	mkdir -p "$EX/spool" "$EX/log" "$EX/mail"
	chown Debian-exim:Debian-exim "$EX/spool" "$EX/log" "$EX/mail"
	local lookup="\${lookup{\$auth2}lsearch{$EX/passwd}}"
	cat >"$EX/exim.conf" <<EOF
# Private Exim test instance, written by e2e/interop/servers.sh.
exim_path = $EXIM
primary_hostname = mx2.$DOMAIN
qualify_domain = $DOMAIN
local_interfaces = <; 127.0.0.1
daemon_smtp_ports = $SECOND_PORT
spool_directory = $EX/spool
log_file_path = $EX/log/%slog
pid_file_path = $EX/exim.pid
keep_environment =
host_lookup =
rfc1413_hosts =
deliver_drop_privilege = true
smtp_banner = \$smtp_active_hostname ESMTP Exim \$version_number smtpsetup-interop
tls_advertise_hosts = *
tls_certificate = $TLS/server.pem
tls_privatekey = $TLS/server.key
# AUTH only after STARTTLS.
auth_advertise_hosts = \${if eq{\$tls_in_cipher}{}{}{*}}
domainlist local_domains = $DOMAIN
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  deny    !authenticated = *
          message = 5.7.0 Authentication required
  accept

begin routers
local_files:
  driver = accept
  domains = +local_domains
  local_parts = lsearch;$EX/localparts
  transport = local_file
others:
  driver = redirect
  data = :blackhole:

begin transports
local_file:
  driver = appendfile
  file = $EX/mail/\${local_part_data}
  user = Debian-exim
  group = Debian-exim
  mode = 0644
  delivery_date_add
  envelope_to_add
  return_path_add

begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if crypteq{\$auth3}{\\{crypt\\}$lookup}}
  server_set_id = \$auth2
login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = <| Username: | Password:
  server_condition = \${if crypteq{\$auth2}{\\{crypt\\}${lookup//auth2/auth1}}}
  server_set_id = \$auth1
EOF
}

write_env() {
	local f="$DIR/env"
	cat >"$f.tmp" <<EOF
# Written by e2e/interop/servers.sh; KEY=VALUE, shell-sourceable.
INTEROP_DIR=$DIR
INTEROP_HOST=127.0.0.1
INTEROP_CA=$TLS/ca.pem
INTEROP_SERVER_CERT=$TLS/server.pem
INTEROP_SUBMISSION_PORT=$SUBMISSION_PORT
INTEROP_SMTPS_PORT=$SMTPS_PORT
INTEROP_RELAY_PORT=$RELAY_PORT
INTEROP_SECOND_PORT=$SECOND_PORT
INTEROP_HELO_PORT=$HELO_PORT
INTEROP_LIMIT_PORT=$LIMIT_PORT
INTEROP_SCREEN_PORT=$SCREEN_PORT
INTEROP_DOMAIN=$DOMAIN
INTEROP_USERS="$(printf '%s@'"$DOMAIN"' ' "${USERS[@]}" | sed 's/ $//')"
INTEROP_PASSWORDS_FILE=$DIR/users
INTEROP_MAILBOX_DIR=$MAIL
INTEROP_SECOND_MAILBOX_DIR=$EX/mail
INTEROP_POSTFIX_LOG=$PF/log
INTEROP_DOVECOT_LOG=$DV/log
INTEROP_EXIM_LOG=$EX/log/mainlog
EOF
	mv "$f.tmp" "$f"
}

start_all() {
	[ -x "$EXIM" ] || die "$EXIM missing: run e2e/interop/install.sh first"
	command -v postfix >/dev/null || die "postfix missing: run e2e/interop/install.sh first"
	command -v dovecot >/dev/null || die "dovecot missing: run e2e/interop/install.sh first"
	local p
	for p in "$SUBMISSION_PORT" "$SMTPS_PORT" "$RELAY_PORT" "$SECOND_PORT" "$HELO_PORT" "$LIMIT_PORT" "$SCREEN_PORT"; do
		port_open "$p" && die "127.0.0.1:$p is already in use (another instance running?)"
	done

	mkdir -p "$DIR" "$PF" "$DV" "$EX" "$MAIL"
	rm -f "$EX/log/paniclog"
	chmod 0755 "$DIR" "$PF" "$DV" "$EX"
	chown nobody:nogroup "$MAIL"
	make_tls
	write_postfix
	write_dovecot
	write_exim
	write_users

	# Create the queue directories (dovecot puts its socket into private/).
	postfix -c "$PF" check >>"$DIR/start.log" 2>&1 || die "postfix check failed: $(tail -5 "$DIR/start.log")"
	dovecot -c "$DV/dovecot.conf" >>"$DIR/start.log" 2>&1 || die "dovecot failed: $(tail -5 "$DIR/start.log"; tail -5 "$DV/log" 2>/dev/null)"
	# No growing per-IP delay after failed logins (2 s, 4 s, ... 15 s): tests log
	# in wrongly on purpose, from 127.0.0.1, many times. Without this socket the
	# auth process disables the penalty at once (a listener with mode 0 would
	# cost 5 s of connect retries on its first login instead).
	for _ in $(seq 50); do
		[ -S "$DV/run/anvil-auth-penalty" ] && break
		sleep 0.1
	done
	rm -f "$DV/run/anvil-auth-penalty"
	postfix -c "$PF" start >>"$DIR/start.log" 2>&1 || die "postfix failed: $(tail -5 "$DIR/start.log"; tail -5 "$PF/log" 2>/dev/null)"
	"$EXIM" -C "$EX/exim.conf" -bd >>"$DIR/start.log" 2>&1 || die "exim failed: $(tail -5 "$DIR/start.log"; tail -5 "$EX/log/paniclog" 2>/dev/null)"

	for p in "$SUBMISSION_PORT" "$SMTPS_PORT" "$RELAY_PORT" "$SECOND_PORT" "$HELO_PORT" "$LIMIT_PORT" "$SCREEN_PORT"; do
		wait_port "$p" || die "nothing listens on 127.0.0.1:$p after 10 s; logs under $DIR"
	done
	for _ in $(seq 100); do
		[ -S "$PF/queue/private/auth" ] && break
		sleep 0.1
	done
	[ -S "$PF/queue/private/auth" ] || die "dovecot auth socket missing; see $DV/log"
	write_env
}

case "$CMD" in
start)
	stop_all # stale instance or pid files from an earlier run
	rm -f "$DIR/env" "$DIR/start.log"
	if ! (start_all); then
		stop_all
		exit 1
	fi
	log "started: submission $SUBMISSION_PORT, smtps $SMTPS_PORT, relay $RELAY_PORT, helo $HELO_PORT, limit $LIMIT_PORT, postscreen $SCREEN_PORT, exim $SECOND_PORT; env in $DIR/env"
	cat "$DIR/env"
	;;
stop)
	stop_all
	rm -f "$DIR/env"
	;;
*) usage ;;
esac
