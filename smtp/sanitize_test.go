package smtp

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"250 mail.example.com", "250 mail.example.com"},
		{"\x1b[2Jcleared", `\x1b[2Jcleared`},
		{"title\x1b]0;pwned\x07", `title\x1b]0;pwned\x07`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"raw \x9b byte", `raw \x9b byte`},
		{"bidi \u202eevil", `bidi \u202eevil`},
		{"over\rwrite", `over\x0dwrite`},
		{"tab\there", "tab here"},
		{"nul\x00", `nul\x00`},
		{"授权码 ok", "授权码 ok"},
	} {
		if got := CleanLine(tc.in); got != tc.want {
			t.Errorf("CleanLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleanCaps(t *testing.T) {
	long := CleanLine(strings.Repeat("a", 10000))
	if utf8.RuneCountInString(long) > MaxCleanLineRunes+1 {
		t.Fatalf("line not capped: %d runes", utf8.RuneCountInString(long))
	}
	many := CleanText(strings.Repeat("x\n", 1000))
	if n := strings.Count(many, "\n"); n > MaxCleanLines {
		t.Fatalf("%d lines kept", n)
	}
}

// assertClean fails if s holds anything a terminal would act on.
func assertClean(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("invalid UTF-8 in %q", s)
	}
	for _, r := range s {
		if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			t.Fatalf("control or format rune %U in %q", r, s)
		}
	}
}

func FuzzCleanText(f *testing.F) {
	for _, seed := range []string{"220 ok", "\x1b]52;c;Y2xpcA==\x07", "\xc2\x9b", "\u202e\u2066", "a\r\nb\rc\x08", string([]byte{0xff, 0xfe, 0x9b})} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		assertClean(t, CleanText(in))
	})
}
