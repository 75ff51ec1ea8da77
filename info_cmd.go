package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"smtpsetup/detect"
	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

func providersCommand() *cobra.Command {
	var jsonOut bool
	var extra string
	c := &cobra.Command{
		Use:   "providers [ID]",
		Short: "List the providers smtpsetup knows, or show one",
		Example: "  smtpsetup providers\n" +
			"  smtpsetup providers gmail",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := loadCatalogue(extra)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			var one *smtp.Provider
			if len(args) == 1 {
				p, ok := cat.ByID(args[0])
				if !ok {
					return badInput(i18n.N("unknown provider %q; `smtpsetup providers` lists them"), args[0])
				}
				one = p
			}
			if jsonOut {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if one != nil {
					return enc.Encode(one)
				}
				return enc.Encode(cat.Providers)
			}
			if one != nil {
				writeProvider(out, one, tr)
				return nil
			}
			return writeProviderList(out, cat, tr)
		},
	}
	c.Flags().BoolVar(&jsonOut, "json", false, "print the catalogue (or the one provider) as JSON")
	c.Flags().StringVar(&extra, "providers", "", "extra provider catalogue (YAML)")
	return c
}

func detectCommand() *cobra.Command {
	var jsonOut bool
	var extra string
	c := &cobra.Command{
		Use:   "detect ADDRESS",
		Short: "Find the SMTP server for an e-mail address",
		Long: "detect looks the address up in the catalogue (offline), then by MX, DNS SRV records,\n" +
			"the domain's autoconfig document, and by trying smtp., mail. and the domain itself\n" +
			"on 465, 587 and 25. Without a network it answers what the catalogue knows.",
		Example: "  smtpsetup detect me@gmail.com\n  smtpsetup detect it@example.org --json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := loadCatalogue(extra)
			if err != nil {
				return err
			}
			res := detect.Detect(cmd.Context(), args[0], cat, detect.Options{})
			out := cmd.OutOrStdout()
			if jsonOut {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				writeDetect(cmd, res, cat, args[0])
			}
			if !res.Found() {
				return &exitError{code: exitFailed}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&jsonOut, "json", false, "print one JSON object")
	c.Flags().StringVar(&extra, "providers", "", "extra provider catalogue (YAML)")
	return c
}

func writeDetect(cmd *cobra.Command, res detect.Result, cat *smtp.Catalogue, address string) {
	out := cmd.OutOrStdout()
	if !res.Found() {
		if note := res.DomainNoteIn(tr); note != "" {
			fmt.Fprintln(out, tr.Tf("No SMTP server found for this address: %s.", note))
		} else {
			fmt.Fprintln(out, tr.T("No SMTP server found for this address."))
		}
	} else {
		if res.Provider != "" {
			fmt.Fprintln(out, tr.Tf("%s:%d %s (provider %s), found by %s", res.Host, res.Port, res.Security, res.Provider, res.Source))
		} else {
			fmt.Fprintln(out, tr.Tf("%s:%d %s, found by %s", res.Host, res.Port, res.Security, res.Source))
		}
		if res.Provider != "" {
			if p, ok := cat.ByID(res.Provider); ok && p.OAuthOnly() {
				fmt.Fprintln(out, tr.Tf("Next: %s (%s accepts only OAuth sign-in)", loginCommandLine(p, smtp.CleanLine(address)), p.Name))
			} else {
				fmt.Fprintln(out, tr.Tf("Next: smtpsetup check --provider %s --from %s", res.Provider, smtp.CleanLine(address)))
			}
		}
	}
	for _, a := range res.Alternatives {
		fmt.Fprintln(out, "  "+tr.Tf("also: %s:%d %s (%s)", a.Host, a.Port, a.Security, a.Source))
	}
	for _, u := range res.UncheckedIn(tr) {
		fmt.Fprintln(cmd.ErrOrStderr(), tr.Tf("not checked: %s", u))
	}
}
