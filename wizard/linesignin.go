package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"smtpsetup/oauth"
	"smtpsetup/smtp"
	"smtpsetup/steps"
)

// signIn is the line-mode Sign in: the same device flow as the Sign in
// screen, as plain lines: where to go, the code, and a wait that Ctrl-C
// ends. A failure shows its diagnosis and offers another try.
func (s *session) signIn() (steps.Action, error) {
	d := s.d
	set := &d.Settings
	set.Auth, set.Password, set.PasswordFile = smtp.AuthXOAUTH2, smtp.Secret{}, ""
	for {
		client, err := oauth.NewClient(d.Provider, *set)
		if errors.Is(err, oauth.ErrNoClientID) {
			s.indent(d.Provider.Name + " issues sign-in tokens only to an app your organisation registered; smtpsetup has none of its own. An administrator registers one once:")
			for i, st := range d.Provider.OAuth.RegisterSteps {
				s.indent(fmt.Sprintf("%d. %s", i+1, st))
			}
			if u := d.Provider.OAuth.RegisterURL; u != "" {
				s.indent("Open: " + u)
			}
			label := "Application (client) ID"
			if steps.PasswordAllowed(d.Provider) {
				label += " (- to log in with a password instead)"
			}
			id, err := s.ask(label, "", func(v string) error {
				if v == "-" && steps.PasswordAllowed(d.Provider) {
					return nil
				}
				return smtp.CheckClientID(strings.TrimSpace(v))
			})
			if err != nil {
				return steps.Action{}, err
			}
			if id == "-" {
				d.NoOAuth, set.Auth = true, smtp.AuthAuto
				return steps.Action{Kind: steps.Goto, To: steps.AccountStep}, nil
			}
			set.OAuthClientID = strings.TrimSpace(id)
			continue
		}
		if err != nil {
			return steps.Action{}, err
		}
		ctx, cancel := context.WithCancel(s.ctx)
		p, err := client.Start(ctx)
		var tok *oauth.Token
		if err == nil {
			s.indent("On your phone or computer, open "+p.VerificationURI, "and enter the code:  "+p.UserCode)
			if !p.Expires.IsZero() {
				s.indent("Waiting for you to sign in (the code expires at " + p.Expires.Local().Format("15:04") + "; Ctrl-C stops).")
			}
			tok, err = client.Wait(ctx, p)
		}
		cancel()
		if err == nil {
			d.SignedIn = tok
			d.Test.Token = func(context.Context) (smtp.Secret, error) { return smtp.NewSecret(tok.AccessToken), nil }
			s.indent("Signed in.")
			return steps.Action{Kind: steps.Next}, nil
		}
		if s.ctx.Err() != nil {
			return steps.Action{}, s.ctx.Err()
		}
		diag := smtp.Diagnose(smtp.SignInError(*set, err), d.Provider)
		s.indent("Sign-in failed: "+diag.Title+" ("+diag.Code+").", diag.Detail, "Fix: "+diag.Fix)
		again, err := s.yes("Sign in again?")
		if err != nil {
			return steps.Action{}, err
		}
		if !again {
			return steps.Action{Kind: steps.Goto, To: steps.AccountStep}, nil
		}
	}
}
