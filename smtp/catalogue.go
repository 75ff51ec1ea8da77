package smtp

import (
	"bytes"
	_ "embed"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"smtpsetup/i18n"
)

//go:generate go run ../internal/providersdoc -out ../docs/providers.md

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
	LoginSecret    = "secret"    // the secret itself is also the login (Postmark's server token)
)

// Secret kinds: what the provider accepts in the password field.
const (
	SecretPassword          = "password"           // the account's or the service's password
	SecretAppPassword       = "app-password"       // a password generated for one app
	SecretAuthorizationCode = "authorization-code" // QQ and NetEase: a code generated after enabling SMTP
	SecretAPIKey            = "api-key"            // a key from the service's API settings
	SecretSMTPKey           = "smtp-key"           // a key made for SMTP only (Brevo)
	SecretToken             = "token"              // a token issued for one address or server
	SecretOAuth             = "oauth"              // no password works; an OAuth sign-in is needed
)

// NeverChecked is the last_checked value of an entry whose facts nobody has
// yet checked against a source; the wizard and the docs say so.
const NeverChecked = "never"

// Provider is one entry of the catalogue: where a provider's server is, how
// to log in, and what the user must do first. It is data, loaded from
// providers.yaml, so a vendor can extend it without code.
type Provider struct {
	ID            string         `yaml:"id" json:"id"`
	Name          string         `yaml:"name" json:"name"`
	Domains       []string       `yaml:"domains,omitempty" json:"domains,omitempty"`
	MX            []string       `yaml:"mx,omitempty" json:"mx,omitempty"`
	Host          string         `yaml:"host,omitempty" json:"host,omitempty"`
	HostHint      string         `yaml:"host_hint,omitempty" json:"host_hint,omitempty"` // what to type when the host differs per customer (a connector relay); such an entry has no login
	Ports         []PortOption   `yaml:"ports,omitempty" json:"ports,omitempty"`
	Login         string         `yaml:"login,omitempty" json:"login,omitempty"`
	LoginLiteral  string         `yaml:"login_literal,omitempty" json:"login_literal,omitempty"`
	LoginHint     string         `yaml:"login_hint,omitempty" json:"login_hint,omitempty"` // what the login looks like when it cannot be prefilled
	Secret        SecretRule     `yaml:"secret,omitempty" json:"secret"`
	Prerequisites []Prerequisite `yaml:"prerequisites,omitempty" json:"prerequisites,omitempty"`
	NoPrereqs     string         `yaml:"no_prerequisites,omitempty" json:"no_prerequisites,omitempty"` // why there is nothing to do first, when Prerequisites is empty
	SenderRule    string         `yaml:"sender_rule,omitempty" json:"sender_rule,omitempty"`
	Limits        string         `yaml:"limits,omitempty" json:"limits,omitempty"`
	Status        string         `yaml:"status" json:"status"`
	StatusNote    string         `yaml:"status_note,omitempty" json:"status_note,omitempty"`
	LastChecked   string         `yaml:"last_checked" json:"last_checked"`
	Unconfirmed   []string       `yaml:"unconfirmed,omitempty" json:"unconfirmed,omitempty"`
	Sources       []string       `yaml:"sources,omitempty" json:"sources,omitempty"` // where the facts come from, each with its own date
	OAuth         *OAuth         `yaml:"oauth,omitempty" json:"oauth,omitempty"`     // sign in with OAuth instead of a password
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
	Done   string `yaml:"done,omitempty" json:"done,omitempty"` // the item as an action done ("I turned on 2-Step Verification"); derived from Title when empty
	Note   bool   `yaml:"note,omitempty" json:"note,omitempty"` // something to know, not to do: shown, never asked
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
	return parseCatalogue(data, "provider catalogue")
}

// LoadCatalogueFile reads a vendor's catalogue file (--providers FILE) in the
// format of providers.yaml. Errors name the file, the entry and the field.
func LoadCatalogueFile(path string) (*Catalogue, error) {
	data, _, err := ReadFileLimited(path, MaxCatalogueFileSize, 0)
	if err != nil {
		return nil, fmt.Errorf("provider file: %w", err)
	}
	return parseCatalogue(data, "provider file "+path)
}

func parseCatalogue(data []byte, source string) (*Catalogue, error) {
	var f catalogueFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, fmt.Errorf("%s: is empty; it needs a top-level \"providers:\" list", source)
		}
		// The decoder's message can repeat text from the file (a key).
		return nil, fmt.Errorf("%s: %s", source, CleanLine(err.Error()))
	}
	if len(f.Providers) > MaxCatalogueEntries {
		return nil, fmt.Errorf("%s: has %d entries, more than the %d allowed; split it or keep only the providers you use", source, len(f.Providers), MaxCatalogueEntries)
	}
	seen := make(map[string]bool, len(f.Providers))
	for i := range f.Providers {
		p := &f.Providers[i]
		// Vendor text is untrusted: bounded and cleaned where it enters.
		if err := p.vendorText(); err != nil {
			return nil, fmt.Errorf("%s: entry %d (%s): %w", source, i+1, shortID(p.ID), err)
		}
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("%s: entry %d (%s): %w", source, i+1, shortID(p.ID), err)
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("%s: entry %d: id %s appears twice", source, i+1, shortID(p.ID))
		}
		seen[p.ID] = true
	}
	return &Catalogue{Providers: f.Providers}, nil
}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	domainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)
	mxPattern     = regexp.MustCompile(`^[a-z0-9*?.-]+$`)
	secretKinds   = []string{SecretPassword, SecretAppPassword, SecretAuthorizationCode, SecretAPIKey, SecretSMTPKey, SecretToken, SecretOAuth}
)

func (p *Provider) check() error {
	switch {
	case !idPattern.MatchString(p.ID):
		return fmt.Errorf("field id: %q must be lower-case letters, digits and dashes", p.ID)
	case p.Name == "":
		return fmt.Errorf("field name: is empty")
	case !slices.Contains([]string{StatusOK, StatusOAuthOnly, StatusChanging, StatusBroken}, p.Status):
		return fmt.Errorf("field status: %q is not ok, oauth-only, changing or broken", p.Status)
	case p.Status != StatusOK && p.StatusNote == "":
		return fmt.Errorf("field status_note: is empty but status is %s; say what changed and when", p.Status)
	case p.LastChecked == "":
		return fmt.Errorf("field last_checked: is empty; give the date the facts were checked (YYYY-MM-DD), or %q", NeverChecked)
	}
	if _, err := time.Parse(time.DateOnly, p.LastChecked); err != nil && p.LastChecked != NeverChecked {
		return fmt.Errorf("field last_checked: %q is not a date (YYYY-MM-DD) or %q", p.LastChecked, NeverChecked)
	}
	if p.ID != OtherID && p.Host != "" {
		if err := ValidateHost(p.Host); err != nil {
			return fmt.Errorf("field host: %w", err)
		}
	}
	for j, d := range p.Domains {
		if !domainPattern.MatchString(d) || !strings.Contains(d, ".") {
			return fmt.Errorf("field domains[%d]: %q is not a lower-case domain such as example.com", j, d)
		}
	}
	for j, m := range p.MX {
		if _, err := path.Match(m, ""); err != nil || !mxPattern.MatchString(m) {
			return fmt.Errorf("field mx[%d]: %q is not a lower-case host pattern such as *.example.com", j, m)
		}
	}
	if err := p.checkPorts(); err != nil {
		return err
	}
	if err := p.checkLogin(); err != nil {
		return err
	}
	if err := p.checkSecret(); err != nil {
		return err
	}
	if p.OAuth != nil {
		if err := p.OAuth.check(); err != nil {
			return err
		}
	}
	for j, pr := range p.Prerequisites {
		switch {
		case pr.Title == "":
			return fmt.Errorf("field prerequisites[%d].title: is empty", j)
		case pr.URL != "" && !strings.HasPrefix(pr.URL, "https://"):
			return fmt.Errorf("field prerequisites[%d].url: %q must start with https://", j, pr.URL)
		case strings.ContainsAny(pr.URL, " \t\r\n"):
			return fmt.Errorf("field prerequisites[%d].url: contains a space or a line break", j)
		}
	}
	return nil
}

func (p *Provider) checkPorts() error {
	recommended := 0
	for j, po := range p.Ports {
		if _, err := ParseSecurity(string(po.Security)); err != nil || po.Security == "" {
			return fmt.Errorf("field ports[%d].security: %q is not ssl, starttls or none", j, po.Security)
		}
		if po.Port < 1 || po.Port > 65535 {
			return fmt.Errorf("field ports[%d].port: %d is not a port", j, po.Port)
		}
		if po.Recommended {
			recommended++
		}
	}
	if recommended > 1 {
		return fmt.Errorf("field ports: %d ports are marked recommended; mark one", recommended)
	}
	return nil
}

func (p *Provider) checkLogin() error {
	switch p.Login {
	case "", LoginAddress, LoginLocalPart, LoginDashboard, LoginSecret:
		if p.LoginLiteral != "" {
			return fmt.Errorf("field login_literal: is set but login is %q, not literal", p.Login)
		}
	case LoginLiteral:
		if p.LoginLiteral == "" {
			return fmt.Errorf("field login_literal: is empty but login is literal")
		}
	default:
		return fmt.Errorf("field login: %q is not address, localpart, literal, dashboard or secret", p.Login)
	}
	return nil
}

func (p *Provider) checkSecret() error {
	if p.Secret.Kind != "" && !slices.Contains(secretKinds, p.Secret.Kind) {
		return fmt.Errorf("field secret.kind: %q is not one of %s", p.Secret.Kind, strings.Join(secretKinds, ", "))
	}
	if p.Secret.Shape != "" {
		if _, err := regexp.Compile(p.Secret.Shape); err != nil {
			return fmt.Errorf("field secret.shape: %w", err)
		}
	}
	return nil
}

// Merge adds a vendor's entries (--providers FILE) to the catalogue: an entry
// whose id exists replaces it in place, a new one goes before "Other server"
// so that "other" stays last.
func (c *Catalogue) Merge(extra *Catalogue) {
	if extra == nil {
		return
	}
	// Linear in both sizes: one index of ids, one insertion of all new
	// entries (one lookup and one insert per entry made 30k entries take 16 s).
	index := make(map[string]int, len(c.Providers))
	for i, p := range c.Providers {
		index[p.ID] = i
	}
	var added []Provider
	for _, p := range extra.Providers {
		if i, ok := index[p.ID]; ok {
			c.Providers[i] = p
			continue
		}
		added = append(added, p)
	}
	at, ok := index[OtherID]
	if !ok {
		at = len(c.Providers)
	}
	c.Providers = slices.Insert(c.Providers, at, added...)
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

// ByMX finds the provider whose mail exchangers match an MX host name, such
// as aspmx.l.google.com for a domain on Google Workspace. A pattern's "*"
// matches any run of characters, dots included.
func (c *Catalogue) ByMX(host string) (*Provider, bool) {
	host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
	if host == "" {
		return nil, false
	}
	for i := range c.Providers {
		if c.Providers[i].MatchesMX(host) {
			return &c.Providers[i], true
		}
	}
	return nil, false
}

// MatchesMX reports whether an MX host name (lower case, no final dot) is one
// of the provider's mail exchangers.
func (p *Provider) MatchesMX(host string) bool {
	for _, pattern := range p.MX {
		// path.Match's "*" stops only at "/", which a host name never has.
		if ok, _ := path.Match(pattern, host); ok {
			return true
		}
	}
	return false
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
// returns "" when the login cannot be derived from the address: shown in a
// dashboard, or the secret itself (use LoginWith once the secret is known).
func (p *Provider) LoginFor(address string) string {
	switch p.Login {
	case LoginLocalPart:
		local, _, _ := strings.Cut(address, "@")
		return local
	case LoginLiteral:
		return p.LoginLiteral
	case LoginDashboard, LoginSecret:
		return ""
	}
	return address
}

// LoginWith is LoginFor for a caller that already holds the secret: for a
// provider whose login is the secret (Postmark's server token) it returns the
// secret, normalised as CheckSecret does.
func (p *Provider) LoginWith(address, secret string) string {
	if p.Login == LoginSecret {
		return p.CheckSecret(secret).Value
	}
	return p.LoginFor(address)
}

// SecretLabel is what the password field is called for this provider.
func (p *Provider) SecretLabel() string {
	if p != nil && p.Secret.Label != "" {
		return p.Secret.Label
	}
	return "Password"
}

// SecretLabelIn is SecretLabel in tr's language.
func (p *Provider) SecretLabelIn(tr *i18n.Printer) string {
	if p != nil && p.Secret.Label != "" {
		return tr.T(p.Secret.Label)
	}
	return tr.T("Password")
}

// SecretNameIn is the secret's name inside a sentence: "password", "app
// password" in English; a translation writes the noun as its language
// does inside a sentence (German keeps its capital), so it is not lowered.
func (p *Provider) SecretNameIn(tr *i18n.Printer) string {
	if tr.English() {
		return strings.ToLower(p.SecretLabel())
	}
	return p.SecretLabelIn(tr)
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
func (p *Provider) CheckSecret(s string) SecretCheck { return p.CheckSecretIn(s, nil) }

// CheckSecretIn is CheckSecret with its notes and warning in tr's language.
func (p *Provider) CheckSecretIn(s string, tr *i18n.Printer) SecretCheck {
	out := SecretCheck{Value: s}
	if t := strings.TrimRight(s, "\r\n"); t != s {
		out.Value = t
		out.Notes = append(out.Notes, tr.T("removed the line break at the end of the paste"))
	}
	if p == nil {
		return out
	}
	if p.Secret.StripSpaces && strings.ContainsAny(out.Value, " \t") {
		out.Value = strings.Join(strings.Fields(out.Value), "")
		out.Notes = append(out.Notes, tr.Tf("removed the spaces: %ss are shown in groups but typed without spaces", p.SecretLabelIn(tr)))
	} else if strings.TrimSpace(out.Value) != out.Value {
		out.Warning = tr.Tf("the %s starts or ends with a space; check that the paste did not pick one up", p.SecretNameIn(tr))
	}
	if p.Secret.Shape != "" && out.Warning == "" {
		if re, err := regexp.Compile(p.Secret.Shape); err == nil && !re.MatchString(out.Value) {
			out.Warning = tr.T(p.Secret.WrongShape)
			if out.Warning == "" {
				out.Warning = tr.Tf("this does not look like a %s (%s)", p.SecretLabelIn(tr), tr.T(p.Secret.ShapeHint))
			}
		}
	}
	return out
}

// LoginDescription says, for a person, what the login is for this
// provider: "the part of the address before @", "literally \"apikey\"".
func (p *Provider) LoginDescription() string { return p.LoginDescriptionIn(nil) }

// LoginDescriptionIn is LoginDescription in tr's language.
func (p *Provider) LoginDescriptionIn(tr *i18n.Printer) string {
	or := func(hint, def string) string {
		if hint != "" {
			return tr.T(hint)
		}
		return def
	}
	switch p.Login {
	case LoginLocalPart:
		return tr.T("the part of the address before @")
	case LoginLiteral:
		return tr.Tf("literally \"%s\"", p.LoginLiteral)
	case LoginDashboard:
		return or(p.LoginHint, tr.Tf("shown in %s's dashboard", p.Name))
	case LoginSecret:
		return or(p.LoginHint, tr.Tf("the same as the %s", p.SecretNameIn(tr)))
	}
	return or(p.LoginHint, tr.T("usually the full address"))
}

// Texts are the entry's own words a screen shows (prerequisites, notes,
// sender rule, limits, hints): what a translation of the entry covers.
// Names, hosts, URLs and shapes are not words and stay as they are.
func (p *Provider) Texts() []string {
	var out []string
	add := func(s ...string) {
		for _, t := range s {
			if t != "" {
				out = append(out, t)
			}
		}
	}
	add(p.HostHint, p.LoginHint, p.NoPrereqs, p.SenderRule, p.Limits, p.StatusNote)
	add(p.Secret.Label, p.Secret.ShapeHint, p.Secret.WrongShape)
	for _, pr := range p.Prerequisites {
		add(pr.Title, pr.Checked(), pr.Detail, pr.Why)
	}
	add(p.Unconfirmed...)
	if p.OAuth != nil {
		add(p.OAuth.RegisterSteps...) // an administrator's steps, shown when no app is registered
	}
	return out
}
