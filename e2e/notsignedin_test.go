package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// oauthConfigWithoutToken writes an OAuth config as login would, but with
// no token file beside it: a machine where nobody signed in yet.
func oauthConfigWithoutToken(t *testing.T, dir string) string {
	t.Helper()
	cfg := filepath.Join(dir, "smtp.yaml")
	writeFile0600(t, cfg, "version: 1\nprovider: outlook\nhost: smtp-mail.outlook.com\nport: 587\nsecurity: starttls\n"+
		"auth: xoauth2\nusername: nas@outlook.com\nfrom: nas@outlook.com\n")
	return cfg
}

// smtpsetup token without a sign-in says so, and with a damaged token file
// says that: neither is an expired or revoked sign-in.
func TestTokenWithoutSignIn(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cfg := oauthConfigWithoutToken(t, home)
	r := runBinary(t, home, nil, "", 20*time.Second, "token", "--config", cfg)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "not signed in") || !strings.Contains(r.stderr, "run smtpsetup login --config "+cfg) ||
		strings.Contains(r.stderr, "expired or was revoked") {
		t.Errorf("no token file: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if err := os.WriteFile(filepath.Join(home, "smtp.token"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runBinary(t, home, nil, "", 20*time.Second, "token", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "damaged") || strings.Contains(r.stderr, "expired or was revoked") {
		t.Errorf("damaged token file: exit %d, stderr %q", r.code, r.stderr)
	}
}

// Exporting an OAuth config nobody signed in to would give msmtp an empty
// password and the env and JSON consumers nothing to log in with: every
// format refuses, names the reason and the command, and writes no file.
func TestExportWithoutSignInRefuses(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cfg := oauthConfigWithoutToken(t, home)
	for _, format := range []string{"msmtp", "env", "json"} {
		out := filepath.Join(home, "out."+format)
		r := runBinary(t, home, nil, "", 20*time.Second, "export", "--config", cfg, "--format", format, "--output", out)
		if r.code != 2 || !strings.Contains(r.stderr, "not signed in") || !strings.Contains(r.stderr, "run smtpsetup login --config "+cfg) {
			t.Errorf("%s: exit %d, stderr %q", format, r.code, r.stderr)
		}
		if _, err := os.Stat(out); err == nil {
			data, _ := os.ReadFile(out)
			t.Errorf("%s: wrote %s anyway:\n%s", format, out, data)
		}
	}
}
