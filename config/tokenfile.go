package config

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"smtpsetup/i18n"
	"strings"
	"syscall"
	"time"
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

// Lock takes an exclusive lock beside the token file (path.lock, mode
// 0600), so that only one process refreshes at a time; the others wait,
// then find the fresh token. It gives up when ctx ends.
func (p TokenFile) Lock(ctx context.Context) (func(), error) {
	f, err := os.OpenFile(string(p)+".lock", os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, &SaveError{Path: string(p) + ".lock", Step: i18n.N("lock the token file"), Err: err, Fix: i18n.N("check that the directory is writable by this user")}
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, &SaveError{Path: string(p) + ".lock", Step: i18n.N("lock the token file"), Err: err}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
