package config

import "io/fs"

// WriteSecretFile writes data that may hold a password (an export, a
// report) the way Save writes the config: atomically, mode 0600, keeping
// the previous file as path.bak. An existing file is replaced only when it
// is private to its owner already (as an msmtprc must be): a mistyped
// --output /etc/passwd is refused, not clobbered.
func WriteSecretFile(path string, data []byte) error {
	_, _, err := writeFile(osOps, path, data, true, func(_ []byte, mode fs.FileMode) bool { return mode.Perm()&0o077 == 0 })
	return err
}
