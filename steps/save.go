package steps

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"smtpsetup/config"
)

// saveState is where saving stands.
type saveState int

const (
	saveAsking saveState = iota
	saveWriting
	saveDone
	saveFailed
)

type savedMsg struct {
	res config.SaveResult
	err error
}

// Save is the last step: where to write, confirmation before overwriting,
// the atomic write, and a screen saying what was written where.
type Save struct {
	formStep
	d         *Draft
	path      string
	overwrite bool
	state     saveState
	err       error

	pathIn  *huh.Input
	confirm *huh.Confirm
	where   string // "inline" or the password file's path
}

// passwordFileFor is where a separate password file goes: beside the config.
func passwordFileFor(config string) string {
	return filepath.Join(filepath.Dir(config), "smtp.password")
}

// Title implements Step.
func (s *Save) Title() string { return "Save" }

// Skip implements Step.
func (s *Save) Skip(*Draft) bool { return false }

// Enter implements Step.
func (s *Save) Enter(d *Draft, c *Common) tea.Cmd {
	s.d, s.state, s.err = d, saveAsking, nil
	s.path = d.ConfigPath
	s.overwrite = true
	pathIn := huh.NewInput().Title("Save the settings to").
		Description("The file is written whole or not at all, readable only by you (mode 0600).").
		CharLimit(4096).
		Validate(func(v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("path is empty: type where to save, e.g. /etc/smtpsetup/smtp.yaml")
			}
			return nil
		}).
		Value(&s.path)
	s.pathIn = pathIn
	s.confirm = huh.NewConfirm().Title(s.overwriteTitle()).
		Affirmative("Save").Negative("Cancel").
		Value(&s.overwrite)
	fields := []huh.Field{pathIn}
	if !d.Settings.Password.IsZero() {
		fields = append(fields, s.passwordChoice())
	}
	return s.newForm(c, append(fields, s.confirm)...)
}

// passwordChoice asks where the password lives: in the config, or in a
// file of its own that the config names (so the config can be shown or
// versioned without the secret).
func (s *Save) passwordChoice() huh.Field {
	sep := cmp.Or(s.d.Settings.PasswordFile, passwordFileFor(s.path))
	s.where = "inline"
	if s.d.Settings.PasswordFile != "" {
		s.where = sep
	}
	return huh.NewSelect[string]().Title("Where should the password live?").
		Options(
			huh.NewOption("In the config file (mode 0600)", "inline"),
			huh.NewOption("In a file of its own: "+sep+" (0600)", sep),
		).Value(&s.where)
}

func (s *Save) overwriteTitle() string {
	if _, err := os.Lstat(strings.TrimSpace(s.path)); err == nil {
		return "The file exists: replace it? (the old one is kept as a .bak)"
	}
	return "Write the file?"
}

// Update implements Step.
func (s *Save) Update(msg tea.Msg) (Action, tea.Cmd) {
	switch msg := msg.(type) {
	case savedMsg:
		if msg.err != nil {
			s.state, s.err = saveFailed, msg.err
			return Action{}, nil
		}
		s.state = saveDone
		s.d.Saved = &msg.res
		return Action{}, nil
	case tea.KeyPressMsg:
		switch s.state {
		case saveDone:
			if msg.String() == "enter" {
				return Action{Kind: Done}, nil
			}
			return Action{}, nil
		case saveFailed:
			if msg.String() == "enter" || msg.String() == "r" {
				return Action{}, s.Enter(s.d, s.c)
			}
			return Action{}, nil
		case saveWriting:
			return Action{}, nil
		}
	}
	if s.state != saveAsking {
		return Action{}, nil
	}
	before := s.form.GetFocusedField()
	done, cmd := s.update(msg)
	if before == s.pathIn && s.form.GetFocusedField() != s.pathIn {
		// Set on the event loop: huh's TitleFunc would read s.path from
		// another goroutine.
		s.confirm.Title(s.overwriteTitle())
	}
	if !done {
		return Action{}, cmd
	}
	if !s.overwrite {
		return Action{}, s.Enter(s.d, s.c)
	}
	s.state = saveWriting
	path, settings := filepath.Clean(strings.TrimSpace(s.path)), s.d.Settings
	settings.PasswordFile = ""
	if s.where != "inline" && s.where != "" {
		settings.PasswordFile = s.where
	}
	s.d.Settings.PasswordFile = settings.PasswordFile
	s.d.ConfigPath = path
	d := *s.d // a copy for the command's goroutine
	d.Settings = settings
	return Action{}, func() tea.Msg {
		if err := d.SaveSignIn(path); err != nil {
			return savedMsg{config.SaveResult{}, err}
		}
		res, err := config.Save(path, settings, config.SaveOptions{})
		return savedMsg{res, err}
	}
}

// Leave implements Step.
func (s *Save) Leave() {}

// Capturing implements Step: once written, Esc must not go back and test
// again; Enter exits.
func (s *Save) Capturing() bool { return s.state == saveDone || s.state == saveWriting }

// View implements Step.
func (s *Save) View() string {
	st := s.c.Styles
	switch s.state {
	case saveWriting:
		return "Writing " + s.d.ConfigPath + " …"
	case saveFailed:
		return st.Error.Render("✗ Could not save.") + "\n\n" + wrap(s.c, s.err.Error()) + "\n\nNothing was changed. Press Enter to choose another path."
	case saveDone:
		return s.doneView()
	}
	return s.view()
}

func (s *Save) doneView() string {
	st := s.c.Styles
	res := s.d.Saved
	var b strings.Builder
	if !res.Changed {
		b.WriteString(st.Success.Render("✓ Nothing to change.") + " " + res.Path + " already holds these settings.\n")
	} else {
		b.WriteString(st.Success.Render("✓ Saved.") + " Wrote " + res.Path + " (mode 0600, readable only by its owner).\n")
	}
	if res.Backup != "" {
		b.WriteString("The previous file is kept as " + res.Backup + ".\n")
	}
	if res.PasswordFile != "" {
		b.WriteString("The password is in " + res.PasswordFile + " (mode 0600).\n")
	}
	set := s.d.Settings
	fmt.Fprintf(&b, "\n  Server   %s (%s)\n  Login    %s\n  From     %s\n", set.Address(), set.Security.Label(), set.Username, set.From)
	b.WriteString("\nNext: " + st.Key.Render("smtpsetup check --config "+res.Path) + " tests it again at any time;\n" +
		st.Key.Render("smtpsetup export --format msmtp") + " writes it for msmtp (also: postfix, env, json).\n\nPress Enter to exit.")
	return b.String()
}

// Keys implements Step.
func (s *Save) Keys() []key.Binding {
	if s.state == saveDone || s.state == saveFailed {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "exit"))}
	}
	return s.keys()
}

// Typing implements Step.
func (s *Save) Typing() bool { return s.state == saveAsking && s.typing() }
