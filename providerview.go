package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"smtpsetup/smtp"
)

// writeProviderList is the catalogue in 80 columns: the id to type, the
// name to recognise, and the status. A name too long for its column wraps
// under itself. `providers ID` shows the rest.
func writeProviderList(w io.Writer, cat *smtp.Catalogue) error {
	idW, stW := len("ID"), len("STATUS")
	for _, p := range cat.Providers {
		idW, stW = max(idW, ansi.StringWidth(p.ID)), max(stW, ansi.StringWidth(p.Status))
	}
	nameW := max(helpWidth-idW-stW-4, 20)
	row := func(id, name, status string) {
		lines := strings.Split(wrapWords(name, nameW, nameW), "\n")
		fmt.Fprintf(w, "%-*s  %-*s  %s\n", idW, id, nameW, lines[0], status)
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "%-*s  %s\n", idW, "", l)
		}
	}
	row("ID", "NAME", "STATUS")
	for _, p := range cat.Providers {
		row(smtp.CleanLine(p.ID), smtp.CleanLine(p.Name), smtp.CleanLine(p.Status))
	}
	_, err := fmt.Fprintln(w, "\n`smtpsetup providers ID` shows one provider: servers, login, what to do first.")
	return err
}

// writeProvider shows one catalogue entry, every line within 80 columns
// (but a URL, which is never split). Catalogue text can come from a
// vendor's file: each word is cleaned on its own, so that the cap on one
// cleaned line never cuts a long note or a URL short.
func writeProvider(w io.Writer, p *smtp.Provider) {
	fmt.Fprintf(w, "%s (%s)\n", smtp.CleanLine(p.Name), smtp.CleanLine(p.ID))
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
	field("domains", strings.Join(p.Domains, ", "))
	var ports []string
	for _, o := range p.Ports {
		s := fmt.Sprintf("%d %s", o.Port, o.Security)
		if o.Recommended {
			s += " (recommended)"
		}
		ports = append(ports, s)
	}
	if p.Host != "" {
		field("server", p.Host, "port", strings.Join(ports, ", "))
	}
	field("login", p.LoginDescription())
	if p.Secret.ShapeHint != "" {
		field("secret", p.SecretLabel()+":", p.Secret.ShapeHint)
	} else {
		field("secret", p.SecretLabel())
	}
	for i, pre := range p.Prerequisites {
		field(fmt.Sprintf("first (%d)", i+1), pre.Title+".", pre.Detail, pre.URL)
	}
	field("sender", p.SenderRule)
	field("limits", p.Limits)
	if p.StatusNote != "" {
		field("status", p.Status+":", p.StatusNote)
	} else {
		field("status", p.Status)
	}
	field("checked", p.LastChecked)
	field("unconfirmed", strings.Join(p.Unconfirmed, "; "))
	field("sources", strings.Join(p.Sources, "; "))
}

// wrapField writes "  label       value", the value wrapped at word
// boundaries under itself so that no line passes helpWidth. A word longer
// than the space (a URL) gets a line of its own, whole: a URL split in two
// cannot be copied.
func wrapField(label, value string) string {
	const indent = 15
	lines := strings.Split(wrapWords(value, helpWidth-indent, helpWidth-indent), "\n")
	out := fmt.Sprintf("  %-*s%s\n", indent-2, label, lines[0])
	for _, l := range lines[1:] {
		// A URL wider than the column moves left as far as it must.
		pad := max(0, min(indent, helpWidth-ansi.StringWidth(l)))
		out += strings.Repeat(" ", pad) + l + "\n"
	}
	return out
}
