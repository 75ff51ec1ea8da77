package main

import (
	"errors"
	"testing"
)

// The token command an export writes must name a program that still exists
// later: not the temporary binary of `go run`.
func TestTokenCommandExe(t *testing.T) {
	onPath := func(string) (string, error) { return "/usr/bin/smtpsetup", nil }
	notFound := func(string) (string, error) { return "", errors.New("not found") }
	for _, tc := range []struct {
		exe  string
		look func(string) (string, error)
		want string
	}{
		{"/usr/local/bin/smtpsetup", notFound, "/usr/local/bin/smtpsetup"},
		{"/tmp/go-build1234/b001/exe/smtpsetup", onPath, "/usr/bin/smtpsetup"},
		{"/tmp/go-build1234/b001/exe/smtpsetup", notFound, "smtpsetup"},
		{"", onPath, "/usr/bin/smtpsetup"},
	} {
		if got := tokenCommandExe(tc.exe, tc.look); got != tc.want {
			t.Errorf("tokenCommandExe(%q) = %q, want %q", tc.exe, got, tc.want)
		}
	}
}
