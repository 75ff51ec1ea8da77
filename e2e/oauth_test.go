package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smtpsetup/oauth/oauthtest"
	"smtpsetup/smtp/smtptest"
)

// oauthWorld is a real identity provider (zitadel's op) and an SMTP server
// that accepts exactly its tokens over XOAUTH2, with a vendor catalogue
// pointing at both, as an appliance vendor would ship it.
type oauthWorld struct {
	idp       *oauthtest.IdP
	srv       *smtptest.Server
	dir       string
	config    string
	providers string
	ca        string
	outputs   bytes.Buffer
}

const oauthUser = "alice@example.test"

func newOAuthWorld(t *testing.T, b oauthtest.Behaviour) *oauthWorld {
	t.Helper()
	w := &oauthWorld{idp: oauthtest.Start(t, b), dir: t.TempDir()}
	w.srv = smtptest.NewServer(t, smtptest.WithAuthMechanisms("LOGIN", "XOAUTH2"),
		smtptest.WithTokenVerifier(func(user, tok string) error {
			if user != oauthUser {
				return errors.New("token for another user")
			}
			return w.idp.Verify(tok)
		}))
	w.config = filepath.Join(w.dir, "etc", "smtp.yaml")
	w.ca = filepath.Join(w.dir, "ca.pem")
	os.WriteFile(w.ca, w.srv.CA().PEM(), 0o600)
	w.providers = filepath.Join(w.dir, "vendor.yaml")
	cat := fmt.Sprintf(`providers:
  - id: acme-mail
    name: Acme Mail
    host: localhost
    ports: [{security: starttls, port: %d, recommended: true}]
    login: address
    secret: {kind: oauth, label: Sign in}
    prerequisites:
      - {title: An app registration, detail: d, url: "https://example.com", why: w}
    status: ok
    last_checked: "2026-11-29"
    oauth:
      device_authorization_url: %s
      token_url: %s
      client_id: %s
      scopes: [openid, offline_access]
      mechanism: xoauth2
      refresh_days: 90
`, w.srv.Port(), w.idp.DeviceURL(), w.idp.TokenURL(), oauthtest.ClientID)
	os.WriteFile(w.providers, []byte(cat), 0o600)
	return w
}

// run runs smtpsetup and returns its stdout and stderr; every byte of both
// is kept for the canary check.
func (w *oauthWorld) run(t *testing.T, wantCode int, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = environment(w.dir)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	// The token command's stdout is the one place a token may appear
	// (checked by the callers); everything else goes to the canary check.
	if args[0] != "token" {
		w.outputs.Write(out.Bytes())
	}
	w.outputs.Write(errOut.Bytes())
	if code != wantCode {
		t.Fatalf("smtpsetup %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, wantCode, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

func (w *oauthWorld) login(t *testing.T, wantCode int) (string, string) {
	return w.run(t, wantCode, "login", "--config", w.config, "--providers", w.providers, "--provider", "acme-mail",
		"--from", oauthUser, "--ca-file", w.ca)
}

type tokenFile struct {
	RefreshToken string    `json:"refresh_token"`
	AccessToken  string    `json:"access_token"`
	Expiry       time.Time `json:"expiry"`
}

func (w *oauthWorld) tokenFile(t *testing.T) (tokenFile, map[string]any) {
	t.Helper()
	path := strings.TrimSuffix(w.config, ".yaml") + ".token"
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("token file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	var tf tokenFile
	var raw map[string]any
	json.Unmarshal(data, &tf)
	json.Unmarshal(data, &raw)
	return tf, raw
}

func (w *oauthWorld) setTokenFile(t *testing.T, raw map[string]any) {
	t.Helper()
	data, _ := json.Marshal(raw)
	if err := os.WriteFile(strings.TrimSuffix(w.config, ".yaml")+".token", data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestOAuthLoginTokenCheckRefresh is the whole OAuth path of a headless
// box: login with a device code, the token for msmtp, check over XOAUTH2,
// expiry, refresh with rotation saved, a revoked sign-in, and the canary:
// no token anywhere but the token file.
func TestOAuthLoginTokenCheckRefresh(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t, oauthtest.Approve)
	out, errOut := w.login(t, 0)
	if !strings.Contains(out, w.idp.URL+"/device") || !strings.Contains(out, "enter the code") {
		t.Errorf("login did not show the address and the code:\n%s", out)
	}
	if !strings.Contains(errOut, "sign in again before") {
		t.Errorf("login does not say when sign-in is due again:\n%s", errOut)
	}
	cfg, _ := os.ReadFile(w.config)
	if !strings.Contains(string(cfg), "auth: xoauth2") || strings.Contains(string(cfg), "\npassword") {
		t.Errorf("config:\n%s", cfg)
	}
	first, raw := w.tokenFile(t)
	if first.RefreshToken == "" || w.idp.Verify(first.AccessToken) != nil {
		t.Fatal("the token file holds no valid token")
	}

	// token: the cached access token, alone on stdout.
	tok, _ := w.run(t, 0, "token", "--config", w.config)
	if tok != first.AccessToken+"\n" || w.idp.Refreshes() != 0 {
		t.Errorf("token printed %d bytes, refreshes %d", len(tok), w.idp.Refreshes())
	}

	// check uses it over XOAUTH2, and says when to sign in again.
	out, _ = w.run(t, 0, "check", "--config", w.config)
	if !strings.Contains(out, "XOAUTH2") {
		t.Errorf("check did not log in with XOAUTH2:\n%s", out)
	}
	out, _ = w.run(t, 0, "check", "--config", w.config, "--json")
	var res struct {
		SignInDue string `json:"signin_due"`
	}
	json.Unmarshal([]byte(out), &res)
	// The sign-in was seconds ago (maybe just before midnight UTC).
	now, before := time.Now().UTC().AddDate(0, 0, 90), time.Now().UTC().Add(-time.Minute).AddDate(0, 0, 90)
	if res.SignInDue != now.Format(time.DateOnly) && res.SignInDue != before.Format(time.DateOnly) {
		t.Errorf("check --json signin_due = %q, want %s (90 days from the sign-in)", res.SignInDue, now.Format(time.DateOnly))
	}

	// An hour later the access token has expired: token refreshes, and the
	// provider's new refresh token is saved.
	raw["expiry"] = time.Now().Add(-time.Minute).Format(time.RFC3339)
	w.setTokenFile(t, raw)
	tok, _ = w.run(t, 0, "token", "--config", w.config)
	second, raw2 := w.tokenFile(t)
	if w.idp.Refreshes() != 1 || strings.TrimSpace(tok) != second.AccessToken || second.AccessToken == first.AccessToken {
		t.Fatalf("no refresh: refreshes %d", w.idp.Refreshes())
	}
	if second.RefreshToken == first.RefreshToken {
		t.Error("the rotated refresh token was not saved")
	}
	if w.idp.Verify(strings.TrimSpace(tok)) != nil {
		t.Error("the refreshed token is not valid")
	}
	w.run(t, 0, "check", "--config", w.config)

	// The msmtp export names the token command, never a token.
	msmtprc, _ := w.run(t, 0, "export", "--config", w.config, "--format", "msmtp")
	if !strings.Contains(msmtprc, "auth xoauth2") || !strings.Contains(msmtprc, "token --config") {
		t.Errorf("msmtp export:\n%s", msmtprc)
	}
	_, errOut = w.run(t, 2, "export", "--config", w.config, "--format", "postfix")
	if !strings.Contains(errOut, "sasl-xoauth2") {
		t.Errorf("postfix refusal:\n%s", errOut)
	}
	report, _ := w.run(t, 0, "report", "--config", w.config)
	if !strings.Contains(report, "OAuth sign-in due by:") || !strings.Contains(report, "XOAUTH2") {
		t.Errorf("report:\n%s", report)
	}
	w.run(t, 0, "export", "--config", w.config, "--format", "json")
	w.run(t, 0, "export", "--config", w.config, "--format", "env")

	// A refresh token the provider no longer knows (rotated away, revoked):
	// token exits 1 and says to sign in again; check diagnoses it.
	raw2["refresh_token"] = first.RefreshToken
	raw2["expiry"] = time.Now().Add(-time.Minute).Format(time.RFC3339)
	w.setTokenFile(t, raw2)
	_, errOut = w.run(t, 1, "token", "--config", w.config)
	if !strings.Contains(errOut, "invalid_grant") || !strings.Contains(errOut, "smtpsetup login") {
		t.Errorf("token with a dead refresh token:\n%s", errOut)
	}
	out, _ = w.run(t, 1, "check", "--config", w.config)
	if !strings.Contains(out, "oauth.signin_expired") {
		t.Errorf("check with a dead refresh token:\n%s", out)
	}

	// Sign in again: login reads the config it wrote and replaces the token.
	w.run(t, 0, "login", "--config", w.config, "--providers", w.providers)
	third, _ := w.tokenFile(t)
	if third.RefreshToken == first.RefreshToken || w.idp.Verify(third.AccessToken) != nil {
		t.Error("a new sign-in did not replace the token")
	}

	// Canary: no access or refresh token in any output, nor in any file but
	// the token file (mode 0600, checked above).
	secrets := []string{first.AccessToken, first.RefreshToken, second.AccessToken, second.RefreshToken, third.AccessToken, third.RefreshToken}
	for i, s := range secrets {
		if s == "" {
			t.Fatalf("secret %d is empty", i)
		}
		if strings.Contains(w.outputs.String(), s) {
			t.Errorf("token %d appears in the program's output", i)
		}
	}
	filepath.WalkDir(w.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".token") {
			return nil
		}
		data, _ := os.ReadFile(path)
		for _, s := range secrets {
			if s != "" && bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds a token", path)
			}
		}
		return nil
	})
}

func TestOAuthLoginFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		b    oauthtest.Behaviour
		fail *oauthtest.Failure
		code string
	}{
		{"denied", oauthtest.Deny, nil, "oauth.denied"},
		{"expired", oauthtest.Expire, nil, "oauth.code_expired"},
		{"conditional access", oauthtest.PendingForever, &oauthtest.Failure{Endpoint: "poll", Error: "invalid_grant",
			Description: "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", Codes: []int{53003}}, "oauth.device_code_blocked"},
		{"admin consent", oauthtest.PendingForever, &oauthtest.Failure{Endpoint: "poll", Error: "invalid_grant",
			Description: "AADSTS65001: The user or administrator has not consented to use the application.", Codes: []int{65001}}, "oauth.admin_consent_required"},
		{"app not in tenant", oauthtest.Approve, &oauthtest.Failure{Endpoint: "device", Error: "unauthorized_client",
			Description: "AADSTS700016: Application with identifier 'x' was not found in the directory 'contoso'."}, "oauth.app_not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newOAuthWorld(t, tc.b)
			if tc.fail != nil {
				w.idp.FailNext(*tc.fail)
			}
			out, _ := w.login(t, 1)
			if !strings.Contains(out, tc.code) {
				t.Errorf("login output lacks %s:\n%s", tc.code, out)
			}
			if _, err := os.Stat(w.config); err == nil {
				t.Error("a failed sign-in wrote the config")
			}
		})
	}
}

func TestOAuthLoginBadInput(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t, oauthtest.Approve)
	// The built-in Microsoft entry ships no client id: login explains how to
	// register one and exits 2, without contacting anything.
	_, errOut := w.run(t, 2, "login", "--config", w.config, "--provider", "microsoft365", "--from", "nas@contoso.com")
	if !strings.Contains(errOut, "Allow public client flows") || !strings.Contains(errOut, "--client-id") {
		t.Errorf("no client id:\n%s", errOut)
	}
	_, errOut = w.run(t, 2, "login", "--config", w.config, "--provider", "yahoo", "--from", "nas@yahoo.com")
	if !strings.Contains(errOut, "--provider") {
		t.Errorf("provider without oauth:\n%s", errOut)
	}
	_, errOut = w.run(t, 2, "login", "--config", w.config, "--provider", "microsoft365", "--from", "nas@contoso.com", "--client-id", "a/b")
	if !strings.Contains(errOut, "client id") {
		t.Errorf("bad client id:\n%s", errOut)
	}
	_, errOut = w.run(t, 2, "token", "--config", filepath.Join(w.dir, "none.yaml"))
	if !strings.Contains(errOut, "--config") {
		t.Errorf("token without a config:\n%s", errOut)
	}
}

// TestOAuthBrowserLogin: the installed-app sign-in of `smtpsetup login`
// for a provider whose device grant excludes mail (Gmail): it prints the
// address, the test's "browser" signs in at the identity provider, and the
// address it ended on is pasted back on standard input.
func TestOAuthBrowserLogin(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t, oauthtest.Approve)
	vendor, _ := os.ReadFile(w.providers)
	cat := strings.Replace(string(vendor), "      device_authorization_url: "+w.idp.DeviceURL(),
		"      flow: authcode\n      authorization_url: "+w.idp.AuthURL()+"\n      redirect_url: "+oauthtest.RedirectURL, 1)
	os.WriteFile(w.providers, []byte(cat), 0o600)
	secret := filepath.Join(w.dir, "client-secret")
	os.WriteFile(secret, []byte("not-really-secret\n"), 0o600)

	cmd := exec.Command(binary, "login", "--config", w.config, "--providers", w.providers, "--provider", "acme-mail",
		"--from", oauthUser, "--ca-file", w.ca, "--client-secret-file", secret)
	cmd.Env = environment(w.dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var shown bytes.Buffer
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		shown.WriteString(line + "\n")
		if strings.HasPrefix(line, w.idp.AuthURL()) {
			back, err := w.idp.Browse(line, true)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(stdin, back+"\n")
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("login: %v\n%s\n%s", err, shown.String(), errOut.String())
	}
	tf, raw := w.tokenFile(t)
	if w.idp.Verify(tf.AccessToken) != nil || raw["client_secret"] != "not-really-secret" {
		t.Fatalf("token file: valid %v, client secret kept %v", w.idp.Verify(tf.AccessToken) == nil, raw["client_secret"] == "not-really-secret")
	}
	if strings.Contains(shown.String()+errOut.String(), "not-really-secret") || strings.Contains(shown.String()+errOut.String(), tf.RefreshToken) {
		t.Error("the client secret or a token was printed")
	}
	// The token refreshes with the client secret from the token file.
	raw["expiry"] = time.Now().Add(-time.Minute).Format(time.RFC3339)
	w.setTokenFile(t, raw)
	w.run(t, 0, "token", "--config", w.config)
	if w.idp.Refreshes() != 1 {
		t.Errorf("refreshes %d", w.idp.Refreshes())
	}
}
