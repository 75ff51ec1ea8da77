package output

import (
	"strings"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// provenWords are the names of what a test proves (Report.Proven, the
// JSON's values) as a person reads them.
var provenWords = map[string]string{
	smtp.ProvenLogin:    i18n.N("login"),
	smtp.ProvenSender:   i18n.N("sender"),
	smtp.ProvenMessage:  i18n.N("message"),
	smtp.ProvenDelivery: i18n.N("delivery"),
}

// provenList is Report.Proven for people: "login, sender", or "nothing".
func provenList(r *smtp.Report, tr *i18n.Printer) string {
	p := r.Proven()
	if len(p) == 0 {
		return tr.T("nothing")
	}
	words := make([]string, len(p))
	for i, name := range p {
		words[i] = name
		if w, ok := provenWords[name]; ok {
			words[i] = tr.T(w)
		}
	}
	return strings.Join(words, ", ")
}
