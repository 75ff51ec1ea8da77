// Package wizard is the interactive program: it owns navigation (next,
// back, quit), the chrome around each step (title, "Step n of 6", key
// help), the terminal size and the styles. The steps themselves live in
// package steps and never call each other.
package wizard

import (
	"fmt"
	"image/color"
	"strings"

	"charm.land/bubbles/v2/cursor"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

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

// Model is the wizard's Bubble Tea model.
type Model struct {
	steps   []steps.Step
	cur     int
	draft   *steps.Draft
	common  steps.Common
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

// New builds the wizard for a draft. title brands the header.
func New(d *steps.Draft, title string, accent color.Color) *Model {
	if title == "" {
		title = "smtpsetup"
	}
	return &Model{
		steps:  steps.All(),
		draft:  d,
		title:  title,
		accent: accent,
		common: steps.Common{Width: 80, Height: 24, Styles: theme.New(accent)},
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
	m.notes, m.draft.Notes = m.draft.Notes, nil
	return m.step().Enter(m.draft, &m.common)
}

// firstFrom finds the first step at or after i (dir 1) or before it (dir
// -1) that applies to the draft.
func (m *Model) firstFrom(i, dir int) int {
	for ; i >= 0 && i < len(m.steps); i += dir {
		if !m.steps[i].Skip(m.draft) {
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
	act, cmd := m.step().Update(msg)
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
		m.fullHelp = false
		return nil, true
	}
	switch k.String() {
	case "?":
		if m.step().Typing() {
			return nil, false
		}
		m.fullHelp = true
		return nil, true
	case "ctrl+c":
		if m.draft.Saved != nil {
			m.outcome = Saved
			return tea.Quit, true
		}
		if !m.touched && m.cur == m.firstFrom(0, 1) {
			return m.quit(), true
		}
		m.asking = true
		return nil, true
	case "esc":
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
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	return v
}

func (m *Model) render() string {
	w, h := m.common.Width, m.common.Height
	st := m.common.Styles
	if w < MinWidth || h < MinHeight {
		return fit(fmt.Sprintf("Please enlarge the terminal to at least %dx%d (now %dx%d).\nCtrl-C quits.", MinWidth, MinHeight, w, h), w, h)
	}
	n, total := steps.Position(m.steps, m.draft, m.cur)
	header := st.Header.Render(m.title) + st.StepCount.Render(fmt.Sprintf("  Step %d of %d: %s", n, total, m.step().Title()))
	var body string
	switch {
	case m.asking:
		body = st.Box.Render("Quit without saving?\n\n" + st.Key.Render("y") + " quit   " + st.Key.Render("n") + " keep going")
	case m.fullHelp:
		body = m.helpScreen()
	default:
		body = m.step().View()
		for _, n := range m.notes {
			body = st.Subtle.Render("Note: "+n) + "\n" + body
		}
	}
	footer := m.help()
	room := h - 3
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	if len(lines) > room {
		lines = lines[:room]
	}
	for len(lines) < room {
		lines = append(lines, "")
	}
	return header + "\n\n" + strings.Join(lines, "\n") + "\n" + footer
}

// helpScreen lists every key, for ?.
func (m *Model) helpScreen() string {
	st := m.common.Styles
	rows := [][2]string{
		{"enter", "next field, next step, or the highlighted choice"},
		{"tab / shift+tab", "next / previous field"},
		{"↑ ↓", "move in a list"},
		{"/", "filter a list (the provider list)"},
		{"esc", "back one step; everything typed is kept"},
		{"ctrl+c", "quit (asks first once you typed something)"},
		{"?", "this help"},
	}
	for _, k := range m.step().Keys() {
		if h := k.Help(); k.Enabled() && h.Key != "" {
			rows = append(rows, [2]string{h.Key, h.Desc})
		}
	}
	var b strings.Builder
	b.WriteString(st.Title.Render("Keys") + "\n\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "  %s  %s\n", st.Key.Render(fmt.Sprintf("%-16s", r[0])), r[1])
	}
	b.WriteString("\n" + st.Subtle.Render("Press any key to close."))
	return b.String()
}

// help is the key line: the step's keys, then the wizard's.
func (m *Model) help() string {
	st := m.common.Styles
	var keys []key.Binding
	if m.asking {
		return ""
	}
	keys = append(keys, m.step().Keys()...)
	if m.cur > m.firstFrom(0, 1) && !m.step().Capturing() {
		keys = append(keys, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")))
	}
	keys = append(keys, key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")))
	if !m.step().Typing() {
		keys = append(keys, key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")))
	}
	var parts []string
	width := 0
	for _, k := range keys {
		hk := k.Help()
		if !k.Enabled() || hk.Key == "" {
			continue
		}
		part := st.Key.Render(hk.Key) + " " + st.KeyDesc.Render(hk.Desc)
		pw := lipgloss.Width(part) + 3
		if width+pw > m.common.Width {
			break
		}
		width += pw
		parts = append(parts, part)
	}
	return strings.Join(parts, st.Subtle.Render(" · "))
}

// fit cuts text to the screen, for sizes too small for the layout.
func fit(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for len([]rune(l)) > w {
			out = append(out, string([]rune(l)[:w]))
			l = string([]rune(l)[w:])
		}
		out = append(out, l)
	}
	if len(out) > h {
		out = out[:h]
	}
	return strings.Join(out, "\n")
}
