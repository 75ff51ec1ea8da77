package smtp

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// The enhanced status codes are data: the IANA registry, one line each, in
// enhanced.tsv. Layer 2 of the reply classifier reads them.

//go:embed enhanced.tsv
var enhancedTSV string

// enhancedCode is one row of enhanced.tsv.
type enhancedCode struct {
	Code     string   // subject.detail, "7.8"; "7.x" for the subject's own row
	Family   string   // a reply family, familyAddress, or "" when the code alone says nothing
	Specific bool     // trusted over the reply's words
	Stages   []string // where the meaning holds; nil for everywhere
	Detail   string   // the registered name
}

// familyAddress in enhanced.tsv means the sender at MAIL, a recipient elsewhere.
const familyAddress = "address"

// enhancedCodes is parsed on first use, not at start-up (see knownReplies).
var enhancedCodes = sync.OnceValue(func() map[string]enhancedCode { return mustParseEnhanced(enhancedTSV) })

func mustParseEnhanced(data string) map[string]enhancedCode {
	m, err := parseEnhanced(data)
	if err != nil {
		panic("enhanced.tsv: " + err.Error())
	}
	return m
}

func parseEnhanced(data string) (map[string]enhancedCode, error) {
	m := map[string]enhancedCode{}
	for i, line := range strings.Split(data, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("line %d: %d fields, want 5 (code, family, weight, stages, detail)", i+1, len(f))
		}
		e := enhancedCode{Code: f[0], Family: f[1], Specific: f[2] == "specific", Detail: f[4]}
		if e.Family == "-" {
			e.Family = ""
		}
		if e.Family != "" && e.Family != familyAddress && !slices.Contains(ReplyFamilies, e.Family) {
			return nil, fmt.Errorf("line %d: unknown family %q", i+1, e.Family)
		}
		if f[2] != "specific" && f[2] != "vague" {
			return nil, fmt.Errorf("line %d: weight %q is not specific or vague", i+1, f[2])
		}
		if f[3] != "*" {
			e.Stages = strings.Split(f[3], ",")
		}
		if _, dup := m[e.Code]; dup {
			return nil, fmt.Errorf("line %d: code %s appears twice", i+1, e.Code)
		}
		m[e.Code] = e
	}
	return m, nil
}

// lookupEnhanced finds the registry's row for an enhanced code such as
// "5.7.8": the detail's own row, else the subject's. ok is false for a code
// the registry does not know (Microsoft's 5.7.139) or no code at all.
func lookupEnhanced(code string) (enhancedCode, bool) {
	_, rest, ok := strings.Cut(code, ".")
	if !ok {
		return enhancedCode{}, false
	}
	if e, ok := enhancedCodes()[rest]; ok {
		return e, true
	}
	subject, _, _ := strings.Cut(rest, ".")
	e, ok := enhancedCodes()[subject+".x"]
	if ok {
		// Only the subject is known: it says what area, not what happened.
		e.Specific = false
	}
	return e, ok
}
