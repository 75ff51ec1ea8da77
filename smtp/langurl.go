package smtp

import (
	"net/url"
	"strings"
)

// googleLang is Google's name for a language where it differs from ours
// (BCP 47): its help pages take hl=zh-CN and zh-TW for the two Chinese.
var googleLang = map[string]string{"zh-Hans": "zh-CN", "zh-Hant": "zh-TW"}

// URLIn is a provider's help address in the user's language (a BCP 47 tag
// from package i18n), where the provider takes the language as a parameter:
// Google's support and account pages read hl. Any other address, English,
// the pseudo-locale, or an address that already names a language is
// returned as it is. The one place this rule lives: the prerequisites'
// links, their QR codes and the command line's text all call it.
func URLIn(raw, lang string) string {
	if lang == "" || lang == "en" || strings.HasPrefix(lang, "en-") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" {
		return raw
	}
	switch u.Hostname() {
	case "support.google.com", "myaccount.google.com":
	default:
		return raw
	}
	q := u.Query()
	if q.Has("hl") {
		return raw
	}
	if g, ok := googleLang[lang]; ok {
		lang = g
	}
	// Appended, not re-encoded: the rest of the address stays as the
	// catalogue wrote it.
	sep := "?"
	if u.RawQuery != "" {
		sep = "&"
	}
	frag := ""
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		raw, frag = raw[:i], raw[i:]
	}
	return raw + sep + "hl=" + url.QueryEscape(lang) + frag
}
