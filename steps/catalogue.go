package steps

import (
	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// englishNotes says, in the user's language, that the provider's own texts
// (prerequisites, notes, sender rule, limits, hints) are in English: a
// catalogue entry nobody translated yet. "" when they all read in the
// user's language, or the language is English.
func englishNotes(tr *i18n.Printer, p *smtp.Provider) string {
	if p == nil {
		return ""
	}
	for _, t := range p.Texts() {
		if !tr.Has(t) {
			return tr.Tf("The notes on %s are in English: its catalogue entry has no translation yet.", p.Name)
		}
	}
	return ""
}
