// Package e2e holds whole-program tests: the real binary in a real
// pseudo-terminal, driven like a person through package term.
package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"smtpsetup/e2e/term"
)

// binary is the smtpsetup under test: built once per run by TestMain, or
// the one named by $SMTPSETUP_E2E_BINARY (to test a release build).
var binary = os.Getenv("SMTPSETUP_E2E_BINARY")

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if binary != "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "smtpsetup-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "smtpsetup")
	if err := build(binary); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building smtpsetup:", err)
		return 2
	}
	return m.Run()
}

// build compiles the module's main package from the module root.
func build(out string) error {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return err
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	moduleRoot = root
	cmd := exec.Command("go", "build", "-o", out, "smtpsetup")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// moduleRoot is where TestMain built the binary from.
var (
	moduleRoot  string
	sourcesOnce sync.Once
)

// touchSources opens the module's Go files and data from within a test.
// go test caches a package's result by the files its tests opened; the
// binary is built by a child process, so without this a changed wizard
// would not re-run these tests. (Opens in TestMain are not recorded.)
func touchSources(root string) {
	if root == "" {
		return
	}
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); ext == ".go" || ext == ".yaml" || filepath.Base(path) == "go.mod" {
			if f, err := os.Open(path); err == nil {
				f.Close()
			}
		}
		return nil
	})
}

// program is one run of the binary with its own home and config file.
type program struct {
	*term.Term
	home   string
	config string // --config path, in its own directory
}

// startDemo runs `smtpsetup --demo` in a cols x rows terminal with a pinned
// environment.
func startDemo(t *testing.T, cols, rows int) *program {
	t.Helper()
	home := t.TempDir()
	p := &program{home: home, config: filepath.Join(home, "etc", "smtp.yaml")}
	cmd := exec.Command(binary, "--demo", "--config", p.config)
	cmd.Env = environment(home)
	p.Term = term.Start(t, cmd, cols, rows)
	return p
}

// environment pins what the program sees of the outside: no colour hints,
// no SSH, a home of its own.
func environment(home string) []string {
	sourcesOnce.Do(func() { touchSources(moduleRoot) })
	return []string{"TERM=xterm-256color", "HOME=" + home, "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8"}
}

// step is the header text of step n.
func step(n int, title string) string { return fmt.Sprintf("Step %d of 6: %s", n, title) }

// Focus marks: huh draws a bar before the focused field's title.
func focus(title string) string { return "│ " + title }

// stop is one screen state to wait for before pressing Enter.
type stop struct{ header, mark string }

// The demo walk, Enter on every field, from the first screen to "Saved".
var (
	toAccount = []stop{
		{step(1, "Provider"), focus("Which service sends your mail?")},
		{step(2, "Before you start"), focus("The demo server is running")},
	}
	// The demo's account is complete: one choice, "Use ...".
	throughAccount = []stop{{step(3, "Account"), focus("Account")}}
	// accountFields are the Account step's fields, after "Change".
	accountFields = []stop{
		{step(3, "Account"), focus("E-mail address")},
		{step(3, "Account"), focus("Login")},
		{step(3, "Account"), focus("Password")},
		{step(3, "Account"), focus("Sender name")},
	}
	throughServer = []stop{
		{step(4, "Server and encryption"), focus("Server settings")},
	}
	throughSave = []stop{
		{step(5, "Live test"), "✓ Passed."},
		{step(6, "Save"), focus("Write the file?")},
		{step(6, "Save"), "✓ Saved."},
	}
)

// changeAccount chooses "Change" on the demo's complete account, so that
// its fields follow.
func (p *program) changeAccount(t *testing.T) {
	t.Helper()
	p.WaitFor(focus("Account")).Press(term.Down).WaitFor("> Change").Press(term.Enter)
}

// walk waits for each stop (and check, if not nil) and presses Enter.
func (p *program) walk(t *testing.T, check func(string) bool, stops ...stop) {
	t.Helper()
	for _, s := range stops {
		p.WaitForFunc(func(scr string) bool {
			return strings.Contains(scr, s.header) && strings.Contains(scr, s.mark) && (check == nil || check(scr))
		}, fmt.Sprintf("%q with %q", s.header, s.mark)).Press(term.Enter)
	}
}

// finish walks from the Server screen to the end and expects exit code 0.
func (p *program) finish(t *testing.T) {
	t.Helper()
	p.walk(t, nil, slices.Concat(throughServer, throughSave)...)
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit code %d after saving, want 0\n%s", code, p.Dump())
	}
}

// fits reports whether a whole frame is drawn in rows: the header on the
// first row, the key help (which ends with the wizard's own keys) on the
// last.
func fits(rows int) func(string) bool {
	return func(scr string) bool {
		lines := strings.Split(scr, "\n")
		return len(lines) == rows && strings.HasPrefix(lines[0], "smtpsetup  Step ") &&
			strings.Contains(lines[rows-1], "ctrl+c quit")
	}
}

// savedFile reads the config file's top-level "key: value" lines and checks
// its mode.
func (p *program) savedFile(t *testing.T) map[string]string {
	t.Helper()
	fi, err := os.Stat(p.config)
	if err != nil {
		t.Fatalf("config file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v, want 0600", fi.Mode().Perm())
	}
	f, err := os.Open(p.config)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string]string{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok && !strings.HasPrefix(k, "#") {
			kv[k] = strings.TrimSpace(v)
		}
	}
	return kv
}

// wantValues checks fields of the saved file.
func wantValues(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("saved %s = %q, want %q", k, got[k], v)
		}
	}
}

// portOnScreen reads the value of the Port field.
var portOnScreen = regexp.MustCompile(`Port\n. > (\d+)`)
