package smtp

import (
	"bytes"
	_ "embed"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Layer 3 of the reply classifier: the providers' published knowledge of
// their own replies, kept as data in replies-known.yaml (its header says the
// format).

//go:embed replies-known.yaml
var knownRepliesYAML []byte

// knownReply is one rule of replies-known.yaml.
type knownReply struct {
	ID        string   `yaml:"id"`
	Providers []string `yaml:"providers"`
	Anywhere  bool     `yaml:"anywhere"`
	Stages    []string `yaml:"stages"`
	Codes     []string `yaml:"codes"`
	Enhanced  []string `yaml:"enhanced"`
	Text      string   `yaml:"text"`
	Family    string   `yaml:"family"`
	Code      string   `yaml:"code"`
	Title     string   `yaml:"title"`
	Means     string   `yaml:"means"`
	Fix       string   `yaml:"fix"`
	Source    string   `yaml:"source"`
	Checked   string   `yaml:"checked"`

	re *regexp.Regexp
}

// knownReplies is parsed on first use, not at start-up: every command
// would otherwise pay for it, and only a failed test reads it.
var knownReplies = sync.OnceValue(func() []knownReply { return mustParseKnown(knownRepliesYAML) })

func mustParseKnown(data []byte) []knownReply {
	k, err := parseKnown(data)
	if err != nil {
		panic("replies-known.yaml: " + err.Error())
	}
	return k
}

var replyStages = []string{"greeting", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "quit"}

func parseKnown(data []byte) ([]knownReply, error) {
	var f struct {
		Replies []knownReply `yaml:"replies"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i := range f.Replies {
		k := &f.Replies[i]
		if err := k.check(); err != nil {
			return nil, fmt.Errorf("rule %d (%q): %w", i+1, k.ID, err)
		}
		if seen[k.ID] {
			return nil, fmt.Errorf("rule %d: id %q appears twice", i+1, k.ID)
		}
		seen[k.ID] = true
	}
	return f.Replies, nil
}

func (k *knownReply) check() error {
	switch {
	case k.ID == "":
		return fmt.Errorf("id is empty")
	case len(k.Providers) == 0 && !k.Anywhere:
		return fmt.Errorf("neither providers nor anywhere: true")
	case !slices.Contains(ReplyFamilies, k.Family):
		return fmt.Errorf("family %q is not a reply family", k.Family)
	case codeFamily(k.Code) != k.Family:
		return fmt.Errorf("code %q is not a code of family %s", k.Code, k.Family)
	case k.Source == "" || !strings.HasPrefix(k.Source, "https://"):
		return fmt.Errorf("source must be an https URL")
	case k.Fix == "" || k.Means == "":
		return fmt.Errorf("means and fix are required")
	case k.Text == "" && len(k.Enhanced) == 0 && len(k.Codes) == 0:
		return fmt.Errorf("matches every reply: give text, enhanced or codes")
	}
	if _, err := time.Parse(time.DateOnly, k.Checked); err != nil {
		return fmt.Errorf("checked %q is not a date", k.Checked)
	}
	for _, s := range k.Stages {
		if !slices.Contains(replyStages, s) {
			return fmt.Errorf("stage %q is not one of %v", s, replyStages)
		}
	}
	for _, c := range k.Codes {
		if !regexp.MustCompile(`^[2-5]([0-9]{2}|xx)$`).MatchString(c) {
			return fmt.Errorf("code %q is not a reply code or class such as 5xx", c)
		}
	}
	for _, e := range k.Enhanced {
		if _, _, _, err := enhancedRange(e); err != nil {
			return err
		}
	}
	for _, p := range k.Providers {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("provider pattern %q: %w", p, err)
		}
	}
	if k.Text != "" {
		re, err := regexp.Compile(k.Text)
		if err != nil {
			return fmt.Errorf("text: %w", err)
		}
		k.re = re
	}
	return nil
}

// enhancedRange reads "7.139" or "7.606-7.649" as a subject and a range of
// details.
func enhancedRange(s string) (subject string, lo, hi int, err error) {
	from, to, isRange := strings.Cut(s, "-")
	subj, d, ok := strings.Cut(from, ".")
	if !ok {
		return "", 0, 0, fmt.Errorf("enhanced %q: write subject.detail, such as 7.139", s)
	}
	if lo, err = strconv.Atoi(d); err != nil {
		return "", 0, 0, fmt.Errorf("enhanced %q: %w", s, err)
	}
	hi = lo
	if isRange {
		subj2, d2, ok := strings.Cut(to, ".")
		if !ok || subj2 != subj {
			return "", 0, 0, fmt.Errorf("enhanced %q: a range stays within one subject", s)
		}
		if hi, err = strconv.Atoi(d2); err != nil || hi < lo {
			return "", 0, 0, fmt.Errorf("enhanced %q: not a range", s)
		}
	}
	return subj, lo, hi, nil
}

// temporaryOnly reports whether the rule matches only 4xx replies, so its
// fix was written for a temporary refusal.
func (k *knownReply) temporaryOnly() bool {
	if len(k.Codes) == 0 {
		return false
	}
	for _, c := range k.Codes {
		if c[0] != '4' {
			return false
		}
	}
	return true
}

func (k *knownReply) matches(rf replyFacts) bool {
	if !k.Anywhere && !providerMatches(k.Providers, rf.provider, rf.host) {
		return false
	}
	if len(k.Stages) > 0 && !slices.Contains(k.Stages, rf.stage) {
		return false
	}
	if len(k.Codes) > 0 && !codeIn(strings.Join(k.Codes, " "), rf.reply.Code) {
		return false
	}
	if len(k.Enhanced) > 0 && !slices.ContainsFunc(k.Enhanced, func(e string) bool { return enhancedIn(e, rf.reply.Enhanced) }) {
		return false
	}
	return k.re == nil || k.re.MatchString(rf.text)
}

// enhancedIn reports whether an enhanced code ("5.7.139") is in a rule's
// "7.139" or "7.606-7.649", whatever its class.
func enhancedIn(rule, code string) bool {
	_, rest, ok := strings.Cut(code, ".")
	if !ok {
		return false
	}
	subj, d, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(d)
	if err != nil {
		return false
	}
	rs, lo, hi, err := enhancedRange(rule)
	return err == nil && rs == subj && n >= lo && n <= hi
}

// providerHosts lets a custom entry pointing at a provider's server get the
// provider's knowledge too.
var providerHosts = map[string]string{
	"smtp.gmail.com": "gmail", "smtp-relay.gmail.com": "google-relay",
	"smtp.office365.com": "microsoft365", "smtp-mail.outlook.com": "outlook",
	"smtp.mail.yahoo.com": "yahoo", "smtp.aol.com": "aol",
	"smtp.sendgrid.net": "sendgrid", "smtp.163.com": "netease-163", "smtp.126.com": "netease-126",
}

func providerMatches(patterns []string, p *Provider, host string) bool {
	ids := []string{}
	if p != nil {
		ids = append(ids, p.ID)
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if id, ok := providerHosts[host]; ok {
		ids = append(ids, id)
	}
	if strings.HasPrefix(host, "email-smtp.") && strings.HasSuffix(host, ".amazonaws.com") {
		ids = append(ids, "ses-"+strings.TrimSuffix(strings.TrimPrefix(host, "email-smtp."), ".amazonaws.com"))
	}
	if strings.HasPrefix(host, "smtp.zoho.") || strings.HasPrefix(host, "smtppro.zoho.") {
		ids = append(ids, "zoho")
	}
	for _, pat := range patterns {
		for _, id := range ids {
			if ok, _ := path.Match(pat, id); ok {
				return true
			}
		}
	}
	return false
}

// matchKnown is layer 3: the first published rule that fits the reply.
func matchKnown(rf replyFacts) *knownReply {
	known := knownReplies()
	for i := range known {
		if known[i].matches(rf) {
			return &known[i]
		}
	}
	return nil
}

// KnownReplyTexts are the words of replies-known.yaml a diagnosis shows
// (title, meaning, fix): the texts a translation of it covers. The
// diagnosis translates them where it is written (describeReply).
func KnownReplyTexts() []string {
	var out []string
	for _, k := range knownReplies() {
		for _, s := range []string{k.Title, k.Means, k.Fix} {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
