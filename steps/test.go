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

	"smtpsetup/smtp"
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
func (t *Test) Title() string { return "Live test" }

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
	return "Send a test message to " + smtp.CleanLine(t.s.Draft.Settings.From) + " and confirm its code"
}

// canSend reports whether a test message can be offered: a passed test,
// none sent yet, and a From address to send it to.
func (t *Test) canSend() bool {
	rep := t.s.Results.Report
	return t.state == testPassed && rep != nil && rep.Sent == nil && t.s.Draft.Settings.From != ""
}

// choices are the ways on after the test, best first.
func (t *Test) choices() []Option {
	var out []Option
	if t.diag != nil && t.diag.Suggestion != nil {
		out = append(out, Option{"Apply the fix: switch to " + t.diag.Suggestion.String() + " and test again", choiceApply})
	}
	if c := t.trustable(); c != nil {
		out = append(out, Option{"Trust this certificate (SHA-256 " + c.SHA256[:23] + "…) and test again", choiceTrust})
	}
	if t.plainOffer() != "" {
		out = append(out, Option{"Log in without encryption on this private network, and test again", choicePlain})
	}
	return append(out,
		Option{"Edit the " + t.editLabel(), choiceEdit},
		Option{"Test again", choiceRetry},
		Option{"Save anyway", choiceSave},
		Option{"Quit without saving", choiceQuit},
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
	switch t.state {
	case testPassed:
		intro := append(t.networkNotes(), "Passed. "+upperFirst(t.s.Results.Report.Verdict()))
		switch {
		case t.confirming():
			sent := t.s.Results.Report.Sent
			return Page{Intro: intro, Fields: []Field{{
				Kind: TextField, Title: "Code from the test message",
				Description: "The message to " + smtp.CleanLine(sent.To) + " has a 6-character code in its subject. Type it to confirm delivery; leave empty to skip.",
				Limit:       32, Value: &t.code, Check: t.checkCode,
			}}}
		case t.canSend():
			return Page{Intro: intro, Fields: []Field{{Kind: ChoiceField, Title: "What next?", Value: &t.next,
				Options: []Option{{"Save the settings", choiceOn}, {t.sendLabel(), choiceSend}}}}}
		}
		return Page{Intro: intro}
	case testRunning:
		set := t.s.Draft.Settings
		who := ""
		if set.Username != "" {
			who = " as " + smtp.CleanLine(set.Username)
		}
		return Page{Intro: []string{fmt.Sprintf("Testing %s (%s)%s; each stage may take up to %s.",
			smtp.CleanLine(set.Address()), set.Security.Label(), who, cmp.Or(t.s.Test.Timeout, smtp.DefaultStageTimeout))}}
	}
	var intro []string
	if t.state == testCancelled {
		intro = []string{"Cancelled. Nothing was decided."}
	} else {
		d := t.diag
		fix := d.Fix
		if t.trustable() != nil {
			fix = d.FixWithoutPin() // the fingerprint follows, once
		}
		intro = append(append([]string{"Failed: " + d.Title + " [" + d.Code + "]", d.Detail}, d.ReplyLines()...), "Fix: "+fix)
		if c := t.trustable(); c != nil {
			intro = append(intro, certLines(c)...)
		}
		if addr := t.plainOffer(); addr != "" {
			intro = append(intro, plainWarning(addr))
		}
	}
	intro = append(t.networkNotes(), intro...)
	return Page{Intro: intro, Fields: []Field{{Kind: ChoiceField, Title: "What next?", Options: t.choices(), Value: &t.next}}}
}

// networkNotes are what the test learned about the network, as notes.
func (t *Test) networkNotes() []string {
	var out []string
	if rep := t.s.Results.Report; rep != nil {
		for _, n := range rep.NetworkLines() {
			out = append(out, "Note: "+n)
		}
	}
	return out
}

// checkCode accepts an empty answer (skip) or the message's code.
func (t *Test) checkCode(v string) error {
	if strings.TrimSpace(v) == "" || t.s.Results.Report.Sent.Confirm(v) {
		return nil
	}
	return errors.New("code does not match the one sent: type the 6 characters from the subject, or leave it empty to skip")
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
func plainWarning(addr string) string {
	return "Warning: without encryption the password crosses the network readable by anyone on it. " +
		smtp.CleanLine(addr) + " is a private address: choose this only on a network you trust. It is saved as allow_plaintext_auth."
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
func certLines(c *smtp.CertInfo) []string {
	return []string{
		"Certificate: " + smtp.CleanLine(c.Subject) + ", issued by " + smtp.CleanLine(c.Issuer),
		"Valid " + c.NotBefore.Format(time.DateOnly) + " to " + c.NotAfter.Format(time.DateOnly),
		"SHA-256 " + c.SHA256,
		"Trust it only if the server's administrator confirms this fingerprint.",
	}
}

// editLabel names what Edit opens: the field at fault, else its part.
func (t *Test) editLabel() string {
	if f := t.diag.EditField(); f != smtp.FieldNone {
		return f.String()
	}
	return t.diag.EditTarget().String()
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
	km := c.Keys
	switch {
	case working:
		return []key.Binding{km.Cancel}
	case t.mode == viewDetails:
		return []key.Binding{km.Scroll, km.PageScroll, plus(as(km.Details, "close details"), "t/esc/enter/q", "esc", "enter", "q")}
	case t.confirming():
		return nil // the form's keys
	case t.state == testPassed && t.canSend():
		return []key.Binding{as(km.Continue, "save"), km.Send, as(km.Retry, "test again"), km.Details}
	case t.state == testPassed:
		return []key.Binding{as(km.Continue, "save"), as(km.Retry, "test again"), km.Details}
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
	if t.confirming() && !f.working {
		return c.Styles.Success.Render("✓ Passed.") + " " + wrap(c, upperFirst(t.s.Results.Report.Verdict())) + "\n\n" + f.form, true
	}
	st := c.Styles
	s := t.s.Draft.Settings
	who := ""
	if s.Username != "" {
		who = " as " + smtp.CleanLine(s.Username)
	}
	var verdict string
	switch t.state {
	case testRunning:
		verdict = st.Subtle.Render(wrap(c, fmt.Sprintf("Each stage may take up to %s. Esc cancels.", cmp.Or(t.s.Test.Timeout, smtp.DefaultStageTimeout))))
	case testPassed:
		verdict = wrap(c, st.Success.Render("✓ Passed.")+" "+upperFirst(t.s.Results.Report.Verdict())+" Press Enter to save.")
		if t.canSend() {
			verdict += "\n" + wrap(c, st.Key.Render("Press m")+" to send a test message to "+smtp.CleanLine(t.s.Draft.Settings.From)+" and confirm its code.")
		}
	case testCancelled:
		verdict = wrap(c, st.Warning.Render("! Cancelled.")+" Nothing was decided; press r to test again.")
	case testFailed:
		verdict = t.diagnosis(c)
	}
	var b strings.Builder
	room := c.Height - 9 - lipgloss.Height(verdict)
	if room < 0 && t.state == testFailed {
		// A short screen: the diagnosis, its code, its fix and the keys
		// matter more than the stages (all of them are in the details).
		return verdict, true
	}
	b.WriteString(clip(fmt.Sprintf("Testing %s (%s)%s", smtp.CleanLine(s.Address()), s.Security.Label(), who), c.Width-2) + "\n")
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
	return append([]string{c.Styles.Success.Render("  ✓") + fmt.Sprintf(" %d stages passed", passed)}, failed...)
}

func (t *Test) stageLine(c *Common, f frame, stage smtp.Stage) string {
	st := c.Styles
	label := fmt.Sprintf("%-34s", stage.Label())
	r, done := t.results[stage]
	switch {
	case done && r.OK:
		return fmt.Sprintf("  %s %s %s  %s", st.Success.Render("✓"), label, st.Subtle.Render(fmt.Sprintf("%6s", r.Took())), clip(r.Detail, c.Width-50))
	case done:
		return fmt.Sprintf("  %s %s %s", st.Error.Render("✗"), label, st.Subtle.Render(fmt.Sprintf("%6s", r.Took())))
	case stage == t.current && t.state == testRunning:
		return fmt.Sprintf("  %s %s", f.spin, label)
	}
	return st.Subtle.Render("  · " + label)
}

func (t *Test) diagnosis(c *Common) string {
	st := c.Styles
	d := t.diag
	title := wrap(c, st.Error.Render("✗ "+d.Title)+"  "+st.Subtle.Render("["+d.Code+"]"))
	said := ""
	if d.Reply != "" {
		// The server's own words, first line, cut to the screen; all of
		// them are in the details (t).
		words, more := strings.ReplaceAll(d.Reply, "\n", " "), ""
		if strings.Contains(d.Reply, "\n") {
			more = " (t: all)"
		}
		said = st.Subtle.Render("Server said: ") + clip(words, formWidth(c)-15-len(more)) + st.Subtle.Render(more)
	}
	fix := wrap(c, st.Title.Render("Fix: ")+d.Fix)
	var short string // the fix as a short screen shows it
	if cert := t.trustable(); cert != nil {
		// The fingerprint is shown once, beside the offer to trust it;
		// a short screen leaves the subject and dates to the details (t).
		head := wrap(c, st.Title.Render("Fix: ")+d.FixWithoutPin())
		offer := fingerprintLines(cert.SHA256) + "\n" + wrap(c, st.Key.Render("Press f")+" to trust only this certificate, once its administrator confirms it.")
		fix = head + "\n" + wrap(c, "Certificate "+smtp.CleanLine(cert.Subject)+", issued by "+smtp.CleanLine(cert.Issuer)+", valid "+
			cert.NotBefore.Format(time.DateOnly)+" to "+cert.NotAfter.Format(time.DateOnly)+", SHA-256:") + "\n" + offer
		short = head + "\n" + wrap(c, "SHA-256:") + "\n" + offer
	}
	if d.Suggestion != nil {
		fix += "\n" + wrap(c, st.Key.Render("Press Enter")+" to switch to "+d.Suggestion.String()+" and test again.")
	}
	if addr := t.plainOffer(); addr != "" {
		fix += "\n" + wrap(c, st.Warning.Render(plainWarning(addr))+" "+st.Key.Render("Press u")+" to log in without encryption.")
	}
	// The fix and the server's words matter most: on a short screen the
	// explanation gives way (it stays in the details), never the fix.
	parts := []string{title, wrap(c, d.Detail), said, fix}
	if countLines(parts...) > c.Height-8 {
		parts = []string{title, said, fix}
	}
	if countLines(parts...) > c.Height-8 && short != "" {
		parts = []string{title, said, short}
	}
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
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
	st := c.Styles
	rep := t.s.Results.Report
	var out []string
	out = append(out, st.Title.Render("Server"))
	if rep.Server.Greeting != "" {
		out = append(out, "Greeting:   "+rep.Server.Banner())
	}
	if len(rep.Server.Extensions) > 0 {
		out = append(out, "Extensions: "+strings.Join(rep.Server.Extensions, ", "))
	}
	if tls := rep.Server.TLS; tls != nil {
		out = append(out, "TLS:        "+tls.Version+", "+tls.Cipher)
		if cert := tls.Certificate; cert != nil {
			out = append(out, "Certificate: "+cert.Subject+" (issuer "+cert.Issuer+")",
				"  valid "+cert.NotBefore.Format(time.DateOnly)+" to "+cert.NotAfter.Format(time.DateOnly)+", names "+strings.Join(cert.Names, " "),
				"  SHA-256 "+cert.SHA256)
		}
	}
	for _, n := range rep.NetworkLines() {
		out = append(out, "Network:    "+n)
	}
	out = append(out, "", st.Title.Render("Transcript")+st.Subtle.Render(" (passwords masked)"))
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
func (t *Test) room(c *Common) int { return max(c.Height-5, 4) }
