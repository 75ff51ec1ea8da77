package wizard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"smtpsetup/config"
	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// BrokenChoice is what the user chose about a config the wizard cannot read.
type BrokenChoice int

// The three ways on from a config that cannot be read.
const (
	FixByHand  BrokenChoice = iota + 1 // quit, so the user can edit the file
	StartOver                          // keep a copy of the file and begin with nothing
	QuitBroken                         // quit and change nothing
)

// brokenText explains a load error and the three choices, for both modes.
// The error's parts (line, field, problem, fix) each get a line of their own.
func brokenText(tr *i18n.Printer, path string, loadErr error, keys [3]string) string {
	var b strings.Builder
	b.WriteString(tr.Tf("The config file %s cannot be read.", path) + "\n\n")
	var le *config.LoadError
	if errors.As(loadErr, &le) {
		where := []string{}
		if le.Line > 0 {
			where = append(where, tr.Tf("line %d", le.Line))
		}
		if le.Field != "" {
			where = append(where, tr.Tf("field %q", le.Field))
		}
		problem := tr.T(le.Problem)
		if le.Err != nil {
			problem += ": " + le.Err.Error()
		}
		if len(where) > 0 {
			b.WriteString("  " + tr.Tf("Where: %s", strings.Join(where, ", ")) + "\n")
		}
		b.WriteString("  " + tr.Tf("Problem: %s", smtp.CleanLine(problem)) + "\n")
		if le.Fix != "" {
			b.WriteString("  " + tr.T("Fix:") + " " + smtp.CleanLine(tr.T(le.Fix)) + "\n")
		}
	} else {
		b.WriteString("  " + tr.Tf("Problem: %s", smtp.CleanLine(loadErr.Error())) + "\n")
	}
	b.WriteString("\n" + tr.T("Saving from the wizard would replace it. What now?") + "\n\n")
	b.WriteString("  " + tr.Tf("%s  fix it by hand: quit now, edit the file, then run smtpsetup again", keys[0]) + "\n")
	b.WriteString("  " + tr.Tf("%s  start over: keep a copy of the file beside it, then begin again", keys[1]) + "\n")
	b.WriteString("  " + tr.Tf("%s  quit and change nothing", keys[2]) + "\n")
	return b.String()
}

// AskBrokenConfig shows why the config at path cannot be read and asks what
// to do, full screen. SIGTERM, SIGHUP and Ctrl-C count as quit.
func AskBrokenConfig(ctx context.Context, path string, loadErr error, opts Options) (BrokenChoice, error) {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGHUP, syscall.SIGTERM, os.Interrupt)
	defer stop()
	m := &brokenModel{text: brokenText(opts.Lang, path, loadErr, [3]string{"f", "s", "q"}), width: 80, tr: opts.Lang}
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithoutSignalHandler()}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	if _, err := tea.NewProgram(m, popts...).Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return QuitBroken, err
	}
	if m.choice == 0 {
		return QuitBroken, nil
	}
	return m.choice, nil
}

type brokenModel struct {
	tr     *i18n.Printer
	text   string
	width  int
	choice BrokenChoice
}

func (m *brokenModel) Init() tea.Cmd { return nil }

func (m *brokenModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width = msg.Width
	case tea.KeyPressMsg:
		switch msg.String() {
		case "f":
			m.choice = FixByHand
		case "s":
			m.choice = StartOver
		case "q", "esc", "ctrl+c":
			m.choice = QuitBroken
		default:
			return m, nil
		}
		return m, tea.Quit
	}
	return m, nil
}

func (m *brokenModel) View() tea.View {
	tr := m.tr
	footer := "f " + tr.T("fix by hand") + " · s " + tr.T("start over") + " · q " + tr.T("quit")
	return tea.NewView(lipgloss.NewStyle().Width(max(m.width-1, 20)).Render(m.text) + "\n" + footer)
}

// AskBrokenConfigLines is AskBrokenConfig for the line mode: the same text,
// numbered answers. It reads one byte at a time, so that answers typed
// ahead stay for the questions that follow.
func AskBrokenConfigLines(tr *i18n.Printer, path string, loadErr error, in io.Reader, out io.Writer) (BrokenChoice, error) {
	fmt.Fprint(out, brokenText(tr, path, loadErr, [3]string{"1", "2", "3"}))
	for {
		fmt.Fprint(out, tr.T("Choose 1, 2 or 3 (or f, s, q):")+" ")
		line, err := readLine(in)
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "1", "f":
			return FixByHand, nil
		case "2", "s":
			return StartOver, nil
		case "3", "q":
			return QuitBroken, nil
		}
		if err != nil {
			fmt.Fprintln(out)
			return QuitBroken, nil // end of input: change nothing
		}
	}
}

// readLine reads up to a newline, byte by byte, at most 64 bytes kept.
func readLine(in io.Reader) (string, error) {
	var b bytes.Buffer
	one := make([]byte, 1)
	for {
		n, err := in.Read(one)
		if n == 1 {
			if one[0] == '\n' || one[0] == '\r' {
				return b.String(), nil
			}
			if one[0] == 4 { // Ctrl-D on a raw line
				return b.String(), io.EOF
			}
			if b.Len() < 64 {
				b.WriteByte(one[0])
			}
		}
		if err != nil {
			return b.String(), err
		}
	}
}
