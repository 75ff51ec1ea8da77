package smtptest

import (
	"bytes"
	"encoding/base64"
	"mime/quotedprintable"
	"net/url"
	"strconv"
	"strings"
)

// WithReflection makes the server repeat credentials in its replies, as a
// buggy or hostile server does ("535 5.7.8 Authentication failed, you sent:
// AUTH PLAIN AGFsaWNl…", "535 Wrong password 'hunter2'"). Every reply but a
// 334 challenge (the greeting, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT)
// gets extra lines before its last that quote every account password the
// server holds, in several encodings (raw, upper case, base64 with and
// without padding, URL-safe base64, URL-encoded, quoted, quoted-printable),
// every line the client sent, and every decoded SASL response; a one-line
// reply also ends with the client's last line. Served by the hand-written
// server.
func WithReflection() Option { return func(c *config) { c.reflect = true } }

// reflections is what a reflecting server repeats: the accounts' passwords
// in every encoding, then what it heard.
func (ss *session) reflections() []string {
	var out []string
	for _, pw := range ss.cfg.accounts {
		var qp bytes.Buffer
		w := quotedprintable.NewWriter(&qp)
		w.Write([]byte(pw))
		w.Close()
		out = append(out,
			"password '"+pw+"'",
			"PASSWORD "+strings.ToUpper(pw),
			"base64 "+base64.StdEncoding.EncodeToString([]byte(pw)),
			"raw base64 "+base64.RawStdEncoding.EncodeToString([]byte(pw)),
			"url-safe base64 "+base64.RawURLEncoding.EncodeToString([]byte(pw)),
			"url ?pw="+url.QueryEscape(pw),
			"quoted "+strconv.Quote(pw),
			"qp "+qp.String(),
		)
	}
	for _, h := range ss.heard {
		out = append(out, "you sent: "+h)
	}
	return out
}

// hear remembers a client line or a decoded SASL response for reflection.
func (ss *session) hear(s string) {
	if ss.cfg.reflect {
		ss.heard = append(ss.heard, s)
	}
}

// reflect adds the reflection lines to a reply's wire form.
func (ss *session) reflect(b []byte) []byte {
	if len(b) < 4 || bytes.HasPrefix(b, []byte("334")) {
		return b
	}
	if _, err := strconv.Atoi(string(b[:3])); err != nil {
		return b
	}
	code := string(b[:3])
	var out []byte
	for _, r := range ss.reflections() {
		// A line break in a reflection would end the reply early.
		r = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(r)
		out = append(out, code+"-"+r+"\r\n"...)
	}
	last := b
	if bytes.Count(b, []byte("\r\n")) == 1 && len(ss.heard) > 0 {
		h := strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(ss.heard[len(ss.heard)-1])
		last = append(bytes.TrimSuffix(bytes.Clone(b), []byte("\r\n")), " (you sent: "+h+")\r\n"...)
	}
	return append(out, last...)
}
