package smtp

// A relay by address (an office relay, Google Workspace's SMTP relay
// service by IP) takes mail without a login. Such settings say so with
// auth none; one rule, here, keeps every path from refilling the login
// from the address, which would make the test try AUTH the relay never
// offers.

// NoLogin reports settings that do not log in.
func (s Settings) NoLogin() bool { return s.Auth == AuthNone }

// WithoutLogin returns s set not to log in: auth none, and no login or
// secret left to be saved or exported.
func (s Settings) WithoutLogin() Settings {
	s.Auth, s.Username, s.Password, s.PasswordFile = AuthNone, "", Secret{}, ""
	return s
}

// FillLogin derives an empty login from the From address by the provider's
// rule (the secret is needed for providers whose login is the secret). It
// leaves settings that do not log in, or already have a login, as they are.
func (s *Settings) FillLogin(p *Provider) {
	if p == nil || s.NoLogin() || s.Username != "" || s.From == "" {
		return
	}
	s.Username = p.LoginWith(s.From, s.Password.Reveal())
}
