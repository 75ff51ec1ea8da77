package steps

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// Prerequisites is the step that says what the provider demands before a
// login can work (2-Step Verification and an App Password for Gmail), and
// asks one question a person can answer truthfully: "I turned on 2-Step
// Verification and created an App Password", Done or Not yet. Not yet opens
// the how-to of every item instead of letting the user walk into a refused
// login.
type Prerequisites struct {
	base
	s       *Session
	done    bool
	howto   bool // showing the how-to for the items answered No
	goOn    bool // the answer on the how-to, or on a provider with nothing to do
	missing []smtp.Prerequisite
	at      int // the item of missing whose how-to is shown, one a page
	qr      int // 1-based index of the item whose URL is shown as a QR code; 0 when none
}

// Title implements Flow.
func (p *Prerequisites) Title() string { return i18n.N("Before you start") }

// Skip implements Flow: a custom server, or a provider that demands
// nothing and has no warning to give, has no prerequisites.
func (p *Prerequisites) Skip(s *Session) bool {
	pr := s.Provider()
	return pr == nil || len(pr.Prerequisites) == 0 && pr.StatusNote == ""
}

// Begin implements Flow.
func (p *Prerequisites) Begin(s *Session) Outcome {
	p.s, p.howto, p.qr, p.goOn, p.done = s, false, 0, true, true
	return Outcome{}
}

// Page implements Flow.
func (p *Prerequisites) Page() Page {
	pr, tr := p.s.Provider(), p.s.Lang
	if p.howto {
		// One item a page, so each fits a small terminal; the notes and
		// what is unconfirmed come with the last.
		how := howTo(tr, p.missing[p.at:p.at+1], p.at)
		heading := tr.T("How to do it")
		if len(p.missing) > 1 {
			heading = tr.Tf("How to do it (%d of %d)", p.at+1, len(p.missing))
		}
		if p.at == len(p.missing)-1 {
			how = append(how, notes(tr, pr)...)
			if u := pr.Unconfirmed; len(u) > 0 {
				said := make([]string, len(u))
				for i, x := range u {
					said[i] = tr.T(x)
				}
				how = append(how, tr.Tf("Not confirmed from %s's own documents: %s.", pr.Name, strings.Join(said, "; ")))
			}
		}
		return Page{Heading: heading, Intro: how, Fields: []Field{{
			Kind: ConfirmField, Title: tr.T("Done? Do these on any device (a phone is fine), then continue."),
			Affirmative: tr.T("Continue"), Negative: tr.T("Back to the checklist"), Yes: &p.goOn,
		}}}
	}
	page := Page{Heading: pr.NameIn(tr), Intro: intro(tr, pr)}
	if tasks := pr.Tasks(); len(tasks) > 0 {
		// One question for all the items, each an action the user has done
		// or not; the how-to has the details and links.
		title, list := doneAll(tr, tasks)
		page.Fields = append(page.Fields, Field{
			Kind: ConfirmField, Title: title, Description: list,
			Affirmative: tr.T("Done"), Negative: tr.T("Not yet: show me how"), Yes: &p.done,
		})
	} else {
		page.Fields = append(page.Fields, Field{
			Kind: ConfirmField, Title: tr.Tf("Continue with %s?", pr.Name),
			Affirmative: tr.T("Continue"), Negative: tr.T("Choose another provider"), Yes: &p.goOn,
		})
	}
	return page
}

// doneAll is the one checklist question for items: "I turned on 2-Step
// Verification and created an App Password" when every item reads as
// something I did and the sentence stays short; else a title over the
// items, one a line.
//
// The one sentence is English grammar ("I ... and ..."): another language
// gets the list, each item as its translator wrote it.
func doneAll(tr *i18n.Printer, items []smtp.Prerequisite) (title, list string) {
	if len(items) == 1 {
		return items[0].CheckedIn(tr), ""
	}
	if !tr.English() {
		var lines []string
		for _, it := range items {
			lines = append(lines, "• "+it.CheckedIn(tr))
		}
		return tr.T("All of these are done or true"), strings.Join(lines, "\n")
	}
	said := make([]string, len(items))
	joinable := true
	for i, it := range items {
		said[i] = it.Checked()
		if i > 0 {
			rest, ok := strings.CutPrefix(said[i], "I ")
			joinable = joinable && ok
			said[i] = rest
		}
	}
	if joinable && strings.HasPrefix(said[0], "I ") {
		s := strings.Join(said[:len(said)-1], ", ") + " and " + said[len(said)-1]
		if len(s) <= 72 {
			return s, ""
		}
	}
	var lines []string
	for _, it := range items {
		lines = append(lines, "• "+it.Checked())
	}
	return tr.T("All of these are done or true"), strings.Join(lines, "\n")
}

// intro is what the user must know before typing a password for this
// provider: its status and its sender rule.
func intro(tr *i18n.Printer, pr *smtp.Provider) []string {
	var parts []string
	if l := englishNotes(tr, pr); l != "" {
		parts = append(parts, l) // once, before the provider's own words
	}
	if l := pr.StatusLineIn(tr); l != "" {
		parts = append(parts, l)
	}
	// What it asks for is the checklist question itself, not counted here:
	// a small terminal keeps room for its buttons.
	if pr.SenderRule != "" {
		parts = append(parts, tr.T(pr.SenderRule))
	}
	return parts
}

// notes are the items to know, not to do (Prerequisite.Note); the
// checklist names how many there are, the how-to shows them.
func notes(tr *i18n.Printer, pr *smtp.Provider) []string {
	var out []string
	for _, it := range pr.Prerequisites {
		if it.Note {
			out = append(out, tr.Tf("Note: %s. %s", tr.T(it.Title), tr.T(it.Detail)))
		}
	}
	return out
}

// howTo is the how-to of items, numbered from after the first skip; a
// link opens in the user's language where the provider takes one.
func howTo(tr *i18n.Printer, items []smtp.Prerequisite, skip int) []string {
	var out []string
	for i, item := range items {
		out = append(out, fmt.Sprintf("%d. %s", skip+i+1, tr.T(item.Title)))
		if item.Detail != "" {
			out = append(out, tr.T(item.Detail))
		}
		if item.URL != "" {
			out = append(out, tr.Tf("Open: %s", smtp.URLIn(item.URL, tr.Tag())))
		}
		if item.Why != "" {
			out = append(out, tr.Tf("Why: %s", tr.T(item.Why)))
		}
	}
	return out
}

// Submit implements Flow.
func (p *Prerequisites) Submit() Outcome {
	pr := p.s.Provider()
	switch {
	case p.howto && p.goOn && p.at+1 < len(p.missing):
		p.at++
		return Outcome{}
	case p.howto && p.goOn:
		return Outcome{Action: Action{Kind: Next}}
	case p.howto:
		p.howto, p.goOn = false, true
		return Outcome{}
	case len(pr.Tasks()) == 0 && !p.goOn:
		return Outcome{Action: Action{Kind: Back}}
	}
	if p.done {
		return Outcome{Action: Action{Kind: Next}}
	}
	p.missing, p.at = pr.Tasks(), 0
	p.howto, p.goOn = true, true
	return Outcome{}
}

// Finish implements Flow: this step runs no work.
func (p *Prerequisites) Finish(any) Outcome { return Outcome{} }

// Leave implements Flow.
func (p *Prerequisites) Leave() {}

// nextQR is the next item after i (1-based) that has a URL, or 0.
func (p *Prerequisites) nextQR(i int) int {
	items := p.s.Provider().Prerequisites
	for j := i; j < len(items); j++ {
		if items[j].URL != "" {
			return j + 1
		}
	}
	return 0
}

func (p *Prerequisites) qrView(c *Common) string {
	item := p.s.Provider().Prerequisites[p.qr-1]
	st, tr := c.Styles, c.Lang
	url := smtp.URLIn(item.URL, tr.Tag()) // the page the phone opens, in the user's language
	code := qrText(url, c.Width-2, c.Height-7)
	if code == "" {
		code = st.Warning.Render(wrap(c, tr.T("The terminal is too small for the QR code; enlarge it, or type the address."))) + "\n"
	}
	return st.Title.Render(clip(tr.T(item.Title), c.Width-2)) + "\n" + code + st.Link.Hyperlink(url).Render(url)
}

func (p *Prerequisites) view(c *Common, f frame) (string, bool) {
	if p.qr > 0 {
		return p.qrView(c), true
	}
	return "", false
}

// key: p shows the first QR code, and over a code the next one; any other
// key closes the code.
func (p *Prerequisites) key(c *Common, k tea.KeyPressMsg, _ bool) (Outcome, bool) {
	switch {
	case p.qr > 0 && key.Matches(k, c.Keys.QR):
		p.qr = p.nextQR(p.qr)
		return Outcome{}, true
	case p.qr > 0:
		p.qr = 0
		return Outcome{}, true
	case key.Matches(k, c.Keys.QR) && p.nextQR(0) > 0:
		p.qr = p.nextQR(0)
		return Outcome{}, true
	case p.howto && key.Matches(k, c.Keys.Back):
		p.howto = false
		return Outcome{}, true
	}
	return Outcome{}, false
}

func (p *Prerequisites) keys(c *Common, _ bool) []key.Binding {
	switch {
	case p.qr > 0 && p.nextQR(p.qr) > 0:
		return []key.Binding{as(c.Keys.QR, c.Lang.T("next code")), as(c.Keys.AnyKey, c.Lang.T("other keys: close"))}
	case p.qr > 0:
		return []key.Binding{c.Keys.AnyKey}
	}
	var k []key.Binding
	if p.nextQR(0) > 0 {
		k = append(k, c.Keys.QR)
	}
	if p.howto {
		k = append(k, as(c.Keys.Back, c.Lang.T("back to the checklist")))
	}
	return k
}

// keysOnly: over a QR code every key is the code's.
func (p *Prerequisites) keysOnly() bool { return p.qr > 0 }

// capturing: over a QR code every key closes it; in the how-to Esc returns
// to the checklist.
func (p *Prerequisites) capturing(bool) bool { return p.howto || p.qr > 0 }
