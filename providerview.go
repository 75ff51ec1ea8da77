package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// writeProviderList is the catalogue in 80 columns: the id to type, the
// name to recognise, and the status. A name too long for its column wraps
// under itself. `providers ID` shows the rest.
func writeProviderList(w io.Writer, cat *smtp.Catalogue, tr *i18n.Printer) error {
	idH, nameH, stH := "ID", tr.T("NAME"), tr.T("STATUS") // the ID column holds what --provider takes
	idW, stW := ansi.StringWidth(idH), ansi.StringWidth(stH)
	for _, p := range cat.Providers {
		idW, stW = max(idW, ansi.StringWidth(p.ID)), max(stW, ansi.StringWidth(p.Status))
	}
	nameW := max(helpWidth-idW-stW-4, 20)
	row := func(id, name, status string) {
		lines := strings.Split(wrapWords(name, nameW, nameW), "\n")
		fmt.Fprintf(w, "%s  %s  %s\n", padCells(id, idW), padCells(lines[0], nameW), status)
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "%s  %s\n", padCells("", idW), l)
		}
	}
	row(idH, nameH, stH)
	for _, p := range cat.Providers {
		row(smtp.CleanLine(p.ID), smtp.CleanLine(p.Name), smtp.CleanLine(p.Status))
	}
	_, err := fmt.Fprintln(w, "\n"+tr.T("`smtpsetup providers ID` shows one provider: servers, login, what to do first."))
	return err
}

// padCells pads s with spaces to n terminal cells (a CJK character takes
// two), as %-*s does for ASCII.
func padCells(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-ansi.StringWidth(s)))
}

// writeProvider shows one catalogue entry, every line within 80 columns
// (but a URL, which is never split). Catalogue text can come from a
// vendor's file: each word is cleaned on its own, so that the cap on one
// cleaned line never cuts a long note or a URL short.
//
// The entry's own words (Provider.Texts) are shown in tr's language when
// translated; an entry that is not says so once.
func writeProvider(w io.Writer, p *smtp.Provider, tr *i18n.Printer) {
	fmt.Fprintf(w, "%s (%s)\n", smtp.CleanLine(p.Name), smtp.CleanLine(p.ID))
	if !providerTranslated(p, tr) {
		fmt.Fprintln(w, tr.T("This provider's own notes are in English."))
	}
	field := func(label string, parts ...string) {
		var clean []string
		for _, part := range parts {
			for _, word := range strings.Fields(part) {
				clean = append(clean, smtp.CleanLine(word))
			}
		}
		if len(clean) > 0 {
			fmt.Fprint(w, wrapField(label, strings.Join(clean, " ")))
		}
	}
	field(tr.T("domains"), strings.Join(p.Domains, ", "))
	var ports []string
	for _, o := range p.Ports {
		s := fmt.Sprintf("%d %s", o.Port, o.Security)
		if o.Recommended {
			s = tr.Tf("%d %s (recommended)", o.Port, o.Security)
		}
		ports = append(ports, s)
	}
	if p.Host != "" {
		field(tr.T("server"), tr.Tf("%s port %s", p.Host, strings.Join(ports, ", ")))
	}
	field(tr.T("login"), p.LoginDescriptionIn(tr))
	if p.Secret.ShapeHint != "" {
		field(tr.T("secret"), p.SecretLabelIn(tr)+":", tr.T(p.Secret.ShapeHint))
	} else {
		field(tr.T("secret"), p.SecretLabelIn(tr))
	}
	for i, pre := range p.Prerequisites {
		field(tr.Tf("first (%d)", i+1), tr.Period(tr.T(pre.Title)), tr.T(pre.Detail), pre.URL)
	}
	field(tr.T("sender"), tr.T(p.SenderRule))
	field(tr.T("limits"), tr.T(p.Limits))
	if p.StatusNote != "" {
		field(tr.T("status"), p.Status+":", tr.T(p.StatusNote))
	} else {
		field(tr.T("status"), p.Status)
	}
	field(tr.T("checked"), p.LastChecked)
	unconfirmed := make([]string, len(p.Unconfirmed))
	for i, u := range p.Unconfirmed {
		unconfirmed[i] = tr.T(u)
	}
	field(tr.T("unconfirmed"), strings.Join(unconfirmed, "; "))
	field(tr.T("sources"), strings.Join(p.Sources, "; "))
}

// providerTranslated reports whether every one of the entry's own words
// has a translation in tr's language (always in English).
func providerTranslated(p *smtp.Provider, tr *i18n.Printer) bool {
	for _, t := range p.Texts() {
		if !tr.Has(t) {
			return false
		}
	}
	return true
}

// wrapField writes "  label       value", the value wrapped at word
// boundaries under itself so that no line passes helpWidth. A word longer
// than the space (a URL) gets a line of its own, whole: a URL split in two
// cannot be copied.
func wrapField(label, value string) string {
	const indent = 15
	lines := strings.Split(wrapWords(value, helpWidth-indent, helpWidth-indent), "\n")
	out := "  " + padCells(label, indent-2) + lines[0] + "\n"
	if ansi.StringWidth(label) >= indent-2 { // a long word in another language
		out = "  " + label + " " + lines[0] + "\n"
	}
	for _, l := range lines[1:] {
		// A URL wider than the column moves left as far as it must.
		pad := max(0, min(indent, helpWidth-ansi.StringWidth(l)))
		out += strings.Repeat(" ", pad) + l + "\n"
	}
	return out
}
