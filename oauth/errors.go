// Package oauth signs a device in with the OAuth 2.0 device authorization
// grant (RFC 8628) and keeps its token fresh: the user types a short code
// on a phone or PC, the device receives a refresh token, and every later
// SMTP login gets a new access token from it. It uses golang.org/x/oauth2
// as the client and knows nothing of terminals; the token file is written
// through a Store (config.TokenFile), never printed.
package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/oauth2"

	"smtpsetup/smtp"
)

// Error codes of RFC 6749 and RFC 8628 that callers tell apart, plus our
// own for a failure that never reached the provider.
const (
	CodeAccessDenied = "access_denied" // the user declined, or a policy refused the sign-in
	CodeExpired      = "expired_token" // the code was not entered in time
	CodeInvalidGrant = "invalid_grant" // the refresh token was revoked, expired or is unknown
	CodeNetwork      = "network"       // the identity provider could not be reached
	CodeNotSignedIn  = "not_signed_in" // no token file yet
)

// Error is a failure of sign-in or refresh, as the provider said it. It
// holds no token: only the error code, Microsoft's AADSTS number and the
// first line of the description, cleaned.
type Error struct {
	Op          string // "start sign-in", "sign-in", "refresh"
	Code        string // RFC 6749 error or one of ours
	AADSTS      string // digits: "53003"
	Description string
	Err         error // the underlying error when it is not the provider's answer
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op + ": ")
	b.WriteString(e.Code)
	if e.AADSTS != "" {
		b.WriteString(" (AADSTS" + e.AADSTS + ")")
	}
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	} else if e.Err != nil {
		b.WriteString(": " + smtp.CleanLine(e.Err.Error()))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// OAuthFailure lets smtp classify the error without importing this package.
func (e *Error) OAuthFailure() smtp.OAuthFailure {
	return smtp.OAuthFailure{Op: e.Op, Error: e.Code, AADSTS: e.AADSTS, Description: e.Description}
}

var aadsts = regexp.MustCompile(`\bAADSTS(\d{4,9})\b`)

// wrap turns an error of x/oauth2 into an *Error. Microsoft puts its own
// code in error_description ("AADSTS53003: Access has been blocked ...")
// and in error_codes; either is enough.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := &Error{Op: op, Code: smtp.CleanLine(re.ErrorCode), Description: firstLine(re.ErrorDescription)}
		if e.Code == "" {
			e.Code = "http_error"
			e.Err = errors.New("the identity provider answered " + statusOf(re))
		}
		if m := aadsts.FindStringSubmatch(re.ErrorDescription); m != nil {
			e.AADSTS = m[1]
		} else {
			var body struct {
				Codes []int64 `json:"error_codes"`
			}
			if json.Unmarshal(re.Body, &body) == nil && len(body.Codes) > 0 && body.Codes[0] > 0 {
				e.AADSTS = strings.TrimLeft(strings.TrimSpace(jsonInt(body.Codes[0])), "-")
			}
		}
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		if op == "sign-in" { // x/oauth2 stops polling when the code expires
			return &Error{Op: op, Code: CodeExpired, Description: "the code was not entered before it expired"}
		}
		return &Error{Op: op, Code: CodeNetwork, Description: "the identity provider did not answer in time"}
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error quotes the URL, which holds no secret (a POST form
		// carries the codes), but say it plainly.
		return &Error{Op: op, Code: CodeNetwork, Err: ue.Err}
	}
	return &Error{Op: op, Code: "invalid_response", Err: err}
}

func statusOf(re *oauth2.RetrieveError) string {
	if re.Response != nil {
		return re.Response.Status
	}
	return "an error"
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// firstLine keeps the first line of a provider's description, cleaned:
// Microsoft's go on with "Trace ID", "Correlation ID" and a timestamp.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	return smtp.CleanLine(strings.TrimSpace(s))
}
