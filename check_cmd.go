package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"smtpsetup/i18n"
	"smtpsetup/oauth"
	"smtpsetup/output"
	"smtpsetup/smtp"
)

func checkCommand() *cobra.Command {
	var f connFlags
	var metricsPath string
	c := &cobra.Command{
		Use:   "check",
		Short: "Test the settings: for scripts and helpdesks",
		Long: "check runs the live test (resolve, connect, TLS, greeting, EHLO, STARTTLS, AUTH, and a message\n" +
			"only with --send-to) and prints the stages, the server's facts and, on failure, a diagnosis\n" +
			"with a stable code and the fix. Exit 0 when the test passes, 1 when it fails, 2 for bad input.\n\n" +
			"--metrics FILE also writes the result for Prometheus (node_exporter's textfile\n" +
			"collector), keeping the time of the last success; docs/fleets.md has the metrics.",
		Example: "  smtpsetup check --config /etc/smtpsetup/smtp.yaml\n" +
			"  smtpsetup check --provider gmail --from me@gmail.com \\\n" +
			"      --password-file /run/pw --json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			var rep *smtp.Report
			var p *smtp.Provider
			// Deferred first, so that bad input (SMTPSETUP_PORT=abc from the
			// unit's environment) still reaches the metrics file.
			defer func() {
				if metricsPath != "" {
					err = writeMetrics(metricsPath, rep, p, err)
				}
			}()
			if err := fromEnv(cmd); err != nil {
				return err
			}
			f.useSavedConfig(cmd)
			if f.confirm && (f.sendTo == "" || f.passwordStdin) {
				return badInput(i18n.N("--confirm needs --send-to ADDR (the message to confirm), and reads the code from standard input, so not with --password-stdin"))
			}
			s, p, err := f.settings(cmd, cmd.InOrStdin())
			if err != nil {
				return err
			}
			rep, err = f.testAndPrint(cmd, s, p)
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
	c.Flags().StringVar(&metricsPath, "metrics", "", "also write the result to this file for Prometheus")
	c.Flags().BoolVar(&f.confirm, "confirm", false, "with --send-to: ask for the code in the message that arrived")
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
	rep, diag := f.testWith(cmd, s, p, opts, src)
	var confirmErr error
	if f.confirm && rep.OK && rep.Sent != nil {
		if _, confirmErr = confirmDelivery(cmd.Context(), cmd, rep.Sent); confirmErr != nil && confirmErr != errNotConfirmed {
			return rep, confirmErr
		}
	}
	if err := f.print(cmd, rep, diag, nil); err != nil {
		return rep, err
	}
	if confirmErr != nil {
		return rep, &exitError{code: exitFailed}
	}
	return rep, nil
}

// test runs the live test of s with the config's OAuth sign-in, if any,
// and diagnoses it, printing first the warnings a person should see.
// setup prints the verdict itself, after saving.
func (f *connFlags) test(cmd *cobra.Command, s smtp.Settings, p *smtp.Provider) (*smtp.Report, *smtp.Diagnosis) {
	src, _ := oauthTokenSource(f.config, s)
	return f.testWith(cmd, s, p, f.testOptions(p), src)
}

func (f *connFlags) testWith(cmd *cobra.Command, s smtp.Settings, p *smtp.Provider, opts smtp.Options, src *oauth.Source) (*smtp.Report, *smtp.Diagnosis) {
	if src != nil {
		opts.Token = src.TokenSource()
	}
	if !f.jsonOut {
		if msg := s.PortMismatchIn(tr); msg != "" {
			fmt.Fprintln(cmd.ErrOrStderr(), tr.Tf("warning: %s", msg))
		}
		if p != nil && p.OAuth != nil && p.Status == smtp.StatusChanging && s.Auth != smtp.AuthXOAUTH2 && !s.NoLogin() {
			fmt.Fprintln(cmd.ErrOrStderr(), tr.Tf("note: %s is ending password logins; OAuth sign-in keeps working: %s", p.Name, loginCommandLine(p, s.From)))
		}
		if s.InsecureSkipVerify {
			fmt.Fprintln(cmd.ErrOrStderr(), tr.T("WARNING: --insecure-skip-verify accepts any certificate: anyone on the network could read the password."))
		}
		if s.AllowPlaintextAuth && !s.Security.Encrypted() && !s.NoLogin() && s.Username != "" {
			fmt.Fprintln(cmd.ErrOrStderr(), tr.T("WARNING: the password crosses the network unencrypted: anyone on this network could read it. It is sent only to a private address (10.x, 172.16-31.x, 192.168.x, fc00::/7) or this machine."))
		}
	}
	if !f.jsonOut {
		out := cmd.OutOrStdout()
		f.live = output.NewLive(output.Writer(out), s, output.IsTerminal(out), tr)
		opts.Progress = f.live.Event
	}
	// Ctrl-C or SIGTERM ends the test, not the program: the stages so far
	// and "cancelled" are printed, and setup saves nothing.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	rep := smtp.Test(ctx, s, opts)
	stop()
	if src != nil {
		rep.SignInDue, _ = signInDue(src) // read after the test: a refresh moves it
	}
	return rep, diagnose(rep, p, !f.jsonOut)
}

// diagnose is the diagnosis of a report, in the user's language for text
// (forText) and in English for JSON, whose texts stay English.
func diagnose(rep *smtp.Report, p *smtp.Provider, forText bool) *smtp.Diagnosis {
	if !forText {
		return smtp.Diagnose(rep, p)
	}
	return smtp.DiagnoseIn(rep, p, tr)
}

// print writes the verdict as JSON with --json (with what setup did to the
// config, when cfg is set), else as text.
func (f *connFlags) print(cmd *cobra.Command, rep *smtp.Report, diag *smtp.Diagnosis, cfg *output.Config) error {
	out := cmd.OutOrStdout()
	if f.jsonOut {
		printedJSON = true
		res := output.NewResult(rep, diag)
		res.Config = cfg
		return output.WriteJSON(out, res)
	}
	if f.live != nil {
		f.live.Finish(rep, diag)
		f.live = nil
	} else {
		output.TextIn(output.Writer(out), rep, diag, tr)
	}
	if !rep.SignInDue.IsZero() {
		fmt.Fprintln(cmd.ErrOrStderr(), tr.Tf("OAuth sign-in: renews itself with use; if unused, sign in again (smtpsetup login) before %s.", rep.SignInDue.Local().Format("2006-01-02")))
	}
	return nil
}
