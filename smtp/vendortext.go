package smtp

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
)

// Bounds on a catalogue file (--providers): far above any real catalogue
// (the built-in one has under 50 entries and no field over 400 bytes), low
// enough that a hostile or broken file cannot stall the first screen or pad
// every row.
const (
	MaxCatalogueEntries = 1000
	maxListItems        = 100  // domains, mx, ports, prerequisites, sources...
	maxShortField       = 200  // names, labels, titles, hosts
	maxLongField        = 2000 // notes, details, explanations
)

// longFields may be long and keep their line breaks; shown as paragraphs.
var longFields = map[string]bool{
	"prerequisites.detail": true, "prerequisites.why": true, "status_note": true, "no_prerequisites": true,
	"wrong_shape": true, "secret.wrong_shape": true, "sender_rule": true, "limits": true, "login_hint": true,
	"unconfirmed": true, "sources": true,
}

// exactFields are used, not only shown: a URL is opened and linked, a login
// sent, a shape matched, a host dialled. Cleaning would change what they
// do, so a control or format rune in them is refused instead.
var exactFields = map[string]bool{
	"id": true, "host": true, "domains": true, "mx": true, "login": true, "login_literal": true,
	"secret.kind": true, "secret.shape": true, "status": true, "last_checked": true, "ports.security": true,
}

// isURLField reports a field holding a URL (prerequisites.url, and any
// *url or *urls field a later schema adds): printable ASCII only, no space.
func isURLField(path string) bool {
	last := path[strings.LastIndex(path, ".")+1:]
	return last == "url" || last == "urls" || strings.HasSuffix(last, "_url") || strings.HasSuffix(last, "_urls")
}

// vendorText bounds and cleans every string of a vendor's entry where it
// enters, as server replies are cleaned: shown text gets its control,
// escape and bidi runes made visible (CleanLine/CleanText), values that are
// used are refused if they hold any. It walks the entry by reflection, so a
// field added to Provider later is covered without a change here.
func (p *Provider) vendorText() error {
	return walkVendor(reflect.ValueOf(p).Elem(), "", "")
}

func walkVendor(v reflect.Value, path, shown string) error {
	switch v.Kind() {
	case reflect.String:
		s, err := vendorString(path, shown, v.String())
		if err != nil {
			return err
		}
		v.SetString(s)
	case reflect.Pointer:
		if !v.IsNil() {
			return walkVendor(v.Elem(), path, shown)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		if v.Len() > maxListItems {
			return fmt.Errorf("field %s: has %d items, more than the %d allowed", shown, v.Len(), maxListItems)
		}
		for i := range v.Len() {
			if err := walkVendor(v.Index(i), path, fmt.Sprintf("%s[%d]", shown, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if v.Len() > maxListItems {
			return fmt.Errorf("field %s: has %d items, more than the %d allowed", shown, v.Len(), maxListItems)
		}
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			if err := walkVendor(e, path, fmt.Sprintf("%s[%v]", shown, k)); err != nil {
				return err
			}
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			if err := walkVendor(v.Field(i), join(path, name), join(shown, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// vendorString checks and cleans one string at path (indices left out;
// shown keeps them, for the message).
func vendorString(path, shown, s string) (string, error) {
	limit := maxShortField
	if longFields[path] || isURLField(path) {
		limit = maxLongField
	}
	if len(s) > limit {
		return "", fmt.Errorf("field %s: is %d bytes long, more than the %d allowed", shown, len(s), limit)
	}
	switch {
	case isURLField(path):
		if i := strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r >= 0x7f }); i >= 0 {
			return "", fmt.Errorf("field %s: holds a space, a control character or a non-ASCII character at byte %d; write the URL in ASCII (percent-encode the rest)", shown, i)
		}
		return s, nil
	case exactFields[path]:
		if strings.ContainsFunc(s, func(r rune) bool {
			return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar
		}) {
			return "", fmt.Errorf("field %s: holds a control or invisible character; remove it", shown)
		}
		return s, nil
	case longFields[path]:
		// Cleaned line by line, uncut: the length was checked above.
		lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
		for i, l := range lines {
			lines[i] = cleanLineRunes(l, limit)
		}
		return strings.Join(lines, "\n"), nil
	}
	return cleanLineRunes(s, limit), nil
}

// shortID is an entry's id as an error quotes it: cut, and escaped.
func shortID(id string) string {
	if r := []rune(id); len(r) > 40 {
		id = string(r[:40]) + "…"
	}
	return fmt.Sprintf("%q", id)
}
