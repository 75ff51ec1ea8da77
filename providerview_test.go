package main

import (
	"bytes"
	"context"
	"errors"
	"smtpsetup/i18n"
	"strings"
	"testing"

	"charm.land/fang/v2"
	"github.com/charmbracelet/x/ansi"

	"smtpsetup/smtp"
)

func runRoot(args ...string) (string, error) {
	root := rootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := fang.Execute(context.Background(), root)
	return out.String(), err
}

// `providers` fits 80 columns; `providers ID` shows one whole entry in 80
// columns (a URL wider than that stays whole on its own line), with nothing
// cut short.
func TestProvidersFit80Columns(t *testing.T) {
	list, err := runRoot("providers")
	if err != nil {
		t.Fatal(err)
	}
	fits(t, "providers", list)
	for _, p := range smtp.BuiltinCatalogue().Providers {
		if !strings.Contains(list, p.ID+" ") {
			t.Errorf("providers does not list %s", p.ID)
		}
		one, err := runRoot("providers", p.ID)
		if err != nil {
			t.Fatal(err)
		}
		fits(t, "providers "+p.ID, one)
		shown := strings.Join(strings.Fields(one), " ")
		for _, want := range []string{p.Name, p.Host, p.StatusNote, p.LastChecked} {
			if !strings.Contains(shown, strings.Join(strings.Fields(want), " ")) {
				t.Errorf("providers %s does not show %q", p.ID, want)
			}
		}
		for _, pre := range p.Prerequisites {
			if pre.URL != "" && !strings.Contains(one, pre.URL) {
				t.Errorf("providers %s: URL %s not shown whole", p.ID, pre.URL)
			}
		}
		if strings.Count(one, p.ID+")") != 1 || strings.Contains(one, "\nID ") {
			t.Errorf("providers %s shows more than one entry:\n%s", p.ID, one)
		}
	}
	var ee *exitError
	if _, err := runRoot("providers", "no-such-provider"); !errors.As(err, &ee) || ee.code != exitBadInput {
		t.Errorf("unknown id: %v, want exit 2", err)
	}
}

func fits(t *testing.T, what, out string) {
	t.Helper()
	if strings.Contains(out, "…") {
		t.Errorf("%s: something was cut with …", what)
	}
	for _, line := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(line); w > 80 && !strings.HasPrefix(line, "https://") {
			t.Errorf("%s: line of %d columns: %q", what, w, line)
		}
	}
}

// TestProvidersFitInEveryLanguage: `providers ID` of every translated
// entry fits 80 columns in every language (Chinese and Japanese break
// between characters; a URL stays whole on its own line).
func TestProvidersFitInEveryLanguage(t *testing.T) {
	defer func(old *i18n.Printer) { tr = old }(tr)
	for _, l := range i18n.Languages[1:] {
		tr = i18n.New(l.Tag)
		for _, id := range []string{"gmail", "outlook", "microsoft365", "icloud", "ses-eu-west-1", "qq", "sendgrid"} {
			out, err := runRoot("providers", id)
			if err != nil {
				t.Fatal(err)
			}
			fits(t, l.Tag+": providers "+id, out)
		}
	}
}
