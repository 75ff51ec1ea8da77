package output

import (
	"strings"

	"smtpsetup/smtp"
)

// provenList is Report.Proven for people: "login, sender", or "nothing".
func provenList(r *smtp.Report) string {
	if p := r.Proven(); len(p) > 0 {
		return strings.Join(p, ", ")
	}
	return "nothing"
}
