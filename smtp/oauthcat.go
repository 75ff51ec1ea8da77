package smtp

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"smtpsetup/i18n"
)

// OAuth is a catalogue entry's OAuth 2.0 sign-in: the device authorization
// grant (RFC 8628) endpoints, the public client to sign in as, the scopes the
// SMTP login needs and the SASL mechanism that carries the token. It is
// data, so an appliance vendor ships its own registered app with
// --providers FILE.
type OAuth struct {
	// Flow is how the user signs in: "device" (the default: a code typed
	// on a phone or PC, RFC 8628) or "authcode" (a browser anywhere signs
	// in and the user pastes back the loopback address it ended on, for
	// providers whose device grant excludes mail, such as Gmail).
	Flow                   string   `yaml:"flow,omitempty" json:"flow,omitempty"`
	AuthorizationURL       string   `yaml:"authorization_url,omitempty" json:"authorization_url,omitempty"` // authcode
	RedirectURL            string   `yaml:"redirect_url,omitempty" json:"redirect_url,omitempty"`           // authcode: a loopback address registered for the app
	ClientSecret           string   `yaml:"client_secret,omitempty" json:"-"`                               // authcode: an installed app's, which Google does not treat as secret; never for device
	DeviceAuthorizationURL string   `yaml:"device_authorization_url,omitempty" json:"device_authorization_url,omitempty"`
	TokenURL               string   `yaml:"token_url" json:"token_url"`
	ClientID               string   `yaml:"client_id,omitempty" json:"client_id,omitempty"` // empty in the built-in catalogue: we have no app of our own to ship
	Tenant                 string   `yaml:"tenant,omitempty" json:"tenant,omitempty"`       // replaces {tenant} in the URLs
	Scopes                 []string `yaml:"scopes" json:"scopes"`
	Mechanism              string   `yaml:"mechanism" json:"mechanism"` // the SASL mechanism: xoauth2
	// RefreshDays is how long a refresh token lives unused; Microsoft's last
	// 90 days and are replaced on every use. 0 means unknown.
	RefreshDays int `yaml:"refresh_days,omitempty" json:"refresh_days,omitempty"`
	// RegisterURL is where an administrator registers the public client,
	// and RegisterSteps how, shown when no client id is known.
	RegisterURL   string   `yaml:"register_url,omitempty" json:"register_url,omitempty"`
	RegisterSteps []string `yaml:"register_steps,omitempty" json:"register_steps,omitempty"`
}

// The sign-in flows an oauth block may name.
const (
	FlowDevice   = "device"
	FlowAuthCode = "authcode"
)

// SignsInWithCode reports whether the provider's sign-in is the device
// code the wizard shows (its Sign in step replaces the password); an
// authcode sign-in is only offered by smtpsetup login.
func (p *Provider) SignsInWithCode() bool {
	return p != nil && p.OAuth != nil && (p.OAuth.Flow == "" || p.OAuth.Flow == FlowDevice)
}

// OAuthMechanisms lists the SASL mechanisms an oauth block may name.
var OAuthMechanisms = []string{string(AuthXOAUTH2)}

// check refuses endpoints a token could leak through: only https, or http
// to this machine (a local identity provider, the tests').
func (o *OAuth) check() error {
	urls := []struct{ name, v string }{
		{"oauth.token_url", o.TokenURL},
		{"oauth.register_url", o.RegisterURL},
	}
	switch o.Flow {
	case "", FlowDevice:
		urls = append(urls, struct{ name, v string }{"oauth.device_authorization_url", o.DeviceAuthorizationURL})
		if o.ClientSecret != "" {
			// Microsoft refuses a secret from a public client (AADSTS700025).
			return fmt.Errorf("field oauth.client_secret: a device sign-in is a public client and sends no secret; remove it")
		}
	case FlowAuthCode:
		urls = append(urls, struct{ name, v string }{"oauth.authorization_url", o.AuthorizationURL})
		if err := checkLoopback(o.RedirectURL); err != nil {
			return fmt.Errorf("field oauth.redirect_url: %w", err)
		}
	default:
		return fmt.Errorf("field oauth.flow: %q is not device or authcode", o.Flow)
	}
	for _, f := range urls {
		if f.v == "" && f.name == "oauth.register_url" {
			continue
		}
		if err := CheckEndpoint(f.v); err != nil {
			return fmt.Errorf("field %s: %w", f.name, err)
		}
	}
	switch {
	case len(o.Scopes) == 0:
		return fmt.Errorf("field oauth.scopes: is empty; list the scopes the SMTP login needs")
	case o.Mechanism != string(AuthXOAUTH2):
		return fmt.Errorf("field oauth.mechanism: %q is not xoauth2", o.Mechanism)
	case o.RefreshDays < 0 || o.RefreshDays > 3650:
		return fmt.Errorf("field oauth.refresh_days: %d is not a number of days from 0 to 3650", o.RefreshDays)
	}
	for j, s := range o.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return fmt.Errorf("field oauth.scopes[%d]: is empty or contains a space; give one scope per item", j)
		}
	}
	if o.Tenant == "" && strings.Contains(o.DeviceAuthorizationURL+o.TokenURL+o.AuthorizationURL, "{tenant}") {
		return fmt.Errorf("field oauth.tenant: is empty but the URLs contain {tenant}; give a tenant such as organizations")
	}
	for j, st := range o.RegisterSteps {
		if strings.TrimSpace(st) == "" || strings.ContainsAny(st, "\r\n") {
			return fmt.Errorf("field oauth.register_steps[%d]: is empty or spans lines; give one step per item", j)
		}
	}
	if err := checkOAuthWord("oauth.client_id", o.ClientID); err != nil {
		return err
	}
	return checkOAuthWord("oauth.tenant", o.Tenant)
}

// CheckEndpoint accepts an https URL, or an http URL whose host is this
// machine (127.0.0.1, ::1, localhost).
func CheckEndpoint(raw string) error {
	if raw == "" {
		return fmt.Errorf("is empty")
	}
	u, err := url.Parse(strings.ReplaceAll(raw, "{tenant}", "t"))
	if err != nil || u.Host == "" || u.User != nil {
		return fmt.Errorf("%q is not an absolute URL such as https://login.example.com/token", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if h := u.Hostname(); h == "localhost" || net.ParseIP(h).IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("%q must start with https:// (http is allowed only to 127.0.0.1, ::1 or localhost)", raw)
}

// checkLoopback accepts an http URL to this machine: where an installed
// app's browser sign-in ends, and the user copies the address from.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil {
		return fmt.Errorf("%q must be an http address on this machine, such as http://127.0.0.1", raw)
	}
	if h := u.Hostname(); h != "localhost" && !net.ParseIP(h).IsLoopback() {
		return fmt.Errorf("%q must be an http address on this machine, such as http://127.0.0.1", raw)
	}
	return nil
}

// checkOAuthWord checks a client id or tenant: a word that goes into a URL
// path or a form, never a secret.
func checkOAuthWord(field, v string) error {
	if len(v) > 200 || strings.ContainsAny(v, "/?#{} \t\r\n\x00") {
		return fmt.Errorf("field %s: must be one word of at most 200 characters without /, ?, #, braces or spaces", field)
	}
	return nil
}

// CheckClientID checks a client id typed by a user or given with
// --client-id: it names the field and the fix.
func CheckClientID(v string) error {
	if err := checkOAuthWord("client-id", v); err != nil || strings.TrimSpace(v) == "" {
		return FieldError{Field: i18n.N("client id"), Problem: i18n.N("is empty or not one word"), Fix: i18n.N("paste the Application (client) ID of the app your administrator registered, such as 00000000-0000-0000-0000-000000000000")}
	}
	return nil
}

// CheckTenant checks a tenant given with --tenant.
func CheckTenant(v string) error {
	if err := checkOAuthWord("tenant", v); err != nil || strings.TrimSpace(v) == "" {
		return FieldError{Field: i18n.N("tenant"), Problem: i18n.N("is empty or not one word"), Fix: i18n.N("give the directory (tenant) ID, a domain such as example.com, or organizations / consumers")}
	}
	return nil
}

// Resolved is the oauth block with a client id and tenant chosen (by the
// config, a flag or the catalogue) and {tenant} substituted.
func (o OAuth) Resolved(clientID, tenant string) OAuth {
	if clientID != "" {
		o.ClientID = clientID
	}
	if tenant != "" {
		o.Tenant = tenant
	}
	sub := func(u string) string { return strings.ReplaceAll(u, "{tenant}", url.PathEscape(o.Tenant)) }
	o.DeviceAuthorizationURL, o.TokenURL, o.AuthorizationURL = sub(o.DeviceAuthorizationURL), sub(o.TokenURL), sub(o.AuthorizationURL)
	return o
}
