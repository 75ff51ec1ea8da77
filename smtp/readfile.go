package smtp

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Read limits for the files a user names. Each is far above any honest file
// of its kind and far below what could stall or exhaust a small machine:
// --password-file /dev/zero or a 10 GB log given by mistake fails at once.
const (
	MaxCatalogueFileSize = 4 << 20   // --providers (the built-in catalogue is about 50 KiB)
	MaxCAFileSize        = 4 << 20   // --ca-file (a full system bundle is about 250 KiB)
	MaxTemplateFileSize  = 256 << 10 // export --template
)

// Errors of ReadFileLimited, for errors.Is.
var (
	ErrNotRegularFile = errors.New("not a regular file")
	ErrFileTooLarge   = errors.New("too large")
)

// ReadFileLimited is the one way smtpsetup reads a file a user names: at
// most limit bytes, and only a regular file. It returns the file's
// information as seen on the open descriptor, so that a check of its mode or
// owner has no window between the check and the read. O_NONBLOCK keeps a
// FIFO planted at the path from hanging us (the regular-file check then
// refuses it, as it refuses /dev/zero); flags adds open flags (O_NOFOLLOW).
func ReadFileLimited(path string, limit int64, flags int) ([]byte, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|flags, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%w (it is %s)", ErrNotRegularFile, fileKind(fi.Mode()))
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, fmt.Errorf("%w: over %s, too large for this kind of file; check that the path names the right file", ErrFileTooLarge, sizeLabel(limit))
	}
	return data, fi, nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file"
}

func sizeLabel(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadCAFile reads a PEM file of extra trusted roots (--ca-file, ca_file),
// bounded, and checks that it holds at least one certificate.
func ReadCAFile(path string) ([]byte, error) {
	pem, _, err := ReadFileLimited(path, MaxCAFileSize, 0)
	if err != nil {
		return nil, fmt.Errorf("the CA file %s: %w", path, err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA file %s holds no PEM certificate; give the CA's certificate in PEM form (-----BEGIN CERTIFICATE-----)", path)
	}
	return pem, nil
}
