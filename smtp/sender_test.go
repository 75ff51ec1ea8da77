package smtp_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

// wireLinesFrom lists the client's commands as the server received them.
func clientCommands(srv *smtptest.Server) []string {
	var cmds []string
	for _, l := range strings.Split(string(srv.PlainWire())+string(srv.Wire()), "\n") {
		if m := regexp.MustCompile(`^(MAIL FROM:<[^>]*>|RCPT|DATA|RSET)`).FindString(strings.TrimSpace(l)); m != "" {
			cmds = append(cmds, m)
		}
	}
	return cmds
}

// A login that may only send as itself, asked to send as another address:
// Postfix's reject_sender_login_mismatch. The test must fail before any
// message, at the sender stage, with the sender family and the server's
// words, and still say that the login was proven.
func TestSenderStageCatchesSenderNotOwned(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass), smtptest.WithOwnedSenders(user, user))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	s.From = "boss@example.test"
	rep, d := run(t, s, o, nil)
	wantCode(t, rep, d, "send.sender_rejected")
	if rep.Failure.Stage != smtp.StageSender || d.Family != smtp.FamilySender || d.Transient {
		t.Errorf("failed at %s, family %s, transient %v; want sender, sender, false", rep.Failure.Stage, d.Family, d.Transient)
	}
	if !strings.Contains(d.Reply, "not owned by user") {
		t.Errorf("the diagnosis lacks the server's words: %q", d.Reply)
	}
	if got := rep.Proven(); !slices.Equal(got, []string{smtp.ProvenLogin}) {
		t.Errorf("proven %v, want [login]", got)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages sent by a test without a recipient", n)
	}
}

func TestSenderStageChecksWithoutSending(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass), smtptest.WithOwnedSenders(user, user))
	for _, sec := range []smtp.Security{smtp.SecuritySTARTTLS, smtp.SecuritySSL} {
		if sec == smtp.SecuritySSL {
			srv = smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeImplicitTLS), smtptest.WithAccount(user, pass), smtptest.WithOwnedSenders(user, user))
		}
		s, o := settingsFor(srv, sec)
		rep, _ := run(t, s, o, nil)
		if !rep.OK {
			t.Fatalf("%s: failed: %+v", sec, rep.Failure)
		}
		st, ok := rep.Stage(smtp.StageSender)
		if !ok || !st.OK || !strings.Contains(st.Detail, user) {
			t.Errorf("%s: sender stage %+v (ran %v)", sec, st, ok)
		}
		if got := rep.Proven(); !slices.Equal(got, []string{smtp.ProvenLogin, smtp.ProvenSender}) {
			t.Errorf("%s: proven %v, want [login sender]", sec, got)
		}
		if want := []string{"MAIL FROM:<" + user + ">", "RSET"}; !slices.Equal(clientCommands(srv), want) {
			t.Errorf("%s: client sent %q, want %q", sec, clientCommands(srv), want)
		}
		if len(srv.Messages()) != 0 {
			t.Errorf("%s: a message was sent", sec)
		}
	}
}

// The sender stage comes after AUTH and before the message; Plan and the
// test agree.
func TestPlanHasSenderStage(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	o.SendTo = "bob@example.test"
	rep, _ := run(t, s, o, nil)
	var ran []smtp.Stage
	for _, st := range rep.Stages {
		ran = append(ran, st.Stage)
	}
	want := []smtp.Stage{smtp.StageResolve, smtp.StageConnect, smtp.StageGreeting, smtp.StageEHLO, smtp.StageSTARTTLS, smtp.StageAuth, smtp.StageSender, smtp.StageSend, smtp.StageQuit}
	if !slices.Equal(ran, want) || !slices.Equal(smtp.Plan(s, o), want) {
		t.Errorf("ran %v, plan %v, want %v", ran, smtp.Plan(s, o), want)
	}
	if got := rep.Proven(); !slices.Equal(got, []string{"login", "sender", "message"}) {
		t.Errorf("proven %v", got)
	}
	// No sender address at all (a login that is not an address, no From):
	// nothing to check, and nothing claimed.
	s.From, s.Username = "", "alice"
	o.SendTo = ""
	if slices.Contains(smtp.Plan(s, o), smtp.StageSender) {
		t.Error("a sender stage without a sender address")
	}
}

// Replies that refuse the sender at MAIL FROM, as providers publish them,
// are caught at the sender stage with the sender family.
func TestSenderStageProviderRefusals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		code      int
		enh, text string
		want      string
	}{
		// SendGrid: https://www.twilio.com/docs/sendgrid/for-developers/sending-email/sender-identity
		{"sendgrid identity", 550, "", "The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements", "send.sender_rejected"},
		// RFC 3463 X.7.1 at MAIL with Postfix's words.
		{"postfix not owned", 553, "5.7.1", "<boss@example.test>: Sender address rejected: not owned by user alice@example.test", "send.sender_rejected"},
		// A temporary refusal: the same family, said to be temporary.
		{"sender temporarily refused", 451, "4.7.1", "<boss@example.test>: Sender address rejected: try again later", "send.sender_rejected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass), smtptest.WithReply("MAIL", tc.code, tc.enh, tc.text))
			s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
			rep, d := run(t, s, o, nil)
			wantCode(t, rep, d, tc.want)
			if rep.Failure.Stage != smtp.StageSender || rep.Failure.Command != "MAIL" {
				t.Errorf("failed at %s on %s, want sender on MAIL", rep.Failure.Stage, rep.Failure.Command)
			}
			if d.Transient != (tc.code/100 == 4) {
				t.Errorf("transient %v for %d", d.Transient, tc.code)
			}
		})
	}
}

// A relay by address: no login, and the server takes the sender. The
// report says so and claims no login.
func TestNoLoginRelay(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain)) // no accounts: a relay by IP
	s, o := settingsFor(srv, smtp.SecurityNone)
	s.Username, s.Password, s.Auth = "", smtp.Secret{}, smtp.AuthNone
	s.From = "nas@example.test"
	rep, _ := run(t, s, o, nil)
	if !rep.OK {
		t.Fatalf("failed: %+v", rep.Failure)
	}
	if _, ok := rep.Stage(smtp.StageAuth); ok || !rep.NoLogin() {
		t.Error("an auth stage ran without a login")
	}
	if got := rep.Proven(); !slices.Equal(got, []string{smtp.ProvenSender}) {
		t.Errorf("proven %v, want [sender]", got)
	}
	if strings.Contains(string(srv.Wire()), "AUTH") {
		t.Error("AUTH was sent")
	}

	// The same settings against a server that wants a login: caught at the
	// sender stage, as the server's "authentication required".
	srv = smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain), smtptest.WithAccount(user, pass))
	s.Port = srv.Port()
	rep, d := run(t, s, o, nil)
	wantCode(t, rep, d, "send.auth_required")
	if rep.Failure.Stage != smtp.StageSender {
		t.Errorf("failed at %s", rep.Failure.Stage)
	}
}

func TestConfirmDeliveryCode(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	o.SendTo = "bob@example.test"
	rep, _ := run(t, s, o, nil)
	if !rep.OK || rep.Sent == nil {
		t.Fatalf("send failed: %+v", rep.Failure)
	}
	msg := string(srv.Messages()[0].Data)
	if !strings.Contains(msg, "Subject: "+rep.Sent.Subject+"\r\n") || !strings.HasSuffix(rep.Sent.Subject, rep.Sent.Code) {
		t.Fatalf("the message's subject is not %q:\n%s", rep.Sent.Subject, msg)
	}
	// The code as a person reads it from the received message.
	code := regexp.MustCompile(`Code: (\w+)`).FindStringSubmatch(msg)[1]
	if rep.Sent.Confirm("XXXXXX") || rep.Sent.Confirm("") || slices.Contains(rep.Proven(), smtp.ProvenDelivery) {
		t.Fatal("a wrong code confirmed delivery")
	}
	typed := strings.ToLower(code[:3]) + " " + code[3:]
	if !rep.Sent.Confirm(typed) || !slices.Contains(rep.Proven(), smtp.ProvenDelivery) {
		t.Errorf("typed %q for code %s: not confirmed; proven %v", typed, code, rep.Proven())
	}
}
