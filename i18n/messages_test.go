package i18n_test

import (
	"bytes"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

var (
	update  = flag.Bool("update", false, "rewrite messages/en.yaml from the code")
	missing = flag.String("missing", "", "write each language's missing texts to DIR/<lang>.missing.yaml, ready to translate")
)

// TranslatedProviders are the catalogue entries whose own texts are
// translated (issue 16); the others speak English and the screen says so.
var TranslatedProviders = []string{
	"gmail", "google-workspace", "microsoft365", "outlook", "yahoo", "icloud",
	"zoho", "zoho-eu", "zoho-in", "zoho-au", "zoho-jp", "zoho-ca", "yandex", "qq",
	"netease-163", "netease-126", "naver", "sendgrid", "mailru", "other",
	"ses-us-east-1", "ses-us-east-2", "ses-us-west-2", "ses-eu-west-1", "ses-eu-central-1", "ses-ap-southeast-2",
}

// message is one text the program prints: its English (the ID, and the
// "one" form of a plural), and where the code says it.
type message struct {
	id, one string
	at      string
}

// extract reads every non-test Go file of the module and returns the texts
// passed as literals to T, Tf, Tn and N, then the translated catalogue
// entries' texts and the known replies' (smtp/replies-known.yaml).
func extract(t *testing.T) []message {
	t.Helper()
	root := filepath.Join("..")
	fset := token.NewFileSet()
	var out []message
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "bench", "e2e", ".git", ".ci":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			at := fset.Position(call.Pos()).String()
			switch sel.Sel.Name {
			case "T", "Tf", "N":
				if len(call.Args) == 0 {
					return true
				}
				if s, ok := literal(call.Args[0]); ok {
					out = append(out, message{id: s, at: at})
				}
			case "Tn":
				if len(call.Args) < 3 {
					return true
				}
				one, ok1 := literal(call.Args[1])
				other, ok2 := literal(call.Args[2])
				if ok1 && ok2 {
					out = append(out, message{id: other, one: one, at: at})
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cat := smtp.BuiltinCatalogue()
	for _, id := range TranslatedProviders {
		p, ok := cat.ByID(id)
		if !ok {
			t.Fatalf("translated provider %q is not in the catalogue", id)
		}
		for _, s := range p.Texts() {
			out = append(out, message{id: s, at: "providers.yaml " + id})
		}
	}
	for _, s := range smtp.KnownReplyTexts() {
		out = append(out, message{id: s, at: "smtp/replies-known.yaml"})
	}
	return out
}

// literal is a string literal or a + of them.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(e.X)
		b, ok2 := literal(e.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return "", false
}

// english is the extracted set, each text once, in the order of the
// code: the content of messages/en.yaml.
func english(t *testing.T) (ids []string, plural map[string]string) {
	plural = map[string]string{}
	seen := map[string]bool{}
	for _, m := range extract(t) {
		if m.id == "" {
			continue
		}
		if m.one != "" {
			if old, ok := plural[m.id]; ok && old != m.one {
				t.Errorf("%s: %q has two 'one' forms: %q and %q", m.at, m.id, old, m.one)
			}
			plural[m.id] = m.one
		}
		if !seen[m.id] {
			seen[m.id] = true
			ids = append(ids, m.id)
		}
	}
	return ids, plural
}

func enYAML(ids []string, plural map[string]string) []byte {
	var buf bytes.Buffer
	buf.WriteString("# Every text smtpsetup prints, in English: the keys every other file\n")
	buf.WriteString("# translates. Written by `go test ./i18n -run TestMessages -update`.\n")
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, id := range ids {
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: id}
		var v *yaml.Node
		if one, ok := plural[id]; ok {
			v = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Value: "one"}, {Kind: yaml.ScalarNode, Value: one},
				{Kind: yaml.ScalarNode, Value: "other"}, {Kind: yaml.ScalarNode, Value: id},
			}}
		} else {
			v = &yaml.Node{Kind: yaml.ScalarNode, Value: id}
		}
		doc.Content = append(doc.Content, k, v)
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// TestMessages keeps messages/en.yaml equal to what the code prints, and
// every language's file complete: the same keys, no extra, every verb kept,
// the plural forms its language needs, and no English left.
func TestMessages(t *testing.T) {
	ids, plural := english(t)
	want := enYAML(ids, plural)
	path := filepath.Join("messages", "en.yaml")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("messages/en.yaml is not what the code prints: run go test ./i18n -run TestMessages -update, then translate the new texts in every language")
	}
	t.Logf("%d texts (%d with plural forms)", len(ids), len(plural))
	for _, id := range ids {
		// go-i18n reads these keys as a message's own fields, whatever
		// their case: such a text cannot be a message ID.
		switch strings.ToLower(id) {
		case "id", "description", "hash", "leftdelim", "rightdelim", "zero", "one", "two", "few", "many", "other", "translation":
			t.Errorf("%q is a word go-i18n keeps for itself: print it untranslated, or make it a longer text", id)
		}
	}
	for _, l := range i18n.Languages[1:] {
		t.Run(l.Tag, func(t *testing.T) { checkLanguage(t, l.Tag, ids, plural) })
	}
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs is the format's verbs by argument: "%[2]s %d" and "%s %[1]d" are
// different; a translation may reorder only with indices.
func verbs(format string) []string {
	var out []string
	next := 1
	for _, v := range verbRE.FindAllString(format, -1) {
		if strings.HasSuffix(v, "%") {
			continue
		}
		arg := next
		if i := strings.Index(v, "["); i >= 0 {
			j := strings.Index(v, "]")
			arg, _ = strconv.Atoi(v[i+1 : j])
		}
		next = arg + 1
		out = append(out, strconv.Itoa(arg)+v[len(v)-1:])
	}
	sort.Strings(out)
	return out
}

// pluralForms are the CLDR cardinal forms each language needs.
var pluralForms = map[string][]string{
	"bg": {"one", "other"}, "ky": {"one", "other"}, "de": {"one", "other"}, "es": {"one", "other"},
	"fr": {"one", "other"}, "pt-BR": {"one", "other"}, "ru": {"one", "few", "many", "other"},
	"ko": {"other"}, "ja": {"other"}, "zh-Hans": {"other"}, "zh-Hant": {"other"},
}

// wordRE finds an English word of three letters or more.
var wordRE = regexp.MustCompile(`\b[A-Za-z]{3,}\b`)

func checkLanguage(t *testing.T, tag string, ids []string, plural map[string]string) {
	data, err := os.ReadFile(filepath.Join("messages", tag+".yaml"))
	if err != nil {
		t.Fatalf("no message file: %v", err)
	}
	var file map[string]any
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatalf("%s.yaml: %v", tag, err)
	}
	// The file is parsed on the first lookup: this one parses it, and
	// finds a text the file has.
	if p := i18n.New(tag); p.Tag() != tag || len(ids) > 0 && file[ids[0]] != nil && !p.Has(ids[0]) {
		t.Errorf("New(%q) does not load its file", tag)
	}
	var absent []string
	for _, id := range ids {
		v, ok := file[id]
		if !ok {
			absent = append(absent, id)
			continue
		}
		var forms map[string]string
		switch v := v.(type) {
		case string:
			if _, isPlural := plural[id]; isPlural {
				t.Errorf("%q has plural forms in English: give %v", id, pluralForms[tag])
				continue
			}
			forms = map[string]string{"other": v}
		case map[string]any:
			forms = map[string]string{}
			for k, f := range v {
				s, _ := f.(string)
				forms[k] = s
			}
			for _, need := range pluralForms[tag] {
				if forms[need] == "" {
					t.Errorf("%q: the %q form is missing", id, need)
				}
			}
		default:
			t.Errorf("%q: a text or a map of plural forms, not %T", id, v)
			continue
		}
		for form, s := range forms {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%q (%s): empty translation", id, form)
				continue
			}
			if strings.Contains(s, "{{") {
				t.Errorf("%q (%s): %q has a template delimiter", id, form, s)
			}
			src := id
			if form == "one" && plural[id] != "" {
				src = plural[id]
			}
			// A plural form may leave out the number ("one file" says 1).
			if got, want := verbs(s), verbs(src); !slices.Equal(got, want) && !(form != "other" && len(got) < len(want)) {
				t.Errorf("%q (%s): verbs %v, the English has %v", id, form, got, want)
			}
			if tag != "en" && s == src && len(wordRE.FindAllString(src, -1)) >= 2 {
				t.Errorf("%q (%s): still English", id, form)
			}
		}
	}
	if len(absent) > 0 {
		t.Errorf("%d of %d texts missing, e.g. %q", len(absent), len(ids), absent[:min(3, len(absent))])
		writeMissing(t, tag, absent, plural)
	}
	var extra []string
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	for k := range file {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		t.Errorf("%d texts no longer printed (remove them): %q", len(extra), extra[:min(3, len(extra))])
	}
}

// writeMissing writes a language's missing texts as YAML to translate, each
// key with an empty value (plural texts with the forms the language needs),
// when -missing DIR is given.
func writeMissing(t *testing.T, tag string, ids []string, plural map[string]string) {
	if *missing == "" {
		return
	}
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, id := range ids {
		v := &yaml.Node{Kind: yaml.ScalarNode, Value: "", Style: yaml.DoubleQuotedStyle}
		if _, ok := plural[id]; ok {
			v = &yaml.Node{Kind: yaml.MappingNode}
			for _, f := range pluralForms[tag] {
				v.Content = append(v.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: f},
					&yaml.Node{Kind: yaml.ScalarNode, Value: "", Style: yaml.DoubleQuotedStyle})
			}
		}
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: id}, v)
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(*missing, tag+".missing.yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("the missing texts are in %s", path)
}
