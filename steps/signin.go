package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"smtpsetup/config"
	"smtpsetup/oauth"
	"smtpsetup/smtp"
)

// SignIn replaces the password for a provider with an oauth block: the
// device code in large type, where to type it (text, a link, a QR code), a
// countdown and a spinner while the user signs in on a phone or PC. The
// token lives in the draft until Save writes it beside the config; the
// live test logs in with it over XOAUTH2. Esc cancels and goes back.
type SignIn struct {
	formStep
	d *Draft

	state    signInState
	clientID string // typed when the catalogue and config have none
	run      int
	cancel   context.CancelFunc
	prompt   *oauth.Prompt
	diag     *smtp.Diagnosis
	spin     spinner.Model
	now      time.Time
}

type signInState int

const (
	signInNeedsApp signInState = iota // no client id: explain, ask for one
	signInStarting                    // asking the provider for a code
	signInWaiting                     // the code is shown; polling
	signInFailed                      // the diagnosis is shown; Enter tries again
	signInDone                        // signed in; Enter goes on
)

type (
	signInStartedMsg struct {
		run    int
		prompt *oauth.Prompt
		err    error
	}
	signInDoneMsg struct {
		run int
		tok *oauth.Token
		err error
	}
	signInTickMsg struct{ run int }
)

// SaveSignIn writes the draft's OAuth token beside the config at path,
// before the config itself: a config naming OAuth without its token would
// only say "not signed in". Nothing to do without a sign-in.
func (d *Draft) SaveSignIn(path string) error {
	if d.SignedIn == nil || d.Settings.Auth != smtp.AuthXOAUTH2 {
		return nil
	}
	return oauth.Save(config.TokenFile(config.TokenPath(path)), d.SignedIn)
}

// Title implements Step.
func (s *SignIn) Title() string { return "Sign in" }

// Skip implements Step: only providers that sign in with OAuth have it.
func (s *SignIn) Skip(d *Draft) bool {
	return !d.Provider.SignsInWithCode() || d.NoOAuth
}

// PasswordAllowed reports whether the provider still takes a password
// (Microsoft 365 until it is turned off), so the user may skip OAuth.
func PasswordAllowed(p *smtp.Provider) bool { return p.Secret.Kind != smtp.SecretOAuth }

// Enter implements Step.
func (s *SignIn) Enter(d *Draft, c *Common) tea.Cmd {
	s.d, s.c, s.diag = d, c, nil
	s.spin = spinner.New(spinner.WithSpinner(spinner.Dot))
	d.Settings.Auth, d.Settings.Password, d.Settings.PasswordFile = smtp.AuthXOAUTH2, smtp.Secret{}, ""
	if d.SignedIn != nil && d.SignedIn.ClientID == d.Provider.OAuth.Resolved(d.Settings.OAuthClientID, d.Settings.OAuthTenant).ClientID {
		s.state = signInDone
		return nil
	}
	if _, err := oauth.NewClient(d.Provider, d.Settings); errors.Is(err, oauth.ErrNoClientID) {
		s.state = signInNeedsApp
		s.clientID = d.Settings.OAuthClientID
		in := huh.NewInput().Title("Application (client) ID").
			Description("From the app registration's Overview page.").
			Placeholder("00000000-0000-0000-0000-000000000000").CharLimit(200).
			Validate(func(v string) error { return plain(smtp.CheckClientID(strings.TrimSpace(v))) }).
			Value(&s.clientID)
		return s.newForm(c, in)
	}
	return s.start()
}

// start asks the provider for a device code.
func (s *SignIn) start() tea.Cmd {
	s.stop()
	client, err := oauth.NewClient(s.d.Provider, s.d.Settings)
	if err != nil {
		s.state, s.diag = signInFailed, &smtp.Diagnosis{Title: "Cannot sign in", Detail: err.Error()}
		return nil
	}
	s.run++
	run := s.run
	ctx, cancel := context.WithCancel(s.d.Ctx)
	s.cancel = cancel
	s.state, s.prompt = signInStarting, nil
	return tea.Batch(s.spin.Tick, func() tea.Msg {
		p, err := client.Start(ctx)
		if err != nil {
			return signInStartedMsg{run: run, err: err}
		}
		return signInStartedMsg{run: run, prompt: p}
	})
}

func (s *SignIn) wait(p *oauth.Prompt) tea.Cmd {
	client, _ := oauth.NewClient(s.d.Provider, s.d.Settings)
	run := s.run
	cancelCtx, cancel := context.WithCancel(s.d.Ctx)
	prev := s.cancel
	s.cancel = func() { cancel(); prev() }
	return func() tea.Msg {
		tok, err := client.Wait(cancelCtx, p)
		return signInDoneMsg{run: run, tok: tok, err: err}
	}
}

func (s *SignIn) stop() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

func tick(run int) tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return signInTickMsg{run} })
}

// Update implements Step.
func (s *SignIn) Update(msg tea.Msg) (Action, tea.Cmd) {
	switch msg := msg.(type) {
	case signInStartedMsg:
		if msg.run != s.run {
			return Action{}, nil
		}
		if msg.err != nil {
			return s.fail(msg.err)
		}
		s.state, s.prompt, s.now = signInWaiting, msg.prompt, time.Now()
		return Action{}, tea.Batch(s.wait(msg.prompt), tick(s.run))
	case signInDoneMsg:
		if msg.run != s.run {
			return Action{}, nil
		}
		if msg.err != nil {
			if errors.Is(msg.err, context.Canceled) {
				return Action{}, nil
			}
			return s.fail(msg.err)
		}
		s.stop()
		s.d.SignedIn = msg.tok
		s.useToken()
		s.state = signInDone
		return Action{Kind: Next}, nil
	case signInTickMsg:
		if msg.run == s.run && s.state == signInWaiting {
			s.now = time.Now()
			return Action{}, tick(s.run)
		}
		return Action{}, nil
	case spinner.TickMsg:
		if s.state == signInStarting || s.state == signInWaiting {
			var cmd tea.Cmd
			s.spin, cmd = s.spin.Update(msg)
			return Action{}, cmd
		}
		return Action{}, nil
	case tea.KeyPressMsg:
		if key.Matches(msg, signInKeys.password) && PasswordAllowed(s.d.Provider) && s.state != signInDone {
			s.stop()
			s.run++
			s.d.NoOAuth = true
			s.d.Settings.Auth = smtp.AuthAuto
			return Action{Kind: Goto, To: AccountStep}, nil
		}
		if s.state == signInNeedsApp {
			break
		}
		if key.Matches(msg, signInKeys.retry) && (s.state == signInFailed || s.state == signInDone) {
			if s.state == signInDone && msg.String() == "enter" {
				return Action{Kind: Next}, nil
			}
			return Action{}, s.start()
		}
		return Action{}, nil
	}
	if s.state == signInNeedsApp {
		done, cmd := s.update(msg)
		if !done {
			return Action{}, cmd
		}
		s.d.Settings.OAuthClientID = strings.TrimSpace(s.clientID)
		return Action{}, s.start()
	}
	return Action{}, nil
}

// useToken hands the token to the live test, from memory: nothing is
// written before Save.
func (s *SignIn) useToken() {
	tok := s.d.SignedIn
	s.d.Test.Token = func(context.Context) (smtp.Secret, error) {
		return smtp.NewSecret(tok.AccessToken), nil
	}
}

func (s *SignIn) fail(err error) (Action, tea.Cmd) {
	s.stop()
	s.diag = smtp.Diagnose(smtp.SignInError(s.d.Settings, err), s.d.Provider)
	s.state = signInFailed
	return Action{}, nil
}

// Leave implements Step: Esc cancels a sign-in in progress.
func (s *SignIn) Leave() {
	s.stop()
	s.run++
	if s.state == signInNeedsApp {
		s.d.Settings.OAuthClientID = strings.TrimSpace(s.clientID)
	}
}

var signInKeys = struct{ retry, password key.Binding }{
	retry:    key.NewBinding(key.WithKeys("enter", "r"), key.WithHelp("enter", "sign in again")),
	password: key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "use a password instead")),
}

// Keys implements Step.
func (s *SignIn) Keys() []key.Binding {
	keys := s.stateKeys()
	if PasswordAllowed(s.d.Provider) && s.state != signInDone {
		keys = append(keys, signInKeys.password)
	}
	return keys
}

func (s *SignIn) stateKeys() []key.Binding {
	switch s.state {
	case signInNeedsApp:
		return s.keys()
	case signInFailed:
		return []key.Binding{signInKeys.retry}
	case signInDone:
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
			key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "sign in again")),
		}
	}
	return nil // the wizard's own "esc back" cancels the sign-in
}

// Capturing implements Step.
func (s *SignIn) Capturing() bool { return false }

// Typing implements Step.
func (s *SignIn) Typing() bool { return s.state == signInNeedsApp && s.typing() }

// View implements Step.
func (s *SignIn) View() string {
	st := s.c.Styles
	var b strings.Builder
	switch s.state {
	case signInNeedsApp:
		o := s.d.Provider.OAuth
		b.WriteString(wrap(s.c, s.d.Provider.Name+" issues sign-in tokens only to an app your organisation registered; smtpsetup has none of its own. An administrator registers one once:") + "\n")
		for i, st := range o.RegisterSteps {
			b.WriteString(wrap(s.c, fmt.Sprintf("%d. %s", i+1, st)) + "\n")
		}
		if o.RegisterURL != "" {
			b.WriteString(st.Link.Hyperlink(o.RegisterURL).Render(o.RegisterURL) + "\n")
			if qr := qrText(o.RegisterURL, formWidth(s.c), max(s.c.Height-18, 0)); qr != "" {
				b.WriteString(qr)
			}
		}
		// huh pads the form to its full height; below the prose only
		// its lines count.
		b.WriteString("\n" + trimBlankTail(s.view()))
		if PasswordAllowed(s.d.Provider) {
			b.WriteString("\n" + st.Subtle.Render(wrap(s.c, "Or press Ctrl-P to log in with a password while "+s.d.Provider.Name+" still accepts one.")))
		}
	case signInStarting:
		b.WriteString(s.spin.View() + " Asking " + s.d.Provider.Name + " for a sign-in code...")
	case signInWaiting:
		p := s.prompt
		var l strings.Builder
		l.WriteString("On your phone or computer, open\n  " + st.Link.Hyperlink(p.VerificationURI).Render(p.VerificationURI) + "\nand enter this code:\n\n")
		l.WriteString(st.Title.Render(bigText(p.UserCode)) + "\n\n")
		l.WriteString("  " + st.Title.Render(p.UserCode) + "\n")
		// The QR code beside the code: a phone's camera opens the address
		// (Microsoft's has no code in it, so the code is still typed).
		target := p.VerificationURI
		if p.CompleteURI != "" {
			target = p.CompleteURI
		}
		left := l.String()
		if qr := qrText(target, formWidth(s.c)-lipgloss.Width(left)-2, max(s.c.Height-6, 0)); qr != "" {
			b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", qr))
		} else {
			b.WriteString(left)
		}
		b.WriteString("\n")
		remaining := ""
		if !p.Expires.IsZero() {
			d := max(p.Expires.Sub(s.now).Round(time.Second), 0)
			remaining = fmt.Sprintf(" (code valid for %d:%02d)", int(d.Minutes()), int(d.Seconds())%60)
		}
		b.WriteString(s.spin.View() + " Waiting for you to sign in" + remaining + ". Esc cancels.")
	case signInFailed:
		d := s.diag
		b.WriteString(st.Error.Render("✗ "+d.Title) + "\n\n")
		b.WriteString(wrap(s.c, d.Detail) + "\n\n")
		if d.Fix != "" {
			b.WriteString(wrap(s.c, "Fix: "+d.Fix) + "\n")
		}
		if d.Code != "" {
			b.WriteString(st.Subtle.Render("code "+d.Code) + "\n")
		}
	case signInDone:
		b.WriteString(st.Success.Render("✓ Signed in.") + " The live test logs in with this sign-in; Save keeps it beside the config (mode 0600).")
	}
	return b.String()
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

// trimBlankTail drops the blank lines at the end of a rendered view.
func trimBlankTail(v string) string {
	lines := strings.Split(v, "\n")
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}
