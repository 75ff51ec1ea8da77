// Package steps holds the wizard's steps, one file each. A step is built
// from the session, asks its questions as a Page of Fields, and hands back
// an Outcome: an Action for the wizard, or slow Work to run first. Two
// renderers draw the same steps: the screens (a huh form per page, package
// wizard) and the plain line mode (numbered questions, wizard/linemode.go).
// The rules live here and in package smtp, never in a renderer. Steps never
// call each other; the wizard owns navigation.
package steps

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"smtpsetup/config"
	"smtpsetup/detect"
	"smtpsetup/i18n"
	"smtpsetup/oauth"
	"smtpsetup/smtp"
	"smtpsetup/theme"
)

// ID names a step.
type ID int

// The steps, in the order the wizard shows them.
const (
	ProviderStep ID = iota
	PrerequisitesStep
	AccountStep
	SignInStep // only for providers with an oauth block
	SecurityStep
	TestStep
	SaveStep
)

func (id ID) String() string {
	return [...]string{"provider", "prerequisites", "account", "signin", "security", "test", "save"}[id]
}

// ActionKind is what a step asks the wizard to do.
type ActionKind int

// The actions a step can hand back.
const (
	Stay ActionKind = iota
	Next
	Back
	Goto
	Quit // leave the wizard; a confirmation is the wizard's job
	Done // the work is finished: exit with success
)

func (k ActionKind) String() string {
	return [...]string{"stay", "next", "back", "goto", "quit", "done"}[k]
}

// Action is a step's answer to a message.
type Action struct {
	Kind ActionKind
	To   ID // for Goto
}

// Env is what the steps read and never change: the catalogue and the
// options of the slow work.
type Env struct {
	// Catalogue is the provider catalogue; when nil, LoadCatalogue gives
	// it on first use (Session.Cat), so a first run need not wait for it.
	Catalogue     *smtp.Catalogue
	LoadCatalogue func() *smtp.Catalogue
	ConfigPath    string         // where to save unless the user says otherwise
	Test          smtp.Options   // options of the live test (timeout, extra roots for --demo)
	Detect        detect.Options // network hooks for detection from the address
	Demo          bool           // the built-in demo server, which stops when the wizard ends
	Lang          *i18n.Printer  // the language every page speaks; nil is English
}

// Draft is the value the steps edit. The provider is Settings.Provider, an
// id looked up in the catalogue: held once.
type Draft struct {
	Settings smtp.Settings
	Existing bool         // Settings came from an existing config file
	SignedIn *oauth.Token // an OAuth sign-in, kept in memory until Save writes it
	NoOAuth  bool         // the user chose a password over the provider's OAuth sign-in
	// SavedSignIn is the token file of the config these settings came from,
	// when it holds an OAuth sign-in: changing other settings keeps it
	// rather than asking for a new sign-in on the phone.
	SavedSignIn string
	// CAPEM is a CA to trust that is not yet a file (the demo server's):
	// the test trusts it from memory, and Save writes it beside the config.
	CAPEM      []byte
	CAFileName string // its name beside the config
}

// SaveCA writes the draft's in-memory CA beside the config at path and
// names it in set, before the config is written; undo removes it again if
// the config then fails, so a failed save leaves nothing behind. Nothing
// to do without one.
func (d *Draft) SaveCA(tr *i18n.Printer, path string, set *smtp.Settings) (undo func(), err error) {
	if len(d.CAPEM) == 0 || set.CAFile != "" {
		return func() {}, nil
	}
	file := filepath.Join(filepath.Dir(path), cmp.Or(d.CAFileName, "ca.pem"))
	old, readErr := os.ReadFile(file)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(file, d.CAPEM, 0o644); err != nil {
		return nil, fmt.Errorf(tr.T("writing the CA file %s: %w"), file, err)
	}
	set.CAFile = file
	return func() {
		if readErr != nil {
			os.Remove(file)
		} else {
			os.WriteFile(file, old, 0o644)
		}
	}, nil
}

// UseProvider switches the draft to provider p (smtp.Settings.Use); a
// sign-in belongs to the provider it was made with, so a new provider
// drops it.
func (d *Draft) UseProvider(p *smtp.Provider) {
	if d.Settings.Provider != p.ID {
		d.SignedIn, d.NoOAuth, d.SavedSignIn = nil, false, ""
	}
	d.Settings.Use(p)
}

// SaveSignIn writes the draft's OAuth token beside the config at path,
// before the config itself: a config naming OAuth without its token would
// only say "not signed in". Nothing to do without a sign-in.
func (d *Draft) SaveSignIn(path string) error {
	if d.Settings.Auth != smtp.AuthXOAUTH2 {
		return nil
	}
	dest := config.TokenPath(path)
	if d.SignedIn == nil && d.SavedSignIn != "" && d.SavedSignIn != dest {
		// The saved sign-in follows the config to its new path: the file
		// as it is now (a refresh may have rotated it during the test).
		tok, err := oauth.Load(config.TokenFile(d.SavedSignIn))
		if err != nil {
			return err
		}
		return oauth.Save(config.TokenFile(dest), tok)
	}
	if d.SignedIn == nil {
		return nil
	}
	return oauth.Save(config.TokenFile(dest), d.SignedIn)
}

// testOptions are the live test's options for this session: the sign-in
// made in this run, if any, logs in (from memory: nothing is written
// before Save).
func (s *Session) testOptions() smtp.Options {
	opts := s.Test
	opts.Provider = s.Provider()
	opts.Tried = append(opts.Tried, s.Results.Tried...)
	if tok := s.Draft.SignedIn; tok != nil {
		opts.Token = func(context.Context) (smtp.Secret, error) { return smtp.NewSecret(tok.AccessToken), nil }
	}
	return opts
}

// Results is what the run produced.
type Results struct {
	Report *smtp.Report   // the last test, nil before one ran
	Tried  []smtp.Attempt // settings that failed, never suggested again
	Saved  *config.SaveResult
}

// Session is one run of the wizard: what it reads, what it edits, what it
// produced. One Session lives for the whole run.
type Session struct {
	Env
	Draft   Draft
	Results Results

	// Notes are short messages for the next page, such as "removed the
	// spaces from the App Password".
	Notes []string

	// EditAt is the field the next page starts at, set by "Edit" after a
	// failed test (smtp.Diagnosis.EditField) and taken by the step that
	// holds the field.
	EditAt smtp.Field
}

// takeEditAt returns the field to start at and forgets it.
func (s *Session) takeEditAt() smtp.Field {
	f := s.EditAt
	s.EditAt = smtp.FieldNone
	return f
}

// NewSession starts a run on a catalogue, with an empty draft.
func NewSession(env Env) *Session {
	return &Session{Env: env, Draft: Draft{Settings: smtp.Settings{Auth: smtp.AuthAuto}}}
}

// Cat is the catalogue, loaded on first use.
func (s *Session) Cat() *smtp.Catalogue {
	if s.Catalogue == nil && s.LoadCatalogue != nil {
		s.Catalogue = s.LoadCatalogue()
	}
	return s.Catalogue
}

// Provider is the draft's catalogue entry: "Other server" for an id this
// catalogue lacks, nil before one is chosen.
func (s *Session) Provider() *smtp.Provider {
	id := s.Draft.Settings.Provider
	if id == "" {
		return nil
	}
	if p, ok := s.Cat().ByID(id); ok {
		return p
	}
	p, _ := s.Cat().ByID(smtp.OtherID)
	return p
}

// Flow is the part of a step both renderers drive: begin, ask the page,
// submit the answers, run the work, finish it.
type Flow interface {
	// Title is the step's name in the header.
	Title() string
	// Skip reports whether the step has nothing to ask in this session.
	Skip(s *Session) bool
	// Begin loads the step from the session; it runs each time the step
	// becomes current, so values typed earlier come back.
	Begin(s *Session) Outcome
	// Page is what the step shows and asks now.
	Page() Page
	// Submit takes the page's answers, each accepted by its Check.
	Submit() Outcome
	// Finish takes the result of the Outcome's Work.
	Finish(result any) Outcome
	// Leave writes what was typed back to the draft when the user goes
	// back, without validating it, so nothing typed is lost.
	Leave()
}

// Step is a Flow with its screen: what the wizard draws and which keys it
// handles. screen.go implements it once for every step.
type Step interface {
	Flow
	// Enter begins the step on the screen.
	Enter(ctx context.Context, s *Session, c *Common) tea.Cmd
	// Update handles a message while the step is current.
	Update(ctx context.Context, msg tea.Msg) (Action, tea.Cmd)
	// View draws the step's body for the current size.
	View() string
	// Keys lists the keys the step handles now, for the footer and ?.
	Keys() []key.Binding
	// Capturing reports whether the step uses Esc itself right now (a
	// filter being typed, a test running), so the wizard must not treat it
	// as Back.
	Capturing() bool
	// Typing reports whether a text field has the focus, so that keys
	// such as ? are text, not commands.
	Typing() bool
	// Cancel stops the step's running work, if any.
	Cancel()
}

// Common is what every step's screen shares: the size of the terminal, the
// look, the language and the keys (their help in that language).
type Common struct {
	Width, Height int
	Styles        *theme.Styles
	Lang          *i18n.Printer // nil is English
	Keys          *KeyMap
	// Rows is the body's rows between the header and the footer, set by
	// the wizard before each View: a long language's footer can take a
	// fourth line. 0 when unknown.
	Rows int
}

// bodyRows is the rows a step's view gets: the terminal less the wizard's
// header (2 rows) and a footer of up to 3 (at 60 columns), or fewer when
// the footer takes more.
func bodyRows(c *Common) int {
	if c.Rows > 0 {
		return min(c.Height-5, c.Rows)
	}
	return c.Height - 5
}

// NewCommon is the shared context for a screen of w×h cells speaking tr's
// language.
func NewCommon(w, h int, st *theme.Styles, tr *i18n.Printer) *Common {
	return &Common{Width: w, Height: h, Styles: st, Lang: tr, Keys: NewKeyMap(tr)}
}

// All returns the steps in order.
func All() []Step {
	return []Step{
		onScreen(&Provider{}), onScreen(&Prerequisites{}), onScreen(&Account{}), onScreen(&SignIn{}),
		onScreen(&Security{}), onScreen(&Test{}), onScreen(&Save{}),
	}
}

// Position is the place of step cur among the steps this session goes
// through, counting from 1, and how many there are: Sign in appears only
// for OAuth providers, so the header says "Step 4 of 6" or "of 7".
func Position[F Flow](all []F, s *Session, cur int) (n, total int) {
	for i, st := range all {
		if st.Skip(s) {
			continue
		}
		total++
		if i <= cur {
			n++
		}
	}
	return n, total
}

// Flows returns the steps in order for a renderer without screens.
func Flows() []Flow {
	return []Flow{&Provider{}, &Prerequisites{}, &Account{}, &SignIn{}, &Security{}, &Test{}, &Save{}}
}
