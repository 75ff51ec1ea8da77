package wizard

import (
	"context"
	"errors"
	"image/color"
	"io"
	"os"
	"os/signal"
	"syscall"

	tea "charm.land/bubbletea/v2"

	"smtpsetup/i18n"
	"smtpsetup/steps"
)

// ErrNoTerminal means the wizard was started without a terminal to talk to.
var ErrNoTerminal = errors.New(i18n.N("the wizard needs a terminal: use `smtpsetup check` to test, or `smtpsetup setup --non-interactive` to write a config from flags"))

// Options start a wizard run.
type Options struct {
	Title  string        // brand shown in the header
	Lang   *i18n.Printer // the language of a screen without a session (a broken config); nil is English
	Accent color.Color   // brand colour; nil for the default
	Input  io.Reader     // defaults to the terminal
	Output io.Writer
	Env    []string
	// Background runs in a goroutine once the first frame is out (work
	// the first screen does not need, such as parsing the catalogue: on
	// two cores it would otherwise compete with the first frame).
	Background func()
}

// Run shows the wizard until the user saves or quits. A dropped SSH session
// (SIGHUP), SIGTERM or SIGINT ends it promptly; the config writer is atomic,
// so nothing half-written is left behind.
//
// Signals are caught here only, never by Bubble Tea as well: when both
// caught SIGTERM and the context won, Bubble Tea's shutdown waited for its
// signal goroutine, which was blocked sending a QuitMsg nobody read, and the
// wizard hung in raw mode.
func Run(ctx context.Context, s *steps.Session, opts Options) (Outcome, error) {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGHUP, syscall.SIGTERM, os.Interrupt)
	defer stop()
	m := New(ctx, s, opts.Title, opts.Accent)
	var first tea.Model = m
	if opts.Input == nil && opts.Output == nil {
		var restore func()
		first, restore = predraw(m, os.Stdin, os.Stdout, opts.Env)
		defer restore()
	}
	if opts.Background != nil {
		go opts.Background()
	}
	// 120 frames a second, Bubble Tea's most: the first frame and each key
	// wait for the next frame tick, so this halves that wait (8 ms instead
	// of 17). An idle screen still writes nothing: frames only carry
	// changes.
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithoutSignalHandler(), tea.WithFilter(skipRepeatedSizes()), tea.WithFPS(120)}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	if opts.Env != nil {
		popts = append(popts, tea.WithEnvironment(opts.Env))
	}
	_, err := tea.NewProgram(first, popts...).Run()
	if errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, tea.ErrInterrupted) {
		return Quit, nil
	}
	if err != nil {
		return Quit, err
	}
	return m.Outcome(), nil
}

// skipRepeatedSizes drops a window size that repeats the last one. huh asks
// for the size every time a form starts, and Bubble Tea repaints the whole
// screen on every size message, changed or not: over a serial line that is a
// full screen of bytes each time, for nothing.
func skipRepeatedSizes() func(tea.Model, tea.Msg) tea.Msg {
	var last tea.WindowSizeMsg
	seen := false
	return func(_ tea.Model, msg tea.Msg) tea.Msg {
		if ws, ok := msg.(tea.WindowSizeMsg); ok {
			if seen && ws == last {
				return nil
			}
			last, seen = ws, true
		}
		return msg
	}
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
