package smtptest

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
)

var (
	// errAuthFailed is the reply to wrong credentials, in Gmail's words.
	errAuthFailed = &Reply{Code: 535, Enhanced: "5.7.8", Text: "Username and Password not accepted."}
	// errSTARTTLSFirst refuses AUTH (and MAIL) on a clear-text link that
	// offers STARTTLS.
	errSTARTTLSFirst = &Reply{Code: 530, Enhanced: "5.7.0", Text: "Must issue a STARTTLS command first"}
	errAborted       = errors.New("authentication aborted by the client")
	errMalformed     = errors.New("malformed authentication data")
)

// authState checks credentials for one AUTH exchange and remembers the user
// name the client gave.
type authState struct {
	accounts map[string]string
	verify   func(user, token string) error // XOAUTH2 tokens, when set
	hostname string
	user     string
}

// mechanism returns the server side of the named mechanism, or nil if
// smtptest does not implement it.
func (a *authState) mechanism(name string) sasl.Server {
	switch name {
	case "PLAIN":
		return sasl.NewPlainServer(func(identity, user, pass string) error {
			a.user = user
			if identity != "" && identity != user {
				return errAuthFailed
			}
			return a.check(user, pass)
		})
	case "LOGIN":
		return &loginServer{a: a}
	case "CRAM-MD5":
		return &cramMD5Server{a: a}
	case "XOAUTH2":
		return &xoauth2Server{a: a}
	}
	return nil
}

func (a *authState) check(user, pass string) error {
	want, ok := a.accounts[user]
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(pass)) != 1 {
		return errAuthFailed
	}
	return nil
}

// loginServer is the server side of LOGIN (draft-murchison-sasl-login),
// which go-sasl does not provide. A client may send the user name as an
// initial response.
type loginServer struct {
	a    *authState
	step int
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step = 1
		if resp == nil {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		l.step = 2
		l.a.user = string(resp)
		return []byte("Password:"), false, nil
	case 2:
		l.step = 3
		return nil, true, l.a.check(l.a.user, string(resp))
	}
	return nil, true, errMalformed
}

// cramMD5Server is the server side of CRAM-MD5 (RFC 2195).
type cramMD5Server struct {
	a         *authState
	challenge string
}

func (c *cramMD5Server) Next(resp []byte) ([]byte, bool, error) {
	if c.challenge == "" {
		if resp != nil {
			return nil, true, errMalformed
		}
		c.challenge = fmt.Sprintf("<%s@%s>", rand.Text(), c.a.hostname)
		return []byte(c.challenge), false, nil
	}
	user, digest, ok := strings.Cut(string(resp), " ")
	if !ok {
		return nil, true, errMalformed
	}
	c.a.user = user
	pass, known := c.a.accounts[user]
	mac := hmac.New(md5.New, []byte(pass))
	mac.Write([]byte(c.challenge))
	if !known || !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(digest)) {
		return nil, true, errAuthFailed
	}
	return nil, true, nil
}

// xoauth2Server is the server side of Google's XOAUTH2; the account's
// password serves as the bearer token.
type xoauth2Server struct {
	a       *authState
	started bool
	refused bool // the JSON status was sent; the client's empty line ends it
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if resp == nil && !x.started {
		x.started = true
		return []byte{}, false, nil
	}
	if x.refused {
		return nil, true, errXOAUTH2Refused
	}
	var user, token string
	for field := range strings.SplitSeq(string(resp), "\x01") {
		if v, ok := strings.CutPrefix(field, "user="); ok {
			user = v
		}
		if v, ok := strings.CutPrefix(field, "auth=Bearer "); ok {
			token = v
		}
	}
	x.a.user = user
	if user == "" || token == "" {
		return nil, true, errMalformed
	}
	if x.a.verify == nil {
		return nil, true, x.a.check(user, token)
	}
	if err := x.a.verify(user, token); err != nil {
		// Microsoft's way: a 334 with the JSON status, then, after the
		// client's empty line, 535 5.7.3.
		x.refused = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://outlook.office.com/SMTP.Send"}`), false, nil
	}
	return nil, true, nil
}

// errXOAUTH2Refused ends a refused XOAUTH2 exchange, in Microsoft 365's words.
var errXOAUTH2Refused = &Reply{Code: 535, Enhanced: "5.7.3", Text: "Authentication unsuccessful"}
