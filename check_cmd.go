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
			out := cmd.OutOrStdout()
			if msg := s.PortMismatch(); msg != "" && !f.jsonOut {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", msg)
			}
			if s.InsecureSkipVerify && !f.jsonOut {
				fmt.Fprintln(cmd.ErrOrStderr(), "WARNING: --insecure-skip-verify accepts any certificate: anyone on the network could read the password.")
			}
			rep := smtp.Test(cmd.Context(), s, f.testOptions())
			diag := smtp.Diagnose(rep, p)
			if f.jsonOut {
				if err := output.JSON(out, rep, diag); err != nil {
					return err
				}
			} else {
				output.Text(output.Writer(out), rep, diag)
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
