package steps

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// Outcome is what a step hands back to its renderer: slow Work to run
// first (its result goes to Finish), else an Action; Stay means a new Page.
type Outcome struct {
	Action Action
	Work   Work
	// Stop cancels the running work; its result is dropped and Finish
	// gets nil (Esc while detecting or testing), unless the Outcome also
	// has an Action to take instead.
	Stop bool
}

// Work is a step's slow part: detection, the live test, the write. The
// screen runs it as a command, the line mode inline; progress reports the
// test's stages as they run.
type Work func(ctx context.Context, progress func(smtp.Event)) any

// frame is what the screen hands a step to draw itself.
type frame struct {
	form    string // the page's form, drawn by huh; "" without fields
	spin    string // the spinner, while work runs
	working bool
}

// drawn is a Flow with its screen parts. base gives the defaults: the
// page's heading and intro over its form, no keys of its own.
type drawn interface {
	Flow
	// view draws the body, or says no to have the page drawn as it is.
	view(c *Common, f frame) (string, bool)
	key(c *Common, k tea.KeyPressMsg, working bool) (Outcome, bool)
	keys(c *Common, working bool) []key.Binding
	capturing(working bool) bool
	progress(ev smtp.Event)
	// keysOnly reports that the screen takes the page's answers as keys
	// (the test's ways on), so no form is drawn for it.
	keysOnly() bool
}

// base is the default screen part of a step.
type base struct{}

func (base) view(*Common, frame) (string, bool)                 { return "", false }
func (base) key(*Common, tea.KeyPressMsg, bool) (Outcome, bool) { return Outcome{}, false }
func (base) keys(*Common, bool) []key.Binding                   { return nil }
func (base) capturing(working bool) bool                        { return working }
func (base) progress(smtp.Event)                                {}
func (base) keysOnly() bool                                     { return false }

// pageView draws a page's heading and intro over its form.
func pageView(c *Common, p Page, f frame) string {
	var parts []string
	if p.Heading != "" {
		parts = append(parts, c.Styles.Title.Render(p.Heading))
	}
	for _, para := range p.Intro {
		parts = append(parts, wrap(c, para))
	}
	if f.working {
		parts = append(parts, f.spin)
	}
	head := strings.Join(parts, "\n")
	switch {
	case head == "":
		return f.form
	case f.form == "":
		return head
	}
	return head + "\n\n" + f.form
}

// Messages of running work. run identifies the work, so the events of
// cancelled work cannot land on the next.
type (
	progressMsg struct {
		run int
		ev  smtp.Event
		ch  <-chan tea.Msg
	}
	workDoneMsg struct {
		run    int
		result any
	}
	fieldChangedMsg struct{}
)

// screen draws a step: its page as one huh form, its work as a command
// with a spinner, its own view and keys where it has them.
type screen struct {
	drawn
	c    *Common
	page Page
	form *huh.Form
	huhs []huh.Field // the form's fields, one per page field
	snap []string    // the fields' values before the last message
	note string      // what was done to a paste, shown under the form
	errs string      // the form's error messages when it was last sized

	run     int
	cancel  context.CancelFunc
	working bool
	spin    spinner.Model
}

func onScreen(f drawn) Step { return &screen{drawn: f} }

// Flow returns the step's flow, for tests.
func (s *screen) Flow() Flow { return s.drawn }

// Enter implements Step.
func (s *screen) Enter(ctx context.Context, sess *Session, c *Common) tea.Cmd {
	s.c = c
	s.spin = spinner.New(spinner.WithSpinner(spinner.Line), spinner.WithStyle(c.Styles.Title))
	_, cmd := s.handle(ctx, s.Begin(sess))
	return cmd
}

// handle carries out an outcome: start its work, or redraw the page, or
// hand its action to the wizard.
func (s *screen) handle(ctx context.Context, o Outcome) (Action, tea.Cmd) {
	if o.Stop {
		s.Cancel()
		if o.Action.Kind == Stay {
			o = s.Finish(nil)
		}
	}
	switch {
	case o.Work != nil:
		s.form, s.huhs = nil, nil
		s.page = s.Page()
		return Action{}, s.start(ctx, o.Work)
	case o.Action.Kind != Stay:
		return o.Action, nil
	}
	return Action{}, s.build()
}

// build makes the page's form; a page without fields has none.
func (s *screen) build() tea.Cmd {
	s.page = s.Page()
	s.form, s.huhs, s.snap, s.note = nil, nil, nil, ""
	if len(s.page.Fields) == 0 || s.keysOnly() {
		return nil
	}
	room := s.formHeight()
	for _, f := range s.page.Fields {
		s.huhs = append(s.huhs, f.huhField(room, s.c.Lang))
		s.snap = append(s.snap, f.Get())
	}
	s.form = huh.NewForm(huh.NewGroup(s.huhs...)).
		WithTheme(s.c.Styles.Huh).
		WithShowHelp(false).
		WithKeyMap(formKeys(s.c.Lang)).
		WithWidth(formWidth(s.c)).
		WithHeight(room)
	cmd := s.form.Init()
	for range s.page.Focus {
		s.form.NextField() // start at the field a failed test points at
	}
	return cmd
}

// formHeight is the room under the header, the page's intro and over the
// footer.
func (s *screen) formHeight() int {
	intro := pageView(s.c, s.page, frame{})
	h := 0
	if intro != "" {
		h = lipgloss.Height(intro) + 1
	}
	return max(bodyRows(s.c)-1-h, 6)
}

func (s *screen) start(ctx context.Context, w Work) tea.Cmd {
	s.Cancel()
	s.run++
	run := s.run
	ctx, cancel := context.WithCancel(ctx)
	s.cancel, s.working = cancel, true
	launch := func() tea.Msg {
		ch := make(chan tea.Msg, 64)
		go func() {
			res := w(ctx, func(e smtp.Event) { ch <- progressMsg{run: run, ev: e, ch: ch} })
			ch <- workDoneMsg{run: run, result: res}
			close(ch)
		}()
		return <-ch
	}
	return tea.Batch(s.spin.Tick, launch)
}

func next(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		if m, ok := <-ch; ok {
			return m
		}
		return nil
	}
}

// Cancel implements Step.
func (s *screen) Cancel() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	if s.working {
		s.working = false
		s.run++ // a late result is dropped
	}
}

// Update implements Step.
func (s *screen) Update(ctx context.Context, msg tea.Msg) (Action, tea.Cmd) {
	switch msg := msg.(type) {
	case progressMsg:
		if msg.run != s.run || !s.working {
			return Action{}, nil
		}
		s.progress(msg.ev)
		return Action{}, next(msg.ch)
	case workDoneMsg:
		if msg.run != s.run || !s.working {
			return Action{}, nil
		}
		s.working, s.cancel = false, nil
		return s.handle(ctx, s.Finish(msg.result))
	case spinner.TickMsg:
		if !s.working {
			return Action{}, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return Action{}, cmd
	case tea.WindowSizeMsg:
		if s.form != nil {
			s.form = s.form.WithWidth(formWidthFor(msg.Width)).WithHeight(s.formHeight())
		}
	case tea.KeyPressMsg:
		if s.filtering() {
			break // a filter being typed takes every key, Esc included
		}
		if o, ok := s.key(s.c, msg, s.working); ok {
			return s.handle(ctx, o)
		}
		if m := s.page.More; m != nil && !s.working && key.Matches(msg, s.c.Keys.More) {
			m.Open()
			return s.handle(ctx, Outcome{})
		}
		if s.working {
			return Action{}, nil
		}
	}
	if s.form == nil {
		return Action{}, nil
	}
	var m huh.Model
	var cmd tea.Cmd
	if p, ok := msg.(tea.PasteMsg); ok {
		m, cmd = s.form.Update(s.trimPaste(p))
	} else {
		m, cmd = s.form.Update(msg)
	}
	if f, ok := m.(*huh.Form); ok {
		s.form = f
	}
	if e := fmt.Sprint(s.form.Errors()); e != s.errs {
		// huh sized its viewport for the footer it had: a message under
		// the fields (a warning, a refused value) makes it taller, and
		// would push the message's last lines off a small screen (German
		// at 60x16). Sized again, the fields scroll and the message shows
		// whole.
		s.errs = e
		s.form = s.form.WithHeight(s.formHeight())
	}
	if s.followChanges() {
		// The form draws its fields while it updates; a message makes it
		// draw the changed values now rather than at the next key.
		cmd = tea.Batch(cmd, func() tea.Msg { return fieldChangedMsg{} })
	}
	if s.form.State != huh.StateCompleted {
		return Action{}, cmd
	}
	act, more := s.handle(ctx, s.Submit())
	return act, tea.Batch(cmd, more)
}

// trimPaste drops the line break a copied secret often carries: the text
// input would turn it into an invisible trailing space.
func (s *screen) trimPaste(p tea.PasteMsg) tea.PasteMsg {
	in, ok := s.form.GetFocusedField().(*textField)
	if !ok {
		return p
	}
	for i, h := range s.huhs {
		if h == in && s.page.Fields[i].Kind == SecretField {
			if t := strings.TrimRight(p.Content, "\r\n"); t != p.Content {
				p.Content = t
				s.note = s.c.Lang.T("Removed the line break at the end of the paste.")
			}
		}
	}
	return p
}

// followChanges runs the Changed rule of every field whose value changed,
// then shows the values the rules changed.
func (s *screen) followChanges() bool {
	changed := false
	for i, f := range s.page.Fields {
		now := f.Get()
		if now == s.snap[i] {
			continue
		}
		old := s.snap[i]
		s.snap[i] = now
		if f.Changed != nil {
			f.Changed(old)
			changed = true
		}
	}
	if !changed {
		return false
	}
	focused := s.form.GetFocusedField()
	for i, f := range s.page.Fields {
		switch h := s.huhs[i].(type) {
		case *textField:
			// The field reads through the same pointer, but edits its
			// own copy: load it again, except under the user's cursor.
			if h != focused {
				h.reload()
			}
		case *huh.Confirm:
			h.Title(f.TitleNow())
		}
		if sel, ok := unwrap(s.huhs[i]).(*huh.Select[string]); ok && f.TitleFunc != nil {
			sel.Title(f.TitleNow())
		}
		s.snap[i] = f.Get()
	}
	return true
}

// Leave implements Flow: going back cancels the work and keeps what was
// typed.
func (s *screen) Leave() {
	s.Cancel()
	if s.form != nil {
		if f := s.form.GetFocusedField(); f != nil {
			f.Blur()
		}
	}
	s.drawn.Leave()
}

// View implements Step.
func (s *screen) View() string {
	f := frame{spin: s.spin.View(), working: s.working}
	if s.form != nil {
		f.form = s.form.View()
	}
	if v, ok := s.view(s.c, f); ok {
		return v
	}
	v := pageView(s.c, s.page, f)
	if s.note != "" {
		v += "\n" + s.c.Styles.Subtle.Render(s.note)
	}
	return v
}

// Keys implements Step: the step's own keys, then the form's, each help
// once (↑ and ↓ are one entry).
func (s *screen) Keys() []key.Binding {
	k := s.keys(s.c, s.working)
	if m := s.page.More; m != nil && !s.working {
		k = append(k, as(s.c.Keys.More, m.Key))
	}
	if s.form != nil && !s.working && !s.keysOnly() {
		k = append(k, s.form.KeyBinds()...)
	}
	var out []key.Binding
	seen := map[key.Help]int{}
	for _, b := range k {
		if i, ok := seen[b.Help()]; ok && b.Help().Key != "" {
			merged := out[i]
			merged.SetKeys(append(merged.Keys(), b.Keys()...)...)
			out[i] = merged
			continue
		}
		seen[b.Help()] = len(out)
		out = append(out, b)
	}
	return out
}

// Capturing implements Step.
func (s *screen) Capturing() bool { return s.capturing(s.working) || s.filtering() }

func (s *screen) filtering() bool {
	if s.form == nil {
		return false
	}
	sel, ok := unwrap(s.form.GetFocusedField()).(*huh.Select[string])
	return ok && sel.GetFiltering()
}

// Typing implements Step.
func (s *screen) Typing() bool {
	if s.form == nil || s.working {
		return false
	}
	_, ok := s.form.GetFocusedField().(*textField)
	return ok || s.filtering()
}

func formWidth(c *Common) int { return formWidthFor(c.Width) }

func formWidthFor(w int) int { return max(min(w, 80)-2, 20) }

// formKeys is huh's key map without the keys the wizard owns: Ctrl-C is the
// wizard's quit, and no field may open an external editor. Its help speaks
// tr's language: huh's own words are English.
func formKeys(tr *i18n.Printer) *huh.KeyMap {
	km := huh.NewDefaultKeyMap()
	// Shorter help, so a footer fits two lines at 60 columns; shift+tab
	// is the previous field, not Esc's previous step.
	prev := key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", tr.T("previous field")))
	km.Input.Prev, km.Select.Prev, km.Confirm.Prev, km.Note.Prev = prev, prev, prev, prev
	km.Select.Up = key.NewBinding(key.WithKeys("up", "k", "ctrl+k", "ctrl+p"), key.WithHelp("↑/↓", tr.T("move")))
	km.Select.Down = key.NewBinding(key.WithKeys("down", "j", "ctrl+j", "ctrl+n"), key.WithHelp("↑/↓", tr.T("move")))
	km.Quit = key.NewBinding(key.WithDisabled())
	km.Text.Editor = key.NewBinding(key.WithDisabled())
	km.Input.AcceptSuggestion = key.NewBinding(key.WithDisabled())
	say := func(desc string, bs ...*key.Binding) {
		for _, b := range bs {
			b.SetHelp(b.Help().Key, desc)
		}
	}
	say(tr.T("next"), &km.Input.Next, &km.Note.Next, &km.Confirm.Next, &km.Text.Next)
	say(tr.T("submit"), &km.Input.Submit, &km.Select.Submit, &km.Note.Submit, &km.Confirm.Submit, &km.Text.Submit)
	say(tr.T("select"), &km.Select.Next)
	say(tr.T("filter"), &km.Select.Filter)
	say(tr.T("set filter"), &km.Select.SetFilter)
	say(tr.T("clear filter"), &km.Select.ClearFilter)
	say(tr.T("½ page up"), &km.Select.HalfPageUp)
	say(tr.T("½ page down"), &km.Select.HalfPageDown)
	say(tr.T("go to start"), &km.Select.GotoTop)
	say(tr.T("go to end"), &km.Select.GotoBottom)
	say(tr.T("toggle"), &km.Confirm.Toggle)
	say(tr.T("new line"), &km.Text.NewLine)
	return km
}
