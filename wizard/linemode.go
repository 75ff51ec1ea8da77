package wizard

// The plain line mode: the wizard's six steps as numbered questions on
// plain lines, for TERM=dumb, --accessible, screen readers and serial
// consoles. It is a second renderer of the same steps as the screens: it
// asks each step's Page field by field, with the field's own check and
// default, runs the step's Work inline, and follows the step's Action. It
// holds no rule of its own. It writes no escape sequence at all, reads
// every answer through one bufio.Reader (a scanner per prompt would swallow
// the answers after it, see reference/libraries.md §1.4), and shows each
// default in brackets so that Enter alone accepts it.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
	"smtpsetup/steps"
)

// ErrPasswordNeedsTerminal is the refusal of TerminalPassword when standard
// input is not a terminal: without one the password would be echoed.
var ErrPasswordNeedsTerminal = errors.New(i18n.N("the password prompt needs a terminal, so that the password is not shown: " +
	"to set up from a script, use `smtpsetup setup --non-interactive --password-file FILE`"))

// errQuit ends the run without saving: input ended, or the run was cancelled.
var errQuit = errors.New("quit")

// errInterrupted is TerminalPassword's answer when a signal ended the prompt.
var errInterrupted = errors.New("interrupted")

// maxLine caps one answer, so that a paste of megabytes cannot stall us;
// the checks reject what is longer than the field allows.
const maxLine = 4096

// readGrace is how long a cancelled run waits for a pending read, so that a
// password prompt can restore the terminal's echo before the program ends.
const readGrace = 200 * time.Millisecond

// liner is one run of the line mode.
type liner struct {
	in           *bufio.Reader
	out          io.Writer
	readPassword func() (string, error)
	n            int           // the current step's number, which prefixes its prompts
	tr           *i18n.Printer // the session's language
}

// RunLines runs the wizard as plain numbered questions: the same steps,
// questions, checks and defaults as the screens. in is read through one
// bufio.Reader for the whole run; readPassword reads the password without
// echo (TerminalPassword in production). End of input at any prompt quits
// without saving and returns (Quit, nil); so does a cancelled ctx, SIGHUP,
// SIGTERM or Ctrl-C, promptly. Nothing is written before the Save step,
// and config.Save replaces the file atomically.
func RunLines(ctx context.Context, s *steps.Session, in io.Reader, out io.Writer, readPassword func() (string, error)) (Outcome, error) {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGHUP, syscall.SIGTERM, os.Interrupt)
	defer stop()
	l := &liner{in: bufio.NewReader(in), out: out, readPassword: readPassword, tr: s.Lang}
	l.printf("%s\n", l.tr.T("Answer each question and press Enter. Enter alone accepts the value in [brackets]. Ctrl-D quits without saving."))
	flows := steps.Flows()
	for cur := 0; cur < len(flows); {
		if flows[cur].Skip(s) {
			cur++
			continue
		}
		n, total := steps.Position(flows, s, cur)
		l.n = n
		l.printf("\n%s\n", l.tr.Tf("Step %d of %d: %s", n, total, l.tr.T(flows[cur].Title())))
		act, err := l.run(ctx, flows[cur], s)
		switch {
		case errors.Is(err, errQuit) || ctx.Err() != nil:
			l.printf("\n")
			return Quit, nil
		case err != nil:
			return Quit, err
		}
		switch act.Kind {
		case steps.Next:
			cur++
		case steps.Back:
			for cur--; cur > 0 && flows[cur].Skip(s); cur-- {
			}
			cur = max(cur, 0)
		case steps.Goto:
			cur = int(act.To)
		case steps.Done:
			return Saved, nil
		default:
			return Quit, nil
		}
	}
	return Quit, nil
}

// run walks one step: its pages, its work, until it hands back an action.
func (l *liner) run(ctx context.Context, f steps.Flow, s *steps.Session) (steps.Action, error) {
	o := f.Begin(s)
	for {
		if o.Work == nil && o.Action.Kind != steps.Stay {
			return o.Action, nil
		}
		l.notes(s)
		page := f.Page()
		l.indent(page.Heading)
		l.indent(page.Intro...)
		if o.Work != nil {
			res := o.Work(ctx, l.progress)
			if ctx.Err() != nil {
				return steps.Action{}, errQuit
			}
			o = f.Finish(res)
			continue
		}
		if m := page.More; m != nil {
			more := false
			if err := l.ask(ctx, steps.Field{Kind: steps.ConfirmField, Title: l.tr.Tf("%s?", m.Label), Yes: &more}, nil); err != nil {
				return steps.Action{}, err
			}
			if more {
				m.Open()
				page = f.Page()
			}
		}
		back := false
		for i, field := range page.Fields {
			if i < page.Focus || field.Skip != nil && field.Skip() {
				continue
			}
			err := l.ask(ctx, field, page.Back)
			if back = errors.Is(err, errBack); back {
				break
			}
			if err != nil {
				return steps.Action{}, err
			}
		}
		if back {
			o = steps.Outcome{} // the page the way back leads to
			continue
		}
		o = f.Submit()
	}
}

// progress prints each stage of the live test as it ends.
func (l *liner) progress(e smtp.Event) {
	if !e.Done {
		return
	}
	mark := l.tr.T("ok")
	if !e.Result.OK {
		mark = l.tr.T("FAIL")
	}
	mark += strings.Repeat(" ", max(4-ansi.StringWidth(mark), 0)) // a column of cells, whatever the script
	l.printf("%s %-9s %6s  %s\n", mark, e.Stage, e.Result.Took(), e.Result.DetailIn(l.tr))
}

// notes prints what the last step left for the next page.
func (l *liner) notes(s *steps.Session) {
	for _, n := range s.Notes {
		l.indent(l.tr.Tf("Note: %s.", n))
	}
	s.Notes = nil
}

// errBack is ask's answer when the user took the page's way back.
var errBack = errors.New("back")

// ask asks one field until its check accepts the answer; with a way back
// (Page.Back), the answer b takes it.
func (l *liner) ask(ctx context.Context, f steps.Field, back *steps.More) error {
	l.indent(f.Description)
	def, hint := f.Get(), ""
	switch f.Kind {
	case steps.ChoiceField:
		l.options(f, f.Offer)
		hint = l.tr.T("number or name")
		if f.Offer > 0 && f.Offer < len(f.Options) {
			hint += ", " + l.tr.T("l to list all")
		}
		if back != nil {
			hint += ", " + l.tr.Tf("b to %s", back.Key)
		}
		hint = " (" + hint + ")"
	case steps.ConfirmField:
		hint = " [" + map[bool]string{true: "Y/n", false: "y/N"}[def == "yes"] + "]"
		if f.Affirmative != "" && f.Negative != "" {
			l.indent("y: " + f.Affirmative + "   n: " + f.Negative)
		}
		def = ""
	case steps.SecretField:
		l.indent(l.tr.T("Typing is not shown."))
	}
	old := f.Get()
	for {
		v, err := l.answer(ctx, f, f.TitleNow()+hint, def)
		if err != nil {
			return err
		}
		if f.Kind == steps.ChoiceField && f.Offer > 0 && strings.EqualFold(v, "l") {
			l.options(f, 0)
			continue
		}
		if back != nil && f.Kind == steps.ChoiceField && strings.EqualFold(v, "b") {
			back.Open()
			return errBack
		}
		if v, err = l.accept(f, v); err == nil {
			if f.Changed != nil && v != old {
				f.Changed(old)
			}
			return nil
		}
		l.indent(steps.Sentence(l.tr, err) + ".")
		if steps.IsWarning(err) {
			def = v // the same answer again keeps it
		}
	}
}

// options lists a choice's first n options and says how to see the rest;
// n of 0 lists them all.
func (l *liner) options(f steps.Field, n int) {
	if n <= 0 || n >= len(f.Options) {
		n = len(f.Options)
	}
	for i, o := range f.Options[:n] {
		l.printf("%4d  %s\n", i+1, o.Label)
	}
	if n < len(f.Options) {
		l.printf("%4s  %s\n", "l", l.tr.Tf("list all %d", len(f.Options)))
	}
}

// answer prompts and reads one answer; Enter alone gives the default.
func (l *liner) answer(ctx context.Context, f steps.Field, label, def string) (string, error) {
	if f.Kind == steps.SecretField {
		keep := ""
		if def != "" {
			keep = " [" + l.tr.T("keep current") + "]"
		}
		l.printf("%d. %s%s: ", l.n, label, keep)
		v, err := l.await(ctx, l.readPassword)
		if v == "" {
			v = def
		}
		return v, err
	}
	if def != "" {
		label += " [" + def + "]"
	}
	l.printf("%d. %s: ", l.n, label)
	v, err := l.await(ctx, l.line)
	if v == "" {
		v = def
	}
	return v, err
}

// accept turns an answer into the field's value if its check agrees.
func (l *liner) accept(f steps.Field, v string) (string, error) {
	switch f.Kind {
	case steps.ChoiceField:
		for i, o := range f.Options {
			if v == strconv.Itoa(i+1) || strings.EqualFold(v, o.Value) {
				*f.Value = o.Value
				return o.Value, nil
			}
		}
		return v, errors.New(l.tr.Tf("%q is not one of the choices: type a number from 1 to %d", v, len(f.Options)))
	case steps.ConfirmField:
		switch strings.ToLower(v) {
		case "":
			return f.Get(), nil
		case "y", "yes":
			*f.Yes = true
			return "yes", nil
		case "n", "no":
			*f.Yes = false
			return "no", nil
		}
		return v, errors.New(l.tr.T("answer y for yes or n for no"))
	}
	if v == "-" && f.Kind == steps.TextField {
		v = "" // "-" clears a value that Enter alone would keep
	}
	if f.Check != nil {
		if err := f.Check(v); err != nil {
			return v, err
		}
	}
	*f.Value = v
	return v, nil
}

// indent prints prose three spaces in, under the question numbers.
func (l *liner) indent(lines ...string) {
	for _, s := range lines {
		for _, p := range strings.Split(s, "\n") {
			if p != "" {
				l.printf("   %s\n", p)
			}
		}
	}
}

// printf writes to the user with every control character made visible, so
// that nothing, not even text from a catalogue file, can send an escape
// sequence.
func (l *liner) printf(format string, args ...any) {
	io.WriteString(l.out, visible(fmt.Sprintf(format, args...)))
}

// visible keeps line breaks and printable text, and shows everything else
// (C0 and C1 controls, DEL, bidi and other format characters) as \uXXXX.
func visible(t string) string {
	var b strings.Builder
	for _, r := range t {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || unicode.Is(unicode.Cf, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// answerOrErr is what one read returned.
type answerOrErr struct {
	text string
	err  error
}

// await runs a read in its own goroutine, since a read from a terminal
// cannot be interrupted, and returns errQuit as soon as the run is
// cancelled. io.EOF and an interrupted password prompt also mean quit.
func (l *liner) await(ctx context.Context, read func() (string, error)) (string, error) {
	if ctx.Err() != nil {
		return "", errQuit
	}
	got := make(chan answerOrErr, 1)
	go func() {
		t, err := read()
		got <- answerOrErr{t, err}
	}()
	var a answerOrErr
	select {
	case a = <-got:
	case <-ctx.Done():
		select { // let a password prompt restore the echo first
		case <-got:
		case <-time.After(readGrace):
		}
		return "", errQuit
	}
	if errors.Is(a.err, io.EOF) || errors.Is(a.err, errInterrupted) || ctx.Err() != nil {
		return "", errQuit
	}
	return a.text, a.err
}

// line reads one answer, without its line break and surrounding space. A
// last line without a line break counts; the next read then reports EOF.
func (l *liner) line() (string, error) {
	var b []byte
	for {
		chunk, err := l.in.ReadSlice('\n')
		b = append(b, chunk[:min(len(chunk), max(maxLine-len(b), 0))]...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF && len(b) > 0 {
			err = nil
		}
		return strings.TrimSpace(string(b)), err
	}
}

// TerminalPassword reads a password from the terminal f with echo off,
// writing the line break the user does not see to out. It refuses when f is
// not a terminal, and never falls back to echoing. If a signal arrives while
// it waits, it restores the terminal before returning.
func TerminalPassword(f *os.File, out io.Writer) func() (string, error) {
	return func() (string, error) {
		fd := f.Fd()
		if !term.IsTerminal(fd) {
			return "", ErrPasswordNeedsTerminal
		}
		old, err := term.GetState(fd)
		if err != nil {
			return "", fmt.Errorf("reading the terminal's state: %w", err)
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGHUP, syscall.SIGTERM, os.Interrupt)
		defer signal.Stop(sig)
		got := make(chan answerOrErr, 1)
		go func() {
			b, err := term.ReadPassword(fd)
			got <- answerOrErr{string(b), err}
		}()
		defer fmt.Fprintln(out)
		select {
		case a := <-got:
			return a.text, a.err
		case <-sig:
			_ = term.Restore(fd, old)
			return "", errInterrupted
		}
	}
}
