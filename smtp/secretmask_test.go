package smtp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"smtpsetup/output"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

// leakedForms lists what of the password may never appear in any output: its
// distinctive core in any letter case (raw, quoted, URL-encoded and
// quoted-printable forms all keep it), and its base64 forms, alone (AUTH
// LOGIN), inside an AUTH PLAIN response, with and without padding, URL-safe.
func leakedForms(user, pw string) []string {
	forms := []string{strings.ToLower("s3cret")}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		for _, b := range []string{pw, "\x00" + user + "\x00" + pw, user + "\x00" + user + "\x00" + pw} {
			e := enc.EncodeToString([]byte(b))
			forms = append(forms, strings.ToLower(e), strings.ToLower(strings.TrimRight(e, "=")))
		}
	}
	return forms
}

// findLeak returns the first leaked form found in out, compared without
// regard to case, or "".
func findLeak(out string) string {
	low := strings.ToLower(out)
	for _, f := range leakedForms(user, pass) {
		if strings.Contains(low, f) {
			return f
		}
	}
	return ""
}

// A server that repeats the credentials (in its greeting, after EHLO,
// STARTTLS, AUTH, MAIL, RCPT, DATA and QUIT, one-line and multi-line, in
// every encoding) never gets the password into any output: the report's
// JSON, check's text and JSON, the helpdesk report, the diagnosis, the
// transcript, or the progress events the wizard draws.
func TestReflectedPasswordNeverReachesOutput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   smtptest.Mode
		sec    smtp.Security
		mechs  []string
		pw     string // the server's account password
		sendTo string
		ok     bool
	}{
		{"starttls plain passes and sends", smtptest.ModeSTARTTLS, smtp.SecuritySTARTTLS, nil, pass, "bob@example.test", true},
		{"implicit tls login passes", smtptest.ModeImplicitTLS, smtp.SecuritySSL, []string{"LOGIN"}, pass, "", true},
		{"plain refused", smtptest.ModeSTARTTLS, smtp.SecuritySTARTTLS, []string{"PLAIN"}, "other", "", false},
		{"login refused", smtptest.ModeImplicitTLS, smtp.SecuritySSL, []string{"LOGIN"}, "other", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []smtptest.Option{smtptest.WithMode(tc.mode), smtptest.WithAccount(user, tc.pw), smtptest.WithReflection()}
			if tc.pw != pass {
				// The server knows the right password too, and says it.
				opts = append(opts, smtptest.WithAccount("carol@example.test", pass))
			}
			if tc.mechs != nil {
				opts = append(opts, smtptest.WithAuthMechanisms(tc.mechs...))
			}
			srv := smtptest.NewServer(t, opts...)
			s, o := settingsFor(srv, tc.sec)
			o.SendTo = tc.sendTo
			var events strings.Builder
			o.Progress = func(e smtp.Event) { events.WriteString(e.Result.Detail + "\n") }
			rep := smtp.Test(context.Background(), s, o)
			if rep.OK != tc.ok {
				t.Fatalf("ok %v, want %v; failure %+v", rep.OK, tc.ok, rep.Failure)
			}
			d := smtp.Diagnose(rep, nil)
			var all bytes.Buffer
			j, _ := json.Marshal(struct {
				R *smtp.Report
				D *smtp.Diagnosis
			}{rep, d})
			all.Write(j)
			output.JSON(&all, rep, d)
			output.Text(&all, rep, d)
			all.WriteString(output.Helpdesk(rep, d, "test"))
			for _, l := range rep.Transcript {
				all.WriteString(l.String() + "\n")
			}
			all.WriteString(events.String())
			if !strings.Contains(all.String(), "you sent") {
				t.Fatalf("no reflected text reached the output at all: the test tests nothing\n%s", all.String())
			}
			if f := findLeak(all.String()); f != "" {
				i := strings.Index(strings.ToLower(all.String()), f)
				t.Fatalf("the password leaked as %q: …%s…", f, all.String()[max(0, i-80):min(all.Len(), i+len(f)+40)])
			}
		})
	}
}
