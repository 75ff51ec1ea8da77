package wizard

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"smtpsetup/config"
	"smtpsetup/e2e/term"
	"smtpsetup/smtp"
	"smtpsetup/steps"
)

// answer is one answer of a scripted run, said once and given to both
// renderers: the line mode as a typed line, the screens as key presses
// after looking for the field.
type answer struct {
	title  string // the field, as both renderers title it
	kind   answerKind
	value  string // the text typed, or the choice's value (the line mode types it)
	label  string // the choice as the screen lists it
	secret bool
}

type answerKind int

const (
	keep    answerKind = iota // Enter alone: the default
	typed                     // replace the value
	choose                    // pick an option
	yes                       // confirm
	no                        // decline
	testKey                   // a key on the test screen, the answer to "What next?" in the line mode
	passed                    // the test passed: the screen waits for Enter, the line mode goes on
)

func kept(title string) answer       { return answer{title: title} }
func keptSecret(title string) answer { return answer{title: title, secret: true} }
func set(title, v string) answer     { return answer{title: title, kind: typed, value: v} }
func setSecret(title, v string) answer {
	return answer{title: title, kind: typed, value: v, secret: true}
}
func pick(title, v, label string) answer {
	return answer{title: title, kind: choose, value: v, label: label}
}
func confirm(title string) answer { return answer{title: title, kind: yes} }
func onFailure(key string) answer { return answer{kind: testKey, value: key} }
func testPassed() answer          { return answer{kind: passed} }

// lineInput is the script as the line mode reads it: lines, and the
// answers to the password prompt.
func lineInput(script []answer) (string, func() (string, error)) {
	var in strings.Builder
	var pws []string
	for _, a := range script {
		switch {
		case a.kind == passed:
			in.WriteString("\n") // What next? Save (the default)
		case a.secret:
			pws = append(pws, a.value)
		case a.kind == yes:
			in.WriteString("y\n")
		case a.kind == no:
			in.WriteString("n\n")
		case a.kind == typed && a.value == "":
			in.WriteString("-\n")
		default:
			in.WriteString(a.value + "\n")
		}
	}
	return in.String(), passwords(pws...)
}

// focus is how a screen shows the field that has the focus.
func focus(title string) string { return "│ " + title }

// drive plays the script on the screens, looking before each press.
func drive(t *testing.T, d term.Driver, script []answer) {
	t.Helper()
	for _, a := range script {
		switch a.kind {
		case passed:
			d.WaitFor("✓ Passed.").Press(term.Enter)
			continue
		case testKey:
			d.WaitFor("✗ ").Press(a.value)
			continue
		}
		d.WaitFor(focus(a.title))
		switch a.kind {
		case keep:
			d.Press(term.Enter)
		case typed:
			d.Press(term.CtrlU).Type(a.value).Press(term.Enter)
		case yes:
			d.Press("y")
		case no:
			d.Press("n")
		case choose:
			for i := 0; !strings.Contains(d.Screen(), "> "+a.label); i++ {
				if i > 60 {
					t.Fatalf("no option %q:\n%s", a.label, d.Dump())
				}
				d.Press(map[bool]string{true: term.Down, false: term.Up}[i < 30])
			}
			d.Press(term.Enter)
		}
	}
}

// TestBothRenderersAgree runs each script through the line mode and
// through the screens, from the same session, and checks that both end
// with the same settings, saved the same way.
func TestBothRenderersAgree(t *testing.T) {
	const (
		provider = "Which service sends your mail?"
		prereq   = "The demo server is running"
		address  = "E-mail address"
		login    = "Login"
		password = "Password"
		name     = "Sender name"
		host     = "SMTP server"
		mode     = "Encryption"
		port     = "Port"
		server   = "Server settings"
		account  = "Account"
		caFile   = "CA file (optional)"
		how      = "How does this machine log in?"
		write    = "Write the file?"
	)
	save := []answer{kept(write)}
	scripts := map[string]func(port string) []answer{
		"enter everywhere": func(string) []answer {
			return concat([]answer{kept(provider), confirm(prereq), kept(account), kept(server), testPassed()}, save)
		},
		"typed values and a password file": func(string) []answer {
			return []answer{kept(provider), confirm(prereq), pick(account, "change", "Change the address"), set(address, "ops@example.test"), set(login, lineUser),
				setSecret(password, linePass), set(name, "Office NAS"), kept(server), testPassed(),
				pick(write, "file", "Save, the password in a file of its own")}
		},
		"saved elsewhere, the password beside it": func(string) []answer {
			dir := filepath.Join(t.TempDir(), "c2") // a directory that does not exist yet
			return []answer{kept(provider), confirm(prereq), kept(account),
				kept(server), testPassed(), pick(write, "elsewhere", "Save elsewhere"), set("Save the settings to", filepath.Join(dir, "smtp.yaml")),
				pick("Where should the password live?", "file", "Save, the password in a file of its own")}
		},
		"wrong mode fixed by the suggestion": func(p string) []answer {
			return concat([]answer{kept(provider), confirm(prereq), kept(account),
				pick(server, "change", "Change the server"), kept(host), pick(mode, "ssl", "SSL/TLS"), set(port, p), kept(caFile),
				onFailure("a"), testPassed()}, save)
		},
		"wrong password saved anyway": func(string) []answer {
			return concat([]answer{kept(provider), confirm(prereq), pick(account, "change", "Change the address"), kept(address), kept(login), setSecret(password, "not-it-at-all"),
				kept(name), kept(server), onFailure("s")}, save)
		},
		"other server from an empty draft": func(p string) []answer {
			return concat([]answer{kept("Your e-mail address"), pick(provider, "other", "Other server"),
				kept(how), set(address, lineUser), kept(login), setSecret(password, linePass), kept(name),
				set(host, "localhost"), kept(mode), set(port, p), kept(caFile), testPassed()}, save)
		},
	}
	for name, script := range scripts {
		t.Run(name, func(t *testing.T) {
			t.Setenv("TERM", "xterm-256color")
			fresh := func() *steps.Session {
				s, srv := lineDraft(t)
				if strings.Contains(name, "empty draft") {
					s.Draft.Settings = smtp.Settings{Auth: smtp.AuthAuto}
				}
				s.Env.ConfigPath = strings.Replace(s.Env.ConfigPath, "smtp.yaml", "etc/smtp.yaml", 1)
				s.Env.Test.RootCAs = srv.CA().Pool()
				s.Catalogue.Providers[0].Ports[0].Port = srv.Port()
				if s.Draft.Settings.Host != "" {
					s.Draft.Settings.Port = srv.Port()
				}
				return s
			}
			// Each run gets its own server, so the port differs; the
			// scripts type it, and the comparison ignores it.
			ls := fresh()
			in, pw := lineInput(script(strconv.Itoa(ls.Catalogue.Providers[0].Ports[0].Port)))
			var out bytes.Buffer
			outcome, err := RunLines(t.Context(), ls, strings.NewReader(in), &out, pw)
			if err != nil || outcome != Saved {
				t.Fatalf("line mode: %v, %v\n%s", outcome, err, out.String())
			}

			ss := fresh()
			d := term.NewModel(t, New(t.Context(), ss, "", nil), 80, 24)
			drive(t, d, script(strconv.Itoa(ss.Catalogue.Providers[0].Ports[0].Port)))
			d.WaitFor("Saved").Press(term.Enter)
			if !d.Quit() {
				t.Fatalf("the screens did not end after saving:\n%s", d.Dump())
			}

			lineSet, screenSet := comparable(t, ls), comparable(t, ss)
			if strings.Contains(name, "elsewhere") && (lineSet.PasswordFile != "smtp.password" || !strings.Contains(ls.Results.Saved.Path, "/c2/")) {
				t.Errorf("saved to %s with the password in %q; want c2/smtp.yaml and smtp.password beside it", ls.Results.Saved.Path, lineSet.PasswordFile)
			}
			if !reflect.DeepEqual(lineSet, screenSet) {
				t.Errorf("the renderers disagree:\nline mode %+v\nscreens   %+v\nline output:\n%s", lineSet, screenSet, out.String())
			}
		})
	}
}

// comparable is what a run saved, with what differs between two runs by
// nature (the server's port, the temp directory) taken out.
func comparable(t *testing.T, s *steps.Session) smtp.Settings {
	t.Helper()
	if s.Results.Saved == nil {
		t.Fatal("nothing saved")
	}
	saved, err := config.Load(s.Results.Saved.Path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Password.Reveal() != s.Draft.Settings.Password.Reveal() {
		t.Errorf("the saved password is not the draft's")
	}
	dir := strings.TrimSuffix(s.Results.Saved.Path, "smtp.yaml")
	saved.PasswordFile = strings.TrimPrefix(saved.PasswordFile, dir)
	saved.Port = 0
	return saved
}

func concat(parts ...[]answer) []answer {
	var out []answer
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
