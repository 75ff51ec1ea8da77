// Command smtpsetup gets outgoing e-mail working on a machine without a
// browser: a terminal wizard, a non-interactive check for scripts and
// helpdesks, exports for real mail consumers and a report for support.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
)

// Exit codes, the same for every command, so scripts can rely on them.
const (
	exitOK       = 0
	exitFailed   = 1 // the test ran and failed
	exitBadInput = 2 // a flag, a file or the terminal was not usable
)

// exitError carries an exit code; an empty message prints nothing, for a
// failure whose report was already printed.
type exitError struct {
	code int
	msg  text
}

func (e *exitError) Error() string { return e.msg.String() }

// failed is an exitError for a failure the command explains in msg.
func failed(format string, a ...any) error {
	return &exitError{code: exitFailed, msg: say(format, a...)}
}

// badInput is an exitError for bad input; format is marked with i18n.N
// where it has words to translate.
func badInput(format string, a ...any) error {
	return &exitError{code: exitBadInput, msg: say(format, a...)}
}

// exitCode is set by the commands; see settle.
var exitCode = exitOK

func main() {
	tr = chooseLanguage(os.Args[1:])
	root := rootCommand()
	handleUsageErrors(root)
	detachStdinForHelp(os.Args[1:])
	for _, c := range append(root.Commands(), root) {
		if c.RunE != nil {
			c.RunE = settle(c.RunE)
		}
	}
	err := fang.Execute(context.Background(), root,
		fang.WithVersion(version()),
		fang.WithoutManpage(), // ours, man_cmd.go
		fang.WithErrorHandler(func(w io.Writer, _ fang.Styles, err error) {
			fmt.Fprintln(w, "smtpsetup:", localized(err, tr))
		}))
	if err != nil {
		os.Exit(exitBadInput) // cobra's own usage errors: an unknown flag or command
	}
	os.Exit(exitCode)
}

// settle prints a command's error itself and records its exit code, so
// that the error never reaches fang: fang's error path asks the terminal for
// its background colour, which blocks for two seconds on a terminal that
// never answers (serial consoles), at every failed check.
func settle(run func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := run(cmd, args)
		if err == nil {
			return nil
		}
		exitCode = exitBadInput
		var ee *exitError
		if errors.As(err, &ee) {
			exitCode = ee.code
			if ee.msg.format == "" {
				return nil
			}
		}
		fmt.Fprintln(cmd.ErrOrStderr(), "smtpsetup:", localized(err, tr))
		return nil
	}
}

func rootCommand() *cobra.Command {
	var w wizardFlags
	root := &cobra.Command{
		Use:   "smtpsetup",
		Short: "Set up and test outgoing e-mail from a terminal",
		Long: "smtpsetup walks you through sending e-mail from this machine: the provider, what it demands\n" +
			"(App Passwords and the like), the login, the encryption, a live test that explains any failure,\n" +
			"and a config file written safely. Without a command it starts the wizard.",
		Example: "  smtpsetup --demo                 # try the whole flow against a built-in server\n" +
			"  smtpsetup                        # set up this machine\n" +
			"  smtpsetup check --config smtp.yaml --json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runWizard(cmd, w) },
	}
	w.register(root)
	root.AddCommand(checkCommand(), setupCommand(&w), reportCommand(), exportCommand(), loginCommand(), tokenCommand(), providersCommand(), detectCommand(), manCommand())
	// cobra adds its completion command when run; add it now, so that its
	// help is as short as the others.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Short = "Print a completion script for bash, zsh or fish"
		}
	}
	registerLang(root)
	fitHelp(root)
	return root
}
