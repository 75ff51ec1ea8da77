package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// export --password-file names a file msmtp will read at every send: it is
// held to the rule check --password-file follows (it exists, only its
// owner can read it), with the same words, and nothing is written.
func TestExportPasswordFileSameRuleAsCheck(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cfg := filepath.Join(home, "smtp.yaml")
	writeFile0600(t, cfg, "version: 1\nhost: smtp.example.test\nport: 587\nsecurity: starttls\n"+
		"username: nas@example.test\nfrom: nas@example.test\npassword: Canary-Secret-42\n")
	loose := filepath.Join(home, "loose")
	if err := os.WriteFile(loose, []byte("pw\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(loose, 0o644)
	for _, tc := range []struct{ file, want string }{
		{loose, "run: chmod 600"},
		{filepath.Join(home, "missing"), "does not exist"},
	} {
		out := filepath.Join(home, "msmtprc")
		exp := runBinary(t, home, nil, "", 20*time.Second, "export", "--config", cfg, "--format", "msmtp", "--password-file", tc.file, "--output", out)
		chk := runBinary(t, home, nil, "", 20*time.Second, "check", "--config", cfg, "--password-file", tc.file)
		if exp.code != 2 || !strings.Contains(exp.stderr, tc.want) {
			t.Errorf("export --password-file %s: exit %d, stderr %q, want 2 and %q", tc.file, exp.code, exp.stderr, tc.want)
		}
		if chk.code != 2 || firstLine(chk.stderr) != firstLine(exp.stderr) {
			t.Errorf("check and export say different things about %s:\ncheck:  %q\nexport: %q", tc.file, chk.stderr, exp.stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("export wrote %s for an unusable password file", out)
		}
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }
