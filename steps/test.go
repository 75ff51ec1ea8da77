package steps

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
	"smtpsetup/theme"
)

// testState is where the live test stands.
type testState int

const (
	testRunning testState = iota
	testPassed
	testFailed
	testCancelled
)

func (s testState) String() string {
	return [...]string{"running", "passed", "failed", "cancelled"}[s]
}

// testView is what the test screen shows, whatever the outcome.
type testView int

const (
	viewSummary testView = iota // the stages and the verdict
	viewDetails                 // the server facts and the transcript
)

func (v testView) String() string { return [...]string{"summary", "details"}[v] }

// The ways out of a failed test, as keys on the screen and as the answers
// of the line mode's question.
const (
	choiceApply  = "a"
	choiceEdit   = "e"
	choiceRetry  = "r"
	choiceSave   = "s"
	choiceQuit   = "q"
	choiceTrust  = "f"
	choicePlain  = "u" // AUTH without TLS on a private address: never the default
	choiceSend   = "m" // passed: send a test message, then confirm its code
	choiceOn     = "save"
	choiceIgnore = ""
)

// Test is the live test: each stage appears as it runs, with a spinner,
// then a mark and its duration. A failure shows the diagnosis and the way
// out: the suggested fix on Enter, edit, retry, save anyway or quit. It
// never retries by itself, since failed logins can lock an account.
type Test struct {
	base
	s       *Session
	state   testState
	mode    testView
	plan    []smtp.Stage
	results map[smtp.Stage]smtp.StageResult
	current smtp.Stage
	diag    *smtp.Diagnosis
	next    string // the answer to "What next?"
	scroll  int    // first line shown in the details
	sendTo  string // the test message's recipient, once asked for
	code    string // the code typed from the test message
	asked   bool   // the code was asked for (typed or skipped)
}

// Title implements Flow.
func (t *Test) Title() string { return i18n.N("Live test") }

// Skip implements Flow.
func (t *Test) Skip(*Session) bool { return false }

// Begin implements Flow: the test starts at once.
func (t *Test) Begin(s *Session) Outcome {
	t.s, t.sendTo = s, ""
	return t.start()
}

func (t *Test) start() Outcome {
	t.state, t.mode, t.diag, t.current = testRunning, viewSummary, nil, ""
	t.s.Results.Report = nil
	t.plan = smtp.Plan(t.s.Draft.Settings, t.s.Test)
	t.results = map[smtp.Stage]smtp.StageResult{}
	settings, opts := t.s.Draft.Settings, t.s.testOptions()
	opts.SendTo = t.sendTo
	t.plan = smtp.Plan(settings, opts)
	t.code, t.asked = "", false
	return Outcome{Work: func(ctx context.Context, progress func(smtp.Event)) any {
		opts.Progress = progress
		return smtp.Test(ctx, settings, opts)
	}}
}

func (t *Test) progress(e smtp.Event) {
	if e.Done {
		t.results[e.Stage] = e.Result
	} else {
		t.current = e.Stage
	}
}

// Finish implements Flow: the report, or nil when the test was stopped.
func (t *Test) Finish(result any) Outcome {
	t.current = ""
	rep, _ := result.(*smtp.Report)
	switch {
	case rep == nil:
		t.state = testCancelled
		return Outcome{}
	case rep.OK:
		t.state = testPassed
	case rep.Failure.Kind == smtp.KindCancelled:
		t.state = testCancelled
	default:
		t.state = testFailed
		t.diag = smtp.DiagnoseIn(rep, t.s.Provider(), t.s.Lang)
	}
	t.s.Results.Report = rep
	t.s.Results.Tried = smtp.Remember(t.s.Results.Tried, rep) // a suggestion never sends the user back
	for _, r := range rep.Stages {
		t.results[r.Stage] = r
	}
	t.next = t.defaultChoice()
	if t.state == testPassed {
		t.next = choiceOn
	}
	return Outcome{}
}

// confirming reports a passed test whose message was sent and whose code
// has not been asked for yet.
func (t *Test) confirming() bool {
	rep := t.s.Results.Report
	return t.state == testPassed && rep != nil && rep.Sent != nil && !t.asked
}

// sendLabel offers the test message, to the From address.
func (t *Test) sendLabel() string {
	return t.s.Lang.Tf("Send a test message to %s and confirm its code", smtp.CleanLine(t.s.Draft.Settings.From))
}

// canSend reports whether a test message can be offered: a passed test,
// none sent yet, and a From address to send it to.
func (t *Test) canSend() bool {
	rep := t.s.Results.Report
	return t.state == testPassed && rep != nil && rep.Sent == nil && t.s.Draft.Settings.From != ""
}

// choices are the ways on after the test, best first.
func (t *Test) choices() []Option {
	tr := t.s.Lang
	var out []Option
	if t.diag != nil && t.diag.Suggestion != nil {
		out = append(out, Option{tr.Tf("Apply the fix: switch to %s and test again", t.diag.Suggestion.StringIn(tr)), choiceApply})
	}
	if c := t.trustable(); c != nil {
		out = append(out, Option{tr.Tf("Trust this certificate (SHA-256 %s…) and test again", c.SHA256[:23]), choiceTrust})
	}
	if t.plainOffer() != "" {
		out = append(out, Option{tr.T("Log in without encryption on this private network, and test again"), choicePlain})
	}
	return append(out,
		Option{tr.Tf("Edit the %s", t.editLabel()), choiceEdit},
		Option{tr.T("Test again"), choiceRetry},
		Option{tr.T("Save anyway"), choiceSave},
		Option{tr.T("Quit without saving"), choiceQuit},
	)
}

func (t *Test) defaultChoice() string {
	switch {
	case t.state == testCancelled:
		return choiceRetry
	case t.diag != nil && t.diag.Suggestion != nil:
		return choiceApply
	case t.diag != nil && t.diag.Transient:
		// A temporary refusal: the settings may be right, so the way on
		// is to test again (never by ourselves).
		return choiceRetry
	}
	return choiceEdit
}

// Page implements Flow: the verdict, and after a failure the question
// what next.
func (t *Test) Page() Page {
	tr := t.s.Lang
	switch t.state {
	case testPassed:
		intro := append(t.networkNotes(), tr.Tf("Passed. %s", upperFirst(t.s.Results.Report.VerdictIn(tr))))
		switch {
		case t.confirming():
			sent := t.s.Results.Report.Sent
			return Page{Intro: intro, Fields: []Field{{
				Kind: TextField, Title: tr.T("Code from the test message"),
				Description: tr.Tf("The message to %s has a 6-character code in its subject. Type it to confirm delivery; leave empty to skip.", smtp.CleanLine(sent.To)),
				Limit:       32, Value: &t.code, Check: t.checkCode,
			}}}
		case t.canSend():
			return Page{Intro: intro, Fields: []Field{{Kind: ChoiceField, Title: tr.T("What next?"), Value: &t.next,
				Options: []Option{{tr.T("Save the settings"), choiceOn}, {t.sendLabel(), choiceSend}}}}}
		}
		return Page{Intro: intro}
	case testRunning:
		return Page{Intro: []string{t.testing(true)}}
	}
	var intro []string
	if t.state == testCancelled {
		intro = []string{tr.T("Cancelled. Nothing was decided.")}
	} else {
		d := t.diag
		fix := d.Fix
		if t.trustable() != nil {
			fix = d.FixWithoutPin() // the fingerprint follows, once
		}
		intro = append(append([]string{tr.Tf("Failed: %s [%s]", d.Title, d.Code), d.Detail}, d.ReplyLinesIn(tr)...), tr.T("Fix:")+" "+fix)
		if c := t.trustable(); c != nil {
			intro = append(intro, certLines(tr, c)...)
		}
		if addr := t.plainOffer(); addr != "" {
			intro = append(intro, plainWarning(tr, addr))
		}
	}
	intro = append(t.networkNotes(), intro...)
	return Page{Intro: intro, Fields: []Field{{Kind: ChoiceField, Title: tr.T("What next?"), Options: t.choices(), Value: &t.next}}}
}

// testing says what is tested, as whom; long adds how long each stage may
// take (the line mode's sentence).
func (t *Test) testing(long bool) string {
	tr, set := t.s.Lang, t.s.Draft.Settings
	addr, mode := smtp.CleanLine(set.Address()), set.Security.LabelIn(tr)
	wait := cmp.Or(t.s.Test.Timeout, smtp.DefaultStageTimeout)
	switch {
	case long && set.Username != "":
		return tr.Tf("Testing %s (%s) as %s; each stage may take up to %s.", addr, mode, smtp.CleanLine(set.Username), wait)
	case long:
		return tr.Tf("Testing %s (%s); each stage may take up to %s.", addr, mode, wait)
	case set.Username != "":
		return tr.Tf("Testing %s (%s) as %s", addr, mode, smtp.CleanLine(set.Username))
	}
	return tr.Tf("Testing %s (%s)", addr, mode)
}

// networkNotes are what the test learned about the network, as notes.
func (t *Test) networkNotes() []string {
	var out []string
	if rep := t.s.Results.Report; rep != nil {
		for _, n := range rep.NetworkLinesIn(t.s.Lang) {
			out = append(out, t.s.Lang.Tf("Note: %s", n))
		}
	}
	return out
}

// checkCode accepts an empty answer (skip) or the message's code.
func (t *Test) checkCode(v string) error {
	if strings.TrimSpace(v) == "" || t.s.Results.Report.Sent.Confirm(v) {
		return nil
	}
	return errors.New(t.s.Lang.T("code does not match the one sent: type the 6 characters from the subject, or leave it empty to skip"))
}

// Submit implements Flow.
func (t *Test) Submit() Outcome {
	switch {
	case t.confirming():
		t.asked = true
		return Outcome{} // the verdict again, now with or without delivery
	case t.state == testPassed && t.next == choiceSend && t.canSend():
		return t.choose(choiceSend)
	case t.state == testPassed:
		return Outcome{Action: Action{Kind: Next}}
	}
	return t.choose(t.next)
}

// trustable is the certificate a user may accept by its fingerprint: one
// not from a trusted authority (self-signed, a private CA), never one on a
// provider's known host (that is interception, tls.intercepted).
func (t *Test) trustable() *smtp.CertInfo {
	rep := t.s.Results.Report
	if t.diag == nil || t.diag.Code != "tls.untrusted" || rep == nil || rep.Failure == nil {
		return nil
	}
	if c := rep.Failure.Certificate; c != nil && len(c.SHA256) >= 23 {
		return c
	}
	return nil
}

// plainOffer is the private address the password may be sent to without
// TLS, if the user chooses it (smtp.Report.PlaintextOffer); "" for none.
func (t *Test) plainOffer() string {
	if t.diag == nil {
		return ""
	}
	return t.s.Results.Report.PlaintextOffer()
}

// plainWarning is what a user reads before choosing AUTH without TLS.
func plainWarning(tr *i18n.Printer, addr string) string {
	return tr.Tf("Warning: without encryption the password crosses the network readable by anyone on it. "+
		"%s is a private address: choose this only on a network you trust. It is saved as allow_plaintext_auth.", smtp.CleanLine(addr))
}

// fingerprintLines is a SHA-256 fingerprint (95 characters) on two lines
// of 16 bytes each, so that no screen of 60 columns or more cuts it.
func fingerprintLines(fp string) string {
	if len(fp) < 48 {
		return fp
	}
	return fp[:48] + "\n" + fp[48:]
}

// certLines are the facts a user compares before trusting a certificate.
func certLines(tr *i18n.Printer, c *smtp.CertInfo) []string {
	return []string{
		tr.Tf("Certificate: %s, issued by %s", smtp.CleanLine(c.Subject), smtp.CleanLine(c.Issuer)),
		tr.Tf("Valid %s to %s", c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly)),
		"SHA-256 " + c.SHA256,
		tr.T("Trust it only if the server's administrator confirms this fingerprint."),
	}
}

// editLabel names what Edit opens: the field at fault, else its part.
func (t *Test) editLabel() string {
	if f := t.diag.EditField(); f != smtp.FieldNone {
		return f.StringIn(t.s.Lang)
	}
	return t.diag.EditTarget().StringIn(t.s.Lang)
}

// choose carries out a way on.
func (t *Test) choose(c string) Outcome {
	switch c {
	case choiceApply:
		if t.diag == nil || t.diag.Suggestion == nil {
			return Outcome{}
		}
		t.s.Draft.Settings = t.diag.Suggestion.Apply(t.s.Draft.Settings)
		return t.start()
	case choiceRetry:
		return t.start()
	case choiceSend:
		if !t.canSend() {
			return Outcome{}
		}
		t.sendTo = t.s.Draft.Settings.From
		t.next = choiceOn
		return t.start()
	case choiceTrust:
		c := t.trustable()
		if c == nil {
			return Outcome{}
		}
		// Exactly this certificate, by its fingerprint, checked on every
		// later connection: never a skip-verify.
		t.s.Draft.Settings.TLSPinSHA256 = c.SHA256
		return t.start()
	case choicePlain:
		if t.plainOffer() == "" {
			return Outcome{}
		}
		// Asked for by name, after the warning; check honours it from the
		// config, and still only on a private address.
		t.s.Draft.Settings.AllowPlaintextAuth = true
		return t.start()
	case choiceEdit:
		to := SecurityStep
		if t.diag.EditTarget() == smtp.PartAccount {
			to = AccountStep
		}
		t.s.EditAt = t.diag.EditField()
		return Outcome{Action: Action{Kind: Goto, To: to}}
	case choiceSave:
		return Outcome{Action: Action{Kind: Next}}
	case choiceQuit:
		return Outcome{Action: Action{Kind: Quit}}
	}
	return Outcome{}
}

// Leave implements Flow.
func (t *Test) Leave() {}

// key is the test screen's keys; the line mode asks the same choices.
func (t *Test) key(c *Common, k tea.KeyPressMsg, working bool) (Outcome, bool) {
	km := c.Keys
	switch {
	case working && key.Matches(k, km.Cancel):
		return Outcome{Stop: true}, true
	case working:
		return Outcome{}, true
	case t.confirming():
		return Outcome{}, false // the code is typed into its field
	case t.mode == viewDetails:
		t.scrollKey(c, k)
		return Outcome{}, true
	case key.Matches(k, km.Details) && t.s.Results.Report != nil:
		t.mode, t.scroll = viewDetails, 0
		return Outcome{}, true
	case key.Matches(k, km.Continue):
		if t.state == testPassed {
			return Outcome{Action: Action{Kind: Next}}, true
		}
		return t.choose(t.defaultChoice()), true
	}
	if t.state == testPassed && k.String() == choiceSend && t.canSend() {
		return t.choose(choiceSend), true
	}
	for _, o := range t.choices() {
		if k.String() == o.Value && (t.state != testPassed || o.Value == choiceRetry) {
			return t.choose(o.Value), true
		}
	}
	return Outcome{}, true
}

func (t *Test) scrollKey(c *Common, k tea.KeyPressMsg) {
	switch {
	case key.Matches(k, c.Keys.Details), key.Matches(k, c.Keys.Back), key.Matches(k, c.Keys.Continue), key.Matches(k, c.Keys.Leave):
		t.mode = viewSummary
	case k.String() == "up" || k.String() == "k":
		t.scroll = max(t.scroll-1, 0)
	case key.Matches(k, c.Keys.Scroll):
		t.scroll++
	case k.String() == "pgup":
		t.scroll = max(t.scroll-t.room(c), 0)
	case k.String() == "pgdown":
		t.scroll += t.room(c)
	}
}

// keys lists exactly what key handles now.
func (t *Test) keys(c *Common, working bool) []key.Binding {
	km, tr := c.Keys, c.Lang
	switch {
	case working:
		return []key.Binding{km.Cancel}
	case t.mode == viewDetails:
		return []key.Binding{km.Scroll, km.PageScroll, plus(as(km.Details, tr.T("close details")), "t/esc/enter/q", "esc", "enter", "q")}
	case t.confirming():
		return nil // the form's keys
	case t.state == testPassed && t.canSend():
		return []key.Binding{as(km.Continue, tr.T("save")), km.Send, as(km.Retry, tr.T("test again")), km.Details}
	case t.state == testPassed:
		return []key.Binding{as(km.Continue, tr.T("save")), as(km.Retry, tr.T("test again")), km.Details}
	}
	details := km.Details
	details.SetEnabled(t.s.Results.Report != nil) // a stopped test has none
	// Enter takes the first way on; its key and help say so.
	ways := map[string]key.Binding{choiceApply: km.Apply, choiceEdit: km.Edit, choiceRetry: km.Retry}
	var out []key.Binding
	for _, c := range []string{choiceApply, choiceEdit, choiceRetry} {
		b := ways[c]
		switch {
		case c == t.defaultChoice():
			b = plus(b, "enter/"+c, "enter")
			out = append([]key.Binding{b}, out...)
		case c != choiceApply:
			out = append(out, b)
		}
	}
	if t.trustable() != nil {
		out = append(out, km.Trust)
	}
	if t.plainOffer() != "" {
		out = append(out, km.Plain)
	}
	return append(out, km.SaveAnyway, details, km.Leave)
}

// keysOnly: the screen offers the ways on as keys; only the code from the
// test message is typed into a field.
func (t *Test) keysOnly() bool { return !t.confirming() }

// capturing: Esc cancels a running test and closes the details.
func (t *Test) capturing(working bool) bool { return working || t.mode == viewDetails }

func (t *Test) view(c *Common, f frame) (string, bool) {
	if t.mode == viewDetails {
		return t.details(c), true
	}
	st, tr := c.Styles, c.Lang
	passed := st.Success.Render("✓ " + tr.T("Passed."))
	if t.confirming() && !f.working {
		return passed + " " + wrap(c, upperFirst(t.s.Results.Report.VerdictIn(tr))) + "\n\n" + f.form, true
	}
	var verdict string
	switch t.state {
	case testRunning:
		verdict = st.Subtle.Render(wrap(c, tr.Tf("Each stage may take up to %s. Esc cancels.", cmp.Or(t.s.Test.Timeout, smtp.DefaultStageTimeout))))
	case testPassed:
		verdict = wrap(c, passed+" "+tr.Tf("%s Press Enter to save.", upperFirst(t.s.Results.Report.VerdictIn(tr))))
		if t.canSend() {
			verdict += "\n" + wrap(c, tr.Tf("%s to send a test message to %s and confirm its code.", st.Key.Render(tr.T("Press m")), smtp.CleanLine(t.s.Draft.Settings.From)))
		}
	case testCancelled:
		verdict = wrap(c, st.Warning.Render("! "+tr.T("Cancelled."))+" "+tr.T("Nothing was decided; press r to test again."))
	case testFailed:
		verdict = t.diagnosis(c)
	}
	var b strings.Builder
	// What is tested, whole: a longer language may take two lines.
	testing := Wrap(t.testing(false), c.Width-2)
	room := bodyRows(c) - 3 - lipgloss.Height(testing) - lipgloss.Height(verdict)
	if room < 0 && t.state == testFailed {
		// A short screen: the diagnosis, its code, its fix and the keys
		// matter more than the stages (all of them are in the details).
		return verdict, true
	}
	b.WriteString(testing + "\n")
	if room >= len(t.plan) {
		b.WriteString("\n")
	}
	for _, l := range t.stageLines(c, f, room) {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n" + verdict)
	return b.String(), true
}

// stageLines draws the plan in at most room lines: once the test is over,
// stages that never ran give way first, then those that passed, so the
// diagnosis keeps the room it needs.
func (t *Test) stageLines(c *Common, f frame, room int) []string {
	var all, ran, failed []string
	passed := 0
	for _, stage := range t.plan {
		l := t.stageLine(c, f, stage)
		all = append(all, l)
		r, done := t.results[stage]
		switch {
		case done && r.OK:
			passed++
			ran = append(ran, l)
		case done:
			ran = append(ran, l)
			failed = append(failed, l)
		}
	}
	switch {
	case t.state == testRunning || len(all) <= room:
		return all
	case len(ran) <= room:
		return ran
	}
	return append([]string{c.Styles.Success.Render("  ✓") + " " + c.Lang.Tn(passed, "%d stage passed", "%d stages passed", passed)}, failed...)
}

func (t *Test) stageLine(c *Common, f frame, stage smtp.Stage) string {
	st := c.Styles
	// The labels make a column: 34 cells, or the longest label (a longer
	// language) while the screen leaves room for the times.
	col := 34
	for _, s := range t.plan {
		col = max(col, ansi.StringWidth(s.LabelIn(c.Lang)))
	}
	col = min(col, c.Width-14)
	label := clip(stage.LabelIn(c.Lang), col)
	label += strings.Repeat(" ", max(col-ansi.StringWidth(label), 0))
	r, done := t.results[stage]
	var l string
	switch {
	case done && r.OK:
		l = fmt.Sprintf("  %s %s %s  %s", st.Success.Render("✓"), label, st.Subtle.Render(fmt.Sprintf("%6s", r.Took())), clip(r.DetailIn(c.Lang), c.Width-16-col))
	case done:
		l = fmt.Sprintf("  %s %s %s", st.Error.Render("✗"), label, st.Subtle.Render(fmt.Sprintf("%6s", r.Took())))
	case stage == t.current && t.state == testRunning:
		l = fmt.Sprintf("  %s %s", f.spin, label)
	default:
		l = st.Subtle.Render("  · " + label)
	}
	return l
}

func (t *Test) diagnosis(c *Common) string {
	st := c.Styles
	d := t.diag
	tr := c.Lang
	title := wrap(c, st.Error.Render("✗ "+d.Title)+"  "+st.Subtle.Render("["+d.Code+"]"))
	said := ""
	if d.Reply != "" {
		// The server's own words, first line, cut to the screen; all of
		// them are in the details (t).
		words, more := strings.ReplaceAll(d.Reply, "\n", " "), ""
		if strings.Contains(d.Reply, "\n") {
			more = " " + tr.T("(t: all)")
		}
		label := tr.T("Server said:") + " "
		said = st.Subtle.Render(label) + clip(words, formWidth(c)-2-ansi.StringWidth(label)-ansi.StringWidth(more)) + st.Subtle.Render(more)
	}
	fixLabel := st.Title.Render(tr.T("Fix:") + " ")
	fix := wrap(c, fixLabel+d.Fix)
	var short string // the fix as a short screen shows it
	// What the keys offer ends the fix, and stays on the screen whatever
	// gives way.
	var offers []string
	if cert := t.trustable(); cert != nil {
		// The fingerprint is shown once, beside the offer to trust it;
		// a short screen leaves the subject and dates to the details (t).
		head := wrap(c, fixLabel+d.FixWithoutPin())
		offer := fingerprintLines(cert.SHA256) + "\n" + wrap(c, tr.Tf("%s to trust only this certificate, once its administrator confirms it.", st.Key.Render(tr.T("Press f"))))
		fix = head + "\n" + wrap(c, tr.Tf("Certificate %s, issued by %s, valid %s to %s, SHA-256:", smtp.CleanLine(cert.Subject), smtp.CleanLine(cert.Issuer),
			cert.NotBefore.Format(time.DateOnly), cert.NotAfter.Format(time.DateOnly))) + "\n" + offer
		short = head + "\n" + wrap(c, "SHA-256:") + "\n" + offer
		offers = append(offers, offer)
	}
	if d.Suggestion != nil {
		offers = append(offers, wrap(c, tr.Tf("%s to switch to %s and test again.", st.Key.Render(tr.T("Press Enter")), d.Suggestion.StringIn(tr))))
		fix += "\n" + offers[len(offers)-1]
	}
	if addr := t.plainOffer(); addr != "" {
		offers = append(offers, wrap(c, st.Warning.Render(plainWarning(tr, addr))+" "+tr.Tf("%s to log in without encryption.", st.Key.Render(tr.T("Press u")))))
		fix += "\n" + offers[len(offers)-1]
	}
	// The fix and the server's words matter most: on a short screen the
	// explanation gives way (it stays in the details), never the fix.
	parts := []string{title, wrap(c, d.Detail), said, fix}
	if countLines(parts...) > bodyRows(c)-3 {
		parts = []string{title, said, fix}
	}
	if countLines(parts...) > bodyRows(c)-3 && short != "" {
		parts = []string{title, said, short}
	}
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return keepEnds(st, strings.Join(out, "\n"), lipgloss.Height(title), countLines(offers...), bodyRows(c))
}

// keepEnds fits lines into limit rows by cutting the middle: the first top
// lines (the diagnosis and its code) and the last bottom lines (what the
// keys offer) stay, and "…" marks the cut.
func keepEnds(st *theme.Styles, s string, top, bottom, limit int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= limit || top+bottom > len(lines) {
		return s
	}
	mid := max(limit-top-bottom-1, 0)
	out := append(lines[:top:top], lines[top:top+mid]...)
	if top+mid+bottom < limit {
		out = append(out, st.Subtle.Render("…"))
	}
	out = append(out, lines[len(lines)-bottom:]...)
	if len(out) > limit { // the offers alone are too tall: their start gives way
		out = append(out[:top:top], out[len(out)-max(limit-top, 0):]...)
	}
	return strings.Join(out, "\n")
}

func countLines(parts ...string) int {
	n := 0
	for _, p := range parts {
		if p != "" {
			n += strings.Count(p, "\n") + 1
		}
	}
	return n
}

// details shows what the server is and the transcript, cut to the screen.
func (t *Test) details(c *Common) string {
	st, tr := c.Styles, c.Lang
	rep := t.s.Results.Report
	// The labels make a column as wide as the longest, in any language.
	greeting, exts, tlsL, network := tr.T("Greeting:"), tr.T("Extensions:"), tr.T("TLS:"), tr.T("Network:")
	col := 0
	for _, l := range []string{greeting, exts, tlsL, network} {
		col = max(col, ansi.StringWidth(l)+1)
	}
	pad := func(l string) string { return l + strings.Repeat(" ", col-ansi.StringWidth(l)) }
	var out []string
	out = append(out, st.Title.Render(tr.T("Server")))
	if rep.Server.Greeting != "" {
		out = append(out, pad(greeting)+rep.Server.Banner())
	}
	if len(rep.Server.Extensions) > 0 {
		out = append(out, pad(exts)+strings.Join(rep.Server.Extensions, ", "))
	}
	if tls := rep.Server.TLS; tls != nil {
		out = append(out, pad(tlsL)+tls.Version+", "+tls.Cipher)
		if cert := tls.Certificate; cert != nil {
			out = append(out, tr.Tf("Certificate: %s (issuer %s)", cert.Subject, cert.Issuer),
				"  "+tr.Tf("valid %s to %s, names %s", cert.NotBefore.Format(time.DateOnly), cert.NotAfter.Format(time.DateOnly), strings.Join(cert.Names, " ")),
				"  SHA-256 "+cert.SHA256)
		}
	}
	for _, n := range rep.NetworkLinesIn(tr) {
		out = append(out, pad(network)+n)
	}
	out = append(out, "", st.Title.Render(tr.T("Transcript"))+st.Subtle.Render(" "+tr.T("(passwords masked)")))
	for _, l := range rep.Transcript {
		out = append(out, l.String())
	}
	room := t.room(c)
	t.scroll = max(min(t.scroll, len(out)-room), 0)
	if len(out) > room {
		out = out[t.scroll : t.scroll+room]
	}
	for i, l := range out {
		out[i] = clip(l, c.Width-2)
	}
	return strings.Join(out, "\n")
}

// room is how many lines of details fit under the header and over the help.
func (t *Test) room(c *Common) int { return max(bodyRows(c), 4) }
