package smtp

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"smtpsetup/i18n"
)

// The pseudo-locale brackets every text that went through a Printer, so a
// diagnosis rendered in it shows, outside the brackets, only what was put in
// through verbs (the server's words, hosts, addresses, codes) and English
// that was never wrapped. The table tests render each diagnosis they make
// through diagnoseBoth, which checks the pseudo-locale's rendering too.

var pseudo = i18n.New(i18n.Pseudo)

// englishWord is a word of three letters or more, as the i18n completeness
// test counts English.
var englishWord = regexp.MustCompile(`\b[A-Za-z]{3,}\b`)

// diagnoseBoth is Diagnose for the table tests: it also renders the
// diagnosis in the pseudo-locale and fails the test when a word of its
// title, detail or fix was never translated, or when the translation
// changed a decision.
func diagnoseBoth(t testing.TB, r *Report, p *Provider) *Diagnosis {
	t.Helper()
	d := Diagnose(r, p)
	if err := CheckPseudo(r, p, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// CheckPseudo renders r's diagnosis in the pseudo-locale and compares it
// with d, its English: the same code, family, transience, suggestion and
// reply, and every word of the title, detail and fix translated. It is
// exported for the corpus test (package smtp_test).
func CheckPseudo(r *Report, p *Provider, d *Diagnosis) error {
	dp := DiagnoseIn(r, p, pseudo)
	if (d == nil) != (dp == nil) {
		return fmt.Errorf("English %v, pseudo-locale %v", d, dp)
	}
	if d == nil {
		return nil
	}
	same := d.Code == dp.Code && d.Family == dp.Family && d.Transient == dp.Transient && d.Reply == dp.Reply &&
		d.RetryAfter == dp.RetryAfter && (d.Suggestion == nil) == (dp.Suggestion == nil) &&
		(d.Suggestion == nil || *d.Suggestion == *dp.Suggestion)
	if !same {
		return fmt.Errorf("the pseudo-locale changed a decision:\nEnglish %+v\npseudo  %+v", d, dp)
	}
	values := inputWords(r, p)
	for _, part := range []struct{ name, en, text string }{
		{"title", d.Title, dp.Title}, {"detail", d.Detail, dp.Detail}, {"fix", d.Fix, dp.Fix},
		{"fix without pin", d.FixWithoutPin(), dp.FixWithoutPin()},
	} {
		if part.en != "" && part.text == "" {
			return fmt.Errorf("%s %s: empty in the pseudo-locale", d.Code, part.name)
		}
		if w := untranslated(part.text, values); len(w) > 0 {
			return fmt.Errorf("%s %s: %q not translated in %q (English: %q)", d.Code, part.name, w, part.text, part.en)
		}
	}
	if lines := dp.ReplyLinesIn(pseudo); len(lines) > 0 && !strings.HasPrefix(lines[0], "[") {
		return fmt.Errorf("%s: the reply's heading %q is not translated", d.Code, lines[0])
	}
	return nil
}

// untranslated are the English words of a pseudo-locale text outside its
// brackets that are not among the input's words.
func untranslated(text string, values map[string]bool) []string {
	var out []string
	for _, w := range englishWord.FindAllString(outsideBrackets(text), -1) {
		if !values[strings.ToLower(w)] {
			out = append(out, w)
		}
	}
	return out
}

// outsideBrackets is the text with every bracketed part taken out, nested
// ones included: what the pseudo-locale did not translate.
func outsideBrackets(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// inputWords are the words a diagnosis may show untranslated because they
// were observed or typed, not written by us: the server's and the identity
// provider's words, names, hosts, addresses, certificates, stages.
func inputWords(r *Report, p *Provider) map[string]bool {
	var in []string
	s := r.Settings
	in = append(in, s.Host, s.Username, s.From, s.Helo, s.CAFile, r.Helo, r.Server.Address)
	in = append(in, r.Server.Auth...)
	in = append(in, r.Server.Extensions...)
	in = append(in, r.Network.Resolvers...)
	in = append(in, r.Network.ControlName)
	if f := r.Failure; f != nil {
		in = append(in, string(f.Stage), string(f.Kind), f.Command, f.Error, f.Seen, f.Host)
		in = append(in, f.Offered...)
		if f.Reply != nil {
			in = append(in, f.Reply.Text, f.Reply.String())
		}
		if c := f.Certificate; c != nil {
			in = append(in, c.Subject, c.Issuer, c.SHA256)
			in = append(in, c.Names...)
		}
		if o := f.OAuth; o != nil {
			in = append(in, o.Error, o.Description, o.Status, o.Scope)
		}
		in = append(in, f.LocalTime.Format("2006-01-02 15:04 MST"), f.LocalTime.Format(time.RFC3339))
	}
	if p != nil {
		in = append(in, p.Name, p.Host, p.LoginLiteral)
		for _, o := range p.Ports {
			in = append(in, o.Security.Label())
		}
	}
	words := map[string]bool{}
	for _, v := range in {
		for _, w := range regexp.MustCompile(`[A-Za-z]+`).FindAllString(v, -1) {
			words[strings.ToLower(w)] = true
		}
	}
	return words
}

// TestPseudoLocaleOutsideBrackets checks the checker: English outside the
// brackets is found, nested brackets are taken out.
func TestPseudoLocaleOutsideBrackets(t *testing.T) {
	if got := outsideBrackets("[Ţhé [ñéştéd ~] ~~] left here [x]"); got != " left here " {
		t.Fatalf("outsideBrackets = %q", got)
	}
	r := &Report{Settings: Settings{Host: "smtp.example.com", Port: 587, Security: SecuritySTARTTLS},
		Failure: &Failure{Stage: StageConnect, Kind: KindRefused}}
	d := Diagnose(r, nil)
	if err := CheckPseudo(r, nil, d); err != nil {
		t.Fatal(err)
	}
	// A text never wrapped is caught; the words of the input are not.
	got := untranslated("[Ţhé şérvér ~~] smtp.example.com: Check the host [ñéşţéd [x ~] ~]", inputWords(r, nil))
	if strings.Join(got, " ") != "Check the host" {
		t.Fatalf("untranslated = %q, want the three English words", got)
	}
}
