package smtp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// TokenSource gives a valid OAuth access token for an XOAUTH2 login,
// refreshing it when needed. The oauth package provides one; smtp only
// calls it when the auth stage starts, so a test without a login never
// touches the token file.
type TokenSource func(ctx context.Context) (Secret, error)

// StageSignIn is the OAuth sign-in before any connection: the device code,
// or the refresh of a saved token. It is not part of Plan: a failure there
// is reported with SignInFailed.
const StageSignIn Stage = "signin"

// KindOAuth is a failure the identity provider reported (Failure.OAuth
// says what), at sign-in or when refreshing the token.
const KindOAuth Kind = "oauth"

// OAuthFailure is what the identity provider, or the SMTP server refusing a
// token, said. Every field is cleaned; none holds a token.
type OAuthFailure struct {
	Op          string `json:"op,omitempty"`          // "start sign-in", "sign-in" or "refresh"
	Error       string `json:"error,omitempty"`       // RFC 6749/8628 error: access_denied, expired_token, invalid_grant, ...
	AADSTS      string `json:"aadsts,omitempty"`      // Microsoft's code, digits only: "53003"
	Description string `json:"description,omitempty"` // the provider's words, first line
	// From a server's XOAUTH2 challenge (334 followed by base64 JSON).
	Status  string `json:"status,omitempty"`  // "401", "400"
	Schemes string `json:"schemes,omitempty"` // "bearer"
	Scope   string `json:"scope,omitempty"`   // the scope the server wanted
}

// OAuthError is an error from the identity provider; the oauth package's
// errors satisfy it, so that smtp classifies them without importing it.
type OAuthError interface {
	error
	OAuthFailure() OAuthFailure
}

// SignInFailed is the report of a sign-in (or token refresh) that failed
// before any SMTP was spoken, so that Diagnose and the outputs treat it like
// any other failed test.
func SignInFailed(s Settings, of OAuthFailure, err string) *Report {
	f := &Failure{Stage: StageSignIn, Kind: KindOAuth, Error: CleanText(err), OAuth: &of}
	return &Report{Settings: s, Failure: f, Stages: []StageResult{{Stage: StageSignIn, Detail: failureSummary(f)}}}
}

// SignInError is SignInFailed for an error from the oauth package (or any
// other: then the provider's answer was unusable).
func SignInError(s Settings, err error) *Report {
	var oe OAuthError
	of := OAuthFailure{Error: "invalid_response"}
	if errors.As(err, &oe) {
		of = oe.OAuthFailure()
	}
	r := SignInFailed(s, of, err.Error())
	opts := Options{}
	opts.defaults()
	signInNetwork(context.Background(), r.Failure, &r.Network, err, opts, nil)
	return r
}

// xoauth2Status decodes the JSON a server sends in its 334 challenge when
// it refuses an XOAUTH2 token ({"status":"401","schemes":"bearer",...}).
// Anything else gives ok false.
func xoauth2Status(challenge string) (OAuthFailure, bool) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(challenge))
	if err != nil || len(raw) == 0 {
		return OAuthFailure{}, false
	}
	var v struct {
		Status  string `json:"status"`
		Schemes string `json:"schemes"`
		Scope   string `json:"scope"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return OAuthFailure{}, false
	}
	return OAuthFailure{Status: CleanLine(v.Status), Schemes: CleanLine(v.Schemes), Scope: CleanLine(v.Scope)}, true
}
