package wizard

// The plain line mode: the wizard's six steps as numbered questions on
// plain lines, for TERM=dumb, --accessible, screen readers and serial
// consoles. It writes no escape sequence at all, reads every answer through
// one bufio.Reader (a scanner per prompt would swallow the answers after
// it, see reference/libraries.md §1.4), shows each default in brackets so
// that Enter alone accepts it, and validates with the same smtp functions
// as the screens.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/charmbracelet/x/term"

	"smtpsetup/config"
	"smtpsetup/detect"
	"smtpsetup/smtp"
	"smtpsetup/steps"
)

// ErrPasswordNeedsTerminal is the refusal of TerminalPassword when standard
// input is not a terminal: without one the password would be echoed.
var ErrPasswordNeedsTerminal = errors.New("the password prompt needs a terminal, so that the password is not shown: " +
	"to set up from a script, use `smtpsetup setup --non-interactive --password-file FILE`")

// errQuit ends the run without saving: input ended, or the run was cancelled.
var errQuit = errors.New("quit")

// errInterrupted is TerminalPassword's answer when a signal ended the prompt.
var errInterrupted = errors.New("interrupted")

// maxLine caps one answer, so that a paste of megabytes cannot stall us;
// the validators reject what is longer than the field allows.
const maxLine = 4096

// readGrace is how long a cancelled run waits for a pending read, so that a
// password prompt can restore the terminal's echo before the program ends.
const readGrace = 200 * time.Millisecond

// lineStep runs one step: it asks its questions, stores the answers in the
// draft and says where to go next, as a screen would.
type lineStep func(*session) (steps.Action, error)

// lineSteps are the steps of the line mode, indexed like steps.All.
var lineSteps = [...]lineStep{
	steps.ProviderStep:      (*session).provider,
	steps.PrerequisitesStep: (*session).prerequisites,
	steps.AccountStep:       (*session).account,
	steps.SignInStep:        (*session).signIn,
	steps.SecurityStep:      (*session).security,
	steps.TestStep:          (*session).test,
	steps.SaveStep:          (*session).save,
}

// session is one run of the line mode.
type session struct {
	ctx          context.Context
	d            *steps.Draft
	in           *bufio.Reader
	out          io.Writer
	readPassword func() (string, error)
	n            int  // the current step's number, which prefixes its prompts
	asked        bool // the first step's opening questions were asked
}

// RunLines runs the wizard as plain numbered questions: the same six steps,
// the same validation and the same draft as the screens. in is read through
// one bufio.Reader for the whole run; readPassword reads the password
// without echo (TerminalPassword in production). End of input at any
// prompt quits without saving and returns (Quit, nil); so does a cancelled
// ctx, SIGHUP, SIGTERM or Ctrl-C, promptly. Nothing is written before the
// Save step, and config.Save replaces the file atomically.
func RunLines(ctx context.Context, d *steps.Draft, in io.Reader, out io.Writer, readPassword func() (string, error)) (Outcome, error) {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGHUP, syscall.SIGTERM, os.Interrupt)
	defer stop()
	d.Ctx = ctx
	s := &session{ctx: ctx, d: d, in: bufio.NewReader(in), out: out, readPassword: readPassword}
	s.printf("%s\n", "Answer each question and press Enter. Enter alone accepts the value in [brackets]. Ctrl-D quits without saving.")
	screens := steps.All()
	for cur := 0; cur < len(screens); {
		if screens[cur].Skip(d) {
			cur++
			continue
		}
		n, total := steps.Position(screens, d, cur)
		s.n = n
		s.printf("\nStep %d of %d: %s\n", n, total, screens[cur].Title())
		act, err := lineSteps[cur](s)
		switch {
		case errors.Is(err, errQuit) || ctx.Err() != nil:
			s.printf("\n")
			return Quit, nil
		case err != nil:
			return Quit, err
		}
		switch act.Kind {
		case steps.Next:
			cur++
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
		got := make(chan answer, 1)
		go func() {
			b, err := term.ReadPassword(fd)
			got <- answer{string(b), err}
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

// answer is what one read returned.
type answer struct {
	text string
	err  error
}

// ---- reading and writing ----

// printf writes to the user with every control character made visible, so
// that nothing, not even text from a catalogue file, can send an escape
// sequence.
func (s *session) printf(format string, args ...any) {
	io.WriteString(s.out, visible(fmt.Sprintf(format, args...)))
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

// await runs a read in its own goroutine, since a read from a terminal
// cannot be interrupted, and returns errQuit as soon as the run is
// cancelled. io.EOF and an interrupted password prompt also mean quit.
func (s *session) await(read func() (string, error)) (string, error) {
	if s.ctx.Err() != nil {
		return "", errQuit
	}
	got := make(chan answer, 1)
	go func() {
		t, err := read()
		got <- answer{t, err}
	}()
	var a answer
	select {
	case a = <-got:
	case <-s.ctx.Done():
		select { // let a password prompt restore the echo first
		case <-got:
		case <-time.After(readGrace):
		}
		return "", errQuit
	}
	if errors.Is(a.err, io.EOF) || errors.Is(a.err, errInterrupted) || s.ctx.Err() != nil {
		return "", errQuit
	}
	return a.text, a.err
}

// line reads one answer, without its line break and surrounding space. A
// last line without a line break counts; the next read then reports EOF.
func (s *session) line() (string, error) {
	return s.await(func() (string, error) {
		var b []byte
		for {
			chunk, err := s.in.ReadSlice('\n')
			b = append(b, chunk[:min(len(chunk), max(maxLine-len(b), 0))]...)
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err == io.EOF && len(b) > 0 {
				err = nil
			}
			return strings.TrimSpace(string(b)), err
		}
	})
}

// warning is a check's objection that the same answer given again
// overrides: the answer becomes the default, so Enter alone keeps it.
type warning string

func (w warning) Error() string { return string(w) }

// ask asks one question until check accepts the answer. def is shown in
// brackets and is the answer to Enter alone.
func (s *session) ask(label, def string, check func(string) error) (string, error) {
	for {
		s.printf("%d. %s%s: ", s.n, label, bracket(def))
		v, err := s.line()
		if err != nil {
			return "", err
		}
		if v == "" {
			v = def
		}
		err = check(v)
		if err == nil {
			return v, nil
		}
		s.printf("   %s\n", sentence(err))
		if _, ok := err.(warning); ok {
			def = v
		}
	}
}

// yes asks a yes/no question whose default is yes.
func (s *session) yes(label string) (bool, error) {
	v, err := s.ask(label+" [Y/n]", "", func(v string) error {
		switch strings.ToLower(v) {
		case "", "y", "yes", "n", "no":
			return nil
		}
		return errors.New("answer y for yes or n for no")
	})
	return v == "" || strings.EqualFold(v[:1], "y"), err
}

func bracket(def string) string {
	if def == "" {
		return ""
	}
	return " [" + def + "]"
}

// sentence is an error as the user reads it under a question: a
// FieldError names the field, the problem and the fix.
func sentence(err error) string {
	var fe smtp.FieldError
	if errors.As(err, &fe) {
		return fe.Field + " " + fe.Problem + ": " + fe.Fix + "."
	}
	return err.Error()
}

// indent prints prose three spaces in, under the question numbers, one paragraph per line.
func (s *session) indent(lines ...string) {
	for _, l := range lines {
		if l != "" {
			s.printf("   %s\n", l)
		}
	}
}

// ---- 1. provider ----

// provider lists the catalogue, one entry a line, and accepts a number or
// an id. The default is the draft's provider, else the first entry.
func (s *session) provider() (steps.Action, error) {
	if !s.asked {
		s.asked = true
		if act, done, err := s.opening(); done || err != nil {
			return act, err
		}
	}
	cat := s.d.Catalogue.Providers
	width := 0
	for _, p := range cat {
		width = max(width, len(p.ID))
	}
	for i, p := range cat {
		s.printf("%4d  %-*s  %s\n", i+1, width, p.ID, steps.ProviderLabel(p))
	}
	def := cat[0].ID
	if p, ok := s.d.Catalogue.ByID(s.d.Settings.Provider); ok {
		def = p.ID
	}
	var chosen *smtp.Provider
	_, err := s.ask("Provider (number or id)", def, func(v string) error {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(cat) {
			chosen = &cat[n-1]
			return nil
		}
		if p, ok := s.d.Catalogue.ByID(strings.ToLower(v)); ok {
			chosen = p
			return nil
		}
		return fmt.Errorf("provider %q is not in the list: type a number from 1 to %d, or an id such as %s", v, len(cat), cat[0].ID)
	})
	if err != nil {
		return steps.Action{}, err
	}
	s.d.UseProvider(chosen)
	return steps.Action{Kind: steps.Next}, nil
}

// opening asks what the screens ask first: with a config, whether to test
// it, change it or start over; without one, the address, to detect the
// provider from it.
func (s *session) opening() (act steps.Action, done bool, err error) {
	if s.d.Existing {
		set := s.d.Settings
		s.indent("This machine already has settings in "+s.d.ConfigPath+":",
			smtp.CleanLine(set.Address())+" ("+set.Security.Label()+"), login "+smtp.CleanLine(set.Username),
			"1 test them   2 change them   3 start over")
		choice, err := s.ask("Choice (1, 2 or 3)", "1", func(v string) error {
			if v != "1" && v != "2" && v != "3" {
				return fmt.Errorf("choice %q: type 1, 2 or 3", v)
			}
			return nil
		})
		switch {
		case err != nil:
			return steps.Action{}, true, err
		case choice == "1":
			return steps.Action{Kind: steps.Goto, To: steps.TestStep}, true, nil
		case choice == "3":
			s.d.Settings, s.d.Provider = smtp.Settings{Auth: smtp.AuthAuto}, nil
		default:
			return steps.Action{}, false, nil
		}
	}
	if s.d.Settings.Provider != "" || s.d.Settings.From != "" {
		return steps.Action{}, false, nil
	}
	addr, err := s.ask("Your e-mail address, to find its provider (Enter to skip)", "", func(v string) error {
		if v == "" {
			return nil
		}
		return smtp.ValidateAddress("e-mail address", v)
	})
	if err != nil || addr == "" {
		return steps.Action{}, false, err
	}
	s.d.Settings.From = addr
	s.indent("Looking it up (catalogue, MX, autoconfig; a few seconds at most)...")
	res := detect.Detect(s.ctx, addr, s.d.Catalogue, s.d.Detect)
	if p, ok := s.d.Catalogue.ByID(res.Provider); ok {
		s.d.Settings.Provider = p.ID
		s.indent("Found: " + p.Name + ". Press Enter below to choose it.")
	} else if res.Found() {
		s.d.Settings.Provider = smtp.OtherID
		s.d.Settings.Host, s.d.Settings.Port, s.d.Settings.Security = res.Host, res.Port, res.Security
		s.indent(fmt.Sprintf("Found %s:%d (%s); press Enter below to use it as \"other\".", res.Host, res.Port, res.Security.Label()))
	} else {
		s.indent("No provider found for this address; choose one from the list.")
	}
	return steps.Action{}, false, nil
}

// ---- 2. prerequisites ----

// prerequisites asks for each thing the provider demands first; "n" shows
// how to do it and asks again.
func (s *session) prerequisites() (steps.Action, error) {
	pr := s.d.Provider
	s.indent(statusNote(pr), pr.SenderRule)
	if len(pr.Prerequisites) == 0 {
		ok, err := s.yes("Continue with " + pr.Name + "?")
		if err != nil || ok {
			return steps.Action{Kind: steps.Next}, err
		}
		return steps.Action{Kind: steps.Goto, To: steps.ProviderStep}, nil
	}
	s.indent(pr.Name + " asks for this before it accepts a login from this device:")
	for _, item := range pr.Prerequisites {
		for {
			done, err := s.yes(item.Title + ": done?")
			if err != nil {
				return steps.Action{}, err
			}
			if done {
				break
			}
			s.howTo(item)
		}
	}
	return steps.Action{Kind: steps.Next}, nil
}

func statusNote(pr *smtp.Provider) string {
	switch {
	case pr.StatusNote == "":
		return ""
	case pr.Status == smtp.StatusOAuthOnly || pr.Status == smtp.StatusBroken:
		return "Warning: " + pr.StatusNote
	}
	return "Note: " + pr.StatusNote
}

func (s *session) howTo(item smtp.Prerequisite) {
	s.indent("How to do it: "+item.Detail, urlLine(item.URL), whyLine(item.Why),
		"Do it on any device (a phone is fine), then answer y.")
}

func urlLine(u string) string {
	if u == "" {
		return ""
	}
	return "Open: " + u
}

func whyLine(w string) string {
	if w == "" {
		return ""
	}
	return "Why: " + w
}

// ---- 3. account ----

// account asks for the address, the login (derived from the address by the
// provider's rule unless one of the user's own was typed), the secret and
// the sender name.
func (s *session) account() (steps.Action, error) {
	set, pr := &s.d.Settings, s.d.Provider
	oldAddress := set.From
	if oldAddress == "" && strings.Contains(set.Username, "@") {
		oldAddress = set.Username
	}
	address, err := s.ask("E-mail address", oldAddress, func(v string) error { return smtp.ValidateAddress("e-mail address", v) })
	if err != nil {
		return steps.Action{}, err
	}
	login := set.Username
	if login == "" || login == pr.LoginFor(oldAddress) {
		login = pr.LoginFor(address)
	}
	s.indent("The login is " + pr.LoginDescription() + ".")
	login, err = s.ask("Login (- for none)", login, func(v string) error {
		if len(v) > smtp.MaxUsernameLen {
			return errors.New("login is longer than 320 characters: type only the login")
		}
		return nil
	})
	if err != nil {
		return steps.Action{}, err
	}
	secret := set.Password.Reveal()
	if pr.SignsInWithCode() && !s.d.NoOAuth {
		secret = "" // the next step signs in instead
	} else if set.Auth != smtp.AuthNone && (none(login) != "" || pr.Login == smtp.LoginSecret) {
		// No login ("-") is a relay that needs none: no password to ask
		// for, unless the secret is the login too (Postmark).
		if secret, err = s.secret(secret); err != nil {
			return steps.Action{}, err
		}
	}
	name, err := s.ask("Sender name (optional, - for none)", set.FromName, checkName)
	if err != nil {
		return steps.Action{}, err
	}
	set.From, set.Username, set.FromName = address, none(login), none(name)
	set.Password = smtp.NewSecret(secret)
	if set.Username == "" {
		set.Username = pr.LoginWith(set.From, secret) // Postmark: the token is the login too
	}
	return steps.Action{Kind: steps.Next}, nil
}

// none turns the answer "-" into an empty value.
func none(v string) string {
	if v == "-" {
		return ""
	}
	return v
}

func checkName(v string) error {
	if len(v) > smtp.MaxNameLen {
		return errors.New("sender name is longer than 200 characters: type a short name")
	}
	return nil
}

// secret reads the password without echo until it passes the provider's
// check. Enter alone keeps the current one; a shape warning is given once,
// and the same secret (or Enter) again uses it anyway. It is never printed.
func (s *session) secret(current string) (string, error) {
	pr := s.d.Provider
	if hint := pr.Secret.ShapeHint; hint != "" {
		s.indent("Not your account password: " + hint + ".")
	}
	s.indent("Typing is not shown.")
	warned := ""
	for {
		keep := ""
		if current != "" {
			keep = " [keep current]"
		}
		s.printf("%d. %s%s: ", s.n, pr.SecretLabel(), keep)
		v, err := s.await(s.readPassword)
		if err != nil {
			return "", err
		}
		if v == "" {
			v = current
		}
		chk := pr.CheckSecret(v)
		invalid := smtp.ValidateSecret(chk.Value)
		switch {
		case v == "":
			s.indent(pr.SecretLabel() + " is empty: paste it here (it stays hidden).")
		case invalid != nil:
			s.indent(sentence(invalid))
		case chk.Warning != "" && warned != v:
			warned, current = v, v
			s.indent(chk.Warning + ". Press Enter to use it anyway, or type another.")
		default:
			for _, n := range chk.Notes {
				s.indent("Note: " + n + ".")
			}
			return chk.Value, nil
		}
	}
}

// ---- 4. security ----

// security asks for the host, the encryption mode and the port. Choosing a
// mode moves the port with it unless the user typed a port of their own; a
// port that does not go with the mode is warned about once.
func (s *session) security() (steps.Action, error) {
	set := &s.d.Settings
	host, err := s.ask("SMTP server", set.Host, smtp.ValidateHost)
	if err != nil {
		return steps.Action{}, err
	}
	from := set.Security
	if from == "" {
		from = smtp.SecuritySTARTTLS
	}
	mode, err := s.mode(from)
	if err != nil {
		return steps.Action{}, err
	}
	port := ""
	if set.Port != 0 {
		port = strconv.Itoa(set.Port)
	}
	if mode != from && (port == "" || port == strconv.Itoa(from.DefaultPort()) || port == strconv.Itoa(s.portFor(from))) {
		port = strconv.Itoa(s.portFor(mode))
	}
	warned := ""
	port, err = s.ask("Port", port, func(v string) error {
		n, err := smtp.ValidatePort(v)
		if err != nil {
			return err
		}
		msg := smtp.Settings{Port: n, Security: mode}.PortMismatch()
		if key := string(mode) + "/" + v; msg != "" && warned != key {
			warned = key
			return warning(msg + ": change the port or the encryption, or press Enter again to keep it")
		}
		return nil
	})
	if err != nil {
		return steps.Action{}, err
	}
	set.Host, set.Security = strings.TrimSpace(host), mode
	set.Port, _ = strconv.Atoi(port)
	return steps.Action{Kind: steps.Next}, nil
}

// modeLines are the modes as offered, in the order of smtp.Securities.
var modeLines = map[smtp.Security]string{
	smtp.SecuritySSL:      "SSL/TLS   encrypted from the first byte, port 465",
	smtp.SecuritySTARTTLS: "STARTTLS  plain greeting, then encrypted, port 587",
	smtp.SecurityNone:     "none      no encryption, port 25 (trusted networks only)",
}

// mode offers the three modes by number; a name (ssl, starttls, none) works too.
func (s *session) mode(def smtp.Security) (smtp.Security, error) {
	defNum := ""
	for i, m := range smtp.Securities {
		rec := ""
		if p := s.d.Provider; p != nil {
			if po, ok := p.Recommended(); ok && po.Security == m {
				rec = "  (recommended)"
			}
		}
		s.printf("%4d  %s%s\n", i+1, modeLines[m], rec)
		if m == def {
			defNum = strconv.Itoa(i + 1)
		}
	}
	var mode smtp.Security
	_, err := s.ask("Encryption (1, 2 or 3)", defNum, func(v string) error {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(smtp.Securities) {
			mode = smtp.Securities[n-1]
			return nil
		}
		m, err := smtp.ParseSecurity(v)
		if err != nil || v == "" {
			return errors.New("encryption: type 1 for SSL/TLS, 2 for STARTTLS or 3 for none")
		}
		mode = m
		return nil
	})
	return mode, err
}

// portFor is the provider's port for the mode, else the mode's default.
func (s *session) portFor(m smtp.Security) int {
	if p := s.d.Provider; p != nil {
		for _, po := range p.Ports {
			if po.Security == m {
				return po.Port
			}
		}
	}
	return m.DefaultPort()
}

// ---- 5. test ----

// test runs the live test, printing each stage as it ends. On failure it
// prints the diagnosis and offers the way out; it never retries by itself,
// since failed logins can lock an account.
func (s *session) test() (steps.Action, error) {
	for {
		rep := s.runTest()
		if s.ctx.Err() != nil {
			return steps.Action{}, errQuit
		}
		for _, n := range rep.NetworkLines() {
			s.printf("Note: %s\n", n)
		}
		if rep.OK {
			s.printf("Passed. %s\n", passedSummary(s.d.Settings, rep))
			return steps.Action{Kind: steps.Next}, nil
		}
		diag := smtp.Diagnose(rep, s.d.Provider)
		s.printf("FAIL: %s [%s]\n", diag.Title, diag.Code)
		s.indent(append(append([]string{diag.Detail}, diag.ReplyLines()...), "Fix: "+diag.Fix)...)
		act, retest, err := s.afterFailure(diag)
		if err != nil || !retest {
			return act, err
		}
	}
}

// runTest runs smtp.Test on the draft, printing each stage as it ends.
func (s *session) runTest() *smtp.Report {
	set, opts := s.d.Settings, s.d.Test
	who := ""
	if set.Username != "" {
		who = " as " + smtp.CleanLine(set.Username)
	}
	s.printf("Testing %s (%s)%s; each stage may take up to %s.\n", smtp.CleanLine(set.Address()), set.Security.Label(), who, stageTimeout(opts))
	opts.Progress = func(e smtp.Event) {
		if !e.Done {
			return
		}
		mark := "ok"
		if !e.Result.OK {
			mark = "FAIL"
		}
		s.printf("%-4s %-9s %6s  %s\n", mark, e.Stage, e.Result.Took(), e.Result.Detail)
	}
	opts.Provider = s.d.Provider
	rep := smtp.Test(s.ctx, set, opts)
	s.d.Report = rep
	s.d.Test.Tried = smtp.Remember(s.d.Test.Tried, rep) // a suggestion never sends the user back
	return rep
}

func stageTimeout(o smtp.Options) time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return smtp.DefaultStageTimeout
}

func passedSummary(set smtp.Settings, rep *smtp.Report) string {
	what := "the connection"
	if set.Username != "" {
		what = "the login"
	}
	if rep.Sent != nil {
		what += " and the test message (code " + rep.Sent.Code + ")"
	}
	return "The server accepted " + what + "."
}

// afterFailure offers the menu after a failed test. retest reports that the
// test should run again; otherwise act says where to go.
func (s *session) afterFailure(diag *smtp.Diagnosis) (act steps.Action, retest bool, err error) {
	edit := steps.SecurityStep
	if strings.HasPrefix(diag.Code, "auth.") || strings.HasPrefix(diag.Code, "send.") {
		edit = steps.AccountStep
	}
	keys, def := "resq", "e"
	if diag.Transient {
		// A temporary refusal: the settings may be right; the default is to
		// test again (never by ourselves).
		def = "r"
	}
	if diag.Suggestion != nil {
		s.indent("a  apply the suggestion: " + diag.Suggestion.String() + ", and test again")
		keys, def = "aresq", "a"
	}
	s.indent("r  retry", "e  edit the "+map[steps.ID]string{steps.AccountStep: "account", steps.SecurityStep: "server settings"}[edit],
		"s  save anyway", "q  quit without saving")
	list := strings.Join(strings.Split(keys, ""), ", ")
	choice, err := s.ask("Choose "+list, def, func(v string) error {
		if len(v) == 1 && strings.Contains(keys, strings.ToLower(v)) {
			return nil
		}
		return errors.New("type one of " + list)
	})
	switch strings.ToLower(choice) {
	case "a":
		s.d.Settings = diag.Suggestion.Apply(s.d.Settings)
		return steps.Action{}, true, err
	case "r":
		return steps.Action{}, true, err
	case "e":
		return steps.Action{Kind: steps.Goto, To: edit}, false, err
	case "s":
		return steps.Action{Kind: steps.Next}, false, err
	}
	return steps.Action{Kind: steps.Quit}, false, err
}

// ---- 6. save ----

// save asks where to write, confirms before replacing a file, writes it
// atomically and says what was written where.
func (s *session) save() (steps.Action, error) {
	def := s.d.ConfigPath
	for {
		path, err := s.ask("Save the settings to", def, func(v string) error {
			if v == "" {
				return errors.New("path is empty: type where to save, e.g. /etc/smtpsetup/smtp.yaml")
			}
			return nil
		})
		if err != nil {
			return steps.Action{}, err
		}
		path, def = filepath.Clean(path), path
		if _, err := os.Lstat(path); err == nil {
			ok, err := s.yes("The file exists: replace it? (the old one is kept as a .bak)")
			if err != nil {
				return steps.Action{}, err
			}
			if !ok {
				continue
			}
		}
		err = s.d.SaveSignIn(path)
		var res config.SaveResult
		if err == nil {
			res, err = config.Save(path, s.d.Settings, config.SaveOptions{})
		}
		if err != nil {
			s.printf("Could not save: %v\nNothing was changed. Choose another path, or press Ctrl-D to quit.\n", err)
			continue
		}
		s.d.ConfigPath, s.d.Saved = path, &res
		s.saved(res)
		return steps.Action{Kind: steps.Done}, nil
	}
}

func (s *session) saved(res config.SaveResult) {
	if res.Changed {
		s.printf("Saved. Wrote %s (mode 0600, readable only by its owner).\n", res.Path)
	} else {
		s.printf("Nothing to change: %s already holds these settings.\n", res.Path)
	}
	if res.Backup != "" {
		s.indent("The previous file is kept as " + res.Backup + ".")
	}
	if res.PasswordFile != "" {
		s.indent("The password is in " + res.PasswordFile + " (mode 0600).")
	}
	set := s.d.Settings
	s.indent("Server  "+set.Address()+" ("+set.Security.Label()+")", "Login   "+set.Username, "From    "+set.From,
		"Next: smtpsetup check --config "+res.Path+" tests it again at any time.")
}
