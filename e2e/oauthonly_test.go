package e2e

import (
	"strings"
	"testing"
	"time"
)

// A provider that refuses every password (Outlook.com since 2024-09-16) is
// never sent one: check and setup without a saved sign-in say to sign in
// with OAuth and exit 2, and detect suggests login, not check. Microsoft
// 365 still takes a password but is told about login.
func TestOAuthOnlyProviderNeverGetsAPassword(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	const want = "Outlook.com / Hotmail accepts only OAuth sign-in: run smtpsetup login --provider outlook --from nas@outlook.com --client-id ID"
	for _, args := range [][]string{
		{"check", "--provider", "outlook", "--from", "nas@outlook.com"},
		{"setup", "--non-interactive", "--provider", "outlook", "--from", "nas@outlook.com"},
	} {
		r := runBinary(t, home, []string{"SMTP_PASSWORD=Canary-Secret-42"}, "", 20*time.Second, args...)
		if r.code != 2 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr+r.stdout, "password") {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", strings.Join(args, " "), r.code, r.stderr, want)
		}
	}
	r := runBinary(t, home, nil, "", 30*time.Second, "detect", "nas@outlook.com")
	if !strings.Contains(r.stdout, "Next: smtpsetup login --provider outlook --from nas@outlook.com --client-id ID") {
		t.Errorf("detect: stdout %q, want a login suggestion", r.stdout)
	}
	r = runBinary(t, home, []string{"SMTP_PASSWORD=Canary-Secret-42", "SMTPSETUP_TIMEOUT=1s"}, "", 30*time.Second,
		"check", "--provider", "microsoft365", "--from", "nas@contoso.com", "--host", "127.0.0.1", "--port", "1")
	if !strings.Contains(r.stderr, "smtpsetup login --provider microsoft365 --from nas@contoso.com --client-id ID") {
		t.Errorf("microsoft365 with a password: stderr %q, want a note about login", r.stderr)
	}
}
