package smtp

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed providers.yaml
var builtinCatalogue []byte

// OtherID is the catalogue id of "Other server": no prefilled host, no prerequisites.
const OtherID = "other"

// Provider statuses: whether a plain SMTP login works today.
const (
	StatusOK        = "ok"         // works with the secret described
	StatusOAuthOnly = "oauth-only" // passwords are refused; only OAuth works
	StatusChanging  = "changing"   // works today, the provider has announced a change
	StatusBroken    = "broken"     // known not to work
)

// Login rules: how the SMTP login is derived from the address.
const (
	LoginAddress   = "address"   // the full address
	LoginLocalPart = "localpart" // the part before @
	LoginLiteral   = "literal"   // a fixed word, such as "apikey"
	LoginDashboard = "dashboard" // shown in the provider's dashboard; nothing to prefill
)

// Provider is one entry of the catalogue: where a provider's server is, how
// to log in, and what the user must do first. It is data, loaded from
// providers.yaml, so a vendor can extend it without code.
type Provider struct {
	ID            string         `yaml:"id" json:"id"`
	Name          string         `yaml:"name" json:"name"`
	Domains       []string       `yaml:"domains,omitempty" json:"domains,omitempty"`
	MX            []string       `yaml:"mx,omitempty" json:"mx,omitempty"`
	Host          string         `yaml:"host,omitempty" json:"host,omitempty"`
	Ports         []PortOption   `yaml:"ports,omitempty" json:"ports,omitempty"`
	Login         string         `yaml:"login,omitempty" json:"login,omitempty"`
	LoginLiteral  string         `yaml:"login_literal,omitempty" json:"login_literal,omitempty"`
	Secret        SecretRule     `yaml:"secret,omitempty" json:"secret"`
	Prerequisites []Prerequisite `yaml:"prerequisites,omitempty" json:"prerequisites,omitempty"`
	SenderRule    string         `yaml:"sender_rule,omitempty" json:"sender_rule,omitempty"`
	Limits        string         `yaml:"limits,omitempty" json:"limits,omitempty"`
	Status        string         `yaml:"status" json:"status"`
	StatusNote    string         `yaml:"status_note,omitempty" json:"status_note,omitempty"`
	LastChecked   string         `yaml:"last_checked" json:"last_checked"`
	Unconfirmed   []string       `yaml:"unconfirmed,omitempty" json:"unconfirmed,omitempty"`
}

// PortOption is one way to reach the provider's server.
type PortOption struct {
	Security    Security `yaml:"security" json:"security"`
	Port        int      `yaml:"port" json:"port"`
	Recommended bool     `yaml:"recommended,omitempty" json:"recommended,omitempty"`
}

// SecretRule says what the provider accepts as the password and what it
// looks like, so a wrong kind of secret is caught before any connection.
type SecretRule struct {
	Kind        string `yaml:"kind,omitempty" json:"kind,omitempty"`   // password, app-password, authorization-code, api-key, smtp-key, token, oauth
	Label       string `yaml:"label,omitempty" json:"label,omitempty"` // what the field is called: "App Password"
	Shape       string `yaml:"shape,omitempty" json:"shape,omitempty"` // regular expression the secret matches, after normalising
	ShapeHint   string `yaml:"shape_hint,omitempty" json:"shape_hint,omitempty"`
	StripSpaces bool   `yaml:"strip_spaces,omitempty" json:"strip_spaces,omitempty"` // the provider shows it in groups; spaces are not part of it
	WrongShape  string `yaml:"wrong_shape,omitempty" json:"wrong_shape,omitempty"`   // what a mismatch most likely means
}

// Prerequisite is one thing the user must do at the provider before the
// first login can work.
type Prerequisite struct {
	Title  string `yaml:"title" json:"title"`
	Detail string `yaml:"detail,omitempty" json:"detail,omitempty"`
	URL    string `yaml:"url,omitempty" json:"url,omitempty"`
	Why    string `yaml:"why,omitempty" json:"why,omitempty"`
}

// Catalogue is the list of known providers, in display order.
type Catalogue struct {
	Providers []Provider
}

type catalogueFile struct {
	Providers []Provider `yaml:"providers"`
}

// BuiltinCatalogue returns the catalogue compiled into the binary.
func BuiltinCatalogue() *Catalogue {
	c, err := ParseCatalogue(builtinCatalogue)
	if err != nil {
		panic("built-in provider catalogue is invalid: " + err.Error())
	}
	return c
}

// ParseCatalogue reads a catalogue file and checks every entry, naming the
// entry and field of the first problem.
func ParseCatalogue(data []byte) (*Catalogue, error) {
	var f catalogueFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("provider catalogue: %w", err)
	}
	seen := map[string]bool{}
	for i := range f.Providers {
		p := &f.Providers[i]
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("provider catalogue: entry %d (%q): %w", i+1, p.ID, err)
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("provider catalogue: entry %d: id %q appears twice", i+1, p.ID)
		}
		seen[p.ID] = true
	}
	return &Catalogue{Providers: f.Providers}, nil
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func (p *Provider) check() error {
	switch {
	case !idPattern.MatchString(p.ID):
		return fmt.Errorf("field id: %q must be lower-case letters, digits and dashes", p.ID)
	case p.Name == "":
		return fmt.Errorf("field name: is empty")
	case !slices.Contains([]string{StatusOK, StatusOAuthOnly, StatusChanging, StatusBroken}, p.Status):
		return fmt.Errorf("field status: %q is not ok, oauth-only, changing or broken", p.Status)
	case p.LastChecked == "":
		return fmt.Errorf("field last_checked: is empty; give the date the facts were checked (YYYY-MM-DD)")
	}
	if p.ID != OtherID && p.Host != "" {
		if err := ValidateHost(p.Host); err != nil {
			return fmt.Errorf("field host: %w", err)
		}
	}
	for j, po := range p.Ports {
		if _, err := ParseSecurity(string(po.Security)); err != nil || po.Security == "" {
			return fmt.Errorf("field ports[%d].security: %q is not ssl, starttls or none", j, po.Security)
		}
		if po.Port < 1 || po.Port > 65535 {
			return fmt.Errorf("field ports[%d].port: %d is not a port", j, po.Port)
		}
	}
	switch p.Login {
	case "", LoginAddress, LoginLocalPart, LoginDashboard:
	case LoginLiteral:
		if p.LoginLiteral == "" {
			return fmt.Errorf("field login_literal: is empty but login is literal")
		}
	default:
		return fmt.Errorf("field login: %q is not address, localpart, literal or dashboard", p.Login)
	}
	if p.Secret.Shape != "" {
		if _, err := regexp.Compile(p.Secret.Shape); err != nil {
			return fmt.Errorf("field secret.shape: %w", err)
		}
	}
	return nil
}

// ByID finds a provider by its id.
func (c *Catalogue) ByID(id string) (*Provider, bool) {
	for i := range c.Providers {
		if c.Providers[i].ID == id {
			return &c.Providers[i], true
		}
	}
	return nil, false
}

// ByDomain finds the provider that serves an address's domain, offline.
func (c *Catalogue) ByDomain(domain string) (*Provider, bool) {
	domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	for i := range c.Providers {
		if slices.Contains(c.Providers[i].Domains, domain) {
			return &c.Providers[i], true
		}
	}
	return nil, false
}

// Prepend adds a provider before all others, replacing one with the same id.
// --demo uses it for its built-in server.
func (c *Catalogue) Prepend(p Provider) {
	c.Providers = slices.DeleteFunc(c.Providers, func(q Provider) bool { return q.ID == p.ID })
	c.Providers = append([]Provider{p}, c.Providers...)
}

// Recommended is the port option to preselect: the one marked recommended,
// else the first.
func (p *Provider) Recommended() (PortOption, bool) {
	for _, po := range p.Ports {
		if po.Recommended {
			return po, true
		}
	}
	if len(p.Ports) > 0 {
		return p.Ports[0], true
	}
	return PortOption{}, false
}

// LoginFor derives the login from the address by the provider's rule. It
// returns "" when the login cannot be derived (shown in a dashboard).
func (p *Provider) LoginFor(address string) string {
	switch p.Login {
	case LoginLocalPart:
		local, _, _ := strings.Cut(address, "@")
		return local
	case LoginLiteral:
		return p.LoginLiteral
	case LoginDashboard:
		return ""
	}
	return address
}

// SecretLabel is what the password field is called for this provider.
func (p *Provider) SecretLabel() string {
	if p != nil && p.Secret.Label != "" {
		return p.Secret.Label
	}
	return "Password"
}

// SecretCheck is the outcome of checking a pasted secret against the
// provider's shape before any connection.
type SecretCheck struct {
	Value   string   // the secret to use, normalised (spaces removed where the provider shows groups)
	Notes   []string // what was changed, for the user
	Warning string   // why the secret is probably the wrong kind; "" when it looks right
}

// CheckSecret normalises a secret the provider's way and says whether it has
// the expected shape. It never rejects: a provider may change its format, so
// the user can go on after a warning.
func (p *Provider) CheckSecret(s string) SecretCheck {
	out := SecretCheck{Value: s}
	if t := strings.TrimRight(s, "\r\n"); t != s {
		out.Value = t
		out.Notes = append(out.Notes, "removed the line break at the end of the paste")
	}
	if p == nil {
		return out
	}
	if p.Secret.StripSpaces && strings.ContainsAny(out.Value, " \t") {
		out.Value = strings.Join(strings.Fields(out.Value), "")
		out.Notes = append(out.Notes, "removed the spaces: "+p.SecretLabel()+"s are shown in groups but typed without spaces")
	} else if strings.TrimSpace(out.Value) != out.Value {
		out.Warning = "the " + strings.ToLower(p.SecretLabel()) + " starts or ends with a space; check that the paste did not pick one up"
	}
	if p.Secret.Shape != "" && out.Warning == "" {
		if re, err := regexp.Compile(p.Secret.Shape); err == nil && !re.MatchString(out.Value) {
			out.Warning = p.Secret.WrongShape
			if out.Warning == "" {
				out.Warning = "this does not look like a " + p.SecretLabel() + " (" + p.Secret.ShapeHint + ")"
			}
		}
	}
	return out
}
