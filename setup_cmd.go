package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"smtpsetup/config"
	"smtpsetup/i18n"
	"smtpsetup/output"
	"smtpsetup/smtp"
)

func setupCommand(w *wizardFlags) *cobra.Command {
	var f connFlags
	var nonInteractive, saveAnyway, referencePasswordFile, dryRun bool
	c := &cobra.Command{
		Use:   "setup",
		Short: "Write a config, by the wizard or from flags",
		Long: "setup --non-interactive takes the flags of check (or SMTPSETUP_HOST, SMTPSETUP_PORT, ...),\n" +
			"runs the live test, and writes the config only when the test passes (--save-anyway overrides,\n" +
			"and prints the diagnosis). The file is byte for byte what the wizard writes for the same answers;\n" +
			"running it again with the same values changes nothing and says so; with --json the output\n" +
			"says it as config.changed (what Ansible reports), and --dry-run says whether the config\n" +
			"would change without writing it. Exit codes as check.\n" +
			"Without --non-interactive it starts the wizard.",
		Example: "  smtpsetup setup --non-interactive --provider gmail \\\n" +
			"      --from nas@gmail.com --password-file /run/pw\n" +
			"  SMTPSETUP_HOST=mail.example.com SMTPSETUP_USERNAME=nas \\\n" +
			"      smtpsetup setup --non-interactive --password-stdin < /run/pw",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !nonInteractive {
				if err := wizardOnlyFlags(cmd); err != nil {
					return err
				}
				w.path = f.config
				if f.providers != "" {
					w.providers = f.providers
				}
				if cmd.Flags().Changed("timeout") {
					w.timeout = f.timeout
				}
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
					return badInput(i18n.N("--reference-password-file needs --password-file"))
				}
				s.PasswordFile = f.passwordFile
			}
			rep, diag := f.test(cmd, s, p)
			if !f.jsonOut {
				// A person reads the verdict before what became of the file.
				if err := f.print(cmd, rep, diag, nil); err != nil {
					return err
				}
			}
			if rep.Failure != nil && rep.Failure.Kind == smtp.KindCancelled {
				// Interrupted: not a verdict on the settings, so even
				// --save-anyway writes nothing.
				if f.jsonOut {
					f.print(cmd, rep, diag, nil)
				}
				return failed(i18n.N("cancelled: nothing was saved"))
			}
			cfg, err := saveSetup(cmd, dest, s, rep.OK || saveAnyway, dryRun)
			if f.jsonOut {
				if perr := f.print(cmd, rep, diag, cfg); perr != nil && err == nil {
					err = perr
				}
			}
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
	c.Flags().BoolVar(&nonInteractive, "non-interactive", false, "no screens: settings from flags and SMTPSETUP_* variables")
	c.Flags().BoolVar(&saveAnyway, "save-anyway", false, "write the config even when the test fails")
	c.Flags().BoolVar(&dryRun, "dry-run", false, "test and say whether the config would change, without writing it")
	c.Flags().BoolVar(&referencePasswordFile, "reference-password-file", false, "name --password-file in the config instead of copying the password into it")
	return c
}

// saveSetup writes the tested settings to dest when save is true (the test
// passed, or --save-anyway), or with dryRun only says whether it would
// change anything. It tells the person on standard error and returns what
// happened for --json, where Changed is what Ansible reports.
func saveSetup(cmd *cobra.Command, dest string, s smtp.Settings, save, dryRun bool) (*output.Config, error) {
	cfg := &output.Config{Path: dest, DryRun: dryRun}
	stderr := cmd.ErrOrStderr()
	switch {
	case !save:
		fmt.Fprintln(stderr, tr.Tf("Not saved: the test failed. Fix it, or pass --save-anyway to write %s regardless.", dest))
	case dryRun:
		changed, err := config.WouldChange(dest, s)
		if err != nil {
			return cfg, err
		}
		cfg.Changed = changed
		if changed {
			fmt.Fprintln(stderr, tr.Tf("Would change %s (--dry-run: nothing written).", dest))
		} else {
			fmt.Fprintln(stderr, tr.Tf("No change: %s already holds these settings.", dest))
		}
	default:
		res, err := config.Save(dest, s, config.SaveOptions{})
		cfg.Saved, cfg.Changed, cfg.Backup = err == nil, res.Changed, res.Backup
		if err != nil {
			return cfg, err
		}
		fmt.Fprintln(stderr, res.In(tr))
	}
	return cfg, nil
}

func reportCommand() *cobra.Command {
	var f connFlags
	var outPath string
	c := &cobra.Command{
		Use:   "report",
		Short: "Test and write a report for a support ticket",
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
			text := output.HelpdeskIn(rep, diagnose(rep, p, true), version(), tr)
			if oauthUsed {
				if due, ok := signInDue(src); ok {
					text += tr.Tf("OAuth sign-in due by: %s (if unused)", due.UTC().Format("2006-01-02")) + "\n"
				}
			}
			if outPath == "" || outPath == "-" {
				fmt.Fprint(cmd.OutOrStdout(), text)
			} else {
				if err := config.WriteSecretFile(outPath, []byte(text)); err != nil {
					return err
				}
				fmt.Fprintln(cmd.ErrOrStderr(), tr.Tf("Wrote %s: attach it to your support ticket.", outPath))
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

// wizardOnlyFlags refuses setup's connection flags without
// --non-interactive: the wizard asks for those values on its screens, and a
// flag silently ignored would be a setting the user believes was made.
func wizardOnlyFlags(cmd *cobra.Command) error {
	var given []string
	cmd.LocalNonPersistentFlags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed && fl.Name != "config" && fl.Name != "providers" && fl.Name != "timeout" && fl.Name != "lang" {
			given = append(given, "--"+fl.Name)
		}
	})
	if len(given) == 0 {
		return nil
	}
	return badInput(i18n.N("%s: only with --non-interactive (the wizard asks for these on its screens); add --non-interactive, or leave them out to run the wizard"), strings.Join(given, ", "))
}
