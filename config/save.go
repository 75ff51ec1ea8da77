package config

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"syscall"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// SaveOptions tunes Save. The zero value is what the wizard and the
// non-interactive setup use.
type SaveOptions struct {
	// NoBackup skips keeping the previous file as <name>.bak.
	NoBackup bool
}

// SaveResult says what Save wrote where.
type SaveResult struct {
	Path         string // the config file
	Backup       string // where the previous config was kept; "" when none was made
	PasswordFile string // the password file, when the config names one; "" otherwise
	Changed      bool   // false when the files already held exactly this: nothing was touched
}

// String is the result as a sentence for the user.
func (r SaveResult) String() string { return r.In(nil) }

// In is String in tr's language.
func (r SaveResult) In(tr *i18n.Printer) string {
	if !r.Changed {
		return tr.Tf("No change: %s already holds these settings.", r.Path)
	}
	msg := tr.Tf("Saved %s.", r.Path)
	if r.PasswordFile != "" {
		msg = tr.Tf("Saved %s (password in %s).", r.Path, r.PasswordFile)
	}
	if r.Backup != "" {
		msg += " " + tr.Tf("The previous file is kept as %s.", r.Backup)
	}
	return msg
}

// SaveError is a failed save: the step, the file, the cause and what to do.
// Unless Step says the file was already replaced, the previous file is intact
// and no temporary file is left behind.
type SaveError struct {
	Path    string // the file being written
	Step    string // what Save was doing: "write the temporary file", "replace the file", ...
	StepArg string // the value Step's %s stands for ("use the directory %s"), or ""
	Err     error  // the cause (errors.Is works: syscall.ENOSPC, fs.ErrPermission, ...)
	Fix     string // what to do about it
}

// Error says what failed, why, and what to do.
func (e *SaveError) Error() string {
	step := e.Step
	if e.StepArg != "" {
		step = fmt.Sprintf(e.Step, e.StepArg)
	}
	msg := "cannot save " + e.Path + ": could not " + step
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg
}

// In is Error in tr's language: the step and the fix translated, the path
// and the system's own words (the cause) as they are.
func (e *SaveError) In(tr *i18n.Printer) string {
	step := tr.T(e.Step)
	if e.StepArg != "" {
		step = tr.Tf(e.Step, e.StepArg)
	}
	msg := tr.Tf("cannot save %s: could not %s", e.Path, step)
	if e.Err != nil {
		msg = tr.Tf("%s: %s", msg, e.Err.Error())
	}
	if e.Fix != "" {
		msg = tr.Tf("%s; %s", msg, tr.T(e.Fix))
	}
	return msg
}

// Unwrap gives the cause.
func (e *SaveError) Unwrap() error { return e.Err }

// fileOps are the steps of an atomic write that can fail on a real disk. Save
// uses osOps; tests swap in failing ones to prove that every fault leaves the
// old file intact and no temporary file behind.
type fileOps struct {
	write   func(f *os.File, b []byte) (int, error)
	sync    func(f *os.File) error
	rename  func(oldpath, newpath string) error
	syncDir func(dir string) error
}

var osOps = fileOps{
	write:   (*os.File).Write,
	sync:    (*os.File).Sync,
	rename:  os.Rename,
	syncDir: syncDir,
}

// syncDir makes a rename or a new entry in dir durable: without it, a power
// cut right after Save can bring back the old file (renameio skips this).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Save writes s to path atomically: a temporary file (O_EXCL, 0600) in the
// same directory is written, flushed and renamed over the old file, whose
// previous content is kept as path.bak, and the directory is flushed. The
// result is mode 0600 whatever the umask or the old file's mode. A missing
// directory is created 0700. Save refuses a path that is a symbolic link, a
// directory that group or others can write to or that another user owns, and
// an existing file that is not an smtpsetup config. When s.PasswordFile is
// set, the password goes to that file the same way (unless s.Password is
// empty: then the file is left as it is) and the config only names it.
// Saving what is already there touches nothing and reports Changed false.
func Save(path string, s smtp.Settings, opts SaveOptions) (SaveResult, error) {
	return save(osOps, path, s, opts)
}

func save(ops fileOps, path string, s smtp.Settings, opts SaveOptions) (res SaveResult, err error) {
	res = SaveResult{Path: path, PasswordFile: s.PasswordFile}
	if path == "" {
		return res, &SaveError{Path: "the config", Step: i18n.N("start"), Fix: i18n.N("give a file name with --config")}
	}
	data, err := Marshal(s)
	if err != nil {
		return res, err
	}
	if s.PasswordFile != "" {
		if filepath.Clean(s.PasswordFile) == filepath.Clean(path) || filepath.Clean(s.PasswordFile) == filepath.Clean(path)+".bak" {
			return res, smtp.FieldError{Field: "password_file", Problem: i18n.N("is the config file itself"), Fix: i18n.N("choose another file for the password")}
		}
		if !s.Password.IsZero() {
			old, readErr := os.ReadFile(s.PasswordFile)
			pwChanged, _, pwErr := writePasswordFile(ops, s.PasswordFile, s.Password, !opts.NoBackup)
			if pwErr != nil {
				return res, pwErr
			}
			res.Changed = pwChanged
			// A config that then fails to be written must not leave a new
			// password behind: the password file goes back as it was.
			defer func() {
				switch {
				case err == nil || !pwChanged:
				case readErr != nil:
					os.Remove(s.PasswordFile)
				default:
					os.WriteFile(s.PasswordFile, old, 0o600)
				}
			}()
		}
	}
	changed, backup, err := writeFile(ops, path, data, !opts.NoBackup, isOurs)
	res.Backup = backup
	res.Changed = res.Changed || changed
	return res, err
}

// writePasswordFile writes pw alone to path, the way Save writes the config.
func writePasswordFile(ops fileOps, path string, pw smtp.Secret, keepBackup bool) (bool, string, error) {
	if !filepath.IsAbs(path) {
		return false, "", smtp.FieldError{Field: "password_file", Problem: i18n.N("is not an absolute path"), Fix: i18n.N("give the full path, starting with /")}
	}
	if err := smtp.ValidateSecret(pw.Reveal()); err != nil {
		return false, "", err
	}
	if pw.IsZero() {
		return false, "", smtp.FieldError{Field: "password", Problem: i18n.N("is empty"), Fix: i18n.N("type the password")}
	}
	return writeFile(ops, path, passwordFileContent(pw.Reveal()), keepBackup, isPasswordFile)
}

// ourFile matches a file Save may replace: one that starts with our header or
// has a top-level version field. Anything else (an msmtprc, /etc/passwd given
// to --config by mistake) is refused rather than clobbered.
var ourFile = regexp.MustCompile(`(?m)^(version\s*:|# SMTP settings written by smtpsetup)`)

func isOurs(old []byte, _ fs.FileMode) bool {
	return len(bytes.TrimSpace(old)) == 0 || ourFile.Match(old)
}

// isPasswordFile tells a password file Save may replace: one line at most,
// private to its owner. A password_file naming /etc/passwd or /etc/hostname
// by mistake is refused instead of overwritten.
func isPasswordFile(old []byte, mode fs.FileMode) bool {
	body := bytes.TrimSuffix(bytes.TrimSuffix(old, []byte("\n")), []byte("\r"))
	return len(old) <= smtp.MaxSecretLen+2 && !bytes.ContainsAny(body, "\r\n") && mode&0o077 == 0
}

// writeFile replaces path with data atomically and durably, keeping the old
// content as path.bak. It reports whether anything changed and the backup
// made, if any.
func writeFile(ops fileOps, path string, data []byte, keepBackup bool, replaceable func([]byte, fs.FileMode) bool) (bool, string, error) {
	dir := filepath.Dir(path)
	if err := prepareDir(ops, dir, path); err != nil {
		return false, "", err
	}
	old, oldMode, exists, err := readExisting(path)
	if err != nil {
		return false, "", err
	}
	if exists && !replaceable(old, oldMode) {
		return false, "", &SaveError{Path: path, Step: i18n.N("replace the file"), Err: errors.New("it exists and is not a file smtpsetup wrote"),
			Fix: i18n.N("check the path; if it is right, move the file away (a password file must be one line, mode 0600)")}
	}
	if exists && bytes.Equal(old, data) && oldMode.Perm() == 0o600 {
		return false, "", nil
	}
	tmp, err := stage(ops, dir, filepath.Base(path), data, path, 0o600)
	if err != nil {
		return false, "", err
	}
	backup := ""
	if keepBackup && exists {
		backup = path + ".bak"
		if err := replaceBackup(ops, dir, backup, old, path); err != nil {
			os.Remove(tmp)
			return false, "", err
		}
	}
	if err := ops.rename(tmp, path); err != nil {
		os.Remove(tmp)
		return false, backup, saveError(path, "replace the file", err)
	}
	if err := ops.syncDir(dir); err != nil {
		return true, backup, &SaveError{Path: path, Step: i18n.N("flush the directory to disk"), Err: err,
			Fix: i18n.N("the new file is in place but may not survive a power cut; run sync, then check the disk")}
	}
	// Verify what landed: a regular file, 0600, no matter what was there before.
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		return true, backup, &SaveError{Path: path, Step: i18n.N("check the new file"), Err: err,
			Fix: i18n.N("another program changed it while saving; save again")}
	}
	return true, backup, nil
}

// replaceBackup writes old to backup the same atomic way, so that exactly one
// complete backup exists at any moment. A copy, not a hard link: a link
// would share the old file's inode and mode, and the backup must be 0600 even
// when the old file was 0644.
func replaceBackup(ops fileOps, dir, backup string, old []byte, path string) error {
	if fi, err := os.Lstat(backup); err == nil && fi.IsDir() {
		return &SaveError{Path: path, Step: i18n.N("keep a backup"), Err: errors.New(backup + " is a directory"), Fix: i18n.N("remove it, or save with no backup")}
	}
	tmp, err := stage(ops, dir, filepath.Base(backup), old, path, 0o600)
	if err != nil {
		return err
	}
	if err := ops.rename(tmp, backup); err != nil {
		os.Remove(tmp)
		return saveError(path, "keep a backup", err)
	}
	return nil
}

// tempMarker is in every temporary file's name, between the target's name
// and a random suffix: .smtp.yaml.tmp-0123456789abcdef. CleanStale finds
// leftovers by it.
const tempMarker = ".tmp-"

// staleName matches the temporary files this package creates, and nothing a
// user would name a file.
var staleName = regexp.MustCompile(`^\..+\.tmp-[0-9a-f]{16}$`)

// stage writes data to a new temporary file in dir, mode 0600 (or perm,
// set on the descriptor once written), flushed to disk, and returns its
// name. On any error the temporary file is removed.
func stage(ops fileOps, dir, base string, data []byte, target string, perm fs.FileMode) (string, error) {
	var f *os.File
	var name string
	for range 5 {
		var rnd [8]byte
		rand.Read(rnd[:])
		name = filepath.Join(dir, "."+base+tempMarker+hex.EncodeToString(rnd[:]))
		// O_EXCL: never reuse or follow a file someone planted; 0600 from
		// the first byte, so the password is never readable by others.
		var err error
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", saveError(target, "create a temporary file", err)
		}
		f = nil
	}
	if f == nil {
		return "", saveError(target, "create a temporary file", fs.ErrExist)
	}
	fail := func(step string, err error) (string, error) {
		f.Close()
		os.Remove(name)
		return "", saveError(target, step, err)
	}
	if _, err := ops.write(f, data); err != nil {
		return fail("write the temporary file", err)
	}
	// The umask may have taken bits off 0600 (umask 0277 gives 0400); set
	// the mode on the descriptor so the result is exact whatever the umask.
	if err := f.Chmod(perm); err != nil {
		return fail("set the temporary file's mode", err)
	}
	if err := ops.sync(f); err != nil {
		return fail("flush the temporary file to disk", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", saveError(target, "close the temporary file", err)
	}
	return name, nil
}

// saveError adds the fix that matches the cause.
func saveError(path, step string, err error) error {
	intact := "the previous file is unchanged"
	fix := intact + "; try again"
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		fix = "the disk (or your quota) is full: free some space on the file system that holds " + filepath.Dir(path) + " and save again; " + intact
	case errors.Is(err, syscall.EROFS):
		fix = "the file system is read-only: remount it read-write, or choose another file with --config; " + intact
	case errors.Is(err, fs.ErrPermission):
		fix = "run smtpsetup as the owner of " + filepath.Dir(path) + " (or as root), or choose another file with --config; " + intact
	case errors.Is(err, syscall.EIO):
		fix = "the disk reported an I/O error: check it (dmesg) before saving again; " + intact
	}
	return &SaveError{Path: path, Step: step, Err: err, Fix: fix}
}

// prepareDir creates dir 0700 when missing and refuses a directory where
// someone else could swap our file, or a target that is a symbolic link.
func prepareDir(ops fileOps, dir, path string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return saveError(path, "create the directory "+dir, err)
		}
		// MkdirAll applies the umask; make the last level exactly 0700.
		if err := os.Chmod(dir, 0o700); err != nil {
			return saveError(path, "set the mode of "+dir, err)
		}
		if err := ops.syncDir(filepath.Dir(dir)); err != nil {
			return saveError(path, "flush the new directory "+dir+" to disk", err)
		}
		fi, err = os.Stat(dir)
	}
	if err != nil {
		return saveError(path, "open the directory "+dir, err)
	}
	if !fi.IsDir() {
		return &SaveError{Path: path, Step: i18n.N("use the directory %s"), StepArg: dir, Err: errors.New("it is not a directory"), Fix: i18n.N("choose another file with --config")}
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return &SaveError{Path: path, Step: i18n.N("use the directory %s"), StepArg: dir,
			Err: fmt.Errorf("it is writable by group or others (mode %04o), so another user could replace the file", fi.Mode().Perm()),
			Fix: openDirFix(dir, fi)}
	}
	if uid, ok := fileOwner(fi); ok && uid != 0 && uid != os.Geteuid() {
		return &SaveError{Path: path, Step: i18n.N("use the directory %s"), StepArg: dir,
			Err: fmt.Errorf("it belongs to another user (uid %d), who could replace the file", uid),
			Fix: i18n.N("keep the config in a directory you or root own")}
	}
	if li, err := os.Lstat(path); err == nil && li.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		return &SaveError{Path: path, Step: i18n.N("replace the file"), Err: fmt.Errorf("it is a symbolic link to %s", target),
			Fix: i18n.N("smtpsetup replaces files and does not write through links: give the real file with --config, or remove the link")}
	}
	return nil
}

// readExisting reads the file Save is about to replace, without following a
// link planted after the check in prepareDir.
func readExisting(path string) ([]byte, fs.FileMode, bool, error) {
	data, mode, err := readPrivate(path, maxConfigSize, syscall.O_NOFOLLOW)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, false, nil
	}
	switch {
	case errors.Is(err, syscall.ELOOP):
		return nil, 0, false, &SaveError{Path: path, Step: i18n.N("replace the file"), Err: errors.New("it is a symbolic link"),
			Fix: i18n.N("give the real file with --config, or remove the link")}
	case errors.Is(err, errNotRegular):
		return nil, 0, false, &SaveError{Path: path, Step: i18n.N("replace the file"), Err: err, Fix: i18n.N("choose another file with --config")}
	case errors.Is(err, errTooLarge):
		return nil, 0, false, &SaveError{Path: path, Step: i18n.N("replace the file"), Err: errors.New("it is larger than any smtpsetup config"),
			Fix: i18n.N("check --config: it names some other file")}
	case err != nil:
		return nil, 0, false, saveError(path, "read the current file", err)
	}
	return data, mode, true, nil
}

// CleanStale removes the temporary files a killed run left in dir (they may
// hold a password). Call it at start, before saving, for the config's
// directory and a password file's; not while another smtpsetup is saving
// into the same directory. A missing dir is not an error.
func CleanStale(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !staleName.MatchString(e.Name()) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// fileOwner is the uid that owns a file, when the platform says.
func fileOwner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
