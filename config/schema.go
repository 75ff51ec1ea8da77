package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"smtpsetup/i18n"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"smtpsetup/smtp"
)

// file is the on-disk schema, version 1. Field order is the order Marshal
// writes; empty fields are left out, so that a file holds only what was set.
// The json tags serve the json export, which mirrors the file.
type file struct {
	Version            int    `yaml:"version" json:"version"`
	Provider           string `yaml:"provider,omitempty" json:"provider,omitempty"`
	Host               string `yaml:"host,omitempty" json:"host,omitempty"`
	Port               int    `yaml:"port,omitempty" json:"port,omitempty"`
	Security           string `yaml:"security,omitempty" json:"security,omitempty"`
	Auth               string `yaml:"auth,omitempty" json:"auth,omitempty"`
	Username           string `yaml:"username,omitempty" json:"username,omitempty"`
	Password           string `yaml:"password,omitempty" json:"password,omitempty"`
	PasswordFile       string `yaml:"password_file,omitempty" json:"password_file,omitempty"`
	From               string `yaml:"from,omitempty" json:"from,omitempty"`
	FromName           string `yaml:"from_name,omitempty" json:"from_name,omitempty"`
	CAFile             string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify,omitempty" json:"insecure_skip_verify"`
	AllowPlaintextAuth bool   `yaml:"allow_plaintext_auth,omitempty" json:"allow_plaintext_auth"`
	OAuthClientID      string `yaml:"oauth_client_id,omitempty" json:"oauth_client_id,omitempty"`
	OAuthTenant        string `yaml:"oauth_tenant,omitempty" json:"oauth_tenant,omitempty"`
	Helo               string `yaml:"helo,omitempty" json:"helo,omitempty"`
	TLSPinSHA256       string `yaml:"tls_pin_sha256,omitempty" json:"tls_pin_sha256,omitempty"`
	Language           string `yaml:"language,omitempty" json:"language,omitempty"`
}

// header starts every file Marshal writes. It says who wrote the file and
// that it is secret, for the person who finds it with ls or cat.
const header = `# SMTP settings written by smtpsetup (edit with: smtpsetup setup).
# This file may hold a password: keep it private (mode 0600).
`

// Marshal returns the exact bytes Save writes for s: a comment header, then
// the fields in a fixed order, quoted by the YAML encoder. The same settings
// always give the same bytes, so a script and the wizard write identical
// files. With s.PasswordFile set, the file names that file instead of holding
// the password.
func Marshal(s smtp.Settings) ([]byte, error) {
	f, err := toFile(s, s.PasswordFile == "")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		// Only a bug can get here; do not pass on text that might quote a value.
		return nil, errors.New("config: cannot encode the settings as YAML")
	}
	if err := enc.Close(); err != nil {
		return nil, errors.New("config: cannot encode the settings as YAML")
	}
	return buf.Bytes(), nil
}

// toFile checks s and maps it to the schema, with canonical names for the
// security mode and the auth method. withPassword puts the password inline.
func toFile(s smtp.Settings, withPassword bool) (file, error) {
	if err := checkAllText(s); err != nil {
		return file{}, err
	}
	if s.Host != "" {
		if err := smtp.ValidateHost(s.Host); err != nil {
			return file{}, err
		}
	}
	f := file{
		Version:            Version,
		Provider:           s.Provider,
		Host:               s.Host,
		Port:               s.Port,
		Username:           s.Username,
		PasswordFile:       s.PasswordFile,
		From:               s.From,
		FromName:           s.FromName,
		CAFile:             s.CAFile,
		InsecureSkipVerify: s.InsecureSkipVerify,
		AllowPlaintextAuth: s.AllowPlaintextAuth,
		OAuthClientID:      s.OAuthClientID,
		OAuthTenant:        s.OAuthTenant,
		Helo:               s.Helo,
		Language:           s.Language,
	}
	if s.TLSPinSHA256 != "" {
		p, err := smtp.ParsePin(s.TLSPinSHA256)
		if err != nil {
			return file{}, err
		}
		f.TLSPinSHA256 = p
	}
	if withPassword {
		f.Password = s.Password.Reveal()
	}
	if s.Helo != "" {
		if err := smtp.ValidateHelo(s.Helo); err != nil {
			return file{}, err
		}
	}
	if s.Port < 0 || s.Port > 65535 {
		return file{}, smtp.FieldError{Field: "port", Problem: i18n.N("must be a number from 1 to 65535"), Fix: i18n.N("use 465 for SSL/TLS, 587 for STARTTLS or 25 for none")}
	}
	if s.Security != "" {
		sec, err := smtp.ParseSecurity(string(s.Security))
		if err != nil {
			return file{}, smtp.FieldError{Field: "security", Problem: i18n.N("is not ssl, starttls or none"), Fix: i18n.N("choose one of them")}
		}
		f.Security = string(sec)
	}
	auth, err := smtp.ParseAuthMethod(string(s.Auth))
	if err != nil {
		return file{}, smtp.FieldError{Field: "auth", Problem: i18n.N("is not a known method"), Fix: i18n.N("use auto, plain, login, cram-md5, xoauth2 or none")}
	}
	f.Auth = string(auth)
	if s.PasswordFile != "" && !filepath.IsAbs(s.PasswordFile) {
		return file{}, smtp.FieldError{Field: "password_file", Problem: i18n.N("is not an absolute path"), Fix: i18n.N("give the full path, starting with /")}
	}
	return f, nil
}

// maxConfigSize bounds what Load reads: a real config is well under 1 KiB, so
// anything bigger is the wrong file.
const maxConfigSize = 64 << 10

// Load reads the config file at path. A password_file named in it is read
// too (see readPasswordFile). Problems come back as *LoadError, naming the
// line and the field and saying what to do; a missing file unwraps to
// fs.ErrNotExist. A config that holds the password inline must not be
// readable by group or others.
func Load(path string) (smtp.Settings, error) {
	data, mode, err := readPrivate(path, maxConfigSize, 0)
	if err != nil {
		return smtp.Settings{}, fileError(path, "config file", err)
	}
	s, err := parse(data, path)
	if err != nil {
		return smtp.Settings{}, err
	}
	if !s.Password.IsZero() {
		if loose := loosePerms(mode); loose != "" {
			return smtp.Settings{}, &LoadError{Path: path, Problem: "holds a password but " + loose,
				Fix: secretFileFix(path, "")}
		}
	}
	if s.PasswordFile != "" {
		pw, err := readPasswordFile(s.PasswordFile)
		if err != nil {
			return smtp.Settings{}, err
		}
		s.Password = smtp.NewSecret(pw)
	}
	return s, nil
}

// fieldNames lists the schema's fields in file order, for messages.
var fieldNames = []string{"version", "provider", "host", "port", "security", "auth", "username",
	"password", "password_file", "from", "from_name", "ca_file", "insecure_skip_verify", "allow_plaintext_auth", "helo", "oauth_client_id", "oauth_tenant", "tls_pin_sha256", "language"}

// setter stores a field's value node into the file struct, or says what is
// wrong with it (without quoting the value when the field is the password).
type setter func(f *file, n *yaml.Node) (problem, fix string)

var setters = map[string]setter{
	"version":              intField(func(f *file) *int { return &f.Version }, 1, 1<<20, "write it as version: 1"),
	"provider":             stringField(func(f *file) *string { return &f.Provider }),
	"host":                 stringField(func(f *file) *string { return &f.Host }),
	"port":                 intField(func(f *file) *int { return &f.Port }, 1, 65535, "use 465 for ssl, 587 for starttls or 25 for none, as in port: 587"),
	"security":             enumField(func(f *file) *string { return &f.Security }, parseSecurity, "use ssl, starttls or none"),
	"auth":                 enumField(func(f *file) *string { return &f.Auth }, parseAuth, "use auto, plain, login, cram-md5, xoauth2 or none"),
	"username":             stringField(func(f *file) *string { return &f.Username }),
	"password":             stringField(func(f *file) *string { return &f.Password }),
	"password_file":        stringField(func(f *file) *string { return &f.PasswordFile }),
	"from":                 stringField(func(f *file) *string { return &f.From }),
	"from_name":            stringField(func(f *file) *string { return &f.FromName }),
	"ca_file":              stringField(func(f *file) *string { return &f.CAFile }),
	"insecure_skip_verify": boolField(func(f *file) *bool { return &f.InsecureSkipVerify }),
	"allow_plaintext_auth": boolField(func(f *file) *bool { return &f.AllowPlaintextAuth }),
	"oauth_client_id":      stringField(func(f *file) *string { return &f.OAuthClientID }),
	"oauth_tenant":         stringField(func(f *file) *string { return &f.OAuthTenant }),
	"helo":                 stringField(func(f *file) *string { return &f.Helo }),
	"tls_pin_sha256":       stringField(func(f *file) *string { return &f.TLSPinSHA256 }),
	// Any text: a language this smtpsetup does not speak is English, not
	// an error (a vendor's file may name one a later version speaks).
	"language": stringField(func(f *file) *string { return &f.Language }),
}

func parseSecurity(v string) (string, bool) {
	if strings.TrimSpace(v) == "" {
		return "", false
	}
	s, err := smtp.ParseSecurity(v)
	return string(s), err == nil
}

func parseAuth(v string) (string, bool) {
	a, err := smtp.ParseAuthMethod(v)
	return string(a), err == nil
}

// describe names a node's kind for a message, never its value.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a nested block of fields"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias (*name)"
	}
	return "text"
}

// scalarCheck is what every value must pass: a plain scalar, no alias, no tag.
func scalarCheck(n *yaml.Node) (problem, fix string) {
	switch {
	case n.Kind == yaml.AliasNode:
		return "is an alias (a value starting with *)", "write the value out; put it in quotes if it starts with * or &"
	case n.Kind != yaml.ScalarNode:
		return "must be a single value, not " + describe(n), "write it on the same line, as field: value"
	case n.Style&yaml.TaggedStyle != 0:
		return "has a YAML tag (a value starting with !)", "put the value in quotes if it starts with !"
	}
	return "", ""
}

func stringField(dst func(*file) *string) setter {
	return func(f *file, n *yaml.Node) (string, string) {
		if p, fix := scalarCheck(n); p != "" {
			return p, fix
		}
		// n.Value is the text as written (port: 0x1F stays "0x1F"), and
		// empty for a null (field: or field: ~).
		if n.ShortTag() == "!!null" {
			*dst(f) = ""
			return "", ""
		}
		*dst(f) = n.Value
		return "", ""
	}
}

func intField(dst func(*file) *int, lo, hi int, fix string) setter {
	return func(f *file, n *yaml.Node) (string, string) {
		if p, fx := scalarCheck(n); p != "" {
			return p, fx
		}
		v, err := strconv.Atoi(n.Value)
		if n.ShortTag() != "!!int" || err != nil || v < lo || v > hi {
			return fmt.Sprintf("must be a whole number from %d to %d, not %s", lo, hi, quoteShort(n.Value)), fix
		}
		*dst(f) = v
		return "", ""
	}
}

func boolField(dst func(*file) *bool) setter {
	return func(f *file, n *yaml.Node) (string, string) {
		if p, fx := scalarCheck(n); p != "" {
			return p, fx
		}
		switch strings.ToLower(n.Value) {
		case "true":
			*dst(f) = true
		case "false":
			*dst(f) = false
		default:
			return "must be true or false, not " + quoteShort(n.Value), "write true or false without quotes"
		}
		return "", ""
	}
}

func enumField(dst func(*file) *string, parse func(string) (string, bool), fix string) setter {
	return func(f *file, n *yaml.Node) (string, string) {
		if p, fx := scalarCheck(n); p != "" {
			return p, fx
		}
		v, ok := parse(n.Value)
		if !ok {
			return "has an unknown value " + quoteShort(n.Value), fix
		}
		*dst(f) = v
		return "", ""
	}
}

// quoteShort quotes a non-secret value for a message, cut to a readable
// length; %q escapes control characters, so nothing reaches the terminal raw.
func quoteShort(v string) string {
	if r := []rune(v); len(r) > 40 {
		v = string(r[:40]) + "…"
	}
	return strconv.Quote(v)
}

// plainName matches a key that is safe to repeat in a message: it looks like
// a field name (lower-case letters and _), not a pasted value such as a
// password, which nearly always holds a digit or a symbol.
var plainName = regexp.MustCompile(`^[a-z_]{1,40}$`)

// parse decodes a config file's bytes into Settings without touching the disk
// (a password_file is named, not read). name is used in messages.
//
// It walks yaml.v3's node tree itself rather than decoding into a struct with
// KnownFields: that gives the same line numbers, and full control over the
// text of every message, so that no message can quote the password (yaml.v3's
// own type errors quote the offending value).
func parse(data []byte, name string) (smtp.Settings, error) {
	if le := rawTextError(data, name); le != nil {
		return smtp.Settings{}, le
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return smtp.Settings{}, &LoadError{Path: name, Problem: i18n.N("is empty"), Fix: i18n.N("run smtpsetup setup to write it, or start it with version: 1")}
	}
	if err != nil {
		return smtp.Settings{}, syntaxError(name, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return smtp.Settings{}, &LoadError{Path: name, Line: extra.Line, Problem: i18n.N("holds more than one YAML document (a second ---)"),
			Fix: i18n.N("keep only one block of settings")}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return smtp.Settings{}, &LoadError{Path: name, Line: root.Line, Problem: i18n.N("is not a list of field: value lines"),
			Fix: i18n.N("write one setting per line, as host: smtp.example.com")}
	}
	f, err := walk(root, name)
	if err != nil {
		// Belt and braces: whatever a message says, it cannot hold the password.
		if le, ok := err.(*LoadError); ok {
			pw := passwordValue(root)
			le.Problem, le.Fix = redact(le.Problem, pw), redact(le.Fix, pw)
		}
		return smtp.Settings{}, err
	}
	return fromFile(f, name, root)
}

// valueNode is the value node of a top-level field, or nil.
func valueNode(root *yaml.Node, field string) *yaml.Node {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == field {
			return root.Content[i+1]
		}
	}
	return nil
}

// passwordValue is the password as written, to redact it from messages.
func passwordValue(root *yaml.Node) string {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "password" {
			return root.Content[i+1].Value
		}
	}
	return ""
}

// walk checks the top-level mapping field by field: the version first (a
// newer file is reported as such, not as a list of unknown fields), then
// unknown, repeated and mistyped fields.
func walk(root *yaml.Node, name string) (file, error) {
	var f file
	seen := map[string]int{}
	versionSeen := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "version" {
			versionSeen = true
			if p, fix := setters["version"](&f, root.Content[i+1]); p != "" && !newerVersion(root.Content[i+1]) {
				return f, &LoadError{Path: name, Line: k.Line, Field: "version", Problem: p, Fix: fix}
			}
			if v := root.Content[i+1]; newerVersion(v) {
				return f, &LoadError{Path: name, Line: k.Line, Field: "version",
					Problem: fmt.Sprintf("is %s, written by a newer smtpsetup; this one reads version %d", quoteShort(v.Value), Version),
					Fix:     "upgrade smtpsetup, or write a new file with smtpsetup setup"}
			}
		}
	}
	if !versionSeen {
		return f, &LoadError{Path: name, Field: "version", Problem: i18n.N("is missing"),
			Fix: fmt.Sprintf("add version: %d as the first line (this smtpsetup reads version %d)", Version, Version)}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return f, &LoadError{Path: name, Line: k.Line, Problem: "has " + describe(k) + " where a field name belongs",
				Fix: i18n.N("write one setting per line, as host: smtp.example.com")}
		}
		set, known := setters[k.Value]
		if !known {
			return f, unknownField(name, k)
		}
		if first, dup := seen[k.Value]; dup {
			return f, &LoadError{Path: name, Line: k.Line, Field: k.Value,
				Problem: fmt.Sprintf("appears twice (first on line %d)", first), Fix: i18n.N("keep one of them")}
		}
		seen[k.Value] = k.Line
		if p, fix := set(&f, v); p != "" {
			return f, &LoadError{Path: name, Line: v.Line, Field: k.Value, Problem: p, Fix: fix}
		}
	}
	return f, nil
}

// newerVersion reports a version number above the one this package reads.
func newerVersion(n *yaml.Node) bool {
	v, err := strconv.Atoi(n.Value)
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" && err == nil && v > Version
}

// unknownField says which field is unknown and suggests the nearest known
// one. A key that does not look like a field name (a pasted value, perhaps
// the password) is not repeated.
func unknownField(name string, k *yaml.Node) error {
	fix := "check the spelling; the fields are " + strings.Join(fieldNames, ", ")
	if best := nearest(k.Value); best != "" {
		fix = fmt.Sprintf("did you mean %q? Otherwise remove the line", best)
	}
	if !plainName.MatchString(k.Value) {
		return &LoadError{Path: name, Line: k.Line, Problem: i18n.N("has a line that is not a known field"), Fix: fix}
	}
	return &LoadError{Path: name, Line: k.Line, Field: k.Value, Problem: i18n.N("is not a known field"), Fix: fix}
}

// nearest is the known field within two edits of s, or one that s starts
// with (hostname: host), or "".
func nearest(s string) string {
	prefix := ""
	for _, f := range fieldNames {
		if len(f) >= 4 && len(f) > len(prefix) && strings.HasPrefix(strings.ToLower(s), f) {
			prefix = f
		}
	}
	if prefix != "" {
		return prefix
	}
	best, bestD := "", 3
	for _, f := range fieldNames {
		if d := editDistance(strings.ToLower(s), f); d < bestD {
			best, bestD = f, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance, for "did you mean".
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// fromFile maps the schema to Settings and checks what involves more than one
// field or the text of a value.
func fromFile(f file, name string, root *yaml.Node) (smtp.Settings, error) {
	line := func(field string) int {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == field {
				return root.Content[i].Line
			}
		}
		return 0
	}
	s := smtp.Settings{
		Provider:           f.Provider,
		Host:               f.Host,
		Port:               f.Port,
		Security:           smtp.Security(f.Security),
		Auth:               smtp.AuthMethod(f.Auth),
		Username:           f.Username,
		Password:           smtp.NewSecret(f.Password),
		From:               f.From,
		FromName:           f.FromName,
		CAFile:             f.CAFile,
		InsecureSkipVerify: f.InsecureSkipVerify,
		AllowPlaintextAuth: f.AllowPlaintextAuth,
		PasswordFile:       f.PasswordFile,
		OAuthClientID:      f.OAuthClientID,
		OAuthTenant:        f.OAuthTenant,
		Helo:               f.Helo,
		Language:           f.Language,
	}
	if f.TLSPinSHA256 != "" {
		p, err := smtp.ParsePin(f.TLSPinSHA256)
		if err != nil {
			fe := err.(smtp.FieldError)
			return smtp.Settings{}, &LoadError{Path: name, Line: line(smtp.PinField), Field: smtp.PinField, Problem: fe.Problem, Fix: fe.Fix}
		}
		s.TLSPinSHA256 = p
	}
	if s.Auth == "" {
		s.Auth = smtp.AuthAuto
	}
	for _, tf := range textFields(s) {
		if err := checkText(tf.name, tf.value); err != nil {
			var fe smtp.FieldError
			errors.As(err, &fe)
			fix := fe.Fix
			if v := valueNode(root, tf.name); v != nil && v.Style&yaml.DoubleQuotedStyle != 0 {
				// The file itself is clean text: a YAML escape made the character.
				fix = "remove the escape (such as \\b, \\e, \\a or \\x..) from the quoted value; " + fe.Fix
			}
			return smtp.Settings{}, &LoadError{Path: name, Line: line(tf.name), Field: tf.name, Problem: fe.Problem, Fix: fix}
		}
	}
	if s.Host != "" {
		// The same rule as the flags and the wizard: a name or an address.
		var fe smtp.FieldError
		if err := smtp.ValidateHost(s.Host); errors.As(err, &fe) {
			return smtp.Settings{}, &LoadError{Path: name, Line: line("host"), Field: "host", Problem: fe.Problem, Fix: fe.Fix}
		}
	}
	if f.Helo != "" {
		if err := smtp.ValidateHelo(f.Helo); err != nil {
			fe := err.(smtp.FieldError)
			return smtp.Settings{}, &LoadError{Path: name, Line: line("helo"), Field: "helo", Problem: fe.Problem, Fix: fe.Fix}
		}
	}
	if f.Password != "" && f.PasswordFile != "" {
		return smtp.Settings{}, &LoadError{Path: name, Line: line("password_file"), Field: "password_file",
			Problem: i18n.N("is set, and so is password"), Fix: i18n.N("keep one: the password itself, or the file that holds it")}
	}
	if f.PasswordFile != "" && !filepath.IsAbs(f.PasswordFile) {
		return smtp.Settings{}, &LoadError{Path: name, Line: line("password_file"), Field: "password_file",
			Problem: i18n.N("is not an absolute path"), Fix: i18n.N("give the full path, starting with /")}
	}
	return s, nil
}

// yamlLine finds "line N" in a yaml.v3 syntax error.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a YAML syntax error into a LoadError. yaml.v3's syntax
// messages are fixed phrases, except "unknown anchor 'x' referenced", which
// repeats text from the file (a password written as *secret would be echoed):
// that one is rephrased, and every message is redacted of whatever follows
// "password:" in the raw text as a last resort.
func syntaxError(name string, data []byte, err error) error {
	msg := err.Error()
	le := &LoadError{Path: name, Problem: i18n.N("is not valid YAML"),
		Fix: i18n.N("put a value in double quotes if it contains : # ' \" or starts with * & ! | >")}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		le.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	if strings.HasPrefix(msg, "unknown anchor") {
		msg = "a value starts with * (an alias) that refers to nothing"
	}
	le.Err = errors.New(redact(msg, rawPasswords(data)...))
	return le
}

// rawPassword matches a password line as written, before any YAML parsing.
var rawPassword = regexp.MustCompile(`(?m)^\s*["']?password["']?\s*:[ \t]*(.*?)[ \t]*$`)

// rawPasswords lists what a broken file might hold as the password: the text
// after "password:", with and without quotes and YAML indicators.
func rawPasswords(data []byte) []string {
	var out []string
	for _, m := range rawPassword.FindAllSubmatch(data, -1) {
		v := string(m[1])
		out = append(out, v, strings.Trim(v, `"'`), strings.TrimLeft(v, "*&!"))
	}
	return out
}

// fileError turns a failure to read a file into a LoadError with a fix.
func fileError(path, what string, err error) error {
	le := &LoadError{Path: path, Err: err}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		le.Problem, le.Fix = "the "+what+" does not exist", "run smtpsetup setup to create it, or give the right path with --config"
		le.Err = fs.ErrNotExist
	case errors.Is(err, fs.ErrPermission):
		le.Problem, le.Fix = "the "+what+" cannot be read (permission denied)", "run smtpsetup as the file's owner, or as root"
		le.Err = fs.ErrPermission
	case errors.Is(err, errNotRegular):
		le.Problem, le.Fix = "the "+what+" is "+err.Error(), "point it at a plain file"
		le.Err = nil
	case errors.Is(err, errTooLarge):
		le.Problem, le.Fix = "the "+what+" is too large to be one", "check that the path names the right file"
		le.Err = nil
	default:
		le.Problem, le.Fix = "the "+what+" cannot be read", "check the path and the disk"
	}
	return le
}

// fieldOnLine reads the field name at the start of a raw line, when it looks
// like one (never a value: the password stays unquoted).
var fieldOnLine = regexp.MustCompile(`^\s*([a-z_]{1,40})\s*:`)

// rawTextError finds what YAML would refuse with no line number and a
// wrong fix: a NUL, invalid UTF-8 or a raw control character (tab and the
// CR of a CRLF line end are fine). It names the line and, when the line
// starts with one, the field; never the value.
func rawTextError(data []byte, name string) *LoadError {
	for i, l := range bytes.Split(data, []byte("\n")) {
		l = bytes.TrimSuffix(l, []byte("\r"))
		var problem string
		switch {
		case bytes.IndexByte(l, 0) >= 0:
			problem = "holds a NUL byte"
		case !utf8.Valid(l):
			problem = "is not valid UTF-8 text"
		default:
			for _, r := range string(l) {
				if r != '\t' && unicode.IsControl(r) {
					problem = "holds the control character " + strings.Trim(strconv.QuoteRuneToASCII(r), "'")
					break
				}
			}
		}
		if problem == "" {
			continue
		}
		le := &LoadError{Path: name, Line: i + 1, Problem: "this line " + problem,
			Fix: i18n.N("the file was damaged or is not a smtpsetup config: delete that character (cat -A shows it), or write a new file with smtpsetup setup")}
		if m := fieldOnLine.FindSubmatch(l); m != nil {
			if _, known := setters[string(m[1])]; known {
				le.Field, le.Problem = string(m[1]), problem
			}
		}
		return le
	}
	return nil
}
