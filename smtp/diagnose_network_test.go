package smtp

import (
	"bufio"
	"net/textproto"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestConnectionRulesKeepOffReplies runs every reply of the corpus
// (smtp/testdata/replies.yaml, copied from providers' and servers' own
// documentation) through diagnoseConnection, which runs before the reply
// rules: a reply it claims must get the family its source gives it, and
// the 4xx ones must read as temporary. It claims only HELO refusals.
func TestConnectionRulesKeepOffReplies(t *testing.T) {
	data, err := os.ReadFile("testdata/replies.yaml")
	if err != nil {
		t.Skip("no corpus:", err)
	}
	var corpus []struct {
		ID, Stage, Reply, Family string
	}
	if err := yaml.Unmarshal(data, &corpus); err != nil {
		t.Fatal(err)
	}
	commands := map[string]string{"greeting": "greeting", "ehlo": "EHLO", "starttls": "STARTTLS", "auth": "AUTH",
		"mail": "MAIL", "rcpt": "RCPT", "data": "DATA", "quit": "QUIT"}
	claimed := 0
	for _, e := range corpus {
		code, text, err := textproto.NewReader(bufioReader(e.Reply + "\r\n")).ReadResponse(0)
		if err != nil && code == 0 {
			continue // not a reply a client could read
		}
		r := newReply(code, text)
		rep := &Report{Settings: Settings{Host: "smtp.example.com", Port: 587, Security: SecuritySTARTTLS}, Helo: "nas",
			Failure: &Failure{Stage: Stage(e.Stage), Kind: KindReply, Command: commands[e.Stage], Reply: &r}}
		d := diagnoseConnection(rep, nil, nil)
		if d == nil {
			continue
		}
		claimed++
		if d.Family != e.Family {
			t.Errorf("%s: %q is %s, the source says %s", e.ID, e.Reply, d.Family, e.Family)
		}
		if d.Transient != (code/100 == 4) {
			t.Errorf("%s: transient %v for %d", e.ID, d.Transient, code)
		}
		if !strings.Contains(d.Reply, firstLine(r.Text)) {
			t.Errorf("%s: the server's words are missing: %q", e.ID, d.Reply)
		}
	}
	t.Logf("%d of %d corpus replies are HELO refusals", claimed, len(corpus))
	if claimed == 0 && len(corpus) > 0 {
		t.Error("no HELO refusal recognised in the corpus")
	}
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }
