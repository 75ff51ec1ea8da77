package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"smtpsetup/smtp"
)

// settingsN is a distinct, valid draft per n, so that saves change content.
func settingsN(n string) smtp.Settings {
	s := fullSettings()
	s.FromName = "NAS " + n
	s.Password = smtp.NewSecret("pw-" + n)
	return s
}

func mustMarshal(t *testing.T, s smtp.Settings) string {
	t.Helper()
	b, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// listDir is the sorted names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// assertFile checks content and mode 0600.
func assertFile(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s holds:\n%s\nwant:\n%s", path, got, want)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode())
	}
}

func TestSaveCreatesPrivateFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "smtpsetup")
	path := filepath.Join(dir, "smtp.yaml")
	res, err := Save(path, settingsN("1"), SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Backup != "" || res.Path != path {
		t.Errorf("result %+v", res)
	}
	assertFile(t, path, mustMarshal(t, settingsN("1")))
	fi, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", fi.Mode().Perm())
	}
	if got := listDir(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only smtp.yaml", got)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	same(t, s, settingsN("1"))
}

func TestSaveKeepsOneBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "smtp.yaml")
	for _, n := range []string{"1", "2", "3"} {
		res, err := Save(path, settingsN(n), SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n != "1" && res.Backup != path+".bak" {
			t.Errorf("save %s: backup %q", n, res.Backup)
		}
	}
	assertFile(t, path, mustMarshal(t, settingsN("3")))
	assertFile(t, path+".bak", mustMarshal(t, settingsN("2")))
	if got := listDir(t, dir); strings.Join(got, " ") != "smtp.yaml smtp.yaml.bak" {
		t.Errorf("directory holds %v", got)
	}
	if _, err := Save(path, settingsN("4"), SaveOptions{NoBackup: true}); err != nil {
		t.Fatal(err)
	}
	assertFile(t, path+".bak", mustMarshal(t, settingsN("2")))
}

func TestSaveUnchangedTouchesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "smtp.yaml")
	for _, n := range []string{"1", "2"} {
		if _, err := Save(path, settingsN(n), SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.Stat(path)
	bakBefore, _ := os.Stat(path + ".bak")
	res, err := Save(path, settingsN("2"), SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed || res.Backup != "" || !strings.Contains(res.String(), "No change") {
		t.Errorf("result %+v (%s)", res, res)
	}
	after, _ := os.Stat(path)
	bakAfter, _ := os.Stat(path + ".bak")
	if !os.SameFile(before, after) || !before.ModTime().Equal(after.ModTime()) ||
		!os.SameFile(bakBefore, bakAfter) || !bakBefore.ModTime().Equal(bakAfter.ModTime()) {
		t.Error("an unchanged save replaced the file or the backup")
	}
	assertFile(t, path+".bak", mustMarshal(t, settingsN("1")))
}

func TestSaveModeWhateverUmaskAndOldMode(t *testing.T) {
	for _, umask := range []int{0, 0o022, 0o277} {
		dir := t.TempDir()
		path := filepath.Join(dir, "smtp.yaml")
		writeFile0(t, path, "version: 1\nhost: old.example\n", 0o644)
		fresh := filepath.Join(dir, "new", "smtp.yaml")
		old := syscall.Umask(umask)
		_, err := Save(path, settingsN("1"), SaveOptions{})
		_, err2 := Save(fresh, settingsN("1"), SaveOptions{})
		syscall.Umask(old)
		if err != nil || err2 != nil {
			t.Fatalf("umask %04o: %v, %v", umask, err, err2)
		}
		assertFile(t, fresh, mustMarshal(t, settingsN("1")))
		if fi, _ := os.Stat(filepath.Dir(fresh)); fi.Mode().Perm() != 0o700 {
			t.Errorf("umask %04o: new directory has mode %v", umask, fi.Mode().Perm())
		}
		assertFile(t, path, mustMarshal(t, settingsN("1")))
		assertFile(t, path+".bak", "version: 1\nhost: old.example\n")
	}
}

func TestSaveRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the config path
		want  string
	}{
		{"symlink to a victim", func(t *testing.T, dir string) string {
			victim := filepath.Join(dir, "victim")
			writeFile0(t, victim, "version: 1\n", 0o600)
			os.Symlink(victim, filepath.Join(dir, "smtp.yaml"))
			return filepath.Join(dir, "smtp.yaml")
		}, "symbolic link"},
		{"dangling symlink", func(t *testing.T, dir string) string {
			os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "smtp.yaml"))
			return filepath.Join(dir, "smtp.yaml")
		}, "symbolic link"},
		{"world-writable directory", func(t *testing.T, dir string) string {
			sub := filepath.Join(dir, "shared")
			os.Mkdir(sub, 0o700)
			os.Chmod(sub, 0o777|fs.ModeSticky) // a raw 0o1000 is not the sticky bit in Go
			return filepath.Join(sub, "smtp.yaml")
		}, "keep the config in a private directory"},
		{"group-writable directory", func(t *testing.T, dir string) string {
			sub := filepath.Join(dir, "group")
			os.Mkdir(sub, 0o700)
			os.Chmod(sub, 0o770)
			return filepath.Join(sub, "smtp.yaml")
		}, "writable by group or others (mode 0770)"},
		{"not our file", func(t *testing.T, dir string) string {
			writeFile0(t, filepath.Join(dir, "msmtprc"), "account default\nhost x\n", 0o600)
			return filepath.Join(dir, "msmtprc")
		}, "not a file smtpsetup wrote"},
		{"directory is a file", func(t *testing.T, dir string) string {
			writeFile0(t, filepath.Join(dir, "file"), "", 0o600)
			return filepath.Join(dir, "file", "smtp.yaml")
		}, "not a directory"},
		{"path is a directory", func(t *testing.T, dir string) string {
			os.Mkdir(filepath.Join(dir, "smtp.yaml"), 0o700)
			return filepath.Join(dir, "smtp.yaml")
		}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			before := snapshot(t, dir)
			_, err := Save(path, settingsN("1"), SaveOptions{})
			checkErr(t, err, tt.want)
			if after := snapshot(t, dir); after != before {
				t.Errorf("a refused save changed the directory:\n%s\nto\n%s", before, after)
			}
		})
	}
}

// snapshot describes every file under dir: name, mode, content.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, _ := os.Lstat(p)
		b.WriteString(p + " " + fi.Mode().String())
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			b.WriteString(" " + string(data))
		}
		b.WriteString("\n")
		return nil
	})
	return b.String()
}

// faultAt returns osOps with one step failing with err.
func faultAt(step string, err error) fileOps {
	ops := osOps
	renames := 0
	switch step {
	case "write":
		ops.write = func(*os.File, []byte) (int, error) { return 0, err }
	case "short write":
		ops.write = func(f *os.File, b []byte) (int, error) {
			f.Write(b[:len(b)/2])
			return len(b) / 2, err
		}
	case "sync":
		ops.sync = func(*os.File) error { return err }
	case "backup rename":
		ops.rename = func(o, n string) error {
			if strings.HasSuffix(n, ".bak") {
				return err
			}
			return os.Rename(o, n)
		}
	case "rename":
		ops.rename = func(o, n string) error {
			renames++
			if !strings.HasSuffix(n, ".bak") {
				return err
			}
			return os.Rename(o, n)
		}
	case "dir sync":
		ops.syncDir = func(string) error { return err }
	}
	return ops
}

func TestSaveFaultsLeaveOldFileIntact(t *testing.T) {
	tests := []struct {
		step    string
		err     error
		want    string
		replace bool // the fault comes after the rename: the new file is in place
	}{
		{"write", syscall.ENOSPC, "free some space", false},
		{"short write", syscall.EDQUOT, "quota", false},
		{"sync", syscall.EIO, "I/O error", false},
		{"backup rename", syscall.EROFS, "read-only", false},
		{"rename", syscall.EACCES, "as the owner of", false},
		{"dir sync", syscall.EIO, "may not survive a power cut", true},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "smtp.yaml")
			if _, err := Save(path, settingsN("old"), SaveOptions{}); err != nil {
				t.Fatal(err)
			}
			_, err := save(faultAt(tt.step, tt.err), path, settingsN("new"), SaveOptions{})
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v does not wrap %v", err, tt.err)
			}
			checkErr(t, err, tt.want)
			var se *SaveError
			if !errors.As(err, &se) || se.Path != path {
				t.Errorf("error %v is not a *SaveError for %s", err, path)
			}
			want := mustMarshal(t, settingsN("old"))
			if tt.replace {
				want = mustMarshal(t, settingsN("new"))
			} else if !strings.Contains(err.Error(), "previous file is unchanged") {
				t.Errorf("error %q does not say the old file is intact", err)
			}
			assertFile(t, path, want)
			for _, name := range listDir(t, dir) {
				if strings.Contains(name, tempMarker) {
					t.Errorf("temporary file %s left behind", name)
				}
			}
			if _, err := Load(path); err != nil {
				t.Errorf("file does not load after the fault: %v", err)
			}
		})
	}
}

func TestSavePasswordFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "smtp.yaml")
	pwPath := filepath.Join(dir, "secret", "password")
	s := settingsN("1")
	s.PasswordFile = pwPath
	res, err := Save(path, s, SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.PasswordFile != pwPath || !res.Changed {
		t.Errorf("result %+v", res)
	}
	assertFile(t, pwPath, "pw-1\n")
	cfg, _ := os.ReadFile(path)
	if strings.Contains(string(cfg), "pw-1") || !strings.Contains(string(cfg), "password_file: "+pwPath) {
		t.Errorf("config holds the password or lacks the file:\n%s", cfg)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, s)

	// Loading and saving again changes nothing.
	res, err = Save(path, got, SaveOptions{})
	if err != nil || res.Changed {
		t.Errorf("re-save: %+v, %v", res, err)
	}
	// A new password replaces the file and keeps the old one as .bak.
	s.Password = smtp.NewSecret("pw-2")
	if res, err = Save(path, s, SaveOptions{}); err != nil || !res.Changed {
		t.Fatalf("new password: %+v, %v", res, err)
	}
	assertFile(t, pwPath, "pw-2\n")
	assertFile(t, pwPath+".bak", "pw-1\n")
	// Without a password in the draft, the file is named but left alone.
	s.Password = smtp.Secret{}
	if _, err := Save(path, s, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	assertFile(t, pwPath, "pw-2\n")
	// A password_file naming some other file is refused, not overwritten.
	for _, other := range []struct {
		content string
		mode    fs.FileMode
	}{{"root:x:0:0\nbin:x:1:1\n", 0o600}, {"myhost\n", 0o644}} {
		victim := filepath.Join(dir, "victim")
		writeFile0(t, victim, other.content, other.mode)
		s.PasswordFile, s.Password = victim, smtp.NewSecret("pw")
		_, err = Save(path, s, SaveOptions{})
		checkErr(t, err, "not a file smtpsetup wrote")
		if got, _ := os.ReadFile(victim); string(got) != other.content {
			t.Errorf("victim overwritten: %q", got)
		}
	}
	// The password file cannot be the config itself.
	s.PasswordFile = path
	s.Password = smtp.NewSecret("x")
	_, err = Save(path, s, SaveOptions{})
	checkErr(t, err, "the config file itself")
}

func TestCleanStale(t *testing.T) {
	dir := t.TempDir()
	stale := []string{".smtp.yaml.tmp-0123456789abcdef", ".smtp.yaml.bak.tmp-fedcba9876543210", ".password.tmp-00000000000000aa"}
	keep := []string{"smtp.yaml", "smtp.yaml.bak", "notes.tmp-0123456789abcdef", ".smtp.yaml.tmp-short", ".x.tmp-0123456789ABCDEF"}
	for _, n := range append(append([]string{}, stale...), keep...) {
		writeFile0(t, filepath.Join(dir, n), "x", 0o600)
	}
	os.Mkdir(filepath.Join(dir, ".d.tmp-0123456789abcdef"), 0o700)
	if err := CleanStale(dir); err != nil {
		t.Fatal(err)
	}
	want := append(append([]string{}, keep...), ".d.tmp-0123456789abcdef")
	sort.Strings(want)
	if got := listDir(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("left %v, want %v", got, want)
	}
	if err := CleanStale(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("missing directory: %v", err)
	}
}

func TestWritePasswordFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	if err := WritePasswordFile(path, smtp.NewSecret(`a'b"c`)); err != nil {
		t.Fatal(err)
	}
	assertFile(t, path, "a'b\"c\n")
	checkErr(t, WritePasswordFile("relative", smtp.NewSecret("x")), "absolute")
	checkErr(t, WritePasswordFile(path, smtp.NewSecret("a\nb")), "line break")
}
