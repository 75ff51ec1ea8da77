package config

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
)

// TokenPath is where the OAuth token of a config lives: beside it, with
// the extension .token (smtp.yaml -> smtp.token).
func TokenPath(configPath string) string {
	return strings.TrimSuffix(configPath, filepath.Ext(configPath)) + ".token"
}

// TokenFile is the file that holds an OAuth refresh token: written like the
// config (atomically, durably, mode 0600), read only when private to its
// owner. It satisfies oauth.Store.
type TokenFile string

// maxTokenFile bounds what Load reads: Microsoft's tokens are a few KiB.
const maxTokenFile = 256 << 10

// Load reads the token file. One readable by group or others is refused,
// naming who and the chmod that fixes it.
func (p TokenFile) Load() ([]byte, error) {
	data, mode, err := readPrivate(string(p), maxTokenFile, 0)
	if err != nil {
		return nil, fileError(string(p), "token file", err)
	}
	if loose := loosePerms(mode); loose != "" {
		return nil, &LoadError{Path: string(p), Problem: "holds a sign-in token but " + loose, Fix: "run: chmod 600 " + shellQuote(string(p))}
	}
	return data, nil
}

// Save replaces the token file atomically. Only a file that looks like a
// token file (JSON, private) is replaced; no backup is kept, since an old
// refresh token is a secret nobody needs.
func (p TokenFile) Save(data []byte) error {
	_, _, err := writeFile(osOps, string(p), data, false, func(old []byte, mode fs.FileMode) bool {
		t := bytes.TrimSpace(old)
		return len(t) == 0 || (t[0] == '{' && mode.Perm()&0o077 == 0)
	})
	return err
}
