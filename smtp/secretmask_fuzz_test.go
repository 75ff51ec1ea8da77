package smtp

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzReflectedSecret: whatever a server wraps around the password, in
// whichever encoding, the masked and cleaned text never holds the password
// or that encoding.
func FuzzReflectedSecret(f *testing.F) {
	f.Add("alice@example.test", "CANARY-s3cret pass", uint8(0), "535 5.7.8 you sent: ", " bye")
	f.Add("u", "abcd efgh ijkl mnop", uint8(3), "AUTH PLAIN ", "")
	f.Add("nas", "p\"w'd\\x", uint8(5), "password '", "'")
	f.Fuzz(func(t *testing.T, user, pw string, form uint8, prefix, suffix string) {
		if len(pw) < minMaskedLen || ValidateSecret(pw) != nil || CheckText("username", user) != nil || strings.ContainsAny(pw, "*") {
			return
		}
		enc := []func(string) string{
			func(s string) string { return s },
			strings.ToUpper,
			func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
			func(s string) string { return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + s)) },
			func(s string) string {
				return base64.RawURLEncoding.EncodeToString([]byte(user + "\x00" + user + "\x00" + s))
			},
			func(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] },
			url.QueryEscape,
			func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte("x" + s)) },
		}
		i := int(form) % len(enc)
		if i == len(enc)-1 && len(pw) < 8 {
			// Inside a blob with an unknown prefix, a short password's base64
			// is too short a run to mask without garbling other text.
			return
		}
		e := enc[i]
		m := newSecretMask(Settings{Username: user, Password: NewSecret(pw)})
		out := m.clean(prefix + e(pw) + suffix)
		low := strings.ToLower(out)
		for _, leak := range []string{pw, e(pw)} {
			if len(leak) >= minMaskedLen && strings.Contains(low, strings.ToLower(leak)) {
				t.Fatalf("form %d: %q still holds %q", i, out, leak)
			}
		}
	})
}
