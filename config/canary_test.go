package config

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"smtpsetup/smtp"
)

// canary is a password that must never show up in an error.
const canary = "CANARY-7f1e-s3cr3t"

// leaks reports whether text holds the canary or an encoding of it.
func leaks(text string) bool {
	for _, form := range []string{
		canary,
		base64.StdEncoding.EncodeToString([]byte(canary)),
		fmt.Sprintf("%q", canary)[1 : len(canary)+1],
		strings.TrimPrefix(canary, "CANARY-"),
	} {
		if strings.Contains(text, form) {
			return true
		}
	}
	return false
}

// TestErrorsNeverHoldPassword provokes every kind of error this package
// makes, with the canary as the password, and checks each message (with %v,
// %+v and %#v) for it.
func TestErrorsNeverHoldPassword(t *testing.T) {
	type errCase struct {
		name string
		run  func(t *testing.T) error
	}
	var cases []errCase
	add := func(name string, run func(t *testing.T) error) { cases = append(cases, errCase{name, run}) }

	// Broken config files that hold the canary in and around the password.
	files := map[string]string{
		"password as a list":     "version: 1\npassword: [" + canary + "]\n",
		"password as a map":      "version: 1\npassword: {" + canary + ": x}\n",
		"password as alias":      "version: 1\npassword: *" + canary + "\n",
		"password as anchor":     "version: 1\npassword: &" + canary + "\n  x: y\n",
		"password with a tag":    "version: 1\npassword: !" + canary + " x\n",
		"tagged password":        "version: 1\npassword: !!binary " + canary + "\n",
		"unterminated quote":     "version: 1\npassword: \"" + canary + "\n",
		"bad escape":             "version: 1\npassword: \"\\q" + canary + "\"\n",
		"bad indent after":       "version: 1\npassword: " + canary + "\n  bad: indent\n",
		"colon in plain value":   "version: 1\npassword: " + canary + ": x\n",
		"duplicate password":     "version: 1\npassword: " + canary + "\npassword: " + canary + "\n",
		"password and file":      "version: 1\npassword: " + canary + "\npassword_file: /x\n",
		"password then unknown":  "version: 1\npassword: " + canary + "\npasword: " + canary + "\n",
		"key that is a password": "version: 1\npassword: x\n" + strings.ToLower(canary) + ": y\n",
		"pasted password key":    "version: 1\npassword: " + canary + "\n" + canary + ": y\n",
		"password line break":    "version: 1\npassword: |\n  " + canary + "\n  more\n",
		"newer version":          "version: 9\npassword: " + canary + "\n",
		"missing version":        "password: " + canary + "\n",
		"bad port":               "version: 1\npassword: " + canary + "\nport: x\n",
		"tab indentation":        "version: 1\n\tpassword: " + canary + "\n",
		"two documents":          "version: 1\npassword: " + canary + "\n---\npassword: " + canary + "\n",
		"flow garbage":           "version: 1\npassword: [" + canary + ",\n",
	}
	for name, content := range files {
		add("parse/"+name, func(t *testing.T) error {
			_, err := parse([]byte(content), "smtp.yaml")
			return err
		})
		add("load/"+name, func(t *testing.T) error {
			path := filepath.Join(t.TempDir(), "smtp.yaml")
			writeFile0(t, path, content, 0o600)
			_, err := Load(path)
			return err
		})
	}
	add("load/config readable by others", func(t *testing.T) error {
		path := filepath.Join(t.TempDir(), "smtp.yaml")
		writeFile0(t, path, "version: 1\npassword: "+canary+"\n", 0o644)
		_, err := Load(path)
		return err
	})
	for name, pw := range map[string]string{"loose": canary, "two lines": canary + "\n" + canary + "\n", "long": strings.Repeat(canary, 100)} {
		add("password file/"+name, func(t *testing.T) error {
			dir := t.TempDir()
			mode := os.FileMode(0o600)
			if name == "loose" {
				mode = 0o644
			}
			writeFile0(t, filepath.Join(dir, "pw"), pw, mode)
			writeFile0(t, filepath.Join(dir, "smtp.yaml"), "version: 1\npassword_file: "+filepath.Join(dir, "pw")+"\n", 0o600)
			_, err := Load(filepath.Join(dir, "smtp.yaml"))
			return err
		})
	}

	// Saving and marshalling.
	draft := fullSettings()
	draft.Password = smtp.NewSecret(canary)
	for _, step := range []string{"write", "short write", "sync", "backup rename", "rename", "dir sync"} {
		add("save fault/"+step, func(t *testing.T) error {
			path := filepath.Join(t.TempDir(), "smtp.yaml")
			if _, err := Save(path, settingsN("old"), SaveOptions{}); err != nil {
				t.Fatal(err)
			}
			_, err := save(faultAt(step, syscall.ENOSPC), path, draft, SaveOptions{})
			return err
		})
	}
	add("save/symlink", func(t *testing.T) error {
		dir := t.TempDir()
		os.Symlink(filepath.Join(dir, "x"), filepath.Join(dir, "smtp.yaml"))
		_, err := Save(filepath.Join(dir, "smtp.yaml"), draft, SaveOptions{})
		return err
	})
	add("save/password file fault", func(t *testing.T) error {
		s := draft
		s.PasswordFile = filepath.Join(t.TempDir(), "pw")
		_, err := save(faultAt("write", syscall.EIO), filepath.Join(t.TempDir(), "smtp.yaml"), s, SaveOptions{})
		return err
	})
	withBreak := draft
	withBreak.Password = smtp.NewSecret(canary + "\n")
	add("marshal/line break", func(t *testing.T) error { _, err := Marshal(withBreak); return err })
	add("write password file/line break", func(t *testing.T) error {
		return WritePasswordFile(filepath.Join(t.TempDir(), "pw"), withBreak.Password)
	})

	// Exports.
	exports := map[string]struct {
		edit   func(*smtp.Settings)
		format string
		opts   ExportOptions
	}{
		"postfix trailing blank": {func(s *smtp.Settings) { s.Password = smtp.NewSecret(canary + " ") }, "postfix", ExportOptions{}},
		"postfix control":        {func(s *smtp.Settings) { s.Password = smtp.NewSecret(canary + "\x01") }, "postfix", ExportOptions{}},
		"msmtp control":          {func(s *smtp.Settings) { s.Password = smtp.NewSecret(canary + "\x1b") }, "msmtp", ExportOptions{}},
		"msmtp too long":         {func(s *smtp.Settings) { s.Password = smtp.NewSecret(strings.Repeat(canary, 40)) }, "msmtp", ExportOptions{}},
		"plaintext":              {func(s *smtp.Settings) { s.Security, s.AllowPlaintextAuth = smtp.SecurityNone, false }, "msmtp", ExportOptions{}},
		"env line break":         {func(s *smtp.Settings) { s.Password = smtp.NewSecret(canary + "\n") }, "env", ExportOptions{IncludePassword: true}},
		"json line break":        {func(s *smtp.Settings) { s.Password = smtp.NewSecret("\r" + canary) }, "json", ExportOptions{IncludePassword: true}},
		"template field":         {nil, "template", ExportOptions{Template: "{{.Password.Foo}}"}},
		"template index":         {nil, "template", ExportOptions{Template: "{{index .Password 99}}"}},
		"template call":          {nil, "template", ExportOptions{Template: "{{call .Password}}"}},
		"template slice":         {nil, "template", ExportOptions{Template: "{{slice .Password 3 1}}"}},
		"template len":           {nil, "template", ExportOptions{Template: "{{with $x := .Password}}{{$x.Nope}}{{end}}"}},
		"template eq":            {nil, "template", ExportOptions{Template: "{{if eq .Password 1}}{{end}}"}},
		"template json arg":      {nil, "template", ExportOptions{Template: "{{json .Password .Password}}"}},
		"template nested":        {nil, "template", ExportOptions{Template: "{{template \"x\" .Password}}"}},
	}
	for name, e := range exports {
		add("export/"+name, func(t *testing.T) error {
			s := draft
			if e.edit != nil {
				e.edit(&s)
			}
			var out bytes.Buffer
			return Export(&out, s, e.format, e.opts)
		})
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run(t)
			if err == nil {
				t.Fatal("no error: this case must fail")
			}
			for _, text := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if leaks(text) {
					t.Fatalf("the error holds the password: %s", text)
				}
			}
		})
	}
}
