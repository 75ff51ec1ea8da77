package main

import (
	"fmt"
	"strings"

	mcobra "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// manCommand prints the man page smtpsetup(1), generated from the commands
// so that it never drifts from --help: the packages ship it (see
// packaging/generate.sh). fang has such a command too, but it would carry
// the line breaks that fitHelp puts in for 80 columns, and it has no
// EXIT STATUS, ENVIRONMENT or FILES.
func manCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "man",
		Short:  "Print the man page smtpsetup(1)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root := cmd.Root()
			unwrapHelp(root)
			page, err := mcobra.NewManPage(1, root)
			if err != nil {
				return err
			}
			for _, s := range manSections {
				page = page.WithSection(s[0], s[1])
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), page.Build(roff.NewDocument()))
			return err
		},
	}
}

// manSections are the man page's sections that no command's help holds.
var manSections = [][2]string{
	{"Exit Status", "0 the test passed (or the command did its job); " +
		"1 the test ran and failed, the diagnosis says why; " +
		"2 bad input: a flag, the config, the password file or the terminal was not usable."},
	{"Environment", "SMTP_PASSWORD: the password, when neither --password-file nor --password-stdin is given. " +
		"SMTPSETUP_<FLAG>: any flag of check, setup and report (SMTPSETUP_HOST, SMTPSETUP_PORT, SMTPSETUP_FROM_NAME, ...); a flag on the command line wins. " +
		"SMTPSETUP_CONFIG: the config file. NO_COLOR: no colour. TERM=dumb: the wizard asks plain numbered questions."},
	{"Files", "/etc/smtpsetup/smtp.yaml: the config when run as root (mode 0600, directory 0700), else ~/.config/smtpsetup/smtp.yaml; " +
		"the previous version is kept as smtp.yaml.bak. " +
		"/usr/lib/systemd/system/smtpsetup-check.timer and .service: the daily check; /etc/default/smtpsetup-check: its settings."},
	{"See Also", "msmtp(1), postconf(5). The diagnosis codes, the config file, the providers and fleet use (Ansible, cloud-init, Prometheus) are described in " +
		"/usr/share/doc/smtpsetup/ and the project's docs/ directory."},
}

// unwrapHelp undoes fitHelp's line breaks for a page that wraps by itself:
// a paragraph becomes one line again.
func unwrapHelp(c *cobra.Command) {
	var paras []string
	for _, p := range strings.Split(c.Long, "\n\n") {
		paras = append(paras, strings.Join(strings.Fields(p), " "))
	}
	c.Long = strings.Join(paras, "\n")
	c.Flags().VisitAll(func(f *pflag.Flag) { f.Usage = strings.Join(strings.Fields(f.Usage), " ") })
	for _, sub := range c.Commands() {
		unwrapHelp(sub)
	}
}
