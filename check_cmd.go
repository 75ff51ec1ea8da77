package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"smtpsetup/oauth"
	"smtpsetup/output"
	"smtpsetup/smtp"
)

func checkCommand() *cobra.Command {
	var f connFlags
	c := &cobra.Command{
		Use:   "check",
		Short: "Test the settings without a screen: for scripts and helpdesks",
		Long: "check runs the live test (resolve, connect, TLS, greeting, EHLO, STARTTLS, AUTH, and a message\n" +
			"only with --send-to) and prints the stages, the server's facts and, on failure, a diagnosis\n" +
			"with a stable code and the fix. Exit 0 when the test passes, 1 when it fails, 2 for bad input.",
		Example: "  smtpsetup check --config /etc/smtpsetup/smtp.yaml\n" +
			"  SMTP_PASSWORD=... smtpsetup check --provider gmail --from me@gmail.com --json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := fromEnv(cmd); err != nil {
				return err
			}
			f.useSavedConfig(cmd)
			s, p, err := f.settings(cmd, cmd.InOrStdin())
			if err != nil {
				return err
			}
			rep, err := f.testAndPrint(cmd, s, p)
			if err != nil {
				return err
			}
			if !rep.OK {
				return &exitError{code: exitFailed}
			}
			return nil
		},
	}
	f.register(c)
	return c
}

// testAndPrint runs the live test of s and prints the verdict, as JSON with
// --json, else as text with the warnings a person should see first. check
// and setup --non-interactive share it, so both say the same.
func (f *connFlags) testAndPrint(cmd *cobra.Command, s smtp.Settings, p *smtp.Provider) (*smtp.Report, error) {
	src, _ := oauthTokenSource(f.config, s)
	return f.testAndPrintWith(cmd, s, p, f.testOptions(p), src)
}

// testAndPrintWith is testAndPrint with the test options given and the
// OAuth sign-in to use (nil for a password login): login passes the token
// it has not saved yet. The report says when sign-in is due again.
func (f *connFlags) testAndPrintWith(cmd *cobra.Command, s smtp.Settings, p *smtp.Provider, opts smtp.Options, src *oauth.Source) (*smtp.Report, error) {
	if src != nil {
		opts.Token = src.TokenSource()
	}
	out := cmd.OutOrStdout()
	if !f.jsonOut {
		if msg := s.PortMismatch(); msg != "" {
			fmt.Fprintln(cmd.ErrOrStderr(), "warning:", msg)
		}
		if s.InsecureSkipVerify {
			fmt.Fprintln(cmd.ErrOrStderr(), "WARNING: --insecure-skip-verify accepts any certificate: anyone on the network could read the password.")
		}
	}
	rep := smtp.Test(cmd.Context(), s, opts)
	if src != nil {
		rep.SignInDue, _ = signInDue(src) // read after the test: a refresh moves it
	}
	diag := smtp.Diagnose(rep, p)
	if f.jsonOut {
		printedJSON = true
		return rep, output.JSON(out, rep, diag)
	}
	output.Text(output.Writer(out), rep, diag)
	if !rep.SignInDue.IsZero() {
		fmt.Fprintf(cmd.ErrOrStderr(), "OAuth sign-in: renews itself with use; if unused, sign in again (smtpsetup login) before %s.\n", rep.SignInDue.Local().Format("2006-01-02"))
	}
	return rep, nil
}
