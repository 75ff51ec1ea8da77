package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"smtpsetup/smtp"
)

// screenWidth is what `providers` output fits: a serial console or an
// 80-column SSH window.
const screenWidth = 80

// writeProviderList is the catalogue in 80 columns: the id to type, the
// name to recognise, and the status. `providers ID` shows the rest.
func writeProviderList(w io.Writer, cat *smtp.Catalogue) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS")
	for _, p := range cat.Providers {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.ID, smtp.CleanLine(p.Name), p.Status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\n`smtpsetup providers ID` shows one provider: servers, login, what to do first.")
	return err
}

// writeProvider shows one catalogue entry, every line within 80 columns.
func writeProvider(w io.Writer, p *smtp.Provider) {
	fmt.Fprintf(w, "%s (%s)\n", smtp.CleanLine(p.Name), p.ID)
	field := func(label, value string) {
		if value != "" {
			fmt.Fprint(w, wrapField(label, smtp.CleanText(value)))
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
		field("server", p.Host+" port "+strings.Join(ports, ", "))
	}
	field("login", p.LoginDescription())
	secret := p.SecretLabel()
	if p.Secret.ShapeHint != "" {
		secret += ": " + p.Secret.ShapeHint
	}
	field("secret", secret)
	for i, pre := range p.Prerequisites {
		text := pre.Title + ". " + pre.Detail
		if pre.URL != "" {
			text += " " + pre.URL
		}
		field(fmt.Sprintf("first (%d)", i+1), text)
	}
	field("sender", p.SenderRule)
	field("limits", p.Limits)
	status := p.Status
	if p.StatusNote != "" {
		status += ": " + p.StatusNote
	}
	field("status", status)
	field("checked", p.LastChecked)
	field("unconfirmed", strings.Join(p.Unconfirmed, "; "))
	field("sources", strings.Join(p.Sources, "; "))
}

// wrapField writes "  label       value", the value wrapped at word
// boundaries under itself so that no line passes screenWidth. A single
// word longer than the space (a URL) gets a line of its own, whole: a URL
// split in two cannot be copied.
func wrapField(label, value string) string {
	const indent = 15
	var b strings.Builder
	line := fmt.Sprintf("  %-*s", indent-2, label)
	width := len(line)
	fresh := true
	for _, word := range strings.Fields(value) {
		n := len([]rune(word))
		if !fresh && width+1+n > screenWidth {
			b.WriteString(line + "\n")
			line, width, fresh = strings.Repeat(" ", indent), indent, true
		}
		if !fresh {
			line += " "
			width++
		}
		line += word
		width += n
		fresh = false
	}
	b.WriteString(line + "\n")
	return b.String()
}
