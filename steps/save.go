package steps

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"smtpsetup/config"
	"smtpsetup/smtp"
)

// saveState is where saving stands.
type saveState int

const (
	saveAsking saveState = iota
	saveWriting
	saveDone
	saveFailed
)

func (s saveState) String() string {
	return [...]string{"asking", "writing", "done", "failed"}[s]
}

// inline is the answer "the password lives in the config file".
const inline = "inline"

// savedResult is what the write returned.
type savedResult struct {
	res config.SaveResult
	err error
}

// Save is the last step: where to write, confirmation before overwriting,
// the atomic write, and a page saying what was written where.
type Save struct {
	base
	s         *Session
	path      string
	where     string // inline, or the password file's path
	overwrite bool
	state     saveState
	err       error
}

// Title implements Flow.
func (s *Save) Title() string { return "Save" }

// Skip implements Flow.
func (s *Save) Skip(*Session) bool { return false }

// Begin implements Flow.
func (s *Save) Begin(sess *Session) Outcome {
	s.s, s.state, s.err, s.overwrite = sess, saveAsking, nil, true
	s.path = sess.ConfigPath
	if r := sess.Results.Saved; r != nil {
		s.path = r.Path
	}
	s.where = inline
	if pf := sess.Draft.Settings.PasswordFile; pf != "" {
		s.where = pf
	}
	return Outcome{}
}

// passwordFileFor is where a separate password file goes: beside the config.
func passwordFileFor(config string) string {
	return filepath.Join(filepath.Dir(config), "smtp.password")
}

// CheckPath is the rule for the path to save to.
func CheckPath(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("path is empty: type where to save, e.g. /etc/smtpsetup/smtp.yaml")
	}
	return nil
}

// Page implements Flow.
func (s *Save) Page() Page {
	switch s.state {
	case saveWriting:
		return Page{Intro: []string{"Writing " + s.cleanPath() + " …"}}
	case saveFailed:
		return Page{Intro: []string{"Could not save: " + s.err.Error(), "Nothing was changed. Choose another path."}}
	case saveDone:
		return Page{Intro: SavedLines(*s.s.Results.Saved, s.s.Draft.Settings)}
	}
	fields := []Field{{
		Kind: TextField, Title: "Save the settings to",
		Description: "The file is written whole or not at all, readable only by you (mode 0600).",
		Limit:       4096, Value: &s.path, Check: CheckPath,
	}}
	if !s.s.Draft.Settings.Password.IsZero() {
		// The password in the config, or in a file of its own that the
		// config names (so the config can be shown or versioned).
		sep := cmp.Or(s.s.Draft.Settings.PasswordFile, passwordFileFor(s.path))
		fields = append(fields, Field{
			Kind: ChoiceField, Title: "Where should the password live?", Value: &s.where,
			Options: []Option{{"In the config file (mode 0600)", inline}, {"In a file of its own: " + sep + " (0600)", sep}},
		})
	}
	return Page{Fields: append(fields, Field{
		Kind: ConfirmField, TitleFunc: s.overwriteTitle, Affirmative: "Save", Negative: "Cancel", Yes: &s.overwrite,
	})}
}

func (s *Save) cleanPath() string { return filepath.Clean(strings.TrimSpace(s.path)) }

func (s *Save) overwriteTitle() string {
	if _, err := os.Lstat(s.cleanPath()); err == nil {
		return "The file exists: replace it? (the old one is kept as a .bak)"
	}
	return "Write the file?"
}

// Submit implements Flow.
func (s *Save) Submit() Outcome {
	switch s.state {
	case saveDone:
		return Outcome{Action: Action{Kind: Done}}
	case saveFailed:
		return s.Begin(s.s)
	}
	if !s.overwrite {
		s.overwrite = true
		return Outcome{}
	}
	s.state = saveWriting
	path, settings := s.cleanPath(), s.s.Draft.Settings
	settings.PasswordFile = ""
	if s.where != inline && s.where != "" && !settings.Password.IsZero() {
		settings.PasswordFile = s.where
	}
	s.s.Draft.Settings.PasswordFile = settings.PasswordFile
	d := s.s.Draft // a copy for the work's goroutine
	d.Settings = settings
	return Outcome{Work: func(context.Context, func(smtp.Event)) any {
		if err := d.SaveSignIn(path); err != nil {
			return savedResult{err: err}
		}
		res, err := config.Save(path, settings, config.SaveOptions{})
		return savedResult{res, err}
	}}
}

// Finish implements Flow.
func (s *Save) Finish(result any) Outcome {
	r, ok := result.(savedResult)
	switch {
	case !ok:
		s.state = saveAsking
	case r.err != nil:
		s.state, s.err = saveFailed, r.err
	default:
		s.state = saveDone
		s.s.Results.Saved = &r.res
	}
	return Outcome{}
}

// SavedLines says what was written where, and what to do next.
func SavedLines(res config.SaveResult, set smtp.Settings) []string {
	var out []string
	if !res.Changed {
		out = append(out, "Nothing to change: "+res.Path+" already holds these settings.")
	} else {
		out = append(out, "Saved. Wrote "+res.Path+" (mode 0600, readable only by its owner).")
	}
	if res.Backup != "" {
		out = append(out, "The previous file is kept as "+res.Backup+".")
	}
	if res.PasswordFile != "" {
		out = append(out, "The password is in "+res.PasswordFile+" (mode 0600).")
	}
	return append(out,
		"Server  "+smtp.CleanLine(set.Address())+" ("+set.Security.Label()+")",
		"Login   "+smtp.CleanLine(set.Username),
		"From    "+smtp.CleanLine(set.From),
		"Next: smtpsetup check --config "+res.Path+" tests it again at any time;",
		"smtpsetup export --format msmtp writes it for msmtp (also: postfix, env, json).")
}

// Leave implements Flow.
func (s *Save) Leave() {}

func (s *Save) view(c *Common, f frame) (string, bool) {
	st := c.Styles
	switch s.state {
	case saveFailed:
		return st.Error.Render("✗ Could not save.") + "\n\n" + wrap(c, s.err.Error()) + "\n\nNothing was changed. Press Enter to choose another path.", true
	case saveDone:
		l := SavedLines(*s.s.Results.Saved, s.s.Draft.Settings)
		mark, rest, _ := strings.Cut(l[0], ". ")
		if !s.s.Results.Saved.Changed {
			mark, rest, _ = strings.Cut(l[0], ": ")
		}
		var b strings.Builder
		b.WriteString(wrap(c, st.Success.Render("✓ "+mark+".")+" "+rest) + "\n")
		n := len(l)
		for _, x := range l[1 : n-5] {
			b.WriteString(wrap(c, x) + "\n")
		}
		b.WriteString("\n")
		for _, x := range l[n-5 : n-2] {
			b.WriteString("  " + clip(x, c.Width-4) + "\n")
		}
		b.WriteString("\n" + wrap(c, l[n-2]+" "+l[n-1]) + "\n\nPress Enter to exit.")
		return b.String(), true
	}
	return "", false
}

func (s *Save) key(c *Common, k tea.KeyPressMsg, working bool) (Outcome, bool) {
	switch {
	case working:
		return Outcome{}, true
	case s.state == saveDone || s.state == saveFailed:
		if key.Matches(k, c.Keys.Continue) {
			return s.Submit(), true
		}
		return Outcome{}, true
	}
	return Outcome{}, false
}

func (s *Save) keys(c *Common, working bool) []key.Binding {
	switch {
	case working:
		return nil
	case s.state == saveDone:
		return []key.Binding{as(c.Keys.Continue, "exit")}
	case s.state == saveFailed:
		return []key.Binding{as(c.Keys.Continue, "choose another path")}
	}
	return nil
}

// capturing: once written, Esc must not go back and test again; Enter exits.
func (s *Save) capturing(working bool) bool { return working || s.state == saveDone }
