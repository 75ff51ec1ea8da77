package smtp

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryCodeIsDocumented keeps docs/diagnoses.md in step with the code:
// a helpdesk looks codes up there. Every code any rule can give, with or
// without a reply, has a row in the codes table, and that row names the
// code's family.
func TestEveryCodeIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/diagnoses.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{} // code -> its table rows (a code may have one per family it can take)
	for _, line := range strings.Split(string(doc), "\n") {
		if m := regexp.MustCompile("^\\| `([a-z_.]+)` \\|").FindStringSubmatch(line); m != nil {
			rows[m[1]] = append(rows[m[1]], line)
		}
	}
	// want is the family a code's row must name: exact for the reply codes,
	// any family for the codes of failures without a reply.
	want := map[string]string{}
	files, _ := filepath.Glob("diagnose*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range regexp.MustCompile(`Code:\s*"([a-z_.]+)"`).FindAllStringSubmatch(string(src), -1) {
			want[c[1]] = ""
		}
	}
	for code, c := range replyCodes {
		want[code] = c.family
	}
	for _, r := range basicRules {
		want[r.code] = codeFamily(r.code)
	}
	for _, k := range knownReplies() {
		want[k.Code] = k.Family
	}
	if len(want) < 30 {
		t.Fatalf("found only %d codes", len(want))
	}
	allFamilies := append(slices.Clone(ReplyFamilies), "dns", "network", "wrong_mode", "certificate", "local")
	for code, fam := range want {
		if len(rows[code]) == 0 {
			t.Errorf("code %s is not documented in docs/diagnoses.md", code)
			continue
		}
		ok := false
		var listed []string
		for _, row := range rows[code] {
			cells := strings.Split(row, "|")
			if len(cells) < 3 {
				continue
			}
			got := strings.Trim(strings.TrimSpace(cells[2]), "`")
			listed = append(listed, got)
			ok = ok || fam == "" && slices.Contains(allFamilies, got) || fam != "" && got == fam
		}
		if !ok {
			t.Errorf("docs/diagnoses.md lists %s under family %q, want %q", code, listed, firstNonEmpty(fam, "one of "+strings.Join(allFamilies, ", ")))
		}
	}
}
