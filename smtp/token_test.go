package smtp

import (
	"encoding/base64"
	"testing"
)

// FuzzXOAUTH2Status: the 334 challenge of a refused token is server text.
// Whatever it holds, decoding never panics, and the status, the diagnosis
// built from it and every field stay free of control characters.
func FuzzXOAUTH2Status(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"status":"401","schemes":"bearer","scope":"https://outlook.office.com/SMTP.Send"}`)))
	f.Add(base64.StdEncoding.EncodeToString([]byte("{\"status\":\"400\x1b[2J\",\"scope\":\"a\\u001b]8;;x\"}")))
	f.Add("not base64")
	f.Fuzz(func(t *testing.T, challenge string) {
		st, _ := xoauth2Status(challenge)
		for _, s := range []string{st.Status, st.Schemes, st.Scope} {
			assertClean(t, s)
		}
		r := newReply(535, "5.7.3 Authentication unsuccessful")
		rep := &Report{Settings: Settings{Host: "h", Auth: AuthXOAUTH2}, Failure: &Failure{Stage: StageAuth, Kind: KindReply, Command: "AUTH", Reply: &r, OAuth: &st}}
		d := diagnoseBoth(t, rep, nil)
		if d == nil || d.Code != "auth.oauth_token_refused" {
			t.Fatalf("diagnosis %+v", d)
		}
		for _, s := range []string{d.Title, d.Detail, d.Fix} {
			assertClean(t, s)
		}
	})
}
