package wizard

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"smtpsetup/smtp"
	"smtpsetup/steps"
)

func draft(t *testing.T) *steps.Session {
	t.Setenv("TERM", "xterm-256color") // huh turns TERM=dumb into its accessible mode
	s := steps.NewSession(steps.Env{Catalogue: smtp.BuiltinCatalogue(), ConfigPath: t.TempDir() + "/smtp.yaml"})
	s.Draft.Settings = smtp.Settings{Provider: "gmail", Host: "smtp.gmail.com", Port: 465, Security: smtp.SecuritySSL, Auth: smtp.AuthAuto}
	return s
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	return tea.KeyPressMsg{Code: rune(s[0]), Text: s}
}

// TestEverySizeRenders sends the sizes broken terminals report, zero and
// negative included: the wizard must draw something sensible, never panic.
func TestEverySizeRenders(t *testing.T) {
	m := New(t.Context(), draft(t), "", nil)
	m.Init()
	for _, size := range [][2]int{{80, 24}, {60, 16}, {59, 16}, {30, 8}, {5, 2}, {1, 1}, {0, 0}, {-1, -5}, {200, 60}, {80, 24}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		view := m.View().Content
		small := size[0] < MinWidth || size[1] < MinHeight
		if small && size[0] > 40 && size[1] > 2 && !strings.Contains(view, "enlarge") {
			t.Errorf("%dx%d: no request to enlarge:\n%s", size[0], size[1], view)
		}
		if !small {
			lines := strings.Split(view, "\n")
			if len(lines) > size[1] {
				t.Errorf("%dx%d: %d lines drawn", size[0], size[1], len(lines))
			}
			if !strings.Contains(lines[0], "Step 1 of 6") {
				t.Errorf("%dx%d: header missing: %q", size[0], size[1], lines[0])
			}
		}
	}
}

func TestCtrlCQuitsAtOnceBeforeAnyInput(t *testing.T) {
	m := New(t.Context(), draft(t), "", nil)
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	_, cmd := m.Update(press("ctrl+c"))
	if cmd == nil || cmd() != tea.Quit() {
		t.Fatal("Ctrl-C before any input did not quit")
	}
}

func TestCtrlCAsksOnceSomethingWasTyped(t *testing.T) {
	m := New(t.Context(), draft(t), "", nil)
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(press("x"))
	if _, cmd := m.Update(press("ctrl+c")); cmd != nil {
		t.Fatal("Ctrl-C after typing quit without asking")
	}
	if !strings.Contains(m.View().Content, "Quit without saving?") {
		t.Fatalf("no confirmation:\n%s", m.View().Content)
	}
	m.Update(press("n"))
	if strings.Contains(m.View().Content, "Quit without saving?") {
		t.Fatal("n did not dismiss the confirmation")
	}
	m.Update(press("ctrl+c"))
	if _, cmd := m.Update(press("y")); cmd == nil || cmd() != tea.Quit() {
		t.Fatal("y did not quit")
	}
}

func TestBrandTitle(t *testing.T) {
	m := New(t.Context(), draft(t), "Acme NAS mail setup", nil)
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if !strings.HasPrefix(m.View().Content, "Acme NAS mail setup") && !strings.Contains(m.View().Content, "Acme NAS mail setup") {
		t.Fatalf("vendor title missing:\n%s", m.View().Content)
	}
}
