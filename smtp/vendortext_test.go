package smtp

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// hostileEntry is a vendor entry whose every free-text field holds escape
// sequences (OSC 52 clipboard write, CSI 2J, OSC 8 hyperlink, a C1 CSI)
// and bidi overrides, written as YAML escapes.
const hostileEntry = `providers:
  - id: evil
    name: "Evil\e]52;c;cHduZWQ=\a Mail\u202e"
    host: smtp.evil.example
    ports: [{security: ssl, port: 465}]
    login: dashboard
    login_hint: "hint\e[2J"
    secret: {kind: password, label: "Pass\u202eword", shape_hint: "sh\x9b31m", wrong_shape: "ws\e[31m"}
    prerequisites:
      - title: "Do \e]8;;https://evil.example\aclick\e]8;;\a this"
        detail: "line one\nline two \e]0;pwned\a"
        url: https://evil.example/setup
        why: "why\u200f\u2066"
    sender_rule: "sr\b\b"
    limits: "lim\x7f"
    status: changing
    status_note: "note \e]8;;https://evil.example\aclick\e]8;;\a\e[2J\u202e"
    last_checked: never
    unconfirmed: ["u\e[1m"]
    sources: ["s\a"]
`

// badRune reports a rune a terminal would act on: control (C0, DEL, C1) or
// format (bidi overrides, zero-width) characters. A line break is allowed
// where a field is shown on several lines.
func badRune(r rune) bool { return r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) }

// eachString calls fn with the yaml path of every string in v.
func eachString(v reflect.Value, path string, fn func(path, s string)) {
	switch v.Kind() {
	case reflect.String:
		fn(path, v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			eachString(v.Elem(), path, fn)
		}
	case reflect.Slice:
		for i := range v.Len() {
			eachString(v.Index(i), fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			eachString(v.Field(i), path+"."+name, fn)
		}
	}
}

// Vendor text is untrusted: the loader cleans it where it enters, so no
// renderer (providers, the wizard, the docs) can emit a control, escape or
// bidi rune from it, and the cleaned text still says what the vendor wrote.
func TestVendorTextIsCleaned(t *testing.T) {
	c, err := parseCatalogue([]byte(hostileEntry), "provider file x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := c.Providers[0]
	eachString(reflect.ValueOf(p), "provider", func(path, s string) {
		if i := strings.IndexFunc(s, badRune); i >= 0 {
			t.Errorf("%s holds %q", path, s)
		}
	})
	if !strings.Contains(p.Name, "Evil") || !strings.Contains(p.Name, `\x1b`) {
		t.Errorf("name %q: want the text kept and the escape shown", p.Name)
	}
	if !strings.Contains(p.Prerequisites[0].Detail, "line one\nline two") {
		t.Errorf("detail %q lost its line break", p.Prerequisites[0].Detail)
	}
}

// Values that are used, not shown (a URL opened or linked, a login sent to
// the server, a shape matched) are refused, not cleaned: cleaning would
// change what they do. The error names the file, the entry and the field.
func TestVendorValuesWithControlsAreRefused(t *testing.T) {
	for _, tc := range []struct{ field, yaml, want string }{
		{"url", `prerequisites: [{title: t, url: "https://evil.example/\e]52;c;x\a"}]`, "prerequisites[0].url"},
		{"url bidi", `prerequisites: [{title: t, url: "https://example.com/\u202egnp.exe"}]`, "prerequisites[0].url"},
		{"login literal", "login: literal\n    login_literal: \"api\\bkey\"", "login_literal"},
		{"shape", `secret: {shape: "^a\e$"}`, "secret.shape"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			data := "providers:\n  - id: bad\n    name: Bad\n    status: ok\n    last_checked: never\n    " + tc.yaml + "\n"
			_, err := parseCatalogue([]byte(data), "provider file v.yaml")
			if err == nil || !strings.Contains(err.Error(), "v.yaml") || !strings.Contains(err.Error(), `entry 1 ("bad")`) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want an error naming the file, entry 1 and field %s", err, tc.want)
			}
			if strings.ContainsFunc(err.Error(), badRune) {
				t.Errorf("the error itself holds a control rune: %q", err)
			}
		})
	}
}

// A vendor file is bounded: entries and field lengths, each with a clear
// error naming the file, the entry and the field.
func TestVendorCatalogueBounds(t *testing.T) {
	entry := func(i int, name string) string {
		return fmt.Sprintf("  - id: p%d\n    name: %q\n    status: ok\n    last_checked: never\n", i, name)
	}
	var many strings.Builder
	many.WriteString("providers:\n")
	for i := range MaxCatalogueEntries + 1 {
		many.WriteString(entry(i, "P"))
	}
	if _, err := parseCatalogue([]byte(many.String()), "provider file big.yaml"); err == nil || !strings.Contains(err.Error(), "big.yaml") || !strings.Contains(err.Error(), fmt.Sprint(MaxCatalogueEntries)) {
		t.Errorf("%d entries: got %v, want an error naming the file and the limit", MaxCatalogueEntries+1, err)
	}
	long := "providers:\n" + entry(1, "ok") + entry(2, strings.Repeat("N", 1<<20))
	if _, err := parseCatalogue([]byte(long), "provider file long.yaml"); err == nil || !strings.Contains(err.Error(), "long.yaml") ||
		!strings.Contains(err.Error(), `entry 2 ("p2")`) || !strings.Contains(err.Error(), "name") {
		t.Errorf("1 MiB name: got %v, want an error naming the file, entry 2 and field name", err)
	}
	if err := func() error { _, err := parseCatalogue([]byte(long), "x"); return err }(); err != nil && len(err.Error()) > 500 {
		t.Errorf("the error repeats the long value (%d bytes)", len(err.Error()))
	}
}

// Merge replaces entries in place and puts new ones before "other", in the
// vendor's order, whatever the sizes.
func TestMergeOrder(t *testing.T) {
	base := &Catalogue{Providers: []Provider{{ID: "a"}, {ID: "b"}, {ID: OtherID}}}
	base.Merge(&Catalogue{Providers: []Provider{{ID: "n1"}, {ID: "b", Name: "B2"}, {ID: "n2"}}})
	var ids []string
	for _, p := range base.Providers {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, " "); got != "a b n1 n2 other" {
		t.Errorf("order %q, want %q", got, "a b n1 n2 other")
	}
	if p, _ := base.ByID("b"); p.Name != "B2" {
		t.Errorf("b not replaced: %+v", p)
	}
}

// FuzzCatalogue feeds any bytes to the vendor catalogue loader, merges what
// it accepts into the built-in catalogue, and renders what the screens and
// the providers command show of every entry: no control, escape or bidi
// rune may come out, not even in an error.
func FuzzCatalogue(f *testing.F) {
	f.Add([]byte(hostileEntry))
	f.Add([]byte("providers:\n  - id: gmail\n    name: Mine\n    host: smtp.example.com\n    ports: [{security: ssl, port: 465}]\n    status: ok\n    last_checked: never\n"))
	builtin := BuiltinCatalogue()
	f.Add([]byte("providers:\n  - {id: a, name: \"\\e[2J\", status: ok, last_checked: never}\n"))
	f.Add([]byte("providers:\n  - id: \"\\e\"\n    \"\\e]52;c;x\\a\": 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCatalogue(data, "provider file f.yaml")
		if err != nil {
			if strings.ContainsFunc(err.Error(), badRune) {
				t.Fatalf("error holds a control rune: %q", err)
			}
			return
		}
		if len(c.Providers) > MaxCatalogueEntries {
			t.Fatalf("%d entries accepted", len(c.Providers))
		}
		cat := &Catalogue{Providers: slices.Clone(builtin.Providers)}
		cat.Merge(c)
		for _, p := range cat.Providers {
			rec, _ := p.Recommended()
			shown := []string{p.Name, p.LoginDescription(), p.SecretLabel(), p.StatusNote, p.LoginFor("nas@example.com"),
				fmt.Sprintf("%s  %s  %s:%d %s  %s  %s", p.ID, p.Name, p.Host, rec.Port, rec.Security, p.Status, p.LastChecked)}
			chk := p.CheckSecret("abcd efgh")
			shown = append(shown, chk.Warning)
			shown = append(shown, chk.Notes...)
			for _, s := range shown {
				if strings.ContainsFunc(s, badRune) {
					t.Fatalf("entry %q shows %q", p.ID, s)
				}
			}
			eachString(reflect.ValueOf(p), "provider", func(path, s string) {
				if strings.ContainsFunc(s, badRune) {
					t.Fatalf("entry %q: %s holds %q", p.ID, path, s)
				}
			})
		}
	})
}
