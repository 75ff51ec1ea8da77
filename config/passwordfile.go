package config

import (
	"errors"
	"fmt"
	"io/fs"
	"smtpsetup/i18n"
	"strings"

	"smtpsetup/smtp"
)

// errNotRegular and errTooLarge are smtp.ReadFileLimited's refusals.
var (
	errNotRegular = smtp.ErrNotRegularFile
	errTooLarge   = smtp.ErrFileTooLarge
)

// readPrivate reads a small file the user named with smtp.ReadFileLimited
// and returns its mode and owner as seen on the open descriptor.
func readPrivate(path string, max int64, flags int) ([]byte, fs.FileMode, error) {
	data, fi, err := smtp.ReadFileLimited(path, max, flags)
	if err != nil {
		return nil, 0, err
	}
	return data, fi.Mode(), nil
}

// loosePerms says who else can read or change a file that holds a secret, or
// "" when only the owner can.
func loosePerms(m fs.FileMode) string {
	var who []string
	if m&0o060 != 0 {
		who = append(who, "group")
	}
	if m&0o006 != 0 {
		who = append(who, "others")
	}
	if len(who) == 0 {
		return ""
	}
	return fmt.Sprintf("can be read or changed by %s (mode %04o)", strings.Join(who, " and "), m.Perm())
}

// readPasswordFile reads the password from a password_file: the whole file,
// less one trailing newline (LF or CRLF), as editors and `echo` leave one.
// The file must be a regular file that only its owner can read: a password
// readable by group or others is refused, naming which, rather than used.
func readPasswordFile(path string) (string, error) {
	data, mode, err := readPrivate(path, smtp.MaxSecretLen+2, 0)
	if err != nil {
		return "", fileError(path, "password file", err)
	}
	if loose := loosePerms(mode); loose != "" {
		return "", &LoadError{Path: path, Field: "password_file", Problem: "holds the password but " + loose,
			Fix: secretFileFix(path, "password_file")}
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if err := smtp.ValidateSecret(pw); err != nil {
		var fe smtp.FieldError
		if errors.As(err, &fe) {
			return "", &LoadError{Path: path, Field: "password_file", Problem: "holds a password that " + fe.Problem,
				Fix: i18n.N("write only the password, on one line")}
		}
		return "", &LoadError{Path: path, Field: "password_file", Problem: i18n.N("holds an unusable password"), Fix: i18n.N("write only the password, on one line")}
	}
	if pw == "" {
		return "", &LoadError{Path: path, Field: "password_file", Problem: i18n.N("is empty"), Fix: i18n.N("write the password into it, or run smtpsetup setup")}
	}
	return pw, nil
}

// ReadPasswordFile reads a password file named on the command line
// (--password-file) by the same rules as a config's password_file: bounded,
// a regular file, private to its owner, not empty, one line.
func ReadPasswordFile(path string) (smtp.Secret, error) {
	pw, err := readPasswordFile(path)
	var le *LoadError
	if errors.As(err, &le) {
		// Named on the command line, not in a config: no field to name, and
		// no config to set up.
		le.Field = ""
		if errors.Is(err, fs.ErrNotExist) {
			le.Err, le.Fix = nil, "give the path of a file that holds only the password (mode 0600)"
		}
	}
	return smtp.NewSecret(pw), err
}

// passwordFileContent is what a password file holds: the password and a
// newline. msmtp before 1.8.8 refuses passwordeval output without one.
func passwordFileContent(pw string) []byte { return []byte(pw + "\n") }

// WritePasswordFile writes the password alone to path, as Save does for
// password_file: atomically, mode 0600, in a directory only its owner can
// change, keeping the previous file as path.bak. Use it for the file an msmtp
// export reads with passwordeval (ExportOptions.PasswordFile).
func WritePasswordFile(path string, pw smtp.Secret) error {
	_, _, err := writePasswordFile(osOps, path, pw, true)
	return err
}
