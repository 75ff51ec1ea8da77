package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"

	"smtpsetup/config"
	"smtpsetup/i18n"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
	"smtpsetup/steps"
	"smtpsetup/wizard"
)

// wizardFlags are the flags of the interactive wizard.
type wizardFlags struct {
	demo       bool
	path       string
	providers  string
	title      string
	accent     string
	timeout    time.Duration
	accessible bool
}

func (w *wizardFlags) register(c *cobra.Command) {
	f := c.Flags()
	f.BoolVar(&w.demo, "demo", false, "run the whole flow against a built-in local server, every field prefilled")
	f.StringVar(&w.path, "config", "", "config file to write (default: $SMTPSETUP_CONFIG, /etc/smtpsetup/smtp.yaml for root, else ~/.config/smtpsetup/smtp.yaml)")
	f.StringVar(&w.providers, "providers", "", "extra provider catalogue (YAML) that adds or overrides entries")
	f.StringVar(&w.title, "title", "smtpsetup", "title shown in the header, for appliance vendors")
	f.StringVar(&w.accent, "accent", "", "accent colour: an ANSI number 0-15 or #RRGGBB")
	f.DurationVar(&w.timeout, "timeout", smtp.DefaultStageTimeout, "time limit for each stage of the live test")
	f.BoolVar(&w.accessible, "accessible", false, "plain numbered questions, one per line, no colour or cursor movement (screen readers, serial consoles; also when TERM=dumb)")
}

func runWizard(cmd *cobra.Command, w wizardFlags) error {
	if err := checkTimeout(cmd, w.timeout); err != nil {
		return err
	}
	if !wizard.IsTerminal(os.Stdin) || !wizard.IsTerminal(os.Stdout) {
		return badInput("%s", phrase(wizard.ErrNoTerminal.Error())) // translated where the wizard marks it
	}
	// The built-in catalogue takes a few milliseconds to parse: it is
	// parsed once the first frame is out and waited for only when a step
	// needs it (a first run starts on the address field). An extra
	// catalogue is read at once, so that its errors stop the run before
	// any screen.
	var cat *smtp.Catalogue
	if w.providers != "" {
		var err error
		if cat, err = loadCatalogue(w.providers); err != nil {
			return err
		}
	}
	builtin := sync.OnceValue(smtp.BuiltinCatalogue)
	sess := steps.NewSession(steps.Env{
		Catalogue:     cat,
		LoadCatalogue: builtin,
		ConfigPath:    configPath(w.path),
		Test:          smtp.Options{Timeout: w.timeout},
		Lang:          tr,
	})
	if w.demo {
		srv, err := startDemo(sess, w.path)
		if err != nil {
			return badInput(i18n.N("starting the demo server: %v"), err)
		}
		defer srv.Close()
	} else if s, err := config.Load(sess.ConfigPath); err != nil {
		if err := brokenConfig(cmd, sess, err, w.accessible || os.Getenv("TERM") == "dumb", wizard.Options{Title: w.title}); err != nil {
			return err
		}
	} else {
		sess.Draft = steps.Draft{Settings: s, Existing: true}
		if src, ok := oauthTokenSource(sess.ConfigPath, s); ok {
			sess.Test.Token = src.TokenSource() // "Test the current settings" uses the saved sign-in
			if _, err := os.Stat(config.TokenPath(sess.ConfigPath)); err == nil {
				sess.Draft.SavedSignIn = config.TokenPath(sess.ConfigPath) // "Change" keeps it
			}
		}
		if _, ok := sess.Cat().ByID(s.Provider); !ok {
			// An id this catalogue lacks (a vendor's entry, the demo's):
			// the settings stand on their own, as a custom server.
			sess.Draft.Settings.Provider = smtp.OtherID
		}
	}
	config.CleanStale(filepath.Dir(sess.ConfigPath))
	opts := wizard.Options{Title: w.title, Background: func() { builtin() }}
	if w.accent != "" {
		opts.Accent = lipgloss.Color(w.accent)
	}
	var outcome wizard.Outcome
	var err error
	lines := w.accessible || os.Getenv("TERM") == "dumb"
	if lines {
		outcome, err = wizard.RunLines(cmd.Context(), sess, os.Stdin, cmd.OutOrStdout(), wizard.TerminalPassword(os.Stdin, cmd.OutOrStdout()))
	} else {
		outcome, err = wizard.Run(cmd.Context(), sess, opts)
	}
	if err != nil {
		return err
	}
	if outcome == wizard.Saved && sess.Results.Saved != nil {
		if !lines {
			fmt.Fprintln(cmd.OutOrStdout(), sess.Results.Saved.In(tr))
		}
		return nil
	}
	fmt.Fprintln(cmd.ErrOrStderr(), tr.T("Quit without saving: the config was not written."))
	return &exitError{code: exitFailed}
}

func configPath(flag string) string {
	if flag != "" {
		return flag
	}
	return config.DefaultPath()
}

func loadCatalogue(extra string) (*smtp.Catalogue, error) {
	cat := smtp.BuiltinCatalogue()
	if extra == "" {
		return cat, nil
	}
	more, err := smtp.LoadCatalogueFile(extra)
	if err != nil {
		return nil, badInput("--providers: %v", err)
	}
	cat.Merge(more)
	return cat, nil
}

// startDemo starts the built-in server and fills the draft so that Enter on
// every screen walks the whole flow. Nothing is written before Save, which
// writes the server's CA beside the demo config.
func startDemo(d *steps.Session, pathFlag string) (*smtptest.Server, error) {
	user := "demo@example.test"
	pass := randomPassword()
	srv, err := smtptest.Start(smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(user, pass))
	if err != nil {
		return nil, err
	}
	if pathFlag == "" {
		d.ConfigPath = filepath.Join(os.TempDir(), "smtpsetup-demo", "smtp.yaml")
	}
	demo := smtp.Provider{
		// The name is not one of the entry's Texts: a screen shows it as
		// written, so it is translated here.
		ID: "demo", Name: tr.T("Demo server (built in)"), Host: "localhost",
		Ports: []smtp.PortOption{{Security: smtp.SecuritySTARTTLS, Port: srv.Port(), Recommended: true}},
		Login: smtp.LoginAddress, Status: smtp.StatusOK, LastChecked: time.Now().Format(time.DateOnly),
		Secret: smtp.SecretRule{Label: "Password"},
		Prerequisites: []smtp.Prerequisite{{
			Title: i18n.N("The demo server is running"),
			// Without the port (the server step shows it), so that the
			// steps translate it as every catalogue text is.
			Detail: i18n.N("It was started on localhost for this run, with STARTTLS and one account; it stops when you quit."),
			Why:    i18n.N("A real provider lists here what it demands first, such as Gmail's App Password."),
		}},
	}
	d.Cat().Prepend(demo)
	d.Draft.Settings = smtp.Settings{
		Provider: "demo", Host: "localhost", Port: srv.Port(), Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthAuto,
		Username: user, Password: smtp.NewSecret(pass), From: user, FromName: "smtpsetup demo",
	}
	// Nothing is written before Save: the test trusts the demo's CA from
	// memory, and Save writes it beside the config it writes.
	d.Draft.CAPEM, d.Draft.CAFileName = srv.CA().PEM(), "demo-ca.pem"
	d.Test.RootCAs = srv.CA().Pool()
	d.Demo = true
	return srv, nil
}

func randomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
