package config

import (
	"errors"

	"smtpsetup/smtp"
)

// tokenCommand is the command exports name for an OAuth login, or "" when
// the settings log in with a password.
func tokenCommand(s smtp.Settings, opts ExportOptions) string {
	if s.Auth == smtp.AuthXOAUTH2 && usesAuth(s) {
		return opts.TokenCommand
	}
	return ""
}

// withTokenCommand adds token_command to the json export of an OAuth login.
func withTokenCommand(f file, s smtp.Settings, opts ExportOptions) any {
	tc := tokenCommand(s, opts)
	if tc == "" {
		return f
	}
	return struct {
		file
		TokenCommand string `json:"token_command"`
	}{f, tc}
}

// ErrPostfixOAuth explains why there is no Postfix export for an OAuth
// login, and what works instead.
var ErrPostfixOAuth = errors.New("postfix: these settings sign in with OAuth (XOAUTH2), which Postfix does only " +
	"through the separate sasl-xoauth2 plugin with its own token files; smtpsetup does not set that up. " +
	"Instead: use --format msmtp (the msmtp-mta package provides a sendmail for cron and scripts), " +
	"or for Microsoft 365 relay without a login through a connector (smtpsetup setup --provider microsoft365-connector), " +
	"or send through High Volume Email or a transactional mail service, which Postfix logs in to with a password")

// ErrNotSignedIn is an export of an OAuth login with no sign-in to name: it
// would log in with an empty password.
var ErrNotSignedIn = errors.New("not signed in: these settings sign in with OAuth, but there is no token file beside the config")

// refuseOAuth stops exports that cannot carry an OAuth login.
func refuseOAuth(s smtp.Settings, format string, opts ExportOptions) error {
	if s.Auth != smtp.AuthXOAUTH2 || !usesAuth(s) {
		return nil
	}
	if format == "postfix" {
		return ErrPostfixOAuth
	}
	if opts.TokenCommand == "" && s.Password.IsZero() {
		return ErrNotSignedIn
	}
	return nil
}

// TokenCommand is the shell command that prints a fresh access token for
// the config at cfgPath, with exe as the smtpsetup binary; both quoted for
// /bin/sh, which msmtp's passwordeval runs.
func TokenCommand(exe, cfgPath string) string {
	return shellQuote(exe) + " token --config " + shellQuote(cfgPath)
}
