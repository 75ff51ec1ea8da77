package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"smtpsetup/i18n"
	"smtpsetup/oauth"
	"smtpsetup/smtp"
)

// SignIn replaces the password for a provider with an oauth block: the
// device code in large type, where to type it (text, a link, a QR code), a
// countdown and a spinner while the user signs in on a phone or PC. The
// token lives in the draft until Save writes it beside the config; the
// live test logs in with it over XOAUTH2. Esc cancels and goes back.
type SignIn struct {
	base
	s *Session

	state    signInState
	clientID string // typed when the catalogue and config have none
	prompt   *oauth.Prompt
	diag     *smtp.Diagnosis
	again    bool // the answer to "Sign in again?"
}

type signInState int

const (
	signInNeedsApp signInState = iota // no client id: explain, ask for one
	signInStarting                    // asking the provider for a code
	signInWaiting                     // the code is shown; polling
	signInFailed                      // the diagnosis is shown; sign in again?
	signInDone                        // signed in
)

func (s signInState) String() string {
	return [...]string{"needs-app", "starting", "waiting", "failed", "done"}[s]
}

// usePassword is the client id answer that chooses a password instead.
const usePassword = "-"

// Title implements Flow.
func (s *SignIn) Title() string { return i18n.N("Sign in") }

// Skip implements Flow: only providers that sign in with OAuth have it.
func (s *SignIn) Skip(sess *Session) bool {
	return !sess.Provider().SignsInWithCode() || sess.Draft.NoOAuth
}

// PasswordAllowed reports whether the provider still takes a password
// (Microsoft 365 until it is turned off), so the user may skip OAuth.
func PasswordAllowed(p *smtp.Provider) bool { return !p.OAuthOnly() }

// Begin implements Flow.
func (s *SignIn) Begin(sess *Session) Outcome {
	s.s, s.diag = sess, nil
	d, pr := &sess.Draft, sess.Provider()
	d.Settings.Auth, d.Settings.Password, d.Settings.PasswordFile = smtp.AuthXOAUTH2, smtp.Secret{}, ""
	if d.SignedIn != nil && d.SignedIn.ClientID == pr.OAuth.Resolved(d.Settings.OAuthClientID, d.Settings.OAuthTenant).ClientID {
		s.state = signInDone
		return Outcome{}
	}
	if d.SignedIn == nil && d.SavedSignIn != "" && sess.Test.Token != nil {
		// The config's own sign-in: the live test logs in (and refreshes)
		// with it; r still signs in anew.
		s.state = signInDone
		return Outcome{}
	}
	if _, err := oauth.NewClient(pr, d.Settings); errors.Is(err, oauth.ErrNoClientID) {
		s.state, s.clientID = signInNeedsApp, d.Settings.OAuthClientID
		return Outcome{}
	}
	return s.start()
}

// start asks the provider for a device code.
func (s *SignIn) start() Outcome {
	client, err := oauth.NewClient(s.s.Provider(), s.s.Draft.Settings)
	if err != nil {
		s.state, s.diag, s.again = signInFailed, &smtp.Diagnosis{Title: s.s.Lang.T("Cannot sign in"), Detail: err.Error()}, true
		return Outcome{}
	}
	s.state, s.prompt = signInStarting, nil
	return Outcome{Work: func(ctx context.Context, _ func(smtp.Event)) any {
		p, err := client.Start(ctx)
		if err != nil {
			return err
		}
		return p
	}}
}

// Page implements Flow.
func (s *SignIn) Page() Page {
	pr, tr := s.s.Provider(), s.s.Lang
	switch s.state {
	case signInNeedsApp:
		o := pr.OAuth
		intro := []string{tr.Tf("%s issues sign-in tokens only to an app your organisation registered; smtpsetup has none of its own. An administrator registers one once:", pr.Name)}
		for i, st := range o.RegisterSteps {
			intro = append(intro, fmt.Sprintf("%d. %s", i+1, tr.T(st)))
		}
		if o.RegisterURL != "" {
			intro = append(intro, o.RegisterURL)
		}
		desc := tr.T("From the app registration's Overview page.")
		if PasswordAllowed(pr) {
			desc += " " + tr.Tf("Type - to log in with a password while %s still accepts one.", pr.Name)
		}
		return Page{Intro: intro, Fields: []Field{{
			Kind: TextField, Title: tr.T("Application (client) ID"), Description: desc,
			Placeholder: "00000000-0000-0000-0000-000000000000", Limit: 200, Value: &s.clientID,
			Check: func(v string) error {
				if strings.TrimSpace(v) == usePassword && PasswordAllowed(pr) {
					return nil
				}
				return smtp.CheckClientID(strings.TrimSpace(v))
			},
		}}}
	case signInStarting:
		return Page{Intro: []string{tr.Tf("Asking %s for a sign-in code...", pr.Name)}}
	case signInWaiting:
		p := s.prompt
		intro := []string{tr.Tf("On your phone or computer, open %s", p.VerificationURI), tr.Tf("and enter the code:  %s", p.UserCode)}
		if !p.Expires.IsZero() {
			intro = append(intro, tr.Tf("Waiting for you to sign in (the code expires at %s; Ctrl-C stops).", p.Expires.Local().Format("15:04")))
		}
		return Page{Intro: intro}
	case signInFailed:
		d := s.diag
		intro := []string{tr.Tf("Sign-in failed: %s", d.Title), d.Detail}
		if d.Fix != "" {
			intro = append(intro, tr.T("Fix:")+" "+d.Fix)
		}
		if d.Code != "" {
			intro = append(intro, tr.Tf("code %s", d.Code))
		}
		return Page{Intro: intro, Fields: []Field{{
			Kind: ConfirmField, Title: tr.T("Sign in again?"), Affirmative: tr.T("Sign in again"), Negative: tr.T("Back to the account"), Yes: &s.again,
		}}}
	}
	return Page{Intro: []string{tr.T("Signed in. The live test logs in with this sign-in; Save keeps it beside the config (mode 0600).")}}
}

// Submit implements Flow.
func (s *SignIn) Submit() Outcome {
	d := &s.s.Draft
	switch s.state {
	case signInNeedsApp:
		if strings.TrimSpace(s.clientID) == usePassword {
			return s.usePassword()
		}
		d.Settings.OAuthClientID = strings.TrimSpace(s.clientID)
		return s.start()
	case signInFailed:
		if !s.again {
			return Outcome{Action: Action{Kind: Goto, To: AccountStep}}
		}
		return s.start()
	case signInDone:
		return Outcome{Action: Action{Kind: Next}}
	}
	return Outcome{}
}

// usePassword leaves OAuth for a password, while the provider takes one.
func (s *SignIn) usePassword() Outcome {
	s.s.Draft.NoOAuth = true
	s.s.Draft.Settings.Auth = smtp.AuthAuto
	return Outcome{Action: Action{Kind: Goto, To: AccountStep}}
}

// Finish implements Flow: the code to show, then the token (nil when
// the user stopped the wait).
func (s *SignIn) Finish(result any) Outcome {
	switch r := result.(type) {
	case *oauth.Prompt:
		s.state, s.prompt = signInWaiting, r
		client, err := oauth.NewClient(s.s.Provider(), s.s.Draft.Settings)
		if err != nil {
			return s.fail(err)
		}
		return Outcome{Work: func(ctx context.Context, _ func(smtp.Event)) any {
			tok, err := client.Wait(ctx, r)
			if err != nil {
				return err
			}
			return tok
		}}
	case *oauth.Token:
		s.s.Draft.SignedIn = r
		s.state = signInDone
		s.s.Notes = append(s.s.Notes, s.s.Lang.T("Signed in. The live test logs in with this sign-in; Save keeps it beside the config (mode 0600)"))
		return Outcome{Action: Action{Kind: Next}}
	case error:
		return s.fail(r)
	}
	// Stopped (Esc): nothing was decided; offer another try.
	s.state, s.again, s.diag = signInFailed, true, &smtp.Diagnosis{Title: s.s.Lang.T("Stopped"), Detail: s.s.Lang.T("The sign-in was stopped before it finished.")}
	return Outcome{}
}

func (s *SignIn) fail(err error) Outcome {
	s.diag = smtp.DiagnoseIn(smtp.SignInError(s.s.Draft.Settings, err), s.s.Provider(), s.s.Lang)
	s.state, s.again = signInFailed, true
	return Outcome{}
}

// Leave implements Flow: keep a client id typed so far.
func (s *SignIn) Leave() {
	if s.state == signInNeedsApp && strings.TrimSpace(s.clientID) != usePassword {
		s.s.Draft.Settings.OAuthClientID = strings.TrimSpace(s.clientID)
	}
}

// key: ctrl+p chooses a password while the provider takes one; Esc while
// waiting stops the wait.
func (s *SignIn) key(c *Common, k tea.KeyPressMsg, working bool) (Outcome, bool) {
	switch {
	case key.Matches(k, c.Keys.Password) && PasswordAllowed(s.s.Provider()) && s.state != signInDone:
		o := s.usePassword()
		o.Stop = working
		return o, true
	case working && key.Matches(k, c.Keys.Cancel):
		return Outcome{Stop: true}, true
	case working:
		return Outcome{}, true
	case s.state == signInDone && key.Matches(k, c.Keys.Continue):
		return s.Submit(), true
	case s.state == signInDone && key.Matches(k, c.Keys.Retry):
		return s.start(), true
	}
	return Outcome{}, false
}

func (s *SignIn) keys(c *Common, working bool) []key.Binding {
	var out []key.Binding
	if working {
		out = append(out, as(c.Keys.Cancel, c.Lang.T("stop")))
	}
	if s.state == signInDone {
		out = append(out, c.Keys.Continue, as(c.Keys.Retry, c.Lang.T("sign in again")))
	}
	if PasswordAllowed(s.s.Provider()) && s.state != signInDone {
		out = append(out, c.Keys.Password)
	}
	return out
}

func (s *SignIn) capturing(working bool) bool { return working }

func (s *SignIn) view(c *Common, f frame) (string, bool) {
	st, tr := c.Styles, c.Lang
	pr := s.s.Provider()
	switch s.state {
	case signInNeedsApp:
		var intro []string
		for _, l := range s.Page().Intro {
			intro = append(intro, wrap(c, l))
		}
		qr := ""
		if u := pr.OAuth.RegisterURL; u != "" {
			qr = qrText(u, formWidth(c), bodyRows(c)-lipgloss.Height(strings.Join(intro, "\n"))-lipgloss.Height(trimBlankTail(f.form))-2)
		}
		return aboveForm(c, strings.Join(intro, "\n")+"\n"+qr, f.form), true
	case signInStarting:
		return f.spin + " " + wrap(c, tr.Tf("Asking %s for a sign-in code...", pr.Name)), true
	case signInWaiting:
		p := s.prompt
		var l strings.Builder
		l.WriteString(wrap(c, tr.T("On your phone or computer, open")) + "\n  " + st.Link.Hyperlink(p.VerificationURI).Render(p.VerificationURI) + "\n" + wrap(c, tr.T("and enter this code:")) + "\n\n")
		// The code in large type when the rows allow: 9 rows of text
		// besides it (address, code, the wait) and 6 for the large type.
		if bodyRows(c) >= 15 {
			l.WriteString(st.Title.Render(bigText(p.UserCode)) + "\n\n")
		}
		l.WriteString("  " + st.Title.Render(p.UserCode) + "\n")
		// The QR code beside the code: a phone's camera opens the address
		// (Microsoft's has no code in it, so the code is still typed).
		target := p.VerificationURI
		if p.CompleteURI != "" {
			target = p.CompleteURI
		}
		var b strings.Builder
		left := l.String()
		if qr := qrText(target, formWidth(c)-lipgloss.Width(left)-2, max(c.Height-6, 0)); qr != "" {
			b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", qr))
		} else {
			b.WriteString(left)
		}
		waiting := tr.T("Waiting for you to sign in. Esc stops.")
		if !p.Expires.IsZero() {
			d := max(time.Until(p.Expires).Round(time.Second), 0)
			waiting = tr.Tf("Waiting for you to sign in (code valid for %d:%02d). Esc stops.", int(d.Minutes()), int(d.Seconds())%60)
		}
		b.WriteString("\n" + wrap(c, f.spin+" "+waiting))
		return b.String(), true
	case signInFailed:
		d := s.diag
		var b strings.Builder
		b.WriteString(st.Error.Render("✗ "+d.Title) + "\n\n" + wrap(c, d.Detail) + "\n\n")
		if d.Fix != "" {
			b.WriteString(wrap(c, tr.T("Fix:")+" "+d.Fix) + "\n")
		}
		if d.Code != "" {
			b.WriteString(st.Subtle.Render(tr.Tf("code %s", d.Code)) + "\n")
		}
		return aboveForm(c, b.String(), f.form), true
	case signInDone:
		return wrap(c, st.Success.Render("✓ "+tr.T("Signed in."))+" "+tr.T("The live test logs in with this sign-in; Save keeps it beside the config (mode 0600).")), true
	}
	return "", false
}

// aboveForm puts text above a form. The form is where the user acts, so
// it always shows; the text gets the rows left and says when it was cut.
func aboveForm(c *Common, text, form string) string {
	form = trimBlankTail(form)
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if room := max(bodyRows(c)-lipgloss.Height(form)-1, 1); len(lines) > room {
		lines = append(lines[:room-1], c.Styles.Subtle.Render("… "+c.Lang.T("(a larger terminal shows the rest)")))
	}
	return strings.Join(lines, "\n") + "\n\n" + form
}

// trimBlankTail drops the blank lines at the end of a rendered view.
func trimBlankTail(v string) string {
	lines := strings.Split(v, "\n")
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// bigText draws a device code in a 5-row block font, readable across a
// room or over a shoulder; characters it has no glyph for are left out.
func bigText(code string) string {
	rows := make([]string, 5)
	for _, r := range strings.ToUpper(code) {
		g, ok := glyphs[r]
		if !ok {
			continue
		}
		for i := range rows {
			rows[i] += strings.ReplaceAll(g[i], "#", "█") + " "
		}
	}
	return strings.Join(rows, "\n")
}

// glyphs are 3x5: enough for the letters and digits of device codes.
var glyphs = map[rune][5]string{
	'0': {"###", "# #", "# #", "# #", "###"}, '1': {" # ", "## ", " # ", " # ", "###"},
	'2': {"###", "  #", "###", "#  ", "###"}, '3': {"###", "  #", " ##", "  #", "###"},
	'4': {"# #", "# #", "###", "  #", "  #"}, '5': {"###", "#  ", "###", "  #", "###"},
	'6': {"###", "#  ", "###", "# #", "###"}, '7': {"###", "  #", " # ", " # ", " # "},
	'8': {"###", "# #", "###", "# #", "###"}, '9': {"###", "# #", "###", "  #", "###"},
	'A': {" # ", "# #", "###", "# #", "# #"}, 'B': {"## ", "# #", "## ", "# #", "## "},
	'C': {" ##", "#  ", "#  ", "#  ", " ##"}, 'D': {"## ", "# #", "# #", "# #", "## "},
	'E': {"###", "#  ", "## ", "#  ", "###"}, 'F': {"###", "#  ", "## ", "#  ", "#  "},
	'G': {" ##", "#  ", "# #", "# #", " ##"}, 'H': {"# #", "# #", "###", "# #", "# #"},
	'I': {"###", " # ", " # ", " # ", "###"}, 'J': {"  #", "  #", "  #", "# #", " # "},
	'K': {"# #", "## ", "#  ", "## ", "# #"}, 'L': {"#  ", "#  ", "#  ", "#  ", "###"},
	'M': {"# #", "###", "###", "# #", "# #"}, 'N': {"## ", "# #", "# #", "# #", "# #"},
	'O': {" # ", "# #", "# #", "# #", " # "}, 'P': {"## ", "# #", "## ", "#  ", "#  "},
	'Q': {" # ", "# #", "# #", "## ", " ##"}, 'R': {"## ", "# #", "## ", "# #", "# #"},
	'S': {" ##", "#  ", " # ", "  #", "## "}, 'T': {"###", " # ", " # ", " # ", " # "},
	'U': {"# #", "# #", "# #", "# #", "###"}, 'V': {"# #", "# #", "# #", "# #", " # "},
	'W': {"# #", "# #", "###", "###", "# #"}, 'X': {"# #", "# #", " # ", "# #", "# #"},
	'Y': {"# #", "# #", " # ", " # ", " # "}, 'Z': {"###", "  #", " # ", "#  ", "###"},
	'-': {"   ", "   ", "###", "   ", "   "},
}
