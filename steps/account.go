package steps

import (
	"errors"
	"strings"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// Account is the step for who sends: the address, the login, the secret and
// the sender name. The login is prefilled the provider's way; the secret is
// masked, checked against the provider's shape before any connection, and
// never shown.
type Account struct {
	base
	s *Session

	how                          string // withLogin or noLogin
	address, login, secret, name string
	derived                      string // the login last derived from the address
	warned                       string // a secret already warned about: the same again keeps it
	focus                        smtp.Field
	use                          string // useRecommended (keep the account as filled) or useChange
	offerKeep                    bool   // the draft's account is complete: offer it as one choice
	// short: only the secret is asked; the address typed on the first
	// step and the login derived from it are shown, and the sender name
	// is left empty, until the user opens them (more).
	short, more bool
}

// The answers to "How does this machine log in?".
const (
	withLogin = "login"
	noLogin   = "none"
)

// Title implements Flow.
func (a *Account) Title() string { return i18n.N("Account") }

// Skip implements Flow.
func (a *Account) Skip(*Session) bool { return false }

// Begin implements Flow.
func (a *Account) Begin(s *Session) Outcome {
	a.s = s
	set := s.Draft.Settings
	a.address, a.login, a.secret, a.name = set.From, set.Username, set.Password.Reveal(), set.FromName
	if a.address == "" && strings.Contains(set.Username, "@") {
		a.address = set.Username
	}
	a.derived = s.Provider().LoginFor(a.address)
	a.how = withLogin
	if set.NoLogin() || set.Username == "" && s.Provider() != nil && s.Provider().HostHint != "" {
		a.how = noLogin // a connector relay has no login
	}
	a.focus = s.takeEditAt()
	// A complete account (an existing config, the demo) is one choice,
	// "Use ...", with Change for the fields; Edit after a failure opens
	// the fields.
	a.offerKeep = a.focus == smtp.FieldNone && !a.signsIn() && a.complete()
	a.use = useChange
	if a.offerKeep {
		a.use = useRecommended
	}
	a.short = !a.more && a.focus == smtp.FieldNone && !a.offerKeep && !s.Draft.Existing && a.shortFits()
	if a.short && a.login == "" {
		a.login = a.derived
	}
	return Outcome{}
}

// shortFits reports an account the first step already told: a catalogue
// provider, a valid address, the login the provider derives from it, no
// sender name, and a secret still to type. A choice of no login, a
// sign-in or another login opens every field.
func (a *Account) shortFits() bool {
	pr := a.s.Provider()
	if pr == nil || pr.ID == smtp.OtherID || pr.OffersNoLogin() || a.signsIn() || a.name != "" || a.derived == "" {
		return false
	}
	if smtp.ValidateAddress(i18n.N("e-mail address"), a.address) != nil || a.login != "" && a.login != a.derived {
		return false
	}
	return pr.NeedsSecret(a.derived, a.s.Draft.Settings.Auth)
}

// complete reports an account with nothing left to type: a valid address,
// and a login and secret unless it is a relay without one.
func (a *Account) complete() bool {
	if smtp.ValidateAddress(i18n.N("e-mail address"), a.address) != nil {
		return false
	}
	pr := a.s.Provider()
	return a.relay() || a.login != "" && (!pr.NeedsSecret(a.login, a.s.Draft.Settings.Auth) || a.secret != "")
}

// keepOrShort reports the address, login and name not asked: the
// account used as filled, or told by the first step.
func (a *Account) keepOrShort() bool { return a.keep() || a.short }

// keep reports the choice to use the account as filled.
func (a *Account) keep() bool { return a.use == useRecommended }

// summary is the filled account in one line.
func (a *Account) summary() string {
	tr := a.s.Lang
	addr := smtp.CleanLine(a.address)
	switch {
	case a.relay():
		return tr.Tf("%s (no login)", addr)
	case a.secret != "":
		return tr.Tf("%s (login %s, %s set)", addr, smtp.CleanLine(a.login), a.s.Provider().SecretNameIn(tr))
	}
	return tr.Tf("%s (login %s)", addr, smtp.CleanLine(a.login))
}

// relay reports the choice of no login.
func (a *Account) relay() bool { return a.how == noLogin }

// Page implements Flow.
func (a *Account) Page() Page {
	pr, tr := a.s.Provider(), a.s.Lang
	fields := []Field{
		{
			Kind: TextField, Title: tr.T("E-mail address"), Description: tr.T("The address the mail comes from (the sender the test checks)."),
			Placeholder: "nas@example.com", Limit: smtp.MaxAddressLen, Value: &a.address, Skip: a.keepOrShort,
			Check:   func(v string) error { return smtp.ValidateAddress(i18n.N("e-mail address"), v) },
			Changed: func(string) { a.prefillLogin() },
		},
		{
			Kind: TextField, Title: tr.T("Login"), Description: tr.Period(upperFirst(pr.LoginDescriptionIn(tr))),
			Limit: smtp.MaxUsernameLen, Value: &a.login, Check: checkLogin,
			Skip: func() bool { return a.keepOrShort() || a.relay() },
		},
		{
			Kind: SecretField, Title: pr.SecretLabelIn(tr), Description: secretHint(tr, pr),
			Limit: smtp.MaxSecretLen, Value: &a.secret, Check: a.checkSecret,
			Skip:    func() bool { return a.keep() || a.relay() || !pr.NeedsSecret(a.login, a.s.Draft.Settings.Auth) },
			Replace: a.focus == smtp.FieldSecret,
		},
		{
			Kind: TextField, Title: tr.T("Sender name"), Description: tr.T("Shown as the sender, e.g. \"Office NAS\". Optional."),
			Limit: smtp.MaxNameLen, Value: &a.name, Check: checkName, Skip: a.keepOrShort,
		},
	}
	if a.focus == smtp.FieldSecret {
		fields[2].Description = tr.T("The server refused it: type it again (typing replaces it).")
	}
	if a.signsIn() {
		// The next step signs in instead of asking for a password.
		fields = append(fields[:2], fields[3])
	}
	if pr.OffersNoLogin() {
		fields = append([]Field{{
			Kind: ChoiceField, Title: tr.T("How does this machine log in?"), Value: &a.how, Skip: a.keep,
			Options: []Option{
				{tr.T("With a login and password"), withLogin},
				{tr.T("No login (relay by address: the server trusts this machine's IP)"), noLogin},
			},
		}}, fields...)
	}
	if a.offerKeep {
		use := tr.Tf("Use %s", a.summary())
		if a.name != "" {
			use = tr.Tf("Use %s, sender name \"%s\"", a.summary(), smtp.CleanLine(a.name))
		}
		fields = append([]Field{{
			Kind: ChoiceField, Title: tr.T("Account"), Value: &a.use,
			Options: []Option{
				{use, useRecommended},
				{tr.T("Change the address, login, password or sender name"), useChange},
			},
		}}, fields...)
	}
	page := Page{Fields: fields}
	if a.short {
		page.Intro = []string{tr.Tf("Sending as %s, login %s.", smtp.CleanLine(a.address), smtp.CleanLine(a.login))}
		page.More = &More{
			Label: tr.T("Change the address, login or sender name"), Key: tr.T("change address, login, name"),
			Open: func() { a.short, a.more = false, true },
		}
	}
	for i, f := range fields {
		switch {
		case a.focus == smtp.FieldFrom && f.Value == &a.address, a.focus == smtp.FieldSecret && f.Value == &a.secret:
			page.Focus = i
		}
	}
	return page
}

// signsIn reports whether the Sign in step takes the secret's place.
func (a *Account) signsIn() bool {
	return a.s.Provider().SignsInWithCode() && !a.s.Draft.NoOAuth
}

func secretHint(tr *i18n.Printer, p *smtp.Provider) string {
	if p.Secret.ShapeHint != "" {
		return tr.Tf("Not your account password: %s. Hidden as you type.", tr.T(p.Secret.ShapeHint))
	}
	return tr.T("Hidden as you type; never shown or logged.")
}

func checkLogin(v string) error {
	if len(v) > smtp.MaxUsernameLen || strings.ContainsAny(v, "\r\n") {
		return smtp.FieldError{Field: i18n.N("login"), Problem: i18n.N("is too long or has a line break"), Fix: i18n.N("type only the login")}
	}
	return nil
}

func checkName(v string) error {
	if len(v) > smtp.MaxNameLen || strings.ContainsAny(v, "\r\n") {
		return smtp.FieldError{Field: i18n.N("sender name"), Problem: i18n.N("is too long or has a line break"), Fix: i18n.N("type a short name on one line")}
	}
	return nil
}

// checkSecret validates the secret and, when its shape is wrong for the
// provider, warns once: the same value submitted again is accepted, since a
// provider may change its format.
func (a *Account) checkSecret(v string) error {
	pr := a.s.Provider()
	if a.relay() || !pr.NeedsSecret(a.login, a.s.Draft.Settings.Auth) {
		return nil // no login: a relay that needs none
	}
	if v == "" {
		return errors.New(a.s.Lang.Tf("%s is empty: paste it here (it stays hidden)", pr.SecretNameIn(a.s.Lang)))
	}
	chk := pr.CheckSecretIn(v, a.s.Lang)
	if err := smtp.ValidateSecret(chk.Value); err != nil {
		return err
	}
	if chk.Warning != "" && a.warned != v {
		a.warned = v
		return Warning(a.s.Lang.Tf("%s. Press Enter again to use it anyway", chk.Warning))
	}
	return nil
}

// prefillLogin derives the login from the address, unless the user typed
// one of their own.
func (a *Account) prefillLogin() {
	if a.relay() {
		return // no login to derive
	}
	next := a.s.Provider().LoginFor(strings.TrimSpace(a.address))
	if a.login == "" || a.login == a.derived {
		a.login = next
	}
	a.derived = next
}

// Submit implements Flow: the account's answers go into the draft.
func (a *Account) Submit() Outcome {
	pr := a.s.Provider()
	set := &a.s.Draft.Settings
	set.From = strings.TrimSpace(a.address)
	set.Username = strings.TrimSpace(a.login)
	set.FromName = strings.TrimSpace(a.name)
	a.focus = smtp.FieldNone
	if a.relay() {
		*set = set.WithoutLogin() // never refilled from the address
		return Outcome{Action: Action{Kind: Next}}
	}
	if set.Auth == smtp.AuthNone {
		set.Auth = smtp.AuthAuto // the user chose to log in again
	}
	chk := pr.CheckSecretIn(a.secret, a.s.Lang)
	if !a.signsIn() {
		set.Password = smtp.NewSecret(chk.Value)
	}
	if set.Username == "" {
		set.Username = pr.LoginWith(set.From, chk.Value) // Postmark: the token is the login too
	}
	a.s.Notes = append(a.s.Notes, chk.Notes...)
	if pr.SenderRule != "" && set.From != "" && !strings.EqualFold(set.From, set.Username) {
		a.s.Notes = append(a.s.Notes, pr.Name+": "+a.s.Lang.T(pr.SenderRule))
	}
	return Outcome{Action: Action{Kind: Next}}
}

// Finish implements Flow: this step runs no work.
func (a *Account) Finish(any) Outcome { return Outcome{} }

// Leave implements Flow: keep what was typed, valid or not.
func (a *Account) Leave() {
	set := &a.s.Draft.Settings
	set.From, set.Username, set.FromName = a.address, a.login, a.name
	set.Password = smtp.NewSecret(a.secret)
	switch {
	case a.relay():
		set.Auth = smtp.AuthNone
	case set.Auth == smtp.AuthNone:
		set.Auth = smtp.AuthAuto
	}
}
