package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"

	"smtpsetup/config"
	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// readPassword takes the password from a file, standard input or
// SMTP_PASSWORD, in that order; the config's own password stays otherwise.
// A source that gives an empty password is bad input: sending AUTH with an
// empty password only counts toward the provider's lockout.
func (f *connFlags) readPassword(s *smtp.Settings, stdin io.Reader) error {
	switch {
	case f.passwordFile != "" && f.passwordStdin:
		return badInput(i18n.N("--password-file and --password-stdin: give only one"))
	case f.passwordFile != "":
		pw, err := readPasswordFileFlag(f.passwordFile)
		if err != nil {
			return err
		}
		s.Password = pw
	case f.passwordStdin:
		pw, err := readPasswordLine(stdin)
		if err != nil {
			return badInput("--password-stdin: %v", err)
		}
		s.Password = smtp.NewSecret(pw)
	default:
		if pw, ok := os.LookupEnv("SMTP_PASSWORD"); ok {
			if pw == "" {
				return badInput(i18n.N("SMTP_PASSWORD is set but empty: set it to the password, or unset it"))
			}
			s.Password = smtp.NewSecret(pw)
		}
	}
	return nil
}

// readPasswordFileFlag reads the file --password-file names, for check,
// setup and export alike, with the rules of a config's password_file:
// bounded, private, not empty.
func readPasswordFileFlag(path string) (smtp.Secret, error) {
	pw, err := config.ReadPasswordFile(path)
	if err != nil {
		return pw, badInput("--password-file: %v", err)
	}
	return pw, nil
}

// readPasswordLine reads the first line of r, reading no more than a
// password can be: a script piping /dev/zero must not grow the process.
func readPasswordLine(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, smtp.MaxSecretLen+3), smtp.MaxSecretLen+3)
	line, err := br.ReadString('\n')
	switch {
	case err != nil && !errors.Is(err, io.EOF):
		return "", err
	case line == "":
		return "", say(i18n.N("nothing to read on standard input; pipe the password in, one line"))
	case len(line) > smtp.MaxSecretLen+2 || !strings.HasSuffix(line, "\n") && len(line) > smtp.MaxSecretLen:
		return "", say(i18n.N("the first line is longer than any password (1024 characters); pipe only the password"))
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if pw == "" {
		return "", say(i18n.N("the first line is empty; pipe the password in, one line"))
	}
	return pw, nil
}

// missingPassword is the fix for a login that came without a password.
var missingPassword = say(i18n.N("a login is set but no password was given: use --password-file FILE, --password-stdin or SMTP_PASSWORD " +
	"(for a relay that needs no login, leave --username empty or give --auth none)"))
