// Command providersdoc writes docs/providers.md from the built-in provider
// catalogue (smtp/providers.yaml), so that what a helpdesk reads is what the
// wizard knows. Run it with `go generate ./...`; a test fails when the file
// is stale.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"smtpsetup/smtp"
)

func main() {
	out := flag.String("out", "docs/providers.md", "file to write")
	flag.Parse()
	if err := os.WriteFile(*out, render(smtp.BuiltinCatalogue()), 0o644); err != nil {
		log.Fatal(err)
	}
}

// render is the whole Markdown document; it depends only on the catalogue so
// that regenerating an unchanged catalogue gives the same bytes.
func render(c *smtp.Catalogue) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("| Provider | Server | Recommended | Login | Password field | Status | Last checked |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, p := range c.Providers {
		rec := "—"
		if po, ok := p.Recommended(); ok {
			rec = fmt.Sprintf("%d %s", po.Port, po.Security.Label())
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s | %s | %s |\n",
			cell(p.Name), p.ID, cell(orDash(p.Host)), rec, cell(p.LoginDescription()), cell(p.SecretLabel()), p.Status, p.LastChecked)
	}
	for _, p := range c.Providers {
		section(&b, &p)
	}
	return b.Bytes()
}

const header = `# Providers

<!-- Generated from smtp/providers.yaml by internal/providersdoc. Do not edit; run go generate ./... -->

The wizard's provider catalogue: where each provider's SMTP server is, how to
log in, and what to do at the provider before the first login can work.

* **Last checked** is the day the facts were checked against the sources
  listed under each provider; each source carries its own date. **never**
  means nobody has checked the entry against a source yet: treat it as a
  starting point.
* **Unconfirmed** lists what could not be confirmed.
* **Status**: ok (works with the password described), oauth-only (passwords
  are refused), changing (works today; the provider has announced a change),
  broken (known not to work).

Vendors add or override entries with ` + "`--providers FILE`" + ` in the format of
smtp/providers.yaml. Such a file is untrusted text: at most 4 MiB and 1000
entries, 100 items per list, 200 bytes per name-like field and 2000 per
note; control, escape and bidi characters in shown text are displayed
escaped (as ` + "`\\x1b`" + `), and in values that are used (URLs, login_literal,
secret.shape, ids, hosts) they are refused; URLs are printable ASCII.

`

func section(b *bytes.Buffer, p *smtp.Provider) {
	fmt.Fprintf(b, "\n<a id=\"%s\"></a>\n\n## %s\n\n", p.ID, p.Name)
	fmt.Fprintf(b, "`%s` · status **%s** · last checked %s\n\n", p.ID, p.Status, p.LastChecked)
	if p.StatusNote != "" {
		fmt.Fprintf(b, "> %s\n\n", p.StatusNote)
	}
	item(b, "Domains", strings.Join(p.Domains, ", "))
	item(b, "Mail exchangers (custom domains)", strings.Join(p.MX, ", "))
	item(b, "Server", cmpOr(p.Host, p.HostHint))
	var ports []string
	for _, po := range p.Ports {
		s := fmt.Sprintf("%d %s", po.Port, po.Security.Label())
		if po.Recommended {
			s += " (recommended)"
		}
		ports = append(ports, s)
	}
	item(b, "Ports", strings.Join(ports, ", "))
	item(b, "Login", p.LoginDescription())
	item(b, "Password field", secret(p))
	item(b, "Sender", p.SenderRule)
	item(b, "Limits", p.Limits)
	if o := p.OAuth; o != nil {
		client := "none built in: your organisation's app, with --client-id"
		if o.ClientID != "" {
			client = "`" + o.ClientID + "`"
		}
		how := "device code (`smtpsetup login` or the wizard)"
		if !p.SignsInWithCode() {
			how = "browser anywhere, address pasted back (`smtpsetup login` only)"
		}
		tenant := ""
		if o.Tenant != "" {
			tenant = "; tenant `" + o.Tenant + "`"
		}
		item(b, "OAuth sign-in", fmt.Sprintf("%s, then SMTP AUTH %s; scopes `%s`%s; client id: %s",
			how, strings.ToUpper(o.Mechanism), strings.Join(o.Scopes, " "), tenant, client))
	}
	if len(p.Prerequisites) > 0 {
		b.WriteString("\n### Before the first login\n\n")
		for i, pr := range p.Prerequisites {
			fmt.Fprintf(b, "%d. **%s.**", i+1, pr.Title)
			if pr.Detail != "" {
				fmt.Fprintf(b, " %s", pr.Detail)
			}
			if pr.URL != "" {
				fmt.Fprintf(b, " <%s>", pr.URL)
			}
			if pr.Why != "" {
				// A backslash at the end of a line is a hard line break in CommonMark.
				fmt.Fprintf(b, "\\\n   *Why:* %s", pr.Why)
			}
			b.WriteString("\n")
		}
	} else if p.NoPrereqs != "" {
		fmt.Fprintf(b, "\nNothing to do first: %s\n", p.NoPrereqs)
	}
	list(b, "Unconfirmed", p.Unconfirmed)
	list(b, "Sources", p.Sources)
}

func secret(p *smtp.Provider) string {
	s := p.SecretLabel()
	if p.Secret.Kind != "" {
		s += " (" + p.Secret.Kind + ")"
	}
	if p.Secret.ShapeHint != "" {
		s += "; " + p.Secret.ShapeHint
	}
	if p.Secret.StripSpaces {
		s += "; spaces are removed"
	}
	return s
}

func item(b *bytes.Buffer, name, value string) {
	if value != "" {
		fmt.Fprintf(b, "* %s: %s\n", name, value)
	}
}

func list(b *bytes.Buffer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "* %s\n", it)
	}
}

// cell keeps a value inside its table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func orDash(s string) string { return orDefault(s, "—") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
