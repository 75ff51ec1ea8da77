package smtp

import (
	"strings"
	"testing"
)

// A host is a DNS name or an IP address, nothing else: exports hand it to
// programs that expand $ and % (Postfix turns mail$myhostname.example into
// mailvm.localdomain.example, and then relays without logging in).
func TestHostIsANameOrAnAddress(t *testing.T) {
	for _, h := range []string{"smtp.gmail.com", "SMTP.Example.COM.", "127.0.0.1", "::1", "[::1]", "[2001:db8::25]",
		"localhost", "mail-1.example.com", "smtp_relay.corp.example", "xn--bcher-kva.example", "a.b"} {
		if err := ValidateHost(h); err != nil {
			t.Errorf("ValidateHost(%q) = %v, want nil", h, err)
		}
	}
	for _, h := range []string{"mail$myhostname.example", "mail.$(id).example", "a'b.example", `a"b.example`, "mail(x).example",
		"mail;id.example", "mail`id`.example", "mail\\x.example", "mail%H.example", "-mail.example", "mail-.example",
		"mail..example", "bücher.example", "mail*.example", "mail,example", "[smtp.example.com]", "mail#x.example", "mail{x}.example"} {
		err := ValidateHost(h)
		if err == nil {
			t.Errorf("ValidateHost(%q) = nil, want an error", h)
			continue
		}
		fe, ok := err.(FieldError)
		if !ok || fe.Field != "host" || fe.Fix == "" || strings.Contains(fe.Problem, "\n") {
			t.Errorf("ValidateHost(%q) = %#v, want a FieldError for host with a fix", h, err)
		}
	}
}
