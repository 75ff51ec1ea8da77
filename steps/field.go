package steps

import (
	"errors"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// FieldKind is how a field takes its answer.
type FieldKind int

// The kinds of field.
const (
	TextField    FieldKind = iota // one line of text
	SecretField                   // text never shown
	ChoiceField                   // one of Options
	ConfirmField                  // yes or no
)

func (k FieldKind) String() string {
	return [...]string{"text", "secret", "choice", "confirm"}[k]
}

// Option is one answer of a ChoiceField: what the user reads, and the
// value stored (also what the line mode accepts typed).
type Option struct{ Label, Value string }

// Field is one question, as both renderers ask it: same title, same check,
// same default (the value it holds when asked).
type Field struct {
	Kind        FieldKind
	Title       string
	TitleFunc   func() string // when set, the title now (it follows an earlier answer)
	Description string
	Placeholder string
	Limit       int      // longest answer, in bytes; 0 for none
	Options     []Option // ChoiceField
	Value       *string  // TextField, SecretField, ChoiceField
	Yes         *bool    // ConfirmField
	Affirmative string   // ConfirmField: the yes button
	Negative    string   // ConfirmField: the no button
	// Offer is how many of the first Options the line mode lists, with
	// "l" to list all (the detected provider, not 48); 0 lists all.
	Offer int
	// Replace marks the value as selected: the first key typed replaces
	// it (the password after the server refused it).
	Replace bool

	// Check accepts or rejects an answer; a Warning rejects it once, and
	// the same answer again is accepted.
	Check func(string) error
	// Changed runs when the value changed, with the old value: the login
	// follows the address, the port the mode.
	Changed func(old string)
	// Skip reports that the question does not apply now (no secret for a
	// relay without a login). Both renderers leave it out: the line mode
	// does not ask it, a screen hides it and moves past it.
	Skip func() bool
}

// TitleNow is the field's title as it reads now.
func (f Field) TitleNow() string {
	if f.TitleFunc != nil {
		return f.TitleFunc()
	}
	return f.Title
}

// Get is the field's current value as text ("yes"/"no" for a confirm).
func (f Field) Get() string {
	if f.Kind == ConfirmField {
		if f.Yes != nil && *f.Yes {
			return "yes"
		}
		return "no"
	}
	if f.Value == nil {
		return ""
	}
	return *f.Value
}

// Page is what a step shows and asks at one moment.
type Page struct {
	Heading string   // a title above the prose, "" for none
	Intro   []string // paragraphs to read before answering
	Fields  []Field
	// Focus is the index of the field to start at (the field a failed
	// test points at); the line mode keeps the answers before it.
	Focus int
	// More, when set, opens fields the page keeps hidden to save keys (an
	// address typed on the first step, the login derived from it, an
	// optional sender name): a screen opens them with a key, the line mode
	// asks first.
	More *More
	// Back, when set, is a way back within the step (the address, from
	// the list it was looked up for): Esc on a screen, an answer "b" in
	// the line mode, named in its prompt.
	Back *More
}

// More is a page's way to its hidden fields.
type More struct {
	Label string // the question, "Change the address, login or sender name"
	Key   string // the key's help, short enough for a footer
	Open  func() // shows the fields; the page is drawn again
}

// Warning is a check's objection that the same answer given again
// overrides (an unusual port, a secret of an unexpected shape).
type Warning string

func (w Warning) Error() string { return string(w) }

// IsWarning reports whether err is a Warning.
func IsWarning(err error) bool {
	var w Warning
	return errors.As(err, &w)
}

// Sentence is an error as the user reads it under a field, in tr's
// language.
func Sentence(tr *i18n.Printer, err error) string {
	var fe smtp.FieldError
	if errors.As(err, &fe) {
		return fe.SentenceIn(tr)
	}
	return err.Error()
}

// plain turns a FieldError into its sentence, for the forms.
func plain(tr *i18n.Printer, err error) error {
	if err == nil {
		return nil
	}
	if IsWarning(err) {
		return err
	}
	return errors.New(Sentence(tr, err))
}

// huhField draws a field as a huh field, its errors in tr's language.
func (f Field) huhField(height int, tr *i18n.Printer) huh.Field {
	switch f.Kind {
	case ChoiceField:
		var opts []huh.Option[string]
		for _, o := range f.Options {
			opts = append(opts, huh.NewOption(o.Label, o.Value))
		}
		sel := huh.NewSelect[string]().Title(f.TitleNow()).Options(opts...).Value(f.Value)
		if f.Description != "" {
			sel.Description(f.Description)
		}
		if len(f.Options) > height {
			sel.Height(height)
		}
		if f.Skip != nil {
			return &skippable{Field: sel, skip: f.Skip}
		}
		return sel
	case ConfirmField:
		c := huh.NewConfirm().Title(f.TitleNow()).Affirmative(f.Affirmative).Negative(f.Negative).Value(f.Yes)
		if f.Description != "" {
			c.Description(f.Description)
		}
		return c
	}
	return newTextField(f, tr)
}

// upperFirst capitalises a phrase to start a sentence: its first letter,
// whatever its script (a letter with no case stays as it is).
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// skippable is a huh field that is hidden and passed over while its
// question does not apply (the server's host once the recommended
// settings are chosen).
type skippable struct {
	huh.Field
	skip func() bool
}

// Update implements huh.Field, keeping the wrapper around the field.
func (s *skippable) Update(msg tea.Msg) (huh.Model, tea.Cmd) {
	m, cmd := s.Field.Update(msg)
	if f, ok := m.(huh.Field); ok {
		s.Field = f
	}
	return s, cmd
}

// Skip implements huh.Field.
func (s *skippable) Skip() bool { return s.skip() }

// View implements huh.Field: nothing while skipped.
func (s *skippable) View() string {
	if s.skip() {
		return ""
	}
	return s.Field.View()
}

// unwrap is the huh field inside a skippable one.
func unwrap(f huh.Field) huh.Field {
	if s, ok := f.(*skippable); ok {
		return s.Field
	}
	return f
}
