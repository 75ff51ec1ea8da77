package smtp

import "testing"

func TestPortForFollowsTheProvider(t *testing.T) {
	cat := BuiltinCatalogue()
	bridge, _ := cat.ByID("proton-bridge")
	gmail, _ := cat.ByID("gmail")
	for _, c := range []struct {
		p    *Provider
		m    Security
		want int
	}{
		{bridge, SecuritySTARTTLS, 1025}, // Bridge listens on 1025, not 587
		{bridge, SecuritySSL, 465},       // no port of its own: the mode's
		{gmail, SecuritySSL, 465},
		{gmail, SecuritySTARTTLS, 587},
		{nil, SecurityNone, 25},
	} {
		if got := c.p.PortFor(c.m); got != c.want {
			t.Errorf("%v %s: %d, want %d", c.p != nil, c.m, got, c.want)
		}
	}
	if !bridge.Recommends(SecuritySTARTTLS) || bridge.Recommends(SecuritySSL) {
		t.Error("Bridge's recommended mode is STARTTLS")
	}
}

func TestNeedsSecret(t *testing.T) {
	cat := BuiltinCatalogue()
	gmail, _ := cat.ByID("gmail")
	postmark, _ := cat.ByID("postmark")
	for _, c := range []struct {
		p     *Provider
		login string
		auth  AuthMethod
		want  bool
	}{
		{gmail, "me@gmail.com", AuthAuto, true},
		{gmail, "", AuthAuto, false},             // a relay that needs no login
		{gmail, "me@gmail.com", AuthNone, false}, // AUTH off
		{postmark, "", AuthAuto, true},           // the token is the login too
		{nil, "  ", AuthAuto, false},
	} {
		if got := c.p.NeedsSecret(c.login, c.auth); got != c.want {
			t.Errorf("login %q auth %s: %v, want %v", c.login, c.auth, got, c.want)
		}
	}
}

func TestDescribeAndEditTarget(t *testing.T) {
	if got := SecuritySTARTTLS.Describe(1025); got != "STARTTLS  plain greeting, then encrypted, port 1025" {
		t.Errorf("Describe: %q", got)
	}
	for code, want := range map[string]Part{"auth.bad_credentials": PartAccount, "send.sender_refused": PartAccount, "tls.not_tls": PartServer, "": PartServer} {
		if got := (&Diagnosis{Code: code}).EditTarget(); got != want {
			t.Errorf("%q: %v, want %v", code, got, want)
		}
	}
	if (*Diagnosis)(nil).EditTarget() != PartServer {
		t.Error("no diagnosis (a stopped test): the server settings")
	}
}

// Fill completes a draft the one way: what is set stays, the provider
// fills what is empty, then the conventions.
func TestFillAndUse(t *testing.T) {
	cat := BuiltinCatalogue()
	bridge, _ := cat.ByID("proton-bridge")
	sendgrid, _ := cat.ByID("sendgrid")

	s := Settings{From: "me@proton.me"}
	s.Fill(bridge)
	if s.Host != "127.0.0.1" || s.Security != SecuritySTARTTLS || s.Port != 1025 || s.Username != "me@proton.me" || s.Auth != AuthAuto {
		t.Errorf("bridge: %+v", s)
	}
	s = Settings{Security: SecuritySTARTTLS}
	s.Fill(bridge)
	if s.Port != 1025 {
		t.Errorf("a mode without a port gets the provider's port for it, got %d", s.Port)
	}
	s = Settings{Host: "mail.example.com", Port: 465}
	s.Fill(nil)
	if s.Security != SecuritySSL {
		t.Errorf("port 465 alone: %s", s.Security)
	}

	s = Settings{Provider: "proton-bridge", Host: "10.0.0.5", Port: 1143, Security: SecuritySTARTTLS, Auth: AuthXOAUTH2}
	s.Use(bridge)
	if s.Host != "10.0.0.5" || s.Port != 1143 {
		t.Errorf("the same provider again must keep what was typed: %+v", s)
	}
	s.Use(sendgrid)
	if rec, _ := sendgrid.Recommended(); s.Host != sendgrid.Host || s.Port != rec.Port || s.Security != rec.Security || s.Username != "apikey" || s.Auth != AuthAuto {
		t.Errorf("switching to SendGrid: %+v", s)
	}
}

// Edit lands on the field at fault: the sender after a refused MAIL FROM,
// the password after refused credentials, the mode after a wrong-mode
// failure with a suggested switch, the CA file after an untrusted
// certificate; otherwise the part's first field.
func TestEditField(t *testing.T) {
	for _, tc := range []struct {
		d    Diagnosis
		want Field
	}{
		{Diagnosis{Code: "send.sender_rejected"}, FieldFrom},
		{Diagnosis{Code: "auth.bad_credentials"}, FieldSecret},
		{Diagnosis{Code: "auth.app_password_required"}, FieldSecret},
		{Diagnosis{Code: "tls.not_tls"}, FieldMode},
		{Diagnosis{Code: "greeting.timeout", Suggestion: &Suggestion{}}, FieldMode},
		{Diagnosis{Code: "greeting.timeout"}, FieldNone}, // a silent server: the host, not the mode
		{Diagnosis{Code: "tls.untrusted"}, FieldCAFile},
		{Diagnosis{Code: "auth.rate_limited"}, FieldNone},
		{Diagnosis{Code: "connect.refused"}, FieldNone},
	} {
		if got := tc.d.EditField(); got != tc.want {
			t.Errorf("%s (suggestion %v): EditField = %v, want %v", tc.d.Code, tc.d.Suggestion != nil, got, tc.want)
		}
	}
	if (*Diagnosis)(nil).EditField() != FieldNone {
		t.Error("nil diagnosis")
	}
}
