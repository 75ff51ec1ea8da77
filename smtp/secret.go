package smtp

import (
	"fmt"
	"log/slog"
)

// Mask is what a Secret prints instead of its value. It never depends on the
// secret's length, so a screen or a log cannot even leak how long it is.
const Mask = "********"

// Secret holds a password, an App Password, an API key or a token. Every way
// of printing it (String, Format, GoString, LogValue, MarshalJSON, MarshalText)
// shows Mask, so a stray %v cannot leak it. Only Reveal returns the value, and
// only the config writer and the AUTH exchange call it.
type Secret struct{ value string }

// NewSecret wraps a secret value.
func NewSecret(value string) Secret { return Secret{value: value} }

// Reveal returns the secret itself. Call it only to authenticate or to write
// the config file.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether no secret was given.
func (s Secret) IsZero() bool { return s.value == "" }

// String implements fmt.Stringer with a mask.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return Mask
}

// GoString implements fmt.GoStringer with a mask.
func (s Secret) GoString() string { return "smtp.Secret(" + s.String() + ")" }

// Format implements fmt.Formatter so that every verb, %x and %q included,
// prints the mask.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, s.String())
}

// LogValue implements slog.LogValuer with a mask.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON prints the mask, never the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalText prints the mask, never the value (YAML and XML encoders use it).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
