package config

import "io/fs"

// WriteSecretFile writes data that may hold a password (an export, a
// report) the way Save writes the config: atomically, mode 0600, keeping
// the previous file as path.bak. The user named the file, so an existing
// file of any kind is replaced.
func WriteSecretFile(path string, data []byte) error {
	_, _, err := writeFile(osOps, path, data, true, func([]byte, fs.FileMode) bool { return true })
	return err
}
