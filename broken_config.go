package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"smtpsetup/config"
	"smtpsetup/i18n"
	"smtpsetup/steps"
	"smtpsetup/wizard"
)

// brokenConfig handles a config the wizard cannot read (a wrong value, a
// repeated key, a newer version): never ignored, never overwritten
// silently. It shows the load error and lets the user fix the file by hand,
// start over (with a copy kept), or quit. It returns nil when the wizard may
// go on with blank settings.
func brokenConfig(cmd *cobra.Command, d *steps.Session, loadErr error, lines bool, opts wizard.Options) error {
	if errors.Is(loadErr, fs.ErrNotExist) {
		return nil // no config yet: a first run
	}
	var choice wizard.BrokenChoice
	var err error
	if lines {
		choice, err = wizard.AskBrokenConfigLines(d.Lang, d.ConfigPath, loadErr, os.Stdin, cmd.OutOrStdout())
	} else {
		opts.Lang = d.Lang
		choice, err = wizard.AskBrokenConfig(cmd.Context(), d.ConfigPath, loadErr, opts)
	}
	if err != nil {
		return err
	}
	switch choice {
	case wizard.FixByHand:
		fmt.Fprintln(cmd.OutOrStdout(), tr.Tf("Edit %s, then run smtpsetup again.\nThe problem: %v", d.ConfigPath, loadErr))
		return &exitError{code: exitBadInput}
	case wizard.StartOver:
		kept, err := config.KeepBroken(d.ConfigPath, time.Now())
		if err != nil {
			return badInput(i18n.N("cannot keep a copy of %s, so it is left as it is: %v"), d.ConfigPath, err)
		}
		fmt.Fprintln(cmd.OutOrStdout(), tr.Tf("Kept a copy of the old file as %s.", kept))
		return nil
	}
	fmt.Fprintln(cmd.ErrOrStderr(), tr.T("Quit: the config was not changed."))
	return &exitError{code: exitFailed}
}
