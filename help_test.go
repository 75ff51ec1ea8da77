package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpAt80 renders `smtpsetup ARGS --help` as fang does in an 80-column
// terminal.
func helpAt80(t *testing.T, args ...string) string {
	t.Helper()
	root := rootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append(args, "--help"))
	if err := fang.Execute(context.Background(), root); err != nil {
		t.Fatalf("%v --help: %v", args, err)
	}
	return out.String()
}

func TestMain(m *testing.M) {
	os.Setenv("__FANG_TEST_WIDTH", "80") // fang's own hook for its terminal width
	os.Exit(m.Run())
}

// Every --help fits 80 columns without losing a word: no line wider than
// 80, no example cut with "…", and every word of the texts (descriptions,
// examples, flag help) is on screen whole: never SMTP_PASSWO / RD, never
// --save- / anyway.
func TestHelpFits80Columns(t *testing.T) {
	for _, c := range append(rootCommand().Commands(), rootCommand()) {
		if c.Hidden {
			continue
		}
		path := strings.Fields(c.CommandPath())[1:]
		t.Run(strings.Join(append([]string{"smtpsetup"}, path...), " "), func(t *testing.T) {
			help := helpAt80(t, path...)
			for _, line := range strings.Split(help, "\n") {
				if n := utf8.RuneCountInString(line); n > 80 {
					t.Errorf("line of %d columns: %q", n, line)
				}
			}
			if strings.Contains(help, "…") {
				t.Errorf("something was cut with …:\n%s", help)
			}
			shown := map[string]bool{}
			for _, w := range strings.Fields(help) {
				shown[strings.ToLower(w)] = true
			}
			var words []string
			words = append(words, strings.Fields(c.Long)...)
			words = append(words, strings.Fields(c.Example)...)
			c.LocalFlags().VisitAll(func(f *pflag.Flag) { words = append(words, strings.Fields(f.Usage)...) })
			for _, w := range words {
				if !shown[strings.ToLower(w)] {
					t.Errorf("%q is not shown whole", w)
				}
			}
		})
	}
}

// Values are shown as they are typed: fang capitalises the first word of
// a flag's help, so no help may start with a value.
func TestHelpShowsValuesAsTyped(t *testing.T) {
	help := strings.Join(strings.Fields(helpAt80(t, "check")), " ")
	for _, want := range []string{"ssl, starttls or none", "auto, plain, login, cram-md5, xoauth2 or none"} {
		if !strings.Contains(help, want) {
			t.Errorf("check --help does not show %q as typed", want)
		}
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			first, _, _ := strings.Cut(f.Usage, " ")
			if r, n := utf8.DecodeRuneInString(first); strings.ContainsAny(first, ",0123456789") ||
				strings.ToLower(first[n:]) != first[n:] || r == '-' || r == '$' {
				t.Errorf("%s --%s: help starts with %q, which fang would capitalise", c.CommandPath(), f.Name, first)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(rootCommand())
}

// The man page is generated from the same commands: every command is in
// it, with the sections no --help has, and the line breaks fitHelp adds for
// 80 columns are gone (man wraps by itself).
func TestManPage(t *testing.T) {
	root := rootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"man"})
	if err := fang.Execute(context.Background(), root, fang.WithoutManpage()); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	want := []string{".TH SMTPSETUP 1", "EXIT STATUS", "ENVIRONMENT", "FILES", "SMTP_PASSWORD",
		"allow sending the password over a connection without TLS"}
	for _, c := range rootCommand().Commands() {
		if !c.Hidden {
			want = append(want, `\fB`+c.Name()+`\fP`)
		}
	}
	for _, w := range want {
		if !strings.Contains(strings.ToUpper(page), strings.ToUpper(w)) {
			t.Errorf("man page lacks %q", w)
		}
	}
}
