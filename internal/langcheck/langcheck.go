// Package langcheck holds what the language tests look for on a
// translated screen: English left untranslated, and the script each
// language writes in. Tests in several packages share it.
package langcheck

import "regexp"

// EnglishWord matches an English word that none of the other eleven
// languages writes (not "for": Portuguese has it). Key names (enter, esc,
// ctrl+c) stay English on purpose and are not among them.
var EnglishWord = regexp.MustCompile(`(?i)\b(the|and|your|with|this|that|from|of|is|are|to|press|choose|server's)\b`)
