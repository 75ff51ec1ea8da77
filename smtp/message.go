package smtp

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// composeTestMessage builds the one message a test sends on request: plain
// ASCII with a short code the user can look for, CRLF line ends, Date and
// Message-ID headers, and From as configured. It never contains a secret.
func composeTestMessage(s Settings, to string, now time.Time) ([]byte, *SentMessage, error) {
	code := shortCode()
	m := mail.NewMsg(mail.WithEncoding(mail.EncodingUSASCII), mail.WithCharset(mail.CharsetASCII), mail.WithNoDefaultUserAgent())
	from := s.From
	if from == "" {
		from = s.Username
	}
	var err error
	if s.FromName != "" {
		err = m.FromFormat(s.FromName, from)
	} else {
		err = m.From(from)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("from address: %w", err)
	}
	if err := m.To(to); err != nil {
		return nil, nil, fmt.Errorf("recipient address: %w", err)
	}
	subject := TestSubjectPrefix + code
	m.Subject(subject)
	m.SetDateWithValue(now)
	m.SetMessageID()
	m.SetBodyString(mail.TypeTextPlain, strings.Join([]string{
		"This is a test message from smtpsetup.",
		"",
		"If you can read it, outgoing e-mail works with these settings:",
		"server " + s.Address() + ", " + s.Security.Label() + ".",
		"",
		"Code: " + code,
	}, "\r\n")+"\r\n")
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, nil, err
	}
	id := ""
	if v := m.GetGenHeader(mail.HeaderMessageID); len(v) > 0 {
		id = v[0]
	}
	return buf.Bytes(), &SentMessage{To: to, MessageID: id, Code: code, Subject: subject}, nil
}

// TestSubjectPrefix starts the test message's subject; the code follows.
const TestSubjectPrefix = "smtpsetup test message "

// Confirm checks the code a person typed from the message they received,
// forgiving case, spaces and dashes. It records a match.
func (m *SentMessage) Confirm(typed string) bool {
	norm := strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, strings.TrimSpace(typed))
	if m == nil || norm == "" || norm != m.Code {
		return false
	}
	m.Confirmed = true
	return true
}

// shortCode is six characters a person can read over the phone: no 0/O, 1/I.
func shortCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
