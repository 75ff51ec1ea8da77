package steps

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"smtpsetup/smtp"
)

// testState is where the live test stands.
type testState int

const (
	testRunning testState = iota
	testPassed
	testFailed
	testCancelled
	testDetails // showing the transcript and server facts
)

func (s testState) String() string {
	return [...]string{"running", "passed", "failed", "cancelled", "details"}[s]
}

// Messages from the running test. run identifies the test, so the events
// of a cancelled test cannot land on the next one.
type (
	testEventMsg struct {
		run int
		ev  smtp.Event
		ch  <-chan tea.Msg
	}
	testDoneMsg struct {
		run int
		rep *smtp.Report
	}
)

// Test is the live test: each stage appears as it runs, with a spinner,
// then a mark and its duration. A failure shows the diagnosis and the way
// out: the suggested fix on Enter, edit, retry, save anyway or quit. It
// never retries by itself, since failed logins can lock an account.
type Test struct {
	d       *Draft
	c       *Common
	state   testState
	back    testState // the state to return to from details
	run     int
	cancel  context.CancelFunc
	plan    []smtp.Stage
	results map[smtp.Stage]smtp.StageResult
	current smtp.Stage
	spin    spinner.Model
	diag    *smtp.Diagnosis
	scroll  int // first line shown in the details
}

// Title implements Step.
func (t *Test) Title() string { return "Live test" }

// Skip implements Step.
func (t *Test) Skip(*Draft) bool { return false }

// Enter implements Step: the test starts at once.
func (t *Test) Enter(d *Draft, c *Common) tea.Cmd {
	t.d, t.c = d, c
	t.spin = spinner.New(spinner.WithSpinner(spinner.Line), spinner.WithStyle(c.Styles.Title))
	return t.start()
}

func (t *Test) start() tea.Cmd {
	t.stop()
	t.run++
	run := t.run
	t.state, t.diag, t.current = testRunning, nil, ""
	t.plan = smtp.Plan(t.d.Settings, t.d.Test)
	t.results = map[smtp.Stage]smtp.StageResult{}
	ctx, cancel := context.WithCancel(t.d.Ctx)
	t.cancel = cancel
	settings, opts := t.d.Settings, t.d.Test
	opts.Provider = t.d.Provider
	size := 2*len(t.plan) + 1 // a start and an end per stage, and the report: sends never block
	launch := func() tea.Msg {
		ch := make(chan tea.Msg, size)
		opts.Progress = func(e smtp.Event) { ch <- testEventMsg{run: run, ev: e, ch: ch} }
		go func() {
			rep := smtp.Test(ctx, settings, opts)
			ch <- testDoneMsg{run: run, rep: rep}
			close(ch)
		}()
		return <-ch
	}
	return tea.Batch(t.spin.Tick, launch)
}

func next(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		if m, ok := <-ch; ok {
			return m
		}
		return nil
	}
}

func (t *Test) stop() {
	if t.cancel != nil {
		t.cancel()
		t.cancel = nil
	}
}

// Update implements Step.
func (t *Test) Update(msg tea.Msg) (Action, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if t.state != testRunning {
			return Action{}, nil
		}
		var cmd tea.Cmd
		t.spin, cmd = t.spin.Update(msg)
		return Action{}, cmd
	case testEventMsg:
		if msg.run != t.run {
			return Action{}, nil
		}
		if msg.ev.Done {
			t.results[msg.ev.Stage] = msg.ev.Result
		} else {
			t.current = msg.ev.Stage
		}
		return Action{}, next(msg.ch)
	case testDoneMsg:
		if msg.run != t.run {
			return Action{}, nil
		}
		t.finish(msg.rep)
		return Action{}, nil
	case tea.KeyPressMsg:
		return t.key(msg.String())
	}
	return Action{}, nil
}

func (t *Test) finish(rep *smtp.Report) {
	t.cancel = nil
	t.d.Report = rep
	t.d.Test.Tried = smtp.Remember(t.d.Test.Tried, rep) // a suggestion never sends the user back
	t.current = ""
	for _, r := range rep.Stages {
		t.results[r.Stage] = r
	}
	switch {
	case rep.OK:
		t.state = testPassed
	case rep.Failure.Kind == smtp.KindCancelled:
		t.state = testCancelled
	default:
		t.state = testFailed
		t.diag = smtp.Diagnose(rep, t.d.Provider)
	}
}

func (t *Test) key(k string) (Action, tea.Cmd) {
	if t.state == testRunning {
		if k == "esc" {
			t.stop() // the engine closes the connection; testDoneMsg follows
		}
		return Action{}, nil
	}
	if t.state == testDetails {
		switch k {
		case "t", "esc", "enter", "q":
			t.state = t.back
		case "up", "k":
			t.scroll = max(t.scroll-1, 0)
		case "down", "j", "space":
			t.scroll++
		case "pgup":
			t.scroll = max(t.scroll-t.room(), 0)
		case "pgdown":
			t.scroll += t.room()
		}
		return Action{}, nil
	}
	switch k {
	case "enter":
		switch {
		case t.state == testPassed:
			return Action{Kind: Next}, nil
		case t.diag != nil && t.diag.Suggestion != nil:
			return t.applySuggestion()
		case t.diag != nil && t.diag.Transient:
			// A temporary refusal: the settings may be right, so Enter
			// tests again instead of opening them.
			return Action{}, t.start()
		}
		return Action{Kind: Goto, To: t.editTarget()}, nil
	case "a":
		if t.diag != nil && t.diag.Suggestion != nil {
			return t.applySuggestion()
		}
	case "r":
		return Action{}, t.start()
	case "e":
		return Action{Kind: Goto, To: t.editTarget()}, nil
	case "s":
		return Action{Kind: Next}, nil
	case "q":
		return Action{Kind: Quit}, nil
	case "t":
		t.back, t.state, t.scroll = t.state, testDetails, 0
	}
	return Action{}, nil
}

func (t *Test) applySuggestion() (Action, tea.Cmd) {
	t.d.Settings = t.diag.Suggestion.Apply(t.d.Settings)
	return Action{}, t.start()
}

// editTarget is the step that holds what most likely needs changing.
func (t *Test) editTarget() ID {
	if t.diag != nil && (strings.HasPrefix(t.diag.Code, "auth.") || strings.HasPrefix(t.diag.Code, "send.")) {
		return AccountStep
	}
	return SecurityStep
}

// Leave implements Step: going back cancels a running test.
func (t *Test) Leave() { t.stop() }

// Capturing implements Step: Esc cancels a running test and closes details.
func (t *Test) Capturing() bool { return t.state == testRunning || t.state == testDetails }

// View implements Step.
func (t *Test) View() string {
	if t.state == testDetails {
		return t.details()
	}
	st := t.c.Styles
	s := t.d.Settings
	var b strings.Builder
	who := ""
	if s.Username != "" {
		who = " as " + smtp.CleanLine(s.Username)
	}
	fmt.Fprintf(&b, "Testing %s (%s)%s\n\n", smtp.CleanLine(s.Address()), s.Security.Label(), who)
	for _, stage := range t.plan {
		b.WriteString(t.stageLine(stage) + "\n")
	}
	b.WriteString("\n")
	switch t.state {
	case testRunning:
		b.WriteString(st.Subtle.Render(fmt.Sprintf("Each stage may take up to %s. Esc cancels.", cmp.Or(t.d.Test.Timeout, smtp.DefaultStageTimeout))))
	case testPassed:
		b.WriteString(st.Success.Render("✓ Passed.") + " " + t.passedSummary())
	case testCancelled:
		b.WriteString(st.Warning.Render("! Cancelled.") + " Nothing was decided; press r to test again.")
	case testFailed:
		b.WriteString(t.diagnosis())
	}
	return b.String()
}

func (t *Test) passedSummary() string {
	s := "The server accepted "
	if t.d.Settings.Username != "" {
		s += "the login"
	} else {
		s += "the connection"
	}
	if rep := t.d.Report; rep != nil && rep.Sent != nil {
		s += fmt.Sprintf(" and the test message (code %s)", rep.Sent.Code)
	}
	return s + ". Press Enter to save."
}

func (t *Test) stageLine(stage smtp.Stage) string {
	st := t.c.Styles
	label := fmt.Sprintf("%-34s", stage.Label())
	r, done := t.results[stage]
	switch {
	case done && r.OK:
		return fmt.Sprintf("  %s %s %s  %s", st.Success.Render("✓"), label, st.Subtle.Render(fmt.Sprintf("%6s", r.Took())), t.clip(r.Detail, 28))
	case done:
		return fmt.Sprintf("  %s %s %s", st.Error.Render("✗"), label, st.Subtle.Render(fmt.Sprintf("%6s", r.Took())))
	case stage == t.current && t.state == testRunning:
		return fmt.Sprintf("  %s %s", t.spin.View(), label)
	}
	return st.Subtle.Render("  · " + label)
}

// clipTo cuts s to n runes with an ellipsis.
func (t *Test) clipTo(s string, n int) string {
	if r := []rune(s); n > 0 && len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (t *Test) clip(s string, n int) string {
	n = max(min(n, t.c.Width-50), 0)
	if r := []rune(s); len(r) > n {
		if n == 0 {
			return ""
		}
		return string(r[:n-1]) + "…"
	}
	return s
}

func (t *Test) diagnosis() string {
	st := t.c.Styles
	d := t.diag
	title := st.Error.Render("✗ "+d.Title) + "  " + st.Subtle.Render("["+d.Code+"]")
	detail := wrap(t.c, d.Detail)
	said := ""
	if d.Reply != "" {
		// The server's own words, first line, cut to the screen; all of
		// them are in the details (t).
		words, more := strings.ReplaceAll(d.Reply, "\n", " "), ""
		if strings.Contains(d.Reply, "\n") {
			more = " (t: all)"
		}
		said = st.Subtle.Render("Server said: ") + t.clipTo(words, formWidth(t.c)-15-len(more)) + st.Subtle.Render(more)
	}
	fix := st.Title.Render("Fix: ") + wrap(t.c, d.Fix)
	if d.Suggestion != nil {
		fix += "\n" + st.Key.Render("Press Enter") + " to switch to " + d.Suggestion.String() + " and test again."
	}
	// The fix and the server's words matter most: on a short screen the
	// explanation gives way (it stays in the details), never the fix.
	parts := []string{title, detail, said, fix}
	if lines(parts...) > t.diagRoom() {
		parts = []string{title, said, fix}
	}
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}

// diagRoom is how many lines the diagnosis has under the stages: the screen
// less the wizard's header and footer (3), the test's own header (2) and the
// stage list with the blank line after it.
func (t *Test) diagRoom() int { return t.c.Height - 3 - 2 - len(t.plan) - 1 }

func lines(parts ...string) int {
	n := 0
	for _, p := range parts {
		if p != "" {
			n += strings.Count(p, "\n") + 1
		}
	}
	return n
}

// details shows what the server is and the transcript, cut to the screen.
func (t *Test) details() string {
	st := t.c.Styles
	rep := t.d.Report
	var lines []string
	lines = append(lines, st.Title.Render("Server"))
	if rep.Server.Greeting != "" {
		lines = append(lines, "Greeting:   "+rep.Server.Banner())
	}
	if len(rep.Server.Extensions) > 0 {
		lines = append(lines, "Extensions: "+strings.Join(rep.Server.Extensions, ", "))
	}
	if tls := rep.Server.TLS; tls != nil {
		lines = append(lines, "TLS:        "+tls.Version+", "+tls.Cipher)
		if c := tls.Certificate; c != nil {
			lines = append(lines, "Certificate: "+c.Subject+" (issuer "+c.Issuer+")",
				"  valid "+c.NotBefore.Format(time.DateOnly)+" to "+c.NotAfter.Format(time.DateOnly)+", names "+strings.Join(c.Names, " "),
				"  SHA-256 "+c.SHA256)
		}
	}
	for _, n := range rep.NetworkLines() {
		lines = append(lines, "Network:    "+n)
	}
	lines = append(lines, "", st.Title.Render("Transcript")+st.Subtle.Render(" (passwords masked)"))
	for _, l := range rep.Transcript {
		lines = append(lines, l.String())
	}
	room := t.room()
	t.scroll = max(min(t.scroll, len(lines)-room), 0)
	if len(lines) > room {
		lines = lines[t.scroll : t.scroll+room]
	}
	for i, l := range lines {
		if r := []rune(l); len(r) > t.c.Width-2 && t.c.Width > 3 {
			lines[i] = string(r[:t.c.Width-3]) + "…"
		}
	}
	return strings.Join(lines, "\n")
}

// room is how many lines of details fit under the header and over the help.
func (t *Test) room() int { return max(t.c.Height-5, 4) }

// Keys implements Step.
func (t *Test) Keys() []key.Binding {
	b := func(k, desc string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc)) }
	switch t.state {
	case testRunning:
		return []key.Binding{b("esc", "cancel the test")}
	case testDetails:
		return []key.Binding{b("↑/↓", "scroll"), b("t", "close details")}
	case testPassed:
		return []key.Binding{b("enter", "save"), b("r", "test again"), b("t", "details")}
	}
	if t.diag != nil && t.diag.Suggestion != nil {
		return []key.Binding{b("enter", "apply fix"), b("e", "edit"), b("r", "retry"), b("s", "save anyway"), b("t", "details"), b("q", "quit")}
	}
	if t.diag != nil && t.diag.Transient {
		return []key.Binding{b("enter/r", "test again"), b("e", "edit"), b("s", "save anyway"), b("t", "details"), b("q", "quit")}
	}
	return []key.Binding{b("enter/e", "edit"), b("r", "retry"), b("s", "save anyway"), b("t", "details"), b("q", "quit")}
}

// Typing implements Step.
func (t *Test) Typing() bool { return false }
