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
	rows := map[string]string{} // code -> its table row
	for _, line := range strings.Split(string(doc), "\n") {
		if m := regexp.MustCompile("^\\| `([a-z_.]+)` \\|").FindStringSubmatch(line); m != nil {
			rows[m[1]] = line
		}
	}
	families := map[string]string{} // code -> family, where the code knows it
	files, _ := filepath.Glob("diagnose*.go")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range regexp.MustCompile(`Code:\s*"([a-z_.]+)"`).FindAllStringSubmatch(string(src), -1) {
			families[c[1]] = networkFamilies[c[1]]
		}
	}
	for code, c := range replyCodes {
		families[code] = c.family
	}
	for _, r := range basicRules {
		families[r.code] = codeFamily(r.code)
	}
	for _, k := range knownReplies {
		families[k.Code] = k.Family
	}
	if len(families) < 30 {
		t.Fatalf("found only %d codes", len(families))
	}
	allFamilies := append(slices.Clone(ReplyFamilies), "dns", "network", "wrong_mode", "certificate", "local")
	for code, fam := range families {
		row, ok := rows[code]
		if !ok {
			t.Errorf("code %s is not documented in docs/diagnoses.md", code)
			continue
		}
		cells := strings.Split(row, "|")
		if len(cells) < 3 {
			t.Errorf("the row of %s has no family column", code)
			continue
		}
		got := strings.Trim(strings.TrimSpace(cells[2]), "`")
		if fam == "" && !slices.Contains(allFamilies, got) || fam != "" && got != fam {
			t.Errorf("docs/diagnoses.md lists %s under family %q, want %q", code, got, fam)
		}
	}
}
