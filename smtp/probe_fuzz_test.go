package smtp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// knownKinds are the observations a failed test may end with.
var knownKinds = []Kind{KindDNSNotFound, KindDNSFailed, KindRefused, KindTimeout, KindUnreachable, KindReset, KindNotTLS,
	KindSpeaksTLS, KindHTTP, KindTLSUntrusted, KindTLSExpired, KindTLSHostname, KindTLSHandshake, KindSTARTTLSNotOffered,
	KindAuthNotOffered, KindPlaintextRefused, KindReply, KindTooMuchData, KindProtocol, KindClosed, KindCancelled, KindBadSettings}

// FuzzServerBytes plays any bytes as the server's side of a whole session
// (greeting, EHLO reply, AUTH replies...) and runs the live test and the
// diagnosis on them: the test ends with a known observation, the read
// budget holds, a failure gets a diagnosis with a fix, nothing a user sees
// holds a control rune, and the password never comes back, whatever the
// server repeats.
func FuzzServerBytes(f *testing.F) {
	f.Add([]byte("220 mail.test ESMTP\r\n250-mail.test\r\n250 AUTH PLAIN LOGIN\r\n535 5.7.8 you sent AUTH PLAIN AG5hcwBDQU5BUlktcHc=\r\n"), "CANARY-pw")
	f.Add([]byte("220-a\r\n220 b\r\n250 ok\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n221 CANARY-pw bye\r\n"), "CANARY-pw")
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"), "pw")
	f.Add([]byte("220 \x1b]52;c;eA==\x07 hi\r\n250 AUTH PLAIN\r\n535 \xff\xfe\u202e\r\n"), "secret-1")
	f.Fuzz(func(t *testing.T, data []byte, pw string) {
		s := Settings{Host: "127.0.0.1", Port: 25, Security: SecurityNone, Auth: AuthAuto, Username: "nas",
			Password: NewSecret(pw), AllowPlaintextAuth: true}
		if ValidateSecret(pw) != nil || pw == "" {
			s.Password = NewSecret("CANARY-pw")
			pw = "CANARY-pw"
		}
		const budget = 64 << 10
		opts := Options{Timeout: 200 * time.Millisecond, ProbeAfter: time.Hour, MaxRead: budget, HelloName: "fuzz",
			Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
				client, server := net.Pipe()
				go func() {
					go io.Copy(io.Discard, server)
					server.SetWriteDeadline(time.Now().Add(time.Second))
					server.Write(data)
					server.Close()
				}()
				return client, nil
			}}
		rep := Test(context.Background(), s, opts)
		if !rep.OK {
			if rep.Failure == nil || !slices.Contains(knownKinds, rep.Failure.Kind) {
				t.Fatalf("failure %+v", rep.Failure)
			}
		}
		d := Diagnose(rep, nil)
		if !rep.OK && (d == nil || d.Code == "" || d.Fix == "") {
			t.Fatalf("no diagnosis for %+v", rep.Failure)
		}
		out, _ := json.Marshal(struct {
			R *Report
			D *Diagnosis
		}{rep, d})
		var shown strings.Builder
		shown.Write(out)
		for _, st := range rep.Stages {
			shown.WriteString(st.Detail)
		}
		for _, l := range rep.Transcript {
			shown.WriteString(l.Text)
		}
		if d != nil {
			shown.WriteString(d.Title + d.Detail + d.Fix)
		}
		text := shown.String()
		if strings.ContainsFunc(text, func(r rune) bool { return r != '\n' && badCleanRune(r) }) {
			t.Fatalf("a control rune reached the report: %q", text)
		}
		if len(pw) >= minMaskedLen && !strings.Contains(pw, "*") {
			low := strings.ToLower(text)
			leaks := []string{base64.StdEncoding.EncodeToString([]byte(pw)), base64.StdEncoding.EncodeToString([]byte("\x00nas\x00" + pw))}
			// A password of digits alone ("0000") stands in the report's
			// own numbers (durations, timeouts) without any server saying
			// it: its raw form proves nothing there; its encodings still do.
			if strings.ContainsFunc(pw, func(r rune) bool { return r < '0' || r > '9' }) {
				leaks = append(leaks, pw)
			}
			for _, leak := range leaks {
				if strings.Contains(low, strings.ToLower(leak)) {
					t.Fatalf("the password came back as %q", leak)
				}
			}
		}
	})
}

// badCleanRune is a rune CleanText never lets through.
func badCleanRune(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x202e || r == 0x200f || r == 0x2066
}
