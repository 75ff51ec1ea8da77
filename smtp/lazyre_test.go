package smtp

import (
	"regexp"
	"testing"
)

// The word lists compile on first use, not at start-up: a typo in one must
// still fail here rather than on a user's first unusual reply.
func TestWordListsCompile(t *testing.T) {
	all := []*lazyRegexp{temporaryWords, invalidCredentialWords, serverTroubleWords, appPasswordWords, sizeWords,
		authMechWords, spfWords, basicAuthWords, webLoginWords, tlsVersionWords, heloWords, notLoggedInWords, retryWords}
	for _, r := range wordRules {
		all = append(all, r.re)
	}
	for _, l := range all {
		if _, err := regexp.Compile(l.pattern); err != nil {
			t.Errorf("%q: %v", l.pattern, err)
		}
	}
}
