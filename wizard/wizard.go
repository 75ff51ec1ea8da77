// Package wizard is the interactive program: it owns navigation (next,
// back, quit), the chrome around each step (title, "Step n of 6", key
// help), the terminal size and the styles. The steps themselves live in
// package steps and never call each other; the plain line mode
// (linemode.go) draws the same steps as numbered questions.
package wizard

import (
	"context"
	"fmt"
	"image/color"
	"strings"

	"charm.land/bubbles/v2/cursor"
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"smtpsetup/steps"
	"smtpsetup/theme"
)

// Minimum size the wizard lays itself out for; below it, it asks the user
// to enlarge the terminal rather than draw a broken screen.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Outcome is how the wizard ended.
type Outcome int

// The ways a wizard run ends.
const (
	Quit  Outcome = iota // the user left without saving
	Saved                // a config file was written
)

func (o Outcome) String() string { return [...]string{"quit", "saved"}[o] }

// Model is the wizard's Bubble Tea model.
type Model struct {
	// ctx is the run's context: Bubble Tea calls Update without one, so
	// the model holds the root and hands it to each step as a parameter.
	ctx     context.Context
	steps   []steps.Step
	cur     int
	session *steps.Session
	common  *steps.Common
	help    help.Model
	title   string
	accent  color.Color
	asking  bool // "Quit without saving?" is showing
	touched bool // a key reached a step: quitting now loses input
	outcome Outcome

	// Keys typed right after Enter are held until the focus has moved:
	// huh moves focus through a command, and a key that arrives first
	// would land in the field just left.
	holding bool
	held    []tea.KeyPressMsg

	notes    []string // shown under the header until the next step change
	fullHelp bool     // ? shows every key
}

// keysReleasedMsg ends a hold: the focus change has been applied.
type keysReleasedMsg struct{}

// New builds the wizard for a session. title brands the header.
func New(ctx context.Context, s *steps.Session, title string, accent color.Color) *Model {
	if title == "" {
		title = "smtpsetup"
	}
	st := theme.New(accent)
	h := help.New()
	h.Styles.ShortKey, h.Styles.FullKey = st.Key, st.Key
	h.Styles.ShortDesc, h.Styles.FullDesc = st.KeyDesc, st.KeyDesc
	h.Styles.ShortSeparator, h.Styles.FullSeparator = st.Subtle, st.Subtle
	h.ShortSeparator = " · "
	return &Model{
		ctx:     ctx,
		steps:   steps.All(),
		session: s,
		title:   title,
		accent:  accent,
		common:  steps.NewCommon(80, 24, st, s.Lang),
		help:    h,
	}
}

// Outcome reports how the run ended, once the program has exited.
func (m *Model) Outcome() Outcome { return m.outcome }

// Init implements tea.Model. It sends no terminal query: the palette reads
// well on dark and light backgrounds alike, and a query a serial console
// never answers, or one still in flight when the user quits at once, would
// leave its reply in the shell.
func (m *Model) Init() tea.Cmd {
	m.cur = m.firstFrom(0, 1)
	return m.enter()
}

func (m *Model) step() steps.Step { return m.steps[m.cur] }

// enter makes the current step show itself; notes the previous step left
// in the draft are shown with it.
func (m *Model) enter() tea.Cmd {
	m.notes, m.session.Notes = m.session.Notes, nil
	return m.step().Enter(m.ctx, m.session, m.common)
}

// firstFrom finds the first step at or after i (dir 1) or before it (dir
// -1) that applies to the draft.
func (m *Model) firstFrom(i, dir int) int {
	for ; i >= 0 && i < len(m.steps); i += dir {
		if !m.steps[i].Skip(m.session) {
			return i
		}
	}
	return -1
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.common.Width, m.common.Height = max(msg.Width, 0), max(msg.Height, 0)
		m.common.Rows = m.common.Height - 2 - lipgloss.Height(m.footer()) // the step lays its form out in it
	case keysReleasedMsg:
		return m, m.release()
	case cursor.BlinkMsg:
		// A steady cursor: a blinking one redraws twice a second, which
		// costs a serial console bandwidth while nobody types.
		return m, nil
	case tea.KeyPressMsg:
		if m.holding {
			m.held = append(m.held, msg)
			return m, nil
		}
		if cmd, handled := m.key(msg); handled {
			return m, cmd
		}
		m.touched = true
	}
	if m.asking {
		return m, nil
	}
	cur := m.cur
	act, cmd := m.step().Update(m.ctx, msg)
	if k, ok := msg.(tea.KeyPressMsg); ok && cmd != nil && act.Kind == steps.Stay && cur == m.cur && movesFocus(k) {
		m.holding = true
		return m, tea.Sequence(cmd, func() tea.Msg { return keysReleasedMsg{} })
	}
	return m, tea.Batch(cmd, m.apply(act))
}

func movesFocus(k tea.KeyPressMsg) bool {
	switch k.String() {
	case "enter", "tab", "shift+tab":
		return true
	}
	return false
}

// release replays the keys held during a focus change, in order; a held
// Enter may start a new hold, which keeps the rest.
func (m *Model) release() tea.Cmd {
	m.holding = false
	var cmds []tea.Cmd
	for len(m.held) > 0 && !m.holding {
		k := m.held[0]
		m.held = m.held[1:]
		_, cmd := m.Update(k)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// key handles the wizard's own keys first: Ctrl-C always works, Esc means
// back unless the step uses it.
func (m *Model) key(k tea.KeyPressMsg) (tea.Cmd, bool) {
	km := m.common.Keys
	if m.asking {
		switch k.String() {
		case "y", "Y", "ctrl+c":
			return m.quit(), true
		case "n", "N", "esc", "enter":
			m.asking = false
		}
		return nil, true
	}
	if m.fullHelp {
		// Any key closes the help; Ctrl-C still quits, as everywhere.
		m.fullHelp = false
		if !key.Matches(k, km.Quit) {
			return nil, true
		}
	}
	switch {
	case key.Matches(k, km.Help):
		if m.step().Typing() {
			return nil, false
		}
		m.fullHelp = true
		return nil, true
	case key.Matches(k, km.Quit):
		if m.session.Results.Saved != nil {
			m.outcome = Saved
			return tea.Quit, true
		}
		if !m.touched && m.cur == m.firstFrom(0, 1) {
			return m.quit(), true
		}
		m.asking = true
		return nil, true
	case key.Matches(k, km.Back):
		if m.step().Capturing() {
			return nil, false
		}
		return m.apply(steps.Action{Kind: steps.Back}), true
	}
	return nil, false
}

func (m *Model) quit() tea.Cmd {
	m.step().Leave()
	return tea.Quit
}

// apply carries out a step's action.
func (m *Model) apply(a steps.Action) tea.Cmd {
	switch a.Kind {
	case steps.Next:
		if i := m.firstFrom(m.cur+1, 1); i >= 0 {
			m.cur = i
			return m.enter()
		}
	case steps.Back:
		if i := m.firstFrom(m.cur-1, -1); i >= 0 {
			m.step().Leave()
			m.cur = i
			return m.enter()
		}
	case steps.Goto:
		m.step().Leave()
		m.cur = int(a.To)
		return m.enter()
	case steps.Quit:
		m.asking = true
	case steps.Done:
		m.outcome = Saved
		return tea.Quit
	}
	return nil
}

// View implements tea.Model.
// View implements tea.Model.
func (m *Model) View() tea.View { return tea.NewView(m.render()) }

func (m *Model) render() string {
	w, h := m.common.Width, m.common.Height
	st, tr := m.common.Styles, m.common.Lang
	if w < MinWidth || h < MinHeight {
		return fit(tr.Tf("Please enlarge the terminal to at least %dx%d (now %dx%d).\nCtrl-C quits.", MinWidth, MinHeight, w, h), w, h)
	}
	n, total := steps.Position(m.steps, m.session, m.cur)
	header := m.header(n, total)
	footer := m.footer()
	m.common.Rows = h - 2 - lipgloss.Height(footer) // the steps lay themselves out in it
	var body string
	switch {
	case m.asking:
		body = st.Box.Render(tr.T("Quit without saving?") + "\n\n" + tr.Tf("%s quit   %s keep going", st.Key.Render("y"), st.Key.Render("n")))
	case m.fullHelp:
		body = m.helpScreen()
	default:
		body = m.step().View()
		for _, n := range m.notes {
			body = st.Subtle.Render(tr.Tf("Note: %s", n)) + "\n" + body
		}
	}
	room := m.common.Rows
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	if len(lines) > room {
		lines = lines[:room]
	}
	for len(lines) < room {
		lines = append(lines, "")
	}
	return header + "\n\n" + strings.Join(lines, "\n") + "\n" + footer
}

// header is the brand and where the user is: "Step 4 of 6: Save", or in
// a language too long for the width "4/6: Save", else cut.
func (m *Model) header(n, total int) string {
	st, tr, w := m.common.Styles, m.common.Lang, m.common.Width
	title := tr.T(m.step().Title())
	h := st.Header.Render(m.title) + st.StepCount.Render("  "+tr.Tf("Step %d of %d: %s", n, total, title))
	if ansi.StringWidth(h) > w {
		h = st.Header.Render(m.title) + st.StepCount.Render(fmt.Sprintf("  %d/%d: %s", n, total, title))
	}
	return ansi.Truncate(h, w, "…")
}

// helpScreen lists every key the current screen handles, for ?.
func (m *Model) helpScreen() string {
	st := m.common.Styles
	h := m.help
	h.SetWidth(m.common.Width)
	body := h.FullHelpView(chunk(m.stepKeys(), max(m.common.Height-8, 4)))
	tr := m.common.Lang
	return st.Title.Render(tr.T("Keys")) + "\n\n" + body + "\n\n" + st.Subtle.Render(tr.T("Press any key to close."))
}

// chunk splits bindings into columns of at most n.
func chunk(b []key.Binding, n int) [][]key.Binding {
	var out [][]key.Binding
	for len(b) > n {
		out = append(out, b[:n])
		b = b[n:]
	}
	return append(out, b)
}

// keys is every key the current screen handles: on the help screen, its
// own (any key closes it, Ctrl-C quits); else the step's, then the
// wizard's.
func (m *Model) keys() []key.Binding {
	km := m.common.Keys
	if m.fullHelp {
		return []key.Binding{km.Quit, km.AnyKey}
	}
	return m.stepKeys()
}

// stepKeys is every key the current step's screen handles, the wizard's
// own included: what the help screen lists.
func (m *Model) stepKeys() []key.Binding {
	km := m.common.Keys
	var keys []key.Binding
	for _, k := range m.step().Keys() {
		if k.Enabled() && k.Help().Key != "" {
			keys = append(keys, k)
		}
	}
	if m.cur > m.firstFrom(0, 1) && !m.step().Capturing() {
		keys = append(keys, km.Back)
	}
	keys = append(keys, km.Quit)
	if !m.step().Typing() {
		keys = append(keys, km.Help)
	}
	return keys
}

// footer is the key help: every key the screen handles, on as many lines
// as the width needs.
func (m *Model) footer() string {
	if m.asking {
		return ""
	}
	h := m.help
	h.SetWidth(0)
	sep := lipgloss.Width(h.ShortSeparator)
	var rows [][]key.Binding
	var row []key.Binding
	width := 0
	for _, k := range m.keys() {
		w := lipgloss.Width(h.ShortHelpView([]key.Binding{k}))
		if len(row) > 0 && width+sep+w > m.common.Width {
			rows, row, width = append(rows, row), nil, 0
		}
		if len(row) > 0 {
			width += sep
		}
		row, width = append(row, k), width+w
	}
	rows = append(rows, row)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = ansi.Truncate(h.ShortHelpView(r), m.common.Width, "…")
	}
	return strings.Join(out, "\n")
}

// fit cuts text to the screen, for sizes too small for the layout.
func fit(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, strings.Split(ansi.Hardwrap(l, w, true), "\n")...)
	}
	if len(out) > h {
		out = out[:h]
	}
	return strings.Join(out, "\n")
}
