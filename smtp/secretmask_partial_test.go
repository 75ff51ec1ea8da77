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

// TestPartialReflectionNeverReachesOutput: servers that repeat only part of
// what they were sent (a log line cut at a column, a password with a
// character too many or too few) still never get enough of the password into
// check's text, its JSON or the helpdesk report to guess the rest.
func TestPartialReflectionNeverReachesOutput(t *testing.T) {
	const login, pw = "nas@example.com", "Canary-Secret-42"
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + login + "\x00" + pw))
	mid := base64.StdEncoding.EncodeToString([]byte("xx" + pw[2:14] + "yy")) // at another alignment
	for _, tc := range []struct{ name, reply, leak string }{
		// 13 of 16 characters: decodes to "\0nas@example.com\0Canary-Secret".
		{"plain blob cut short", "Bad credentials, you sent: " + plain[:40], plain[:40]},
		{"plain blob without its first group", "you sent: " + plain[4:40], plain[4:40]},
		{"base64 of a middle piece", "got " + mid, mid},
		{"raw, a character short", "Wrong password Canary-Secret-4", "Secret-4"},
		{"raw, a character more", "Wrong password Canary-Secret-421", "Canary-S"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.NewServer(t, smtptest.WithAccount(login, "other"),
				smtptest.WithReply("AUTH", 535, "5.7.8", tc.reply))
			s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
			s.Username, s.Password = login, smtp.NewSecret(pw)
			rep := smtp.Test(context.Background(), s, o)
			d := smtp.Diagnose(rep, nil)
			var all bytes.Buffer
			output.JSON(&all, rep, d)
			output.Text(&all, rep, d)
			all.WriteString(output.Helpdesk(rep, d, "test"))
			if !strings.Contains(all.String(), strings.Fields(tc.reply)[0]) {
				t.Fatalf("the server's reply is not in the output: the test tests nothing\n%s", all.String())
			}
			if i := strings.Index(all.String(), tc.leak); i >= 0 {
				t.Fatalf("%q leaked: …%s…", tc.leak, all.String()[max(0, i-60):min(all.Len(), i+len(tc.leak)+20)])
			}
		})
	}
}

// TestMaskKeepsOrdinaryReplies: the partial match does not garble what a
// server says about a login in general.
func TestMaskKeepsOrdinaryReplies(t *testing.T) {
	const reply = "Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials"
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, "other"), smtptest.WithReply("AUTH", 535, "5.7.8", reply))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	s.Password = smtp.NewSecret("Canary-Secret-42")
	rep := smtp.Test(context.Background(), s, o)
	if rep.Failure == nil || rep.Failure.Reply == nil || !strings.Contains(rep.Failure.Reply.Text, reply) {
		t.Fatalf("the reply was changed: %+v", rep.Failure)
	}
}
