package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"smtpsetup/e2e/term"
)

// A config the wizard cannot read (a wrong value, a repeated key, a newer
// version) is never ignored and then overwritten: the wizard shows the load
// error (line, field, fix) and offers to fix it by hand, to start over with
// a backup copy, or to quit. The file is untouched unless the user saves
// after starting over, and even then a copy is kept.
func TestWizardShowsAConfigItCannotRead(t *testing.T) {
	t.Parallel()
	broken := map[string]struct{ content, want string }{
		"bad port":      {"version: 1\nhost: smtp.example.com\nport: five\n", "line 3"},
		"duplicate key": {"version: 1\nhost: smtp.example.com\nhost: smtp.example.org\n", "appears twice"},
		"newer version": {"version: 99\nhost: smtp.example.com\nfuture_field: x\n", "newer smtpsetup"},
	}
	for name, b := range broken {
		for _, mode := range []string{"screen", "lines"} {
			for _, key := range []string{"f", "s", "q"} {
				t.Run(name+"/"+mode+"/"+key, func(t *testing.T) {
					t.Parallel()
					home := t.TempDir()
					config := filepath.Join(home, "etc", "smtp.yaml")
					os.MkdirAll(filepath.Dir(config), 0o700)
					writeFile0600(t, config, b.content)
					cmd := exec.Command(binary, "--config", config)
					env := environment(home)
					if mode == "lines" {
						env[0] = "TERM=dumb"
					}
					cmd.Env = env
					p := term.Start(t, cmd, 80, 24)
					p.WaitFor("cannot be read")
					p.WaitFor(b.want)
					scr := p.Screen()
					for _, offer := range []string{"fix it by hand", "start over", "quit"} {
						if !strings.Contains(strings.ToLower(scr), offer) {
							t.Errorf("the screen does not offer to %s\n%s", offer, p.Dump())
						}
					}
					if mode == "lines" {
						p.Type(key + "\r")
					} else {
						p.Press(key)
					}
					switch key {
					case "f", "q":
						code := p.Wait()
						if code == 0 {
							t.Errorf("exit 0 after %q", key)
						}
						if key == "f" && !strings.Contains(strings.ReplaceAll(p.Screen(), "\n", ""), config) {
							t.Errorf("fix by hand does not print the path\n%s", p.Dump())
						}
					case "s":
						p.WaitFor("Step 1 of ")
						copies, _ := filepath.Glob(config + ".broken-*")
						if len(copies) != 1 {
							t.Fatalf("start over kept %d copies, want 1", len(copies))
						}
						if data, _ := os.ReadFile(copies[0]); string(data) != b.content {
							t.Errorf("the copy holds %q, want the broken file", data)
						}
						if mode == "lines" {
							p.Press("\x04") // Ctrl-D quits the line mode
						} else {
							p.Press(term.CtrlC)
						}
						p.Wait()
					}
					if data, _ := os.ReadFile(config); string(data) != b.content {
						t.Errorf("the broken config was changed to %q", data)
					}
				})
			}
		}
	}
}
