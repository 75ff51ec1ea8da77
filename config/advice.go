package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Fixes for a file or directory whose mode lets others in. A chmod is
// advised only where it is harmless: on something the user owns, that is
// not the system's. /tmp is 1777 on purpose, /etc/shadow is 0640
// root:shadow on purpose (unix_chkpwd reads it through the group), so
// changing either breaks the machine; there the fix is a private place of
// the user's own.

// systemTrees are directories whose whole content belongs to the system.
var systemTrees = []string{"/usr", "/boot", "/dev", "/proc", "/sys", "/run", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/snap"}

// systemDirs are directories that, themselves and the files directly in
// them, belong to the system; their subdirectories (/etc/smtpsetup) may be
// the user's.
var systemDirs = []string{"/", "/etc", "/var", "/var/tmp", "/tmp", "/var/lib", "/var/spool", "/var/mail", "/opt", "/srv", "/home", "/mnt", "/media"}

// isSystemPath reports whether p (cleaned, absolute) is a system directory,
// a file directly in one, or anything in a system tree.
func isSystemPath(p string, isDir bool) bool {
	p = filepath.Clean(p)
	for _, t := range systemTrees {
		if p == t || strings.HasPrefix(p, t+"/") {
			return true
		}
	}
	for _, d := range systemDirs {
		if p == d || !isDir && filepath.Dir(p) == d {
			return true
		}
	}
	return false
}

// mayChmod reports whether advising a chmod of fi at p is safe: the user
// owns it, it is not the system's, and it is not a shared sticky directory.
func mayChmod(p string, fi fs.FileInfo) bool {
	if fi == nil || fi.Mode()&fs.ModeSticky != 0 || fi.Mode()&fs.ModeSymlink != 0 {
		return false
	}
	uid, ok := fileOwner(fi)
	if !ok || uid != os.Geteuid() {
		return false
	}
	abs, err := filepath.Abs(p)
	return err == nil && !isSystemPath(abs, fi.IsDir())
}

// privateDir is where we advise keeping a config or password file: the
// default config directory, made 0700 by smtpsetup.
func privateDir() string { return filepath.Dir(DefaultPath()) }

// secretFileFix is the fix for a file that holds a secret but that group or
// others can read.
func secretFileFix(path, field string) string {
	fi, err := os.Lstat(path)
	if err == nil && mayChmod(path, fi) {
		return "run: chmod 600 " + shellQuote(path)
	}
	where := filepath.Join(privateDir(), "password")
	if field == "" {
		return "do not change this file's mode (it is not a private file of yours); save the config in a private directory instead, e.g. smtpsetup setup --config " + shellQuote(filepath.Join(privateDir(), FileName))
	}
	return "do not change this file's mode (it is not a private file of yours); put the password alone in a file of your own, e.g. " +
		shellQuote(where) + " (smtpsetup setup writes it with mode 600), and set " + field + " to it"
}

// openDirFix is the fix for a directory that group or others can write.
func openDirFix(dir string, fi fs.FileInfo) string {
	chmod := "run: chmod go-w " + shellQuote(dir)
	if !mayChmod(dir, fi) {
		return "keep the config in a private directory, e.g. --config " + shellQuote(filepath.Join(privateDir(), FileName)) +
			" (do not change the mode of " + shellQuote(dir) + ": it is shared, or not yours)"
	}
	if filepath.Clean(dir) == filepath.Clean(privateDir()) {
		return chmod
	}
	return chmod + ", or keep the config in a private directory, e.g. --config " + shellQuote(filepath.Join(privateDir(), FileName))
}
