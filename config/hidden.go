package config

import (
	"bytes"
	"errors"
	"strings"
)

// A password shown on a screen ends up in screenshots, screen shares and
// support tickets; so does a pipe's output. ExportOptions.HidePassword
// writes the msmtp, postfix and template exports without it: in its place,
// a line saying how to get a file that has it.

// hiddenMsmtp replaces msmtp's password line.
const hiddenMsmtp = "# password: not shown. Write this account to a file with --output FILE (mode 0600), or add --with-password.\n"

// hiddenPostfix stands for the password in the commented sasl_passwd line.
const hiddenPostfix = "PASSWORD"

// maskSASL replaces the password in a sasl_passwd line "[host]:port
// user:password\n": the key holds no blank, the user no colon.
func maskSASL(line string) string {
	key, rest, _ := strings.Cut(line, " ")
	user, _, _ := strings.Cut(rest, ":")
	return key + " " + user + ":" + hiddenPostfix + "\n"
}

// passwordSentinel stands for the password in a template run without it:
// when it shows in the output, the template needs the password.
const passwordSentinel = "\x00smtpsetup-hidden-password\x00"

var errTemplateNeedsPassword = errors.New("the template uses .Password, which is not shown on a screen or in a pipe: write it to a file with --output FILE (mode 0600), or add --with-password")

func checkTemplateHidden(out []byte) error {
	if bytes.Contains(out, []byte(passwordSentinel)) {
		return errTemplateNeedsPassword
	}
	return nil
}
