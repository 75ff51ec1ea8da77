package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"smtpsetup/config"
	"smtpsetup/i18n"
)

// tr is the language every command's text speaks, chosen once in main
// (chooseLanguage); nil is English. JSON output never goes through it.
var tr *i18n.Printer

// langFlag is --lang, on every command; SMTPSETUP_LANG is its variable.
// main reads it from the arguments before cobra does (chooseLanguage);
// the flag is declared so that cobra accepts it and --help lists it.
var langFlag string

// registerLang gives c and its subcommands --lang, each its own flag, so
// that fitHelp wraps its help for each command's columns.
func registerLang(c *cobra.Command) {
	c.Flags().StringVar(&langFlag, "lang", "",
		"language: en, bg, ky, ko, zh-Hans, zh-Hant, ja, de, fr, es, pt-BR or ru (default: the locale, then the config's language field)")
	for _, sub := range c.Commands() {
		if sub.Name() != "completion" { // prints scripts, no text
			registerLang(sub)
		}
	}
}

// chooseLanguage picks the language before cobra parses anything, so that
// even a usage error is in it: --lang (or SMTPSETUP_LANG), the POSIX
// locale variables, then the language: field of the config the command
// reads (--config, else the saved one). An unknown name is English, in
// silence.
func chooseLanguage(args []string) *i18n.Printer {
	flag := argValue(args, "lang")
	if flag == "" {
		flag = os.Getenv(envName("lang"))
	}
	cfg := argValue(args, "config")
	if cfg == "" {
		cfg = os.Getenv(envName("config"))
	}
	if cfg == "" {
		cfg = config.DefaultPath()
	}
	return i18n.New(i18n.Choose(flag, os.Getenv, config.Language(cfg)))
}

// argValue is the value of --name in args (--name V or --name=V), "" when
// absent; it stops at "--".
func argValue(args []string, name string) string {
	for i, a := range args {
		switch {
		case a == "--":
			return ""
		case a == "--"+name && i+1 < len(args):
			return args[i+1]
		case strings.HasPrefix(a, "--"+name+"="):
			return strings.TrimPrefix(a, "--"+name+"=")
		}
	}
	return ""
}

// text is a sentence for a person: English where it must stay English
// (the JSON's message, a log), in the user's language where it is printed
// (In). Its format is marked with i18n.N where it is written; arguments
// that are texts themselves are translated too.
type text struct {
	format string
	args   []any
	phrase bool // format is a finished text (from another package), not a fmt format
}

// say is the text of a format and its arguments.
func say(format string, args ...any) text { return text{format: format, args: args} }

// phrase is a finished text another package wrote (a field's problem, its
// fix), translated where printed when that package marked it.
func phrase(s string) text { return text{format: s, phrase: true} }

func (t text) String() string { return t.In(nil) }

// Error makes a text an error whose English is its message.
func (t text) Error() string { return t.In(nil) }

// In is the text in tr's language.
func (t text) In(tr *i18n.Printer) string {
	if t.phrase {
		return tr.T(t.format)
	}
	args := make([]any, len(t.args))
	for i, a := range t.args {
		if x, ok := a.(text); ok {
			a = x.In(tr)
		}
		args[i] = a
	}
	if wordless(t.format) {
		return fmt.Sprintf(t.format, args...)
	}
	return tr.Tf(t.format, args...)
}

// wordless reports a format that only joins its arguments to flag names
// ("--config: %v", "%s=%q %s"): nothing in it to translate.
func wordless(format string) bool {
	for _, f := range strings.Fields(format) {
		if strings.HasPrefix(f, "--") {
			continue
		}
		for i := 0; i < len(f); i++ {
			if f[i] == '%' {
				i++
				for i < len(f) && strings.IndexByte("+-# 0123456789.[]*", f[i]) >= 0 {
					i++
				}
				continue
			}
			if unicode.IsLetter(rune(f[i])) {
				return false
			}
		}
	}
	return true
}

// localized is an error as printed for a person: an exitError's text in
// tr's language, any other error as it says itself (Go's and other
// packages' words).
func localized(err error, tr *i18n.Printer) string {
	var ee *exitError
	if errors.As(err, &ee) && ee.Error() == err.Error() {
		return ee.msg.In(tr)
	}
	return err.Error()
}
