package config

import (
	"bytes"

	"smtpsetup/smtp"
)

// WouldChange says whether Save(path, s, ...) would write anything: the
// config's bytes or mode differ, or the password file named in it would
// get another password. It writes nothing, for `setup --dry-run` and
// Ansible's check mode.
func WouldChange(path string, s smtp.Settings) (bool, error) {
	data, err := Marshal(s)
	if err != nil {
		return false, err
	}
	if s.PasswordFile != "" && !s.Password.IsZero() {
		if differs, err := differs(s.PasswordFile, passwordFileContent(s.Password.Reveal())); err != nil || differs {
			return differs, err
		}
	}
	return differs(path, data)
}

func differs(path string, data []byte) (bool, error) {
	old, mode, exists, err := readExisting(path)
	if err != nil {
		return false, err
	}
	return !exists || !bytes.Equal(old, data) || mode.Perm() != 0o600, nil
}
