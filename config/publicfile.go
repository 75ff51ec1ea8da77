package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"smtpsetup/i18n"
)

// ReadPublicFile reads a file WritePublicFile wrote (at most 64 KiB,
// never through a symbolic link). A missing file is (nil, nil).
func ReadPublicFile(path string) ([]byte, error) {
	data, _, _, err := readExisting(path)
	return data, err
}

// WritePublicFile replaces path with data the way Save does (a temporary
// file in the same directory, flushed, renamed over the old one, the
// directory flushed) but for a file that holds no secret and that another
// user must read: a Prometheus textfile read by node_exporter. The result
// is mode 0644 and no backup is kept. A missing directory is created 0755.
// An existing file is replaced only when ours says it is one of ours, so a
// mistyped path is refused rather than clobbered. The directory may belong
// to another user (node_exporter's textfile directory often does): the
// temporary file is created O_EXCL without following links and the rename
// replaces whatever name is there, so nothing planted is written through.
func WritePublicFile(path string, data []byte, ours func(old []byte) bool) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return saveError(path, "create the directory "+dir, err)
		}
	}
	if fi, err := os.Stat(dir); err != nil {
		return saveError(path, "open the directory "+dir, err)
	} else if !fi.IsDir() {
		return &SaveError{Path: path, Step: i18n.N("use the directory %s"), StepArg: dir, Err: errors.New("it is not a directory"), Fix: i18n.N("choose another file")}
	}
	old, _, exists, err := readExisting(path)
	if err != nil {
		return err
	}
	if exists && !ours(old) {
		return &SaveError{Path: path, Step: i18n.N("replace the file"), Err: fmt.Errorf("it exists and is not a file smtpsetup wrote"),
			Fix: i18n.N("check the path; if it is right, move the file away")}
	}
	tmp, err := stage(osOps, dir, filepath.Base(path), data, path, 0o644)
	if err != nil {
		return err
	}
	if err := osOps.rename(tmp, path); err != nil {
		os.Remove(tmp)
		return saveError(path, "replace the file", err)
	}
	if err := osOps.syncDir(dir); err != nil {
		return &SaveError{Path: path, Step: i18n.N("flush the directory to disk"), Err: err,
			Fix: i18n.N("the new file is in place but may not survive a power cut; run sync, then check the disk")}
	}
	return nil
}
