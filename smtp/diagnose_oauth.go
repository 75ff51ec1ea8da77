package smtp

import (
	"slices"
	"strings"

	"smtpsetup/i18n"
)

// diagnoseOAuth explains failures of OAuth sign-in, token refresh and
// XOAUTH2 logins, or returns nil when the failure is not one. Diagnose asks
// it first: a 535 5.7.139 after XOAUTH2 is not a password problem.
func diagnoseOAuth(r *Report, p *Provider, tr *i18n.Printer) *Diagnosis {
	f := r.Failure
	if f == nil {
		return nil
	}
	if f.Kind == KindOAuth && f.OAuth != nil {
		d := signInDiagnosis(*f.OAuth, p, tr)
		d.Detail = strings.TrimSpace(d.Detail + " " + providerWords(*f.OAuth, f.Error, tr))
		return &d
	}
	if f.Stage == StageAuth && f.Kind == KindReply && (r.Settings.Auth == AuthXOAUTH2 || f.OAuth != nil) {
		d := xoauth2Diagnosis(f, r.Settings, tr)
		return &d
	}
	return nil
}

// providerWords quotes what the identity provider said, for the detail;
// for our own failures (no token file, a damaged one, no answer), which
// the provider never said, what went wrong here.
func providerWords(of OAuthFailure, failed string, tr *i18n.Printer) string {
	switch of.Error {
	case "not_signed_in", "bad_token_file":
		return ""
	case "network":
		return tr.Tf("What failed: %s.", failed)
	}
	// The provider's own words (error, AADSTS code, description) stay as
	// it said them.
	said := of.Error
	if of.AADSTS != "" {
		said += " (AADSTS" + of.AADSTS + ")"
	}
	if of.Description != "" {
		said += ", \"" + of.Description + "\""
	}
	return tr.Tf("The identity provider said: %s.", said)
}

// alternatives is what a Microsoft user can do when OAuth sign-in is not
// possible; each is a catalogue entry with its prerequisites.
var alternatives = i18n.N("If your organisation will not allow it: High Volume Email (smtpsetup setup --provider microsoft365-hve; internal recipients only), Azure Communication Services SMTP (--provider azure-communication-services), a connector relay on port 25 (--provider microsoft365-connector), or a transactional mail service.")

func signInDiagnosis(of OAuthFailure, p *Provider, tr *i18n.Printer) Diagnosis {
	switch code := of.AADSTS; {
	case code == "53003":
		return Diagnosis{Code: "oauth.device_code_blocked", Family: FamilyLoginDisabled,
			Title:  tr.T("Your organisation's Conditional Access blocks sign-in with a code"),
			Detail: tr.T("Microsoft refused the device-code sign-in (AADSTS53003). Since 2025 Microsoft turns on a managed policy that blocks device code flow in tenants that have not used it recently."),
			Fix: tr.T("An administrator can allow it in the Microsoft Entra admin center (Protection, Conditional Access): exclude this user, or this app, from the policy whose condition is Authentication flows: Device code flow (such as the Microsoft-managed \"Block device code flow\").") + " " +
				tr.T(alternatives)}
	case code == "65001" || code == "90094" || code == "90095" || code == "65004" && of.Error != "access_denied":
		return Diagnosis{Code: "oauth.admin_consent_required", Family: FamilyLoginDisabled,
			Title:  tr.T("An administrator must approve this app first"),
			Detail: tr.T("Your organisation lets only an administrator consent to this app's permissions."),
			Fix:    tr.T("Ask an administrator to open the app in the Microsoft Entra admin center (Enterprise applications, or App registrations, API permissions) and choose \"Grant admin consent\" for SMTP.Send and offline_access; then run smtpsetup login again.")}
	case code == "700016":
		return Diagnosis{Code: "oauth.app_not_found", Family: FamilyCredentials,
			Title:  tr.T("This app is not known in your organisation's directory"),
			Detail: tr.T("Microsoft found no app with this client id in the tenant signed in to (AADSTS700016): the id is mistyped, the app is registered in another tenant as single-tenant, or the tenant is wrong."),
			Fix:    tr.T("Check the Application (client) ID (--client-id). If the app lives in another organisation, it must be registered as multi-tenant (\"Accounts in any organizational directory\"); or give your own tenant with --tenant (your domain or directory ID).")}
	case code == "7000112":
		return Diagnosis{Code: "oauth.app_disabled", Family: FamilyLoginDisabled,
			Title:  tr.T("This app has been disabled"),
			Detail: tr.T("Microsoft says the app is disabled (AADSTS7000112), by its owner or by Microsoft."),
			Fix:    tr.T("Use an app your organisation registered and controls: give its Application (client) ID with --client-id. Do not borrow another product's app id.")}
	case code == "700025":
		return Diagnosis{Code: "oauth.secret_sent", Family: FamilyCredentials,
			Title:  tr.T("A client secret was sent for a public app"),
			Detail: tr.T("Microsoft refuses a client secret from a public client (AADSTS700025). smtpsetup never sends one, so a proxy or a vendor's file added it, or the app is registered as confidential."),
			Fix:    tr.T("In the app registration (Authentication), turn on \"Allow public client flows\", and remove any secret from the vendor's settings.")}
	// Microsoft calls a declined device sign-in authorization_declined
	// (identity platform, device code flow, token errors).
	case of.Error == "access_denied" || of.Error == "authorization_declined" || code == "65004":
		return Diagnosis{Code: "oauth.denied", Family: FamilyCredentials,
			Title:  tr.T("The sign-in was declined"),
			Detail: tr.T("The person signing in chose not to allow access, or the organisation refused it."),
			Fix:    tr.T("Run smtpsetup login again and approve the request (it asks for permission to send mail as you). If you did approve it, an administrator may need to allow the app.")}
	case of.Error == "expired_token" || of.Error == "invalid_grant" && of.Op == "sign-in" && code == "":
		// After expired_token some servers answer invalid_grant for the
		// same device code (Auth0 says so of its own).
		return Diagnosis{Code: "oauth.code_expired", Family: FamilyCredentials, Transient: true,
			Title:  tr.T("The code expired before it was entered"),
			Detail: tr.T("The sign-in code is valid for a limited time (Microsoft: 15 minutes)."),
			Fix:    tr.T("Run smtpsetup login again and type the new code promptly at the address shown.")}
	case of.Error == "invalid_grant":
		return Diagnosis{Code: "oauth.signin_expired", Family: FamilyCredentials,
			Title:  tr.T("The saved sign-in no longer works"),
			Detail: tr.Tf("The identity provider refused the saved refresh token: it was revoked (a password change, an administrator, \"sign out everywhere\") or it expired after %s without use.", refreshLifetime(p, tr)),
			Fix:    tr.T("Sign in again: smtpsetup login --config FILE (the config stays as it is).")}
	case of.Error == "bad_paste":
		return Diagnosis{Code: "oauth.bad_paste", Family: FamilyCredentials,
			Title:  tr.T("The pasted address is not the one the sign-in ended on"),
			Detail: tr.T("After signing in, the browser goes to this machine's loopback address with a one-time code in it; that whole address is what smtpsetup needs."),
			Fix:    tr.T("Run smtpsetup login again, sign in with the new address it shows, then copy the complete address from the browser's address bar (it starts with http://127.0.0.1) and paste it.")}
	case of.Error == "not_signed_in":
		return Diagnosis{Code: "oauth.not_signed_in", Family: FamilyCredentials,
			Title:  tr.T("Not signed in on this machine"),
			Detail: tr.T("The config uses OAuth, but there is no token file beside it."),
			Fix:    tr.T("Not signed in: run smtpsetup login --config FILE and sign in with the code it shows.")}
	case of.Error == "bad_token_file":
		return Diagnosis{Code: "oauth.bad_token_file", Family: FamilyCredentials,
			Title:  tr.T("The saved sign-in is damaged"),
			Detail: tr.T("The token file beside the config is not a sign-in smtpsetup can use (it was edited, cut short, or written by another tool)."),
			Fix:    tr.T("Sign in again: smtpsetup login --config FILE (the config stays as it is).")}
	case of.Error == "network":
		return Diagnosis{Code: "oauth.unreachable", Family: FamilyNetwork, Transient: true,
			Title:  tr.T("The identity provider could not be reached"),
			Detail: tr.T("The sign-in server did not answer; the SMTP server was not tried."),
			Fix:    tr.T("Check the network, DNS and any proxy for HTTPS to the sign-in server, then try again.")}
	}
	return Diagnosis{Code: "oauth.failed", Family: FamilyCredentials,
		Title: tr.T("The identity provider refused the sign-in"),
		Fix:   tr.T("Look up the error code the provider gave (Microsoft: https://login.microsoftonline.com/error), fix what it names, then run smtpsetup login again.")}
}

func refreshLifetime(p *Provider, tr *i18n.Printer) string {
	if p != nil && p.OAuth != nil && p.OAuth.RefreshDays > 0 {
		return tr.Tn(p.OAuth.RefreshDays, "%d day", "%d days", p.OAuth.RefreshDays)
	}
	return tr.T("a time the provider sets")
}

// xoauth2Diagnosis explains a server refusing a valid-looking token.
func xoauth2Diagnosis(f *Failure, s Settings, tr *i18n.Printer) Diagnosis {
	reply := Reply{}
	if f.Reply != nil {
		reply = *f.Reply
	}
	status := ""
	if f.OAuth != nil && f.OAuth.Status != "" {
		status = tr.Tf(" The server's OAuth status: %s.", f.OAuth.Status)
		if f.OAuth.Scope != "" {
			status = tr.Tf(" The server's OAuth status: %s, wanted scope %s.", f.OAuth.Status, f.OAuth.Scope)
		}
	}
	enh := reply.Enhanced
	if enh == "5.7.139" || strings.Contains(strings.ToLower(reply.Text), "smtpclientauthentication is disabled") {
		return Diagnosis{Code: "auth.oauth_smtp_disabled", Family: FamilyLoginDisabled,
			Title:  tr.T("SMTP AUTH is turned off for this mailbox, even with OAuth"),
			Detail: tr.Tf("The token was fine, but Microsoft answered: %s.", reply.String()) + status,
			Fix:    tr.T("An administrator enables Authenticated SMTP for this mailbox (Microsoft 365 admin center: Users, Active users, Mail, Manage email apps; or Set-CASMailbox -SmtpClientAuthenticationDisabled $false) and checks that the tenant-wide setting and Security Defaults allow it. New Outlook.com accounts have been seen with it off; Microsoft has not said why.")}
	}
	if slices.Contains([]int{535, 534, 530, 454}, reply.Code) || f.OAuth != nil {
		return Diagnosis{Code: "auth.oauth_token_refused", Family: FamilyCredentials,
			Title: tr.T("The server refused the OAuth token"),
			Detail: tr.Tf("The sign-in worked, but %s answered: %s.", firstNonEmpty(s.Host, tr.T("the server")), reply.String()) + status +
				tr.T(" Common causes: the login name is not the account that signed in, the app lacks the delegated SMTP.Send permission, or the mailbox has no Exchange Online licence."),
			Fix: tr.T("Check that --username is the address you signed in with; in the app registration, add the delegated permission SMTP.Send (Office 365 Exchange Online) and grant consent; then run smtpsetup login again.")}
	}
	return Diagnosis{Code: "auth.oauth_token_refused", Family: FamilyCredentials,
		Title:  tr.T("The server refused the OAuth login"),
		Detail: tr.Tf("The server answered: %s.", reply.String()) + status,
		Fix:    tr.T("Check the login name and the app's SMTP.Send permission, then run smtpsetup login again.")}
}
