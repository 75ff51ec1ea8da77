// Package output renders the outcome of a live test for people (plain
// text, coloured only on a terminal) and for scripts (JSON, a stable
// contract documented in docs/diagnoses.md).
package output

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// Result is what `check --json` prints: one object, keys as documented.
type Result struct {
	OK         bool              `json:"ok"`
	Stages     []Stage           `json:"stages"`
	Diagnosis  *Diagnosis        `json:"diagnosis"`
	Suggestion *smtp.Suggestion  `json:"suggestion"`
	Server     smtp.ServerInfo   `json:"server"`
	Transcript []Line            `json:"transcript"`
	Sent       *smtp.SentMessage `json:"sent,omitempty"`
	Proven     []string          `json:"proven"`               // what the test proved: login, sender, message, delivery
	NoLogin    bool              `json:"no_login"`             // the test did not log in: a relay by address
	Error      *InputError       `json:"error,omitempty"`      // set when no test ran: bad input
	SignInDue  string            `json:"signin_due,omitempty"` // OAuth: sign in again by this date (YYYY-MM-DD, UTC) if unused
	Network    smtp.NetworkFacts `json:"network,omitzero"`     // this machine's side, when the server was not reached
	// Config is what `setup --non-interactive --json` did with the config.
	Config *Config `json:"config,omitempty"`
}

// Config says what setup did with the config file: Changed is what a
// configuration-management tool reports as "changed" (with --dry-run,
// whether a save would change anything).
type Config struct {
	Path    string `json:"path"`
	Saved   bool   `json:"saved"`   // the file now holds these settings (false: the test failed, or --dry-run)
	Changed bool   `json:"changed"` // the file's content or mode changed (would change, with --dry-run)
	Backup  string `json:"backup,omitempty"`
	DryRun  bool   `json:"dry_run,omitempty"`
}

// InputError is why no test ran: a flag, a variable or a file was not
// usable. ExitCode is the command's exit status (2).
type InputError struct {
	Message  string `json:"message"`
	ExitCode int    `json:"exit_code"`
}

// InputErrorJSON writes the one JSON object of a command that could not run
// its test, so that a script reading stdout always gets an object.
func InputErrorJSON(w io.Writer, msg string, exitCode int) error {
	return WriteJSON(w, Result{Stages: []Stage{}, Transcript: []Line{}, Proven: []string{}, Error: &InputError{Message: msg, ExitCode: exitCode}})
}

// Stage is one stage in the JSON output.
type Stage struct {
	Name   smtp.Stage `json:"name"`
	OK     bool       `json:"ok"`
	MS     int64      `json:"ms"`
	Detail string     `json:"detail"`
}

// Diagnosis is the diagnosis in the JSON output.
type Diagnosis struct {
	Code      string `json:"code"`
	Family    string `json:"family"`
	Transient bool   `json:"transient"`
	Title     string `json:"title"`
	Detail    string `json:"detail"`
	Fix       string `json:"fix"`
	Reply     string `json:"reply"` // the server's own words, cleaned and masked; "" when it said nothing
	// RetryAfterSeconds is how long the server asked to wait, when it said.
	RetryAfterSeconds int64 `json:"retry_after_seconds,omitempty"`
}

// Line is one transcript line in the JSON output.
type Line struct {
	MS   int64          `json:"ms"`
	Dir  smtp.Direction `json:"dir"`
	Text string         `json:"text"`
}

// NewResult builds the JSON shape from a report and its diagnosis.
func NewResult(r *smtp.Report, d *smtp.Diagnosis) Result {
	res := Result{OK: r.OK, Server: r.Server, Stages: []Stage{}, Transcript: []Line{}, Sent: r.Sent, Network: r.Network,
		Proven: r.Proven(), NoLogin: r.NoLogin()}
	if !r.SignInDue.IsZero() {
		res.SignInDue = r.SignInDue.UTC().Format(time.DateOnly)
	}
	for _, s := range r.Stages {
		res.Stages = append(res.Stages, Stage{Name: s.Stage, OK: s.OK, MS: s.Duration.Milliseconds(), Detail: s.Detail})
	}
	for _, l := range r.Transcript {
		res.Transcript = append(res.Transcript, Line{MS: l.At.Milliseconds(), Dir: l.Dir, Text: l.Text})
	}
	if d != nil {
		res.Diagnosis = &Diagnosis{Code: d.Code, Family: d.Family, Transient: d.Transient, Title: d.Title, Detail: d.Detail, Fix: d.Fix,
			Reply: d.Reply, RetryAfterSeconds: int64(d.RetryAfter.Seconds())}
		res.Suggestion = d.Suggestion
	}
	return res
}

// JSON writes the result as one indented JSON object.
func JSON(w io.Writer, r *smtp.Report, d *smtp.Diagnosis) error {
	return WriteJSON(w, NewResult(r, d))
}

// WriteJSON writes a result, completed by its caller, as one indented
// JSON object.
func WriteJSON(w io.Writer, res Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

type styles struct{ ok, bad, warn, title, subtle lipgloss.Style }

func newStyles() styles {
	return styles{
		ok:     lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		bad:    lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
		warn:   lipgloss.NewStyle().Foreground(lipgloss.Color("3")),
		title:  lipgloss.NewStyle().Bold(true),
		subtle: lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
	}
}

// Writer wraps w so that colour reaches only a terminal, and never with
// NO_COLOR set.
func Writer(w io.Writer) io.Writer { return colorprofile.NewWriter(w, os.Environ()) }

// Text writes the verdict for a person in English; TextIn in a language.
func Text(w io.Writer, r *smtp.Report, d *smtp.Diagnosis) { TextIn(w, r, d, nil) }

// TextIn writes the verdict for a person: the stages, what the server is,
// and on failure the diagnosis with its code, fix and suggestion, in tr's
// language (d as the caller diagnosed it in that language). Marks and
// words carry the meaning; colour only helps.
func TextIn(w io.Writer, r *smtp.Report, d *smtp.Diagnosis, tr *i18n.Printer) {
	st := newStyles()
	writeHeader(w, st, r.Settings, tr)
	for _, stage := range r.Stages {
		writeStage(w, st, stage, tr)
	}
	writeVerdict(w, st, r, d, tr)
}

// writeHeader is the first line of a test: what is tested.
func writeHeader(w io.Writer, st styles, s smtp.Settings, tr *i18n.Printer) {
	fmt.Fprintf(w, "%s %s (%s)\n", st.title.Render(tr.T("Testing")), smtp.CleanLine(s.Address()), s.Security.LabelIn(tr))
}

// writeStage is a finished stage's line. The stage's name stays as the
// JSON and the docs write it ("ehlo", "auth"): a helpdesk reads it.
func writeStage(w io.Writer, st styles, stage smtp.StageResult, tr *i18n.Printer) {
	mark := st.ok.Render(padCells(tr.T("ok"), 4))
	if !stage.OK {
		mark = st.bad.Render(padCells(tr.T("FAIL"), 4))
	}
	fmt.Fprintf(w, "  %s %-9s %7s  %s\n", mark, stage.Stage, st.subtle.Render(stage.Took()), stage.DetailIn(tr))
}

// padCells pads s with spaces to n terminal cells (a CJK character takes
// two).
func padCells(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-ansi.StringWidth(s)))
}

// writeVerdict is what follows the stages: the server's facts, then the
// verdict with the diagnosis.
func writeVerdict(w io.Writer, st styles, r *smtp.Report, d *smtp.Diagnosis, tr *i18n.Printer) {
	writeServer(w, st, r.Server, r.NetworkLinesIn(tr), tr)
	if r.OK {
		fmt.Fprintln(w, "\n"+st.ok.Render(tr.Tf("PASSED: %s", r.VerdictIn(tr))))
		fmt.Fprintln(w, "  "+tr.Tf("Proven: %s", provenList(r, tr)))
		if r.NoLogin() {
			fmt.Fprintln(w, "  "+st.warn.Render(tr.T("No login: the server accepts mail from this machine by its address alone.")))
		}
		if r.Sent == nil {
			// Microsoft 365 and Amazon SES judge the sender only once a
			// message is sent: only a message proves it goes out.
			fmt.Fprintln(w, "  "+tr.T("No message was sent: add --send-to ADDR --confirm to prove delivery (some providers check the sender only then)."))
		}
		if m := r.Sent; m != nil && !m.Confirmed {
			fmt.Fprintln(w, "  "+tr.Tf("Look in %s's inbox (and spam folder) for %q: when it is there, delivery works.", smtp.CleanLine(m.To), m.Subject))
		}
		return
	}
	if d == nil {
		return
	}
	if p := r.Proven(); len(p) > 0 {
		fmt.Fprintln(w, "\n  "+tr.Tf("Proven before the failure: %s", provenList(r, tr)))
	}
	fmt.Fprintf(w, "\n%s %s [%s]\n", st.bad.Render(tr.T("FAILED:")), d.Title, d.Code)
	fmt.Fprintf(w, "  %s\n", d.Detail)
	for _, l := range d.ReplyLinesIn(tr) {
		fmt.Fprintf(w, "  %s\n", l)
	}
	fmt.Fprintf(w, "  %s %s\n", st.title.Render(tr.T("Fix:")), d.Fix)
	if g := d.Suggestion; g != nil {
		fmt.Fprintf(w, "  %s --security %s --port %d\n", st.title.Render(tr.T("Try:")), g.Security, g.Port)
	}
}

func writeServer(w io.Writer, st styles, srv smtp.ServerInfo, notes []string, tr *i18n.Printer) {
	var lines []string
	// Labels in a column 12 cells wide, as long as a language's word needs.
	label := func(name string) string { return padCells(tr.T(name), 11) + " " }
	if srv.Greeting != "" {
		lines = append(lines, label("greeting")+srv.Banner())
	}
	if len(srv.Extensions) > 0 {
		lines = append(lines, label("extensions")+strings.Join(srv.Extensions, ", "))
	}
	if t := srv.TLS; t != nil {
		tl := label("tls") + t.Version + ", " + t.Cipher
		if t.Pinned {
			tl += tr.T("; certificate accepted by its pinned fingerprint")
		}
		lines = append(lines, tl)
		if c := t.Certificate; c != nil {
			indent := strings.Repeat(" ", ansi.StringWidth(label("certificate")))
			lines = append(lines,
				label("certificate")+tr.Tf("%s, issued by %s", c.Subject, c.Issuer),
				indent+tr.Tf("valid %s to %s; names: %s", c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly), strings.Join(c.Names, " ")),
				indent+"sha256 "+c.SHA256)
		}
	}
	if len(lines) > 0 {
		fmt.Fprintln(w, "\n"+st.title.Render(tr.T("Server")))
		for _, l := range lines {
			fmt.Fprintln(w, "  "+l)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\n"+st.title.Render(tr.T("Network")))
		for _, n := range notes {
			fmt.Fprintln(w, "  "+st.warn.Render(n))
		}
	}
}
