package smtp

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryCodeIsDocumented keeps docs/diagnoses.md in step with the code:
// a helpdesk looks codes up there.
func TestEveryCodeIsDocumented(t *testing.T) {
	files, err := filepath.Glob("diagnose*.go")
	if err != nil {
		t.Fatal(err)
	}
	var src []byte
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	doc, err := os.ReadFile("../docs/diagnoses.md")
	if err != nil {
		t.Fatal(err)
	}
	codes := regexp.MustCompile(`Code:\s*"([a-z_.]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(codes) < 20 {
		t.Fatalf("found only %d codes in diagnose*.go", len(codes))
	}
	for _, c := range codes {
		if !strings.Contains(string(doc), "`"+c[1]+"`") {
			t.Errorf("code %s is not documented in docs/diagnoses.md", c[1])
		}
	}
}
