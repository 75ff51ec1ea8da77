package main

import (
	"fmt"

	"github.com/spf13/cobra"

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
	opts := f.testOptions()
	src, oauthUsed := oauthTokenSource(f.config, s)
	if oauthUsed {
		opts.Token = src.TokenSource()
	}
	rep, err := f.testAndPrintWith(cmd, s, p, opts)
	if oauthUsed && err == nil && !f.jsonOut {
		if due, ok := signInDue(src); ok {
			fmt.Fprintf(cmd.ErrOrStderr(), "OAuth sign-in: renews itself with use; if unused, sign in again (smtpsetup login) before %s.\n", due.Local().Format("2006-01-02"))
		}
	}
	return rep, err
}

// testAndPrintWith is testAndPrint with the test options given, for login,
// whose token is not saved yet.
func (f *connFlags) testAndPrintWith(cmd *cobra.Command, s smtp.Settings, p *smtp.Provider, opts smtp.Options) (*smtp.Report, error) {
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
	diag := smtp.Diagnose(rep, p)
	if f.jsonOut {
		return rep, output.JSON(out, rep, diag)
	}
	output.Text(output.Writer(out), rep, diag)
	return rep, nil
}
