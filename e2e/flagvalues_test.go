package e2e

import (
	"strings"
	"testing"
	"time"
)

// A value the program cannot use, from a flag or from its SMTPSETUP_
// variable, is named with the rule and an example, in the user's words,
// never in Go's (strconv.ParseInt, time: missing unit), and exits 2.
func TestBadFlagValuesNameTheFix(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	base := []string{"check", "--host", "127.0.0.1", "--auth", "none", "--from", "nas@example.test"}
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--port", "abc"}, nil, `--port "abc" must be a whole number from 1 to 65535, as in --port 587`},
		{nil, []string{"SMTPSETUP_PORT=abc"}, `SMTPSETUP_PORT="abc" must be a whole number from 1 to 65535, as in SMTPSETUP_PORT=587`},
		{nil, []string{"SMTPSETUP_TIMEOUT=5"}, `SMTPSETUP_TIMEOUT="5" must be a positive length of time`},
		{[]string{"--timeout", "5"}, nil, `--timeout "5" must be a positive length of time`},
		{[]string{"--timeout", "-5s"}, nil, `--timeout "-5s" must be a positive length of time`},
		{[]string{"--timeout", "0s"}, nil, `as in --timeout 10s`},
	} {
		r := runBinary(t, home, tc.env, "", 20*time.Second, append(base, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "strconv") || strings.Contains(r.stderr, "time: ") {
			t.Errorf("%v %v: exit %d, stderr %q, want 2 and %q", tc.env, tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// A catalogue entry whose server differs per customer (Microsoft 365's
// connector relay: each domain's own MX host) asks for --host by name,
// with the catalogue's hint, instead of saying no server was given.
func TestPerCustomerHostNamesTheFlag(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	for _, cmd := range []string{"check", "setup"} {
		args := []string{cmd, "--provider", "microsoft365-connector", "--from", "nas@contoso.com"}
		if cmd == "setup" {
			args = append(args, "--non-interactive")
		}
		r := runBinary(t, home, nil, "", 20*time.Second, args...)
		want := "--provider microsoft365-connector needs --host: your domain's MX host, ending in .mail.protection.outlook.com (dig +short MX contoso.com shows it)"
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", cmd, r.code, r.stderr, want)
		}
	}
}
