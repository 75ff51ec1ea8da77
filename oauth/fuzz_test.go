package oauth

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/oauth2"
)

// FuzzProviderError: an identity provider's error answer is untrusted text.
// wrap must keep its code and AADSTS number usable and let no control
// character into the message the user sees.
func FuzzProviderError(f *testing.F) {
	f.Add("invalid_grant", "AADSTS53003: Access has been blocked by Conditional Access policies.\r\nTrace ID: 1", `{"error_codes":[53003]}`)
	f.Add("", "", "<html>\x1b[2J</html>")
	f.Add("access_denied\x1b]0;pwned\x07", "denied\n\x1b[31mred", `{"error_codes":[-5]}`)
	f.Fuzz(func(t *testing.T, code, desc, body string) {
		err := wrap("sign-in", &oauth2.RetrieveError{ErrorCode: code, ErrorDescription: desc, Body: []byte(body)})
		e, ok := err.(*Error)
		if !ok {
			t.Fatalf("%T", err)
		}
		for _, s := range []string{e.Error(), e.Code, e.AADSTS, e.Description} {
			if strings.ContainsFunc(s, unicode.IsControl) {
				t.Fatalf("control character in %q", s)
			}
		}
		if strings.Trim(e.AADSTS, "0123456789") != "" {
			t.Fatalf("AADSTS %q is not digits", e.AADSTS)
		}
	})
}
