package smtp

import "testing"

// Google's help and account pages show the language hl names (its own
// links carry it, e.g. https://support.google.com/accounts/answer/185833?hl=ko);
// other providers' addresses are left alone.
func TestURLIn(t *testing.T) {
	for _, c := range []struct{ url, lang, want string }{
		{"https://myaccount.google.com/signinoptions/twosv", "ko", "https://myaccount.google.com/signinoptions/twosv?hl=ko"},
		{"https://support.google.com/accounts/answer/185833", "zh-Hant", "https://support.google.com/accounts/answer/185833?hl=zh-TW"},
		{"https://support.google.com/a/answer/176600?visit_id=1", "pt-BR", "https://support.google.com/a/answer/176600?visit_id=1&hl=pt-BR"},
		{"https://support.google.com/mail/answer/7126229#zippy=x", "de", "https://support.google.com/mail/answer/7126229?hl=de#zippy=x"},
		{"https://support.google.com/mail/answer/7126229?hl=fr", "de", "https://support.google.com/mail/answer/7126229?hl=fr"},
		{"https://myaccount.google.com/apppasswords", "en", "https://myaccount.google.com/apppasswords"},
		{"https://myaccount.google.com/apppasswords", "en-XA", "https://myaccount.google.com/apppasswords"},
		{"https://account.live.com/proofs/manage", "ko", "https://account.live.com/proofs/manage"},
		{"http://support.google.com/x", "ko", "http://support.google.com/x"},
		{"https://support.google.com.evil.example/x", "ko", "https://support.google.com.evil.example/x"},
	} {
		if got := URLIn(c.url, c.lang); got != c.want {
			t.Errorf("URLIn(%q, %q) = %q, want %q", c.url, c.lang, got, c.want)
		}
	}
}
