package detect

import (
	"fmt"

	"smtpsetup/i18n"
)

// note is one thing detection could not check, kept as its format (marked
// for translation where it is written) and its values, so that the user
// reads it in their language (Result.UncheckedIn) while Result.Unchecked
// and the JSON keep the English.
type note struct {
	format string
	args   []any
}

// reason is a value of a note that is our own words (why's, a probe's
// reason): translated with the note. Hosts, URLs and numbers are not.
type reason string

func notef(format string, args ...any) note { return note{format, args} }

func (n note) in(tr *i18n.Printer) string {
	args := make([]any, len(n.args))
	for i, a := range n.args {
		switch a := a.(type) {
		case reason:
			args[i] = tr.T(string(a))
		case note:
			args[i] = a.in(tr)
		default:
			args[i] = a
		}
	}
	return fmt.Sprintf(tr.T(n.format), args...)
}

// Error makes a note an error, in English, for domainOf.
func (n note) Error() string { return n.in(nil) }

func english(notes []note) []string {
	var out []string
	for _, n := range notes {
		out = append(out, n.in(nil))
	}
	return out
}

// UncheckedIn is Unchecked in tr's language.
func (r Result) UncheckedIn(tr *i18n.Printer) []string {
	if tr.English() || len(r.notes) != len(r.Unchecked) {
		return r.Unchecked
	}
	out := make([]string, len(r.notes))
	for i, n := range r.notes {
		out[i] = n.in(tr)
	}
	return out
}
