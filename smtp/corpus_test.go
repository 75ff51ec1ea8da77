package smtp_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

// corpusFiles hold real replies copied from providers' and servers' public
// documentation, each with the stage where it occurs and the family its
// source gives it. They are written from the sources, never from what the
// code does (testdata/README.md).
//
// replies.yaml is the corpus the classifier was built on: it must stay at
// 95% or more. replies-holdout.yaml was built blind, from other sources, to
// measure how the classifier generalises: it scored 84.2% (181/215) before
// the generic layers were reworked by class of meaning, and 96.7% (208/215)
// after. That rework looked at its misses, so the file is NO LONGER BLIND:
// its floor, 93%, is set a few points under the figure reached, to catch a
// regression, not to prove generalisation. Only a new blind set can judge
// that (testdata/README.md).
var corpusFiles = []struct {
	path  string
	floor float64
}{
	{"testdata/replies.yaml", 0.95},
	{"testdata/replies-holdout.yaml", 0.93},
}

type corpusEntry struct {
	ID         string `yaml:"id"`
	Provider   string `yaml:"provider"`
	Server     string `yaml:"server"`
	Stage      string `yaml:"stage"`
	Reply      string `yaml:"reply"`
	Family     string `yaml:"family"`
	Source     string `yaml:"source"`
	SourceSays string `yaml:"source_says"`
}

// stageCommand is the command whose reply smtptest scripts for a corpus
// stage.
var stageCommand = map[string]string{
	"greeting": smtptest.Greeting, "ehlo": "EHLO", "starttls": "STARTTLS", "auth": "AUTH",
	"mail": "MAIL", "rcpt": "RCPT", "data": "DATA", "quit": "QUIT",
}

var codePrefix = regexp.MustCompile(`^(\d{3})([ -]|$)`)

// wireReply turns a reply as a source prints it into the bytes a server
// sends: every line with the code, "-" on all but the last. A line the
// source printed without its code (a continuation) gets the first line's.
func wireReply(reply string) (raw string, code int, lines []string, err error) {
	src := strings.Split(strings.TrimSpace(strings.ReplaceAll(reply, "\r\n", "\n")), "\n")
	m := codePrefix.FindStringSubmatch(src[0])
	if m == nil {
		return "", 0, nil, fmt.Errorf("reply does not start with a 3-digit code: %q", src[0])
	}
	code, _ = strconv.Atoi(m[1])
	var b strings.Builder
	for i, l := range src {
		text := l
		if m := codePrefix.FindStringSubmatch(l); m != nil {
			text = l[len(m[0]):]
		}
		lines = append(lines, text)
		sep := "-"
		if i == len(src)-1 {
			sep = " "
		}
		b.WriteString(m[1] + sep + text + "\r\n")
	}
	return b.String(), code, lines, nil
}

func loadCorpus(t *testing.T, corpusFile string) []corpusEntry {
	t.Helper()
	data, err := os.ReadFile(corpusFile)
	if err != nil {
		t.Fatalf("the reply corpus %s is missing: %v", corpusFile, err)
	}
	var entries []corpusEntry
	if err := yaml.Unmarshal(data, &entries); err != nil {
		t.Fatalf("%s: %v", corpusFile, err)
	}
	if len(entries) == 0 {
		t.Fatalf("%s holds no entries", corpusFile)
	}
	return entries
}

// TestCorpusDiagnoses serves every reply of the corpus at its stage from a
// real SMTP server, runs the real live test against it, and checks the
// diagnosis: the family the source gives, temporary exactly when the basic
// code is 4xx, and the server's own words shown. Family accuracy is logged
// per family and file; each file has its floor (corpusFiles).
func TestCorpusDiagnoses(t *testing.T) {
	for _, cf := range corpusFiles {
		t.Run(strings.TrimSuffix(strings.TrimPrefix(cf.path, "testdata/"), ".yaml"), func(t *testing.T) {
			testCorpus(t, cf.path, cf.floor)
		})
	}
}

func testCorpus(t *testing.T, corpusFile string, floor float64) {
	entries := loadCorpus(t, corpusFile)
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	cat := smtp.BuiltinCatalogue()

	type outcome struct {
		entry   corpusEntry
		got     string
		code    string
		generic string // the family without the provider's knowledge ("Other server")
		counts  bool   // the test reached a diagnosis of this reply
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
	)
	t.Run("replies", func(t *testing.T) {
		for _, e := range entries {
			t.Run(e.ID, func(t *testing.T) {
				t.Parallel()
				raw, code, lines, err := wireReply(e.Reply)
				if err != nil {
					t.Fatalf("%s: %v", e.ID, err)
				}
				cmd, ok := stageCommand[e.Stage]
				if !ok {
					t.Fatalf("%s: unknown stage %q", e.ID, e.Stage)
				}
				if !slices.Contains(smtp.ReplyFamilies, e.Family) {
					t.Fatalf("%s: unknown family %q", e.ID, e.Family)
				}
				if e.Stage == "quit" || code < 400 {
					// QUIT comes after everything that matters: the test
					// passes whatever it answers. Not a refusal to classify.
					t.Skipf("%s: a reply at %s (%d) ends no test", e.ID, e.Stage, code)
				}
				opts := []smtptest.Option{smtptest.WithCA(ca), smtptest.WithAccount(user, pass), smtptest.WithRawReply(cmd, raw)}
				if e.Stage == "ehlo" {
					// A reply "at EHLO" is the server's answer to the hello,
					// whichever the client sends: after a 500 or 502 to EHLO
					// a client says HELO (RFC 5321 3.2), and gets it too.
					opts = append(opts, smtptest.WithRawReply("HELO", raw))
				}
				srv := smtptest.NewServer(t, opts...)
				s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
				s.Host = "127.0.0.1"
				if e.Stage == "mail" || e.Stage == "rcpt" || e.Stage == "data" {
					o.SendTo = "bob@example.test"
				}
				var p *smtp.Provider
				if e.Provider != "" {
					p, _ = cat.ByID(e.Provider)
				}
				rep := smtp.Test(context.Background(), s, o)
				d := smtp.Diagnose(rep, p)
				if err := smtp.CheckPseudo(rep, p, d); err != nil {
					t.Error(err)
				}
				if d == nil {
					t.Fatalf("%s: the test passed; the reply %q at %s was not seen", e.ID, lines[0], e.Stage)
				}
				if rep.Failure.Kind != smtp.KindReply {
					t.Errorf("%s: the test ended with %s at %s, not with the server's reply", e.ID, rep.Failure.Kind, rep.Failure.Stage)
				}
				if want := code/100 == 4; d.Transient != want {
					t.Errorf("%s: transient %v for a %d reply (%s): %s", e.ID, d.Transient, code, d.Code, d.Title)
				}
				for _, l := range lines {
					if w := strings.TrimSpace(smtp.CleanLine(l)); !strings.Contains(d.Reply, w) {
						t.Errorf("%s: the diagnosis does not carry the server's words %q; Reply is %q", e.ID, w, d.Reply)
						break
					}
				}
				if code/100 == 4 && d.Suggestion != nil {
					t.Errorf("%s: a temporary reply got a change of settings: %v", e.ID, d.Suggestion)
				}
				mu.Lock()
				outcomes = append(outcomes, outcome{entry: e, got: d.Family, code: d.Code, generic: smtp.Diagnose(rep, nil).Family, counts: true})
				mu.Unlock()
			})
		}
	})

	type tally struct{ right, total int }
	per := map[string]*tally{}
	var right, total, generic int
	var wrong []string
	for _, o := range outcomes {
		if o.generic == o.entry.Family {
			generic++
		}
		tl := per[o.entry.Family]
		if tl == nil {
			tl = &tally{}
			per[o.entry.Family] = tl
		}
		tl.total++
		total++
		if o.got == o.entry.Family {
			tl.right++
			right++
		} else {
			wrong = append(wrong, fmt.Sprintf("  %-48s %-9s want %-16s got %-16s (%s) %q", o.entry.ID, o.entry.Stage, o.entry.Family, o.got, o.code, firstLine(o.entry.Reply)))
		}
	}
	if total == 0 {
		t.Fatal("no reply reached a diagnosis")
	}
	fams := make([]string, 0, len(per))
	for f := range per {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	var b strings.Builder
	fmt.Fprintf(&b, "family accuracy on %d replies of %s:\n", total, corpusFile)
	for _, f := range fams {
		fmt.Fprintf(&b, "  %-17s %3d/%-3d %5.1f%%\n", f, per[f].right, per[f].total, 100*float64(per[f].right)/float64(per[f].total))
	}
	fmt.Fprintf(&b, "  %-17s %3d/%-3d %5.1f%%\n", "overall", right, total, 100*float64(right)/float64(total))
	fmt.Fprintf(&b, "  %-17s %3d/%-3d %5.1f%%  (the same replies as from an unknown server: layers 1, 2 and 4, and the replies that name their provider)\n",
		"without provider", generic, total, 100*float64(generic)/float64(total))
	sort.Strings(wrong)
	if len(wrong) > 0 {
		b.WriteString("wrong family:\n" + strings.Join(wrong, "\n") + "\n")
	}
	t.Log(b.String())
	if acc := float64(right) / float64(total); acc < floor {
		t.Errorf("family accuracy %.1f%% on %s is below its floor %.0f%%", 100*acc, corpusFile, 100*floor)
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
