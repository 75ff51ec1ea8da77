package config

import "strings"

// shellQuote quotes s for a POSIX shell: inside single quotes nothing is
// special, so quotes, $, backticks, #, spaces and backslashes all survive as
// they are and never execute; a single quote itself becomes '\” (close,
// escaped quote, reopen).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
