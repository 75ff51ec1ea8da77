package smtp

import (
	"fmt"
	"strings"
	"testing"
)

// Benchmarks for the pure functions on the path of every test and every
// screen: the sanitizer (every server line), the diagnosis (every failure)
// and the catalogue lookups (every keystroke in the address field). They
// report time and allocations only; nothing here asserts a wall-clock time.
// Run them with: go test -run '^$' -bench . -benchmem ./smtp

// hostileLine is a 300-byte server line built to be expensive to clean:
// escape sequences, bidi overrides, C1 controls and invalid UTF-8, each of
// which becomes a visible escape.
var hostileLine = func() string {
	unit := "\x1b[2J\u202e\x85\xff\u200bA\t"
	var b strings.Builder
	for b.Len() < 300 {
		b.WriteString(unit)
	}
	return b.String()[:300]
}()

// cleanLine is a 300-byte line as an honest server sends it.
var cleanLine = func() string {
	unit := "250-smtp.example.com Hello client.example.net [192.0.2.10], pleased to meet you "
	return strings.Repeat(unit, 300/len(unit)+1)[:300]
}()

var sinkString string

func BenchmarkCleanText(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"hostile300", hostileLine},
		{"clean300", cleanLine},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				sinkString = CleanText(bc.in)
			}
		})
	}
}

var sinkDiagnosis *Diagnosis

// BenchmarkDiagnose535 diagnoses the commonest failure: AUTH refused with
// 535 5.7.8, with a provider known.
func BenchmarkDiagnose535(b *testing.B) {
	reply := newReply(535, "5.7.8 Username and Password not accepted. For more information, go to\n5.7.8  https://support.google.com/mail/?p=BadCredentials")
	s := Settings{Host: "smtp.gmail.com", Port: 587, Security: SecuritySTARTTLS, Username: "someone@gmail.com"}
	cat := BuiltinCatalogue()
	p, ok := cat.ByID("gmail")
	if !ok {
		b.Fatal("no gmail in the catalogue")
	}
	r := &Report{
		Settings: s,
		Failure:  &Failure{Stage: StageAuth, Kind: KindReply, Command: "AUTH", Reply: &reply},
		Server:   ServerInfo{TLS: &TLSInfo{Version: "TLS 1.3"}, Auth: []string{"LOGIN", "PLAIN", "XOAUTH2"}},
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkDiagnosis = Diagnose(r, p)
	}
	if sinkDiagnosis == nil || sinkDiagnosis.Code == "" {
		b.Fatalf("no diagnosis: %+v", sinkDiagnosis)
	}
}

var sinkProvider *Provider

func BenchmarkCatalogue(b *testing.B) {
	cat := BuiltinCatalogue()
	last := cat.Providers[len(cat.Providers)-1].ID
	b.Run("BuiltinCatalogue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cat = BuiltinCatalogue()
		}
	})
	for _, bc := range []struct {
		name string
		find func() (*Provider, bool)
	}{
		{"ByDomain/first", func() (*Provider, bool) { return cat.ByDomain("gmail.com") }},
		{"ByDomain/late", func() (*Provider, bool) { return cat.ByDomain("HOTMAIL.CO.UK.") }},
		{"ByDomain/miss", func() (*Provider, bool) { return cat.ByDomain("example.org") }},
		{"ByID/first", func() (*Provider, bool) { return cat.ByID("gmail") }},
		{"ByID/last", func() (*Provider, bool) { return cat.ByID(last) }},
		{"ByID/miss", func() (*Provider, bool) { return cat.ByID("no-such-provider") }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkProvider, _ = bc.find()
			}
		})
	}
}

// BenchmarkCatalogueMerge merges 30 000 new entries into the built-in
// catalogue: a quadratic merge took 16 s here.
func BenchmarkCatalogueMerge(b *testing.B) {
	extra := &Catalogue{}
	for i := range 30000 {
		extra.Providers = append(extra.Providers, Provider{ID: fmt.Sprintf("p%d", i)})
	}
	for b.Loop() {
		BuiltinCatalogue().Merge(extra)
	}
}

// BenchmarkMaskReply masks a 40-line reply of 300-character lines for a
// 1024-byte password: the cost every reply pays when a password is set.
func BenchmarkMaskReply(b *testing.B) {
	pw := strings.Repeat("Ab1-", 256)
	m := newSecretMask(Settings{Username: "nas@example.com", Password: NewSecret(pw)})
	reply := strings.Repeat(strings.Repeat("x", 290)+" you sent\n", 40)
	for b.Loop() {
		m.reply(535, reply)
	}
}
