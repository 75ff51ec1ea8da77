package smtp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"smtpsetup/output"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

// Review reproduction: a server that reflects what it heard gets the OAuth
// access token (raw, and base64 inside the XOAUTH2 blob) into check text,
// JSON and the helpdesk report; only the password is masked today.
func TestReviewReflectedTokenNeverReachesOutput(t *testing.T) {
	srv := xoauth2Server(t, smtptest.WithReflection())
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	s.Auth, s.Password = smtp.AuthXOAUTH2, smtp.Secret{}
	o.Token = tokenFrom(goodToken)
	rep := smtp.Test(context.Background(), s, o)
	d := smtp.Diagnose(rep, nil)
	var all bytes.Buffer
	output.JSON(&all, rep, d)
	output.Text(&all, rep, d)
	all.WriteString(output.Helpdesk(rep, d, "test"))
	if !strings.Contains(all.String(), "you sent") {
		t.Fatalf("no reflected text reached the output: the test tests nothing")
	}
	blob := base64.StdEncoding.EncodeToString([]byte("user=" + user + "\x01auth=Bearer " + goodToken + "\x01\x01"))
	for _, f := range []string{goodToken, blob[:40]} {
		if i := strings.Index(all.String(), f); i >= 0 {
			t.Fatalf("the access token leaked as %q: …%s…", f, all.String()[max(0, i-60):min(all.Len(), i+len(f)+20)])
		}
	}
}
