package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"smtpsetup/i18n"
	"smtpsetup/output"
)

// usageFailed is set when a usage error was reported; the command then
// does not run.
var usageFailed bool

// handleUsageErrors makes every command report its own usage errors
// (unknown or malformed flags, unknown commands, wrong arguments) and never
// return them to fang: fang's error path asks the terminal for its
// background colour and waits up to 2 s, twice, for an answer that a serial
// console never sends. It also gives a command with --json its one JSON
// object on stdout for bad input. Call it before settle wraps RunE.
func handleUsageErrors(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
			reportUsage(c, flagValueError(err))
			return nil // cobra then runs nothing
		})
		if args := c.Args; args != nil {
			c.Args = func(c *cobra.Command, a []string) error {
				if err := args(c, a); err != nil {
					reportUsage(c, suggest(c, a, argsError(c, a, err)))
				}
				return nil
			}
		}
		if run := c.RunE; run != nil {
			c.RunE = func(c *cobra.Command, a []string) error {
				if usageFailed {
					return nil
				}
				return jsonOnBadInput(c, run(c, a))
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// reportUsage prints a usage error, as JSON too when --json was asked for,
// and sets exit code 2.
func reportUsage(c *cobra.Command, err error) {
	usageFailed = true
	exitCode = exitBadInput
	if wantsJSON(c) {
		output.InputErrorJSON(c.OutOrStdout(), err.Error(), exitBadInput)
	}
	fmt.Fprintf(c.ErrOrStderr(), "smtpsetup: %s\n%s\n", localized(err, tr), tr.Tf("Run '%s --help' for usage.", c.CommandPath()))
}

// suggest adds cobra's "did you mean" to an unknown command.
func suggest(c *cobra.Command, args []string, err error) error {
	if len(args) == 0 || !c.HasAvailableSubCommands() {
		return err
	}
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		var said any = err.Error()
		if ee, ok := err.(*exitError); ok {
			said = ee.msg
		}
		return &exitError{code: exitBadInput, msg: say(i18n.N("%s; did you mean %s?"), said, strings.Join(s, " or "))}
	}
	return err
}

// argsError is cobra's "unknown command" in the user's language (cobra's
// English word for word); other argument errors as cobra says them.
func argsError(c *cobra.Command, args []string, err error) error {
	if len(args) > 0 && err.Error() == fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath()) {
		return badInput(i18n.N("unknown command %q for %q"), args[0], c.CommandPath())
	}
	for _, format := range []string{i18n.N("accepts at most %d arg(s), received %d"), i18n.N("accepts %d arg(s), received %d")} {
		var want, got int
		if _, e := fmt.Sscanf(err.Error(), format, &want, &got); e == nil && err.Error() == fmt.Sprintf(format, want, got) {
			return badInput(format, want, got)
		}
	}
	return err
}

// jsonOnBadInput writes the JSON object for a command's bad-input error when
// --json was asked for and the command has not printed its own.
func jsonOnBadInput(c *cobra.Command, err error) error {
	if err == nil || !wantsJSON(c) {
		return err
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.code != exitBadInput {
		return err
	}
	if printedJSON {
		return err
	}
	output.InputErrorJSON(c.OutOrStdout(), err.Error(), exitBadInput)
	return err
}

// wantsJSON reports whether the command was asked for JSON: --json (looked
// for in the arguments too, since flag parsing may have stopped before it)
// or SMTPSETUP_JSON.
func wantsJSON(c *cobra.Command) bool {
	fl := c.Flags().Lookup("json")
	if fl == nil {
		return false
	}
	if fl.Changed {
		return fl.Value.String() == "true"
	}
	if v, ok := os.LookupEnv(envName("json")); ok {
		b, err := strconv.ParseBool(v)
		return err == nil && b
	}
	return slices.ContainsFunc(os.Args[1:], func(a string) bool { return a == "--json" || a == "--json=true" })
}

// printedJSON is set once a command printed its own JSON object, so that an
// error after it (setup's save) does not add a second one.
var printedJSON bool

// detachStdinForHelp gives a help request /dev/null for standard input.
// fang asks the terminal for its background colour before it styles help,
// and waits 2 s, twice, on a terminal that never answers (a serial
// console); without a terminal on stdin it asks nothing and takes the dark
// default. Help never reads stdin.
func detachStdinForHelp(args []string) {
	help := len(args) > 0 && args[0] == "help"
	for _, a := range args {
		if a == "--" {
			break
		}
		help = help || a == "-h" || a == "--help" || a == "--help=true"
	}
	if !help {
		return
	}
	if null, err := os.Open(os.DevNull); err == nil {
		os.Stdin = null
	}
}
