package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// chmodTarget finds what a fix asks to chmod.
var chmodTarget = regexp.MustCompile(`chmod [0-7go+-=rwx]+ '([^']*)'`)

// checkSafeFix holds every fix to the rule: a chmod only of the path the
// test made for the user (never a system or shared path), and otherwise a
// private place of the user's own.
func checkSafeFix(t *testing.T, fix, own string) {
	t.Helper()
	m := chmodTarget.FindAllStringSubmatch(fix, -1)
	if strings.Contains(fix, "chmod") && len(m) == 0 {
		t.Fatalf("fix mentions chmod without a quoted path: %q", fix)
	}
	for _, c := range m {
		if own == "" || c[1] != own {
			t.Fatalf("fix asks to chmod %q, which is not the user's own private path %q: %q", c[1], own, fix)
		}
		if isSystemPath(c[1], false) {
			t.Fatalf("fix asks to chmod a system path: %q", fix)
		}
	}
	if len(m) == 0 && !strings.Contains(fix, "private directory") && !strings.Contains(fix, "file of your own") {
		t.Fatalf("fix names no safe action (a chmod of the user's own file, or a private place): %q", fix)
	}
}

func loadErrFix(t *testing.T, err error) string {
	t.Helper()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("want a *LoadError, got %v", err)
	}
	return le.Fix
}

func saveErrFix(t *testing.T, err error) string {
	t.Helper()
	var se *SaveError
	if !errors.As(err, &se) {
		t.Fatalf("want a *SaveError, got %v", err)
	}
	return se.Fix
}

// TestModeFixesAreSafe enumerates the situations in which a fix talks about
// file modes and checks each names a safe action: never chmod /tmp (1777 on
// purpose), a sticky directory, /etc/shadow (0640 root:shadow on purpose) or
// a file of another user.
func TestModeFixesAreSafe(t *testing.T) {
	pwConfig := func(t *testing.T, pwFile string) string {
		cfg := filepath.Join(t.TempDir(), "smtp.yaml")
		writeFile0(t, cfg, "version: 1\nhost: smtp.example.com\nport: 587\nsecurity: starttls\nusername: u@example.com\npassword_file: "+pwFile+"\n", 0o600)
		return cfg
	}
	t.Run("save into /tmp itself", func(t *testing.T) {
		fi, err := os.Stat("/tmp")
		if err != nil || fi.Mode().Perm()&0o002 == 0 {
			t.Skip("/tmp is not world-writable here")
		}
		name := filepath.Join("/tmp", "smtpsetup-advice-test-"+t.Name()[len(t.Name())-4:]+".yaml")
		defer os.Remove(name)
		_, err = Save(name, settingsN("1"), SaveOptions{})
		checkSafeFix(t, saveErrFix(t, err), "")
	})
	t.Run("save into a sticky directory of our own", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "shared")
		os.Mkdir(dir, 0o700)
		os.Chmod(dir, 0o777|fs.ModeSticky)
		_, err := Save(filepath.Join(dir, "smtp.yaml"), settingsN("1"), SaveOptions{})
		checkSafeFix(t, saveErrFix(t, err), "")
	})
	t.Run("save into a group-writable directory of our own", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "group")
		os.Mkdir(dir, 0o700)
		os.Chmod(dir, 0o770)
		_, err := Save(filepath.Join(dir, "smtp.yaml"), settingsN("1"), SaveOptions{})
		fix := saveErrFix(t, err)
		checkSafeFix(t, fix, dir)
		if !strings.Contains(fix, "chmod go-w") {
			t.Fatalf("the user's own directory should get the simple fix: %q", fix)
		}
	})
	t.Run("password_file /etc/shadow", func(t *testing.T) {
		fi, err := os.Stat("/etc/shadow")
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			t.Skip("no group-readable /etc/shadow here")
		}
		if _, err := os.ReadFile("/etc/shadow"); err != nil {
			t.Skip("cannot read /etc/shadow (not root): the read error comes first")
		}
		_, err = Load(pwConfig(t, "/etc/shadow"))
		checkSafeFix(t, loadErrFix(t, err), "")
	})
	t.Run("password_file of our own, group-readable", func(t *testing.T) {
		pw := filepath.Join(t.TempDir(), "pw")
		writeFile0(t, pw, "secret\n", 0o640)
		_, err := Load(pwConfig(t, pw))
		fix := loadErrFix(t, err)
		checkSafeFix(t, fix, pw)
		if !strings.Contains(fix, "chmod 600") {
			t.Fatalf("the user's own file should get the simple fix: %q", fix)
		}
	})
	t.Run("password_file of another user", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("only root can give a file to another user")
		}
		pw := filepath.Join(t.TempDir(), "pw")
		writeFile0(t, pw, "secret\n", 0o644)
		if err := os.Chown(pw, 65534, 65534); err != nil {
			t.Skip(err)
		}
		_, err := Load(pwConfig(t, pw))
		checkSafeFix(t, loadErrFix(t, err), "")
	})
	t.Run("config with an inline password, group-readable", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "smtp.yaml")
		writeFile0(t, cfg, "version: 1\nhost: smtp.example.com\nport: 587\nsecurity: starttls\nusername: u@example.com\npassword: pw\n", 0o644)
		_, err := Load(cfg)
		checkSafeFix(t, loadErrFix(t, err), cfg)
	})
}

func TestIsSystemPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/etc/shadow": true, "/etc": true, "/tmp": true, "/tmp/x": true, "/usr/local/etc/pw": true, "/var/tmp/pw": true,
		"/etc/smtpsetup/password": false, "/root/.config/smtpsetup/password": false, "/home/alice/pw": false, "/srv/app/secret": false,
	} {
		if got := isSystemPath(p, false); got != want {
			t.Errorf("isSystemPath(%q) = %v, want %v", p, got, want)
		}
	}
}
