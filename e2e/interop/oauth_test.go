//go:build interop

package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smtpsetup/oauth/oauthtest"
	"smtpsetup/smtp/smtptest"
)

// TestMsmtpSendsWithOAuthExport: real msmtp, configured only by smtpsetup's
// msmtp export, sends through an XOAUTH2 server that accepts only tokens
// the identity provider (zitadel's op) issued. msmtp gets each token by
// running the exported passwordeval, `smtpsetup token`, which refreshes and
// rotates the token when it has expired.
func TestMsmtpSendsWithOAuthExport(t *testing.T) {
	const user = "alice@example.test"
	idp := oauthtest.Start(t, oauthtest.Approve)
	srv := smtptest.NewServer(t, smtptest.WithAuthMechanisms("LOGIN", "XOAUTH2"),
		smtptest.WithTokenVerifier(func(u, tok string) error {
			if u != user {
				return errors.New("another user")
			}
			return idp.Verify(tok)
		}))
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, srv.CA().PEM(), 0o600)
	vendor := filepath.Join(dir, "vendor.yaml")
	os.WriteFile(vendor, []byte(fmt.Sprintf(`providers:
  - id: acme-mail
    name: Acme Mail
    host: localhost
    ports: [{security: starttls, port: %d, recommended: true}]
    login: address
    status: ok
    last_checked: never
    oauth: {device_authorization_url: %q, token_url: %q, client_id: %s, scopes: [openid, offline_access], mechanism: xoauth2, refresh_days: 90}
`, srv.Port(), idp.DeviceURL(), idp.TokenURL(), oauthtest.ClientID)), 0o600)
	config := filepath.Join(dir, "etc", "smtp.yaml")
	run := func(name string, stdin string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "NO_COLOR=1"}
		cmd.Stdin = strings.NewReader(stdin)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	if out, err := run(program, "", "login", "--config", config, "--providers", vendor, "--provider", "acme-mail", "--from", user, "--ca-file", ca); err != nil {
		t.Fatalf("login: %v\n%s", err, out)
	}
	msmtprc := filepath.Join(dir, "msmtprc")
	if out, err := run(program, "", "export", "--config", config, "--format", "msmtp", "--output", msmtprc); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	rc, _ := os.ReadFile(msmtprc)
	if !strings.Contains(string(rc), "auth xoauth2\n") || !strings.Contains(string(rc), "passwordeval \"'"+program+"' token --config '"+config+"'\"\n") {
		t.Fatalf("msmtprc:\n%s", rc)
	}
	send := func(subject string) {
		t.Helper()
		msg := "From: " + user + "\nTo: bob@example.test\nSubject: " + subject + "\n\nhello\n"
		if out, err := run("msmtp", msg, "-C", msmtprc, "-a", "default", "bob@example.test"); err != nil {
			t.Fatalf("msmtp: %v\n%s\n%s", err, out, rc)
		}
		for _, m := range srv.Messages() {
			if bytes.Contains(m.Data, []byte("Subject: "+subject)) {
				return
			}
		}
		t.Fatalf("the server has no message %q", subject)
	}
	send("first")
	if idp.Refreshes() != 0 {
		t.Errorf("refreshed a fresh token")
	}

	// The access token expires: msmtp's passwordeval refreshes it, and the
	// rotated refresh token is saved.
	tokenPath := filepath.Join(dir, "etc", "smtp.token")
	var tf map[string]any
	data, _ := os.ReadFile(tokenPath)
	json.Unmarshal(data, &tf)
	oldRefresh := tf["refresh_token"]
	tf["expiry"] = time.Now().Add(-time.Minute).Format(time.RFC3339)
	data, _ = json.Marshal(tf)
	os.WriteFile(tokenPath, data, 0o600)
	send("second")
	data, _ = os.ReadFile(tokenPath)
	json.Unmarshal(data, &tf)
	if idp.Refreshes() != 1 || tf["refresh_token"] == oldRefresh {
		t.Errorf("refreshes %d, rotated refresh token saved: %v", idp.Refreshes(), tf["refresh_token"] != oldRefresh)
	}
	for _, l := range srv.Logins() {
		if l.Mechanism != "XOAUTH2" || !l.OK {
			t.Errorf("login %+v", l)
		}
	}
}
