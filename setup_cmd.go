package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"smtpsetup/config"
	"smtpsetup/output"
	"smtpsetup/smtp"
)

func setupCommand(w *wizardFlags) *cobra.Command {
	var f connFlags
	var nonInteractive, saveAnyway, referencePasswordFile bool
	c := &cobra.Command{
		Use:   "setup",
		Short: "Write a config: the wizard, or from flags and SMTPSETUP_* variables with --non-interactive",
		Long: "setup --non-interactive takes the flags of check (or SMTPSETUP_HOST, SMTPSETUP_PORT, ...),\n" +
			"runs the live test, and writes the config only when the test passes (--save-anyway overrides,\n" +
			"and prints the diagnosis). The file is byte for byte what the wizard writes for the same answers;\n" +
			"running it again with the same values changes nothing and says so. Exit codes as check.\n" +
			"Without --non-interactive it starts the wizard.",
		Example: "  SMTP_PASSWORD=... smtpsetup setup --non-interactive --provider gmail --from nas@gmail.com\n" +
			"  SMTPSETUP_HOST=mail.example.com SMTPSETUP_USERNAME=nas smtpsetup setup --non-interactive --password-file /run/pw",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !nonInteractive {
				w.path = f.config
				return runWizard(cmd, *w)
			}
			if err := fromEnv(cmd); err != nil {
				return err
			}
			// The destination is read when it exists, so a re-run keeps
			// what the flags do not change.
			dest := configPath(f.config)
			f.config = ""
			if _, err := os.Lstat(dest); err == nil {
				f.config = dest
			}
			s, p, err := f.settings(cmd, cmd.InOrStdin())
			if err != nil {
				return err
			}
			if referencePasswordFile {
				if f.passwordFile == "" {
					return badInput("--reference-password-file needs --password-file")
				}
				s.PasswordFile = f.passwordFile
			}
			rep, err := f.testAndPrint(cmd, s, p)
			if err != nil {
				return err
			}
			if !rep.OK && !saveAnyway {
				fmt.Fprintf(cmd.ErrOrStderr(), "Not saved: the test failed. Fix it, or pass --save-anyway to write %s regardless.\n", dest)
				return &exitError{code: exitFailed}
			}
			res, err := config.Save(dest, s, config.SaveOptions{})
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), res.String())
			if !rep.OK {
				return &exitError{code: exitFailed}
			}
			return nil
		},
	}
	f.register(c)
	c.Flags().BoolVar(&nonInteractive, "non-interactive", false, "no screens: settings from flags and SMTPSETUP_* variables")
	c.Flags().BoolVar(&saveAnyway, "save-anyway", false, "write the config even when the test fails")
	c.Flags().BoolVar(&referencePasswordFile, "reference-password-file", false, "name --password-file in the config instead of copying the password into it")
	return c
}

func reportCommand() *cobra.Command {
	var f connFlags
	var outPath string
	c := &cobra.Command{
		Use:   "report",
		Short: "Run the test and write a plain-text report that is safe to paste into a support ticket",
		Long: "report runs the live test and writes version, system, local time, the settings with the\n" +
			"secret masked, each stage, the server's facts, the transcript (masked and cleaned) and the\n" +
			"diagnosis with its code. It never contains the password.",
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
			opts := f.testOptions(p)
			src, oauthUsed := oauthTokenSource(f.config, s)
			if oauthUsed {
				opts.Token = src.TokenSource()
			}
			rep := smtp.Test(cmd.Context(), s, opts)
			text := output.Helpdesk(rep, smtp.Diagnose(rep, p), version())
			if oauthUsed {
				if due, ok := signInDue(src); ok {
					text += "OAuth sign-in due by: " + due.UTC().Format("2006-01-02") + " (if unused)\n"
				}
			}
			if outPath == "" || outPath == "-" {
				fmt.Fprint(cmd.OutOrStdout(), text)
			} else {
				if err := config.WriteSecretFile(outPath, []byte(text)); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Wrote %s: attach it to your support ticket.\n", outPath)
			}
			if !rep.OK {
				return &exitError{code: exitFailed}
			}
			return nil
		},
	}
	f.register(c)
	c.Flags().StringVar(&outPath, "output", "", "write the report to this file instead of standard output")
	return c
}
