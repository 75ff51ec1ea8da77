package steps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/charmbracelet/x/ansi"

	"smtpsetup/config"
	"smtpsetup/i18n"
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
	res      config.SaveResult
	err      error
	settings smtp.Settings // as written
}

// Save is the last step, one screen: where to write, and one choice that
// saves (with where the password lives), asking "replace?" only when the
// file exists; then the atomic write, and a page saying what was written
// where. Nothing is written before this choice, nor left after a failure.
type Save struct {
	base
	s      *Session
	path   string
	choice string // saveInline, saveFile or saveElsewhere
	where  string // saveInline or saveFile, after saveElsewhere
	warned string // a path already warned about: the same again replaces it
	state  saveState
	err    error
}

// The answers of the save choice.
const (
	saveInline    = inline
	saveFile      = "file"
	saveElsewhere = "elsewhere"
)

// Title implements Flow.
func (s *Save) Title() string { return i18n.N("Save") }

// Skip implements Flow.
func (s *Save) Skip(*Session) bool { return false }

// Begin implements Flow.
func (s *Save) Begin(sess *Session) Outcome {
	s.s, s.state, s.err = sess, saveAsking, nil
	s.path = sess.ConfigPath
	if r := sess.Results.Saved; r != nil {
		s.path = r.Path
	}
	s.choice, s.warned = saveInline, ""
	if sess.Draft.Settings.PasswordFile != "" {
		s.choice = saveFile
	}
	s.where = s.choice
	return Outcome{}
}

// passwordFileFor is where a separate password file goes: beside the config.
func passwordFileFor(config string) string {
	return filepath.Join(filepath.Dir(config), "smtp.password")
}

// CheckPath is the rule for the path to save to.
func CheckPath(tr *i18n.Printer, v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New(tr.T("path is empty: type where to save, e.g. /etc/smtpsetup/smtp.yaml"))
	}
	return nil
}

// Page implements Flow.
func (s *Save) Page() Page {
	tr := s.s.Lang
	switch s.state {
	case saveWriting:
		return Page{Intro: []string{tr.Tf("Writing %s …", s.cleanPath())}}
	case saveFailed:
		return Page{Intro: []string{tr.Tf("Could not save: %s", s.errText()), tr.T("Nothing was changed. Choose another path.")}}
	case saveDone:
		return Page{Intro: SavedLines(tr, *s.s.Results.Saved, s.s.Draft.Settings, s.failedCode(), s.limits(), s.s.Demo)}
	}
	var intro []string
	if code := s.failedCode(); code != "" {
		intro = append(intro, tr.Tf("Warning: the test failed [%s]; the settings are saved as they are.", code))
	}
	hasPassword := !s.s.Draft.Settings.Password.IsZero()
	opts := []Option{{tr.T("Save"), saveInline}}
	if hasPassword {
		// The password in the config, or in a file of its own beside it
		// (so the config can be shown or versioned).
		opts = []Option{
			{tr.T("Save, the password in the config file (mode 0600)"), saveInline},
			{tr.T("Save, the password in a file of its own beside it (smtp.password, 0600)"), saveFile},
		}
	}
	notElsewhere := func() bool { return s.choice != saveElsewhere }
	return Page{Intro: intro, Fields: []Field{
		{
			Kind: ChoiceField, TitleFunc: s.overwriteTitle, Value: &s.choice,
			Description: tr.Tf("%s: written whole or not at all, readable only by you (mode 0600).", s.cleanPath()),
			Options:     append(opts, Option{tr.T("Save elsewhere: type another path"), saveElsewhere}),
		},
		{
			Kind: TextField, Title: tr.T("Save the settings to"), Limit: 4096, Value: &s.path, Check: s.checkPath, Skip: notElsewhere,
			Description: tr.T("An existing file is replaced, and the old one kept as a .bak."),
		},
		{
			Kind: ChoiceField, Title: tr.T("Where should the password live?"), Value: &s.where,
			Skip:    func() bool { return notElsewhere() || !hasPassword },
			Options: opts,
		},
	}}
}

// checkPath takes another path to save to, and warns once when a file is
// there: the same path again replaces it.
func (s *Save) checkPath(v string) error {
	if err := CheckPath(s.s.Lang, v); err != nil {
		return err
	}
	p := filepath.Clean(strings.TrimSpace(v))
	if _, err := os.Lstat(p); err == nil && s.warned != p {
		s.warned = p
		return Warning(s.s.Lang.Tf("%s exists: press Enter again to replace it (the old one is kept as a .bak)", p))
	}
	return nil
}

// limits are the provider's sending limits from the catalogue, if known.
func (s *Save) limits() string {
	if pr := s.s.Provider(); pr != nil && pr.Limits != "" {
		return smtp.CleanLine(pr.Name + ": " + s.s.Lang.T(pr.Limits))
	}
	return ""
}

// failedCode is the diagnosis code of a failed last test, "" when it passed.
func (s *Save) failedCode() string {
	rep := s.s.Results.Report
	if rep == nil || rep.OK {
		return ""
	}
	return smtp.Diagnose(rep, s.s.Provider()).Code // the code only: English
}

// errText is the failed write in the user's language: what could not be
// done and what to do, the path and the system's own words kept.
func (s *Save) errText() string {
	var se *config.SaveError
	if errors.As(s.err, &se) {
		return se.In(s.s.Lang)
	}
	return s.err.Error()
}

func (s *Save) cleanPath() string { return filepath.Clean(strings.TrimSpace(s.path)) }

func (s *Save) overwriteTitle() string {
	if _, err := os.Lstat(s.cleanPath()); err == nil {
		return s.s.Lang.T("The file exists: replace it? (the old one is kept as a .bak)")
	}
	return s.s.Lang.T("Write the file?")
}

// passwordFile is where the password file goes: the one the settings name
// when it is beside the chosen config, else smtp.password beside it.
func (s *Save) passwordFile(path string) string {
	if pf := s.s.Draft.Settings.PasswordFile; pf != "" && filepath.Dir(pf) == filepath.Dir(path) {
		return pf
	}
	return passwordFileFor(path)
}

// Submit implements Flow.
func (s *Save) Submit() Outcome {
	switch s.state {
	case saveDone:
		return Outcome{Action: Action{Kind: Done}}
	case saveFailed:
		return s.Begin(s.s)
	}
	where := s.choice
	if where == saveElsewhere {
		where = s.where
	}
	s.state = saveWriting
	path, settings := s.cleanPath(), s.s.Draft.Settings
	abs := path // the password and CA files beside it need a full path
	if a, err := filepath.Abs(path); err == nil {
		abs = a
	}
	settings.PasswordFile = ""
	if where == saveFile && !settings.Password.IsZero() {
		settings.PasswordFile = s.passwordFile(abs)
	}
	d, tr := s.s.Draft, s.s.Lang // a copy for the work's goroutine
	d.Settings = settings
	return Outcome{Work: func(context.Context, func(smtp.Event)) any {
		undo, err := d.SaveCA(tr, abs, &settings)
		if err != nil {
			return savedResult{err: err}
		}
		if err := d.SaveSignIn(path); err != nil {
			undo()
			return savedResult{err: err}
		}
		res, err := config.Save(path, settings, config.SaveOptions{})
		if err != nil {
			undo()
		}
		return savedResult{res, err, settings}
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
		s.s.Draft.Settings = r.settings // what the file now says (its password file, its CA file)
	}
	return Outcome{}
}

// SavedLines says what was written where, and what to do next: commands
// that work (the config named), and for the demo that its server stops
// when the wizard ends. failed is the code of a failed test, "" if passed.
func SavedLines(tr *i18n.Printer, res config.SaveResult, set smtp.Settings, failed, limits string, demo bool) []string {
	var out []string
	if mark, rest := savedHead(tr, res, failed); !res.Changed {
		out = append(out, tr.Tf("Nothing to change: %s already holds these settings.", res.Path))
	} else {
		out = append(out, mark+" "+rest)
	}
	if res.Backup != "" {
		out = append(out, tr.Tf("The previous file is kept as %s.", res.Backup))
	}
	if res.PasswordFile != "" {
		out = append(out, tr.Tf("The password is in %s (mode 0600).", res.PasswordFile))
	}
	if limits != "" {
		out = append(out, tr.Tf("Limits: %s.", limits))
	}
	login := smtp.CleanLine(set.Username)
	if set.NoLogin() {
		login = tr.T("none (relay by address)")
	}
	// The three labels make a column, as wide as the longest and two.
	labels := []string{tr.T("Server"), tr.T("Login"), tr.T("From")}
	col := 0
	for _, l := range labels {
		col = max(col, ansi.StringWidth(l)+2)
	}
	for i, l := range labels {
		labels[i] = l + strings.Repeat(" ", col-ansi.StringWidth(l))
	}
	out = append(out,
		labels[0]+smtp.CleanLine(set.Address())+" ("+set.Security.LabelIn(tr)+")",
		labels[1]+login,
		labels[2]+smtp.CleanLine(set.From))
	check := tr.Tf("Next: %s tests it again at any time;", "smtpsetup check --config "+res.Path)
	if demo {
		check = tr.T("Next: the demo server stops when the wizard ends, so this file is an example; run smtpsetup for your own server;")
	}
	return append(out, check,
		tr.Tf("%s writes it for msmtp (also: postfix, env, json).", "smtpsetup export --config "+res.Path+" --format msmtp --output FILE"))
}

// savedHead is what the write did, in two parts: the mark ("Saved.") and
// the file it wrote.
func savedHead(tr *i18n.Printer, res config.SaveResult, failed string) (mark, rest string) {
	switch {
	case !res.Changed:
		return tr.T("Nothing to change."), tr.Tf("%s already holds these settings.", res.Path)
	case failed != "":
		return tr.Tf("Saved, but the test failed: %s.", failed), tr.Tf("Wrote %s (mode 0600, readable only by its owner).", res.Path)
	}
	return tr.T("Saved."), tr.Tf("Wrote %s (mode 0600, readable only by its owner).", res.Path)
}

// Leave implements Flow.
func (s *Save) Leave() {}

func (s *Save) view(c *Common, f frame) (string, bool) {
	st, tr := c.Styles, c.Lang
	switch s.state {
	case saveFailed:
		return st.Error.Render("✗ "+tr.T("Could not save.")) + "\n\n" + wrap(c, s.errText()) + "\n\n" + Wrap(tr.T("Nothing was changed. Press Enter to choose another path."), c.Width-2), true
	case saveDone:
		failed := s.failedCode()
		l := SavedLines(tr, *s.s.Results.Saved, s.s.Draft.Settings, failed, s.limits(), s.s.Demo)
		mark, rest := savedHead(tr, *s.s.Results.Saved, failed)
		var head, block strings.Builder
		if failed != "" && s.s.Results.Saved.Changed {
			head.WriteString(wrap(c, st.Warning.Render("! "+mark)+" "+rest) + "\n")
		} else {
			head.WriteString(wrap(c, st.Success.Render("✓ "+mark)+" "+rest) + "\n")
		}
		n := len(l)
		for _, x := range l[1 : n-5] {
			head.WriteString(wrap(c, x) + "\n")
		}
		for _, x := range l[n-5 : n-2] {
			block.WriteString("  " + clip(x, c.Width-4) + "\n")
		}
		next := wrap(c, l[n-2]+" "+l[n-1])
		// What was written and what to do next must be read whole; the
		// summary of the settings gives way on a short screen.
		exit := wrap(c, tr.T("Press Enter to exit."))
		out := head.String() + "\n" + block.String() + "\n" + next + "\n\n" + exit
		if lipgloss.Height(out) > bodyRows(c) {
			out = head.String() + "\n" + next + "\n" + exit
		}
		if lipgloss.Height(out) > bodyRows(c) {
			out = head.String() + next + "\n" + exit
		}
		return out, true
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
		return []key.Binding{as(c.Keys.Continue, c.Lang.T("exit"))}
	case s.state == saveFailed:
		return []key.Binding{as(c.Keys.Continue, c.Lang.T("choose another path"))}
	}
	return nil
}

// capturing: once written, Esc must not go back and test again; Enter exits.
func (s *Save) capturing(working bool) bool { return working || s.state == saveDone }
