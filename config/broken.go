package config

import (
	"errors"
	"io"
	"os"
	"syscall"
	"time"
)

// KeepBroken copies a config that cannot be read to PATH.broken-TIME (mode
// 0600, never replacing a file), before a user starts over: a file from a
// newer smtpsetup, or one with a typo, must never be lost to a save. It
// returns the copy's path.
func KeepBroken(path string, now time.Time) (string, error) {
	src, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return "", err
	}
	defer src.Close()
	if fi, err := src.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", errors.Join(err, errNotRegular)
	}
	dst := path + ".broken-" + now.UTC().Format("20060102T150405Z")
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		os.Remove(dst)
		return "", err
	}
	if err := errors.Join(out.Sync(), out.Close()); err != nil {
		os.Remove(dst)
		return "", err
	}
	return dst, nil
}
