package steps

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"smtpsetup/smtp"
)

// Account is the step for who sends: the address, the login, the secret and
// the sender name. The login is prefilled the provider's way; the secret is
// masked, checked against the provider's shape before any connection, and
// never shown.
type Account struct {
	formStep
	d *Draft

	address, login, secret, name string
	derived                      string // the login last derived from the address
	warned                       string // a secret already warned about: Enter again keeps it
	note                         string // what was done to the secret, shown under the form

	addressIn, loginIn, secretIn *huh.Input
}

// Title implements Step.
func (a *Account) Title() string { return "Account" }

// Skip implements Step.
func (a *Account) Skip(*Draft) bool { return false }

// Enter implements Step.
func (a *Account) Enter(d *Draft, c *Common) tea.Cmd {
	a.d = d
	s := d.Settings
	a.address, a.login, a.secret, a.name = s.From, s.Username, s.Password.Reveal(), s.FromName
	if a.address == "" && strings.Contains(s.Username, "@") {
		a.address = s.Username
	}
	a.derived = d.Provider.LoginFor(a.address)
	label := d.Provider.SecretLabel()

	a.addressIn = huh.NewInput().Title("E-mail address").
		Description("The address the mail comes from.").
		Placeholder("nas@example.com").CharLimit(smtp.MaxAddressLen).
		Validate(func(v string) error { return plain(smtp.ValidateAddress("e-mail address", v)) }).
		Value(&a.address)
	a.loginIn = huh.NewInput().Title("Login").
		Description(upperFirst(d.Provider.LoginDescription()) + ".").
		CharLimit(smtp.MaxUsernameLen).
		Value(&a.login)
	a.secretIn = huh.NewInput().Title(label).
		Description(secretHint(d.Provider)).
		EchoMode(huh.EchoModePassword).CharLimit(smtp.MaxSecretLen).
		Validate(a.checkSecret).
		Value(&a.secret)
	nameIn := huh.NewInput().Title("Sender name").
		Description("Shown as the sender, e.g. \"Office NAS\". Optional.").
		CharLimit(smtp.MaxNameLen).
		Validate(func(v string) error {
			if strings.ContainsAny(v, "\r\n") {
				return errors.New("sender name: use one line")
			}
			return nil
		}).
		Value(&a.name)
	if d.Provider.SignsInWithCode() && !d.NoOAuth {
		// The next step signs in instead of asking for a password.
		return a.newForm(c, a.addressIn, a.loginIn, nameIn)
	}
	return a.newForm(c, a.addressIn, a.loginIn, a.secretIn, nameIn)
}

func secretHint(p *smtp.Provider) string {
	if p.Secret.ShapeHint != "" {
		return "Not your account password: " + p.Secret.ShapeHint + ". Hidden as you type."
	}
	return "Hidden as you type; never shown or logged."
}

// plain turns a FieldError into the sentence a form shows under a field.
func plain(err error) error {
	var fe smtp.FieldError
	if errors.As(err, &fe) {
		return errors.New(fe.Field + " " + fe.Problem + ": " + fe.Fix)
	}
	return err
}

// checkSecret validates the secret and, when its shape is wrong for the
// provider, warns once: the same value submitted again is accepted, since a
// provider may change its format.
func (a *Account) checkSecret(v string) error {
	relay := strings.TrimSpace(a.login) == "" && a.d.Provider.Login != smtp.LoginSecret
	if a.d.Settings.Auth == smtp.AuthNone || relay {
		return nil // no login: a relay that needs none
	}
	if v == "" {
		return errors.New(strings.ToLower(a.d.Provider.SecretLabel()) + " is empty: paste it here (it stays hidden)")
	}
	chk := a.d.Provider.CheckSecret(v)
	if err := smtp.ValidateSecret(chk.Value); err != nil {
		return plain(err)
	}
	if chk.Warning != "" && a.warned != v {
		a.warned = v
		return errors.New(chk.Warning + ". Press Enter again to use it anyway")
	}
	return nil
}

// Update implements Step.
func (a *Account) Update(msg tea.Msg) (Action, tea.Cmd) {
	if p, ok := msg.(tea.PasteMsg); ok && a.form.GetFocusedField() == a.secretIn {
		// Copying a password often takes its line break too; the text
		// input would turn it into an invisible trailing space.
		if t := strings.TrimRight(p.Content, "\r\n"); t != p.Content {
			p.Content = t
			a.note = "Removed the line break at the end of the paste."
			msg = p
		}
	}
	before := a.form.GetFocusedField()
	done, cmd := a.update(msg)
	if before == a.addressIn && a.form.GetFocusedField() != a.addressIn {
		a.prefillLogin()
	}
	if !done {
		return Action{}, cmd
	}
	a.store()
	return Action{Kind: Next}, nil
}

// prefillLogin derives the login from the address, unless the user typed
// one of their own.
func (a *Account) prefillLogin() {
	next := a.d.Provider.LoginFor(strings.TrimSpace(a.address))
	if a.login == "" || a.login == a.derived {
		a.login = next
		a.loginIn.Value(&a.login)
	}
	a.derived = next
}

func (a *Account) store() {
	s := &a.d.Settings
	s.From = strings.TrimSpace(a.address)
	s.Username = strings.TrimSpace(a.login)
	s.FromName = strings.TrimSpace(a.name)
	chk := a.d.Provider.CheckSecret(a.secret)
	if !a.d.Provider.SignsInWithCode() || a.d.NoOAuth {
		s.Password = smtp.NewSecret(chk.Value)
	}
	if s.Username == "" {
		// Postmark: the token is the login too.
		s.Username = a.d.Provider.LoginWith(s.From, chk.Value)
	}
	a.d.Notes = append(a.d.Notes, chk.Notes...)
	if p := a.d.Provider; p.SenderRule != "" && s.From != "" && !strings.EqualFold(s.From, s.Username) {
		a.d.Notes = append(a.d.Notes, p.Name+": "+p.SenderRule)
	}
}

// Leave implements Step: keep what was typed, valid or not.
func (a *Account) Leave() {
	if a.form == nil {
		return
	}
	if f := a.form.GetFocusedField(); f != nil {
		f.Blur()
	}
	s := &a.d.Settings
	s.From, s.Username, s.FromName = a.address, a.login, a.name
	s.Password = smtp.NewSecret(a.secret)
}

// View implements Step.
func (a *Account) View() string {
	v := a.view()
	if a.note != "" {
		v += "\n" + a.c.Styles.Subtle.Render(a.note)
	}
	return v
}

// Keys implements Step.
func (a *Account) Keys() []key.Binding { return a.keys() }

// Capturing implements Step.
func (a *Account) Capturing() bool { return false }

// Typing implements Step.
func (a *Account) Typing() bool { return a.typing() }

// upperFirst capitalises a phrase to start a sentence.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
