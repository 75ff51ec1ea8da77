package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"smtpsetup/config"
	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

func exportCommand() *cobra.Command {
	var path, format, outPath, tmpl, passwordFile string
	var withPassword bool
	c := &cobra.Command{
		Use:   "export",
		Short: "Write the settings for msmtp, Postfix and others",
		Example: "  smtpsetup export --format msmtp --output ~/.msmtprc\n" +
			"  smtpsetup export --format postfix             # the password is not shown\n" +
			"  smtpsetup export --format env --with-password > /run/smtp.env",
		Long: "export writes the saved settings for the program that sends the mail:\n" +
			"msmtp, Postfix, a shell env file, JSON, or your own Go text/template.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := fromEnv(cmd); err != nil {
				return err
			}
			s, err := config.Load(configPath(path))
			if err != nil {
				return badInput("--config: %v", err)
			}
			// A screen or a pipe (which ends in tickets and logs too) gets
			// no password without --with-password; a file gets what its
			// consumer needs, mode 0600.
			if passwordFile != "" {
				// msmtp reads it at every send: the file must be one it
				// can use, private, as check and setup require.
				if _, err := readPasswordFileFlag(passwordFile); err != nil {
					return err
				}
			}
			toStdout := outPath == "" || outPath == "-"
			opts := config.ExportOptions{IncludePassword: withPassword, PasswordFile: passwordFile, TokenCommand: exportTokenCommand(configPath(path), s),
				HidePassword: toStdout && !withPassword}
			if format == "template" {
				if tmpl == "" {
					return badInput(i18n.N("--format template needs --template FILE (a Go text/template)"))
				}
				b, _, err := smtp.ReadFileLimited(tmpl, smtp.MaxTemplateFileSize, 0)
				if err != nil {
					return badInput("--template: %v", err)
				}
				opts.Template = string(b)
			}
			if !validFormat(format) {
				return badInput(i18n.N("--format %q: use one of %s"), format, strings.Join(config.Formats, ", "))
			}
			var buf bytes.Buffer
			if err := config.Export(&buf, s, format, opts); errors.Is(err, config.ErrNotSignedIn) {
				return badInput(i18n.N("%v: run smtpsetup login --config %s first"), err, configPath(path))
			} else if err != nil {
				return badInput("%v", err)
			}
			if toStdout {
				if _, err := cmd.OutOrStdout().Write(buf.Bytes()); err != nil {
					return err
				}
				inline := s.PasswordFile == "" && passwordFile == "" // msmtp reads a password file itself
				if opts.HidePassword && !s.Password.IsZero() && !s.NoLogin() && (format == "postfix" || format == "msmtp" && inline) {
					fmt.Fprintln(cmd.ErrOrStderr(), tr.T("The password is not shown. Write the file with --output FILE (mode 0600), or add --with-password."))
				}
				return nil
			}
			// The output may hold the password: write it like the config,
			// whole or not at all, readable by its owner only.
			if err := config.WriteSecretFile(outPath, buf.Bytes()); err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), tr.Tf("Wrote %s (mode 0600).", outPath))
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&path, "config", "", "config file to read (default: the wizard's)")
	f.StringVar(&format, "format", "msmtp", "format: json, env, msmtp, postfix, ansible or template")
	f.StringVar(&outPath, "output", "", "write here (mode 0600) instead of standard output")
	f.StringVar(&tmpl, "template", "", "Go text/template file, for --format template")
	f.StringVar(&passwordFile, "password-file", "", "absolute path of a file holding the password, for msmtp's passwordeval")
	f.BoolVar(&withPassword, "with-password", false, "put the password into the output, also on a screen or pipe")
	return c
}

func validFormat(f string) bool {
	for _, x := range config.Formats {
		if x == f {
			return true
		}
	}
	return false
}
