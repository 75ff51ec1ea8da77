package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"smtpsetup/config"
	"smtpsetup/i18n"
	"smtpsetup/oauth"
	"smtpsetup/output"
	"smtpsetup/smtp"
)

func loginCommand() *cobra.Command {
	var f connFlags
	var saveAnyway bool
	var secretFile string
	c := &cobra.Command{
		Use:   "login",
		Short: "Sign in with OAuth (Microsoft 365, Outlook.com)",
		Long: "login starts the OAuth device sign-in of the provider (RFC 8628): it prints an address and a\n" +
			"short code, you sign in there from any phone or computer, and smtpsetup receives a token. It\n" +
			"then tests the SMTP login with XOAUTH2 and writes the config and, beside it, the token file\n" +
			"(mode 0600; the token is never printed). Run it again when the sign-in expires.\n" +
			"For Gmail (whose device sign-in excludes mail) it prints an address to open in any browser\n" +
			"and asks you to paste back the address the browser ends on (--client-secret-file).\n" +
			"The app to sign in with is your organisation's registration: --client-id (and --tenant).\n" +
			"Exit 0 when signed in and the test passes, 1 when the sign-in or the test fails, 2 for bad input.",
		Example: "  smtpsetup login --provider microsoft365 --from nas@contoso.com \\\n" +
			"      --client-id 00000000-0000-0000-0000-000000000000\n" +
			"  smtpsetup login --config /etc/smtpsetup/smtp.yaml   # sign in again",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := fromEnv(cmd); err != nil {
				return err
			}
			dest := configPath(f.config)
			f.config = ""
			if _, err := os.Lstat(dest); err == nil {
				f.config = dest
			}
			f.signIn = true
			s, p, err := f.settings(cmd, cmd.InOrStdin())
			if err != nil {
				return err
			}
			if p == nil || p.OAuth == nil {
				return badInput(i18n.N("--provider: sign-in with OAuth needs a provider that offers it (microsoft365, outlook, or one from --providers with an oauth block)"))
			}
			s.Auth, s.Password, s.PasswordFile = smtp.AuthXOAUTH2, smtp.Secret{}, ""
			if s.Username == "" {
				return badInput(i18n.N("--from or --username: the address you will sign in as is needed for the SMTP login"))
			}
			if err := checkOAuthFlags(s); err != nil {
				return err
			}
			client, err := oauth.NewClient(p, s)
			if errors.Is(err, oauth.ErrNoClientID) {
				return badInput("--client-id: %s", noClientIDHelp(p))
			}
			if err != nil {
				return badInput("--provider: %v", err)
			}
			if secretFile != "" {
				b, err := os.ReadFile(secretFile)
				if err != nil {
					return badInput("--client-secret-file: %v", err)
				}
				if client.OAuth.Flow != smtp.FlowAuthCode {
					return badInput(i18n.N("--client-secret-file: %s signs in with a device code, as a public client that sends no secret"), p.Name)
				}
				client.OAuth.ClientSecret = strings.TrimSpace(string(b))
			}
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
			var tok *oauth.Token
			if client.OAuth.Flow == smtp.FlowAuthCode {
				tok, err = browserSignIn(cmd.Context(), client, cmd.InOrStdin(), out)
			} else {
				tok, err = deviceSignIn(cmd.Context(), client, out)
			}
			if err != nil {
				if ctxErr := cmd.Context().Err(); ctxErr != nil {
					return failed(i18n.N("sign-in cancelled"))
				}
				rep := smtp.SignInError(s, err)
				output.TextIn(output.Writer(out), rep, diagnose(rep, p, true), tr)
				return &exitError{code: exitFailed}
			}
			fmt.Fprintln(errOut, tr.T("Signed in. Testing the SMTP login with XOAUTH2..."))
			mem := &memStore{}
			if err := oauth.Save(mem, tok); err != nil {
				return err
			}
			rep, err := f.testAndPrintWith(cmd, s, p, f.testOptions(p), &oauth.Source{Store: mem})
			if err != nil {
				return err
			}
			if !rep.OK && !saveAnyway {
				fmt.Fprintln(errOut, tr.Tf("Not saved: the test failed. Fix it and sign in again, or pass --save-anyway to write %s regardless.", dest))
				return &exitError{code: exitFailed}
			}
			// The token first: a config that names OAuth with no token
			// beside it would only say "not signed in".
			tokenPath := config.TokenPath(dest)
			if err := oauth.Save(config.TokenFile(tokenPath), tok); err != nil {
				return err
			}
			res, err := config.Save(dest, s, config.SaveOptions{})
			if err != nil {
				return err
			}
			fmt.Fprintln(errOut, res.In(tr))
			fmt.Fprintln(errOut, tr.Tf("Saved the sign-in to %s (mode 0600).", tokenPath)+signInDueNote(tok))
			if !rep.OK {
				return &exitError{code: exitFailed}
			}
			return nil
		},
	}
	f.register(c)
	c.Flags().BoolVar(&saveAnyway, "save-anyway", false, "write the config and token even when the SMTP test fails")
	c.Flags().StringVar(&secretFile, "client-secret-file", "", "browser sign-in (Gmail): file holding your installed app's client secret")
	return c
}

// noClientIDHelp is what to do when nobody has given an app id: smtpsetup
// has no registered app of its own, and borrowing another product's is not
// ours to do. The steps come from the catalogue.
func noClientIDHelp(p *smtp.Provider) text {
	var steps strings.Builder
	var args []any
	for i, st := range p.OAuth.RegisterSteps {
		fmt.Fprintf(&steps, "  %d. %%s\n", i+1)
		args = append(args, phrase(st)) // the catalogue's words
	}
	list := say(steps.String(), args...)
	if p.OAuth.RegisterURL != "" {
		return say(i18n.N("no app to sign in with. smtpsetup has no app of its own at %s, so an administrator registers one once (%s):\n"+
			"%sThen pass its client ID (Microsoft: the Application (client) ID): --client-id ID"), p.Name, p.OAuth.RegisterURL, list)
	}
	return say(i18n.N("no app to sign in with. smtpsetup has no app of its own at %s, so an administrator registers one once:\n"+
		"%sThen pass its client ID (Microsoft: the Application (client) ID): --client-id ID"), p.Name, list)
}

func checkOAuthFlags(s smtp.Settings) error {
	if s.OAuthClientID != "" {
		if err := smtp.CheckClientID(s.OAuthClientID); err != nil {
			return badInput("--%v", err)
		}
	}
	if s.OAuthTenant != "" {
		if err := smtp.CheckTenant(s.OAuthTenant); err != nil {
			return badInput("--%v", err)
		}
	}
	return nil
}

// deviceSignIn shows the code and waits for the user.
func deviceSignIn(ctx context.Context, c *oauth.Client, out io.Writer) (*oauth.Token, error) {
	p, err := c.Start(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "%s\n\n    %s\n\n%s\n\n    %s\n\n", tr.T("To sign in, open this address on your phone or computer:"), p.VerificationURI,
		tr.T("and enter the code:"), p.UserCode)
	if p.CompleteURI != "" {
		fmt.Fprintf(out, "%s\n\n", tr.Tf("(or open %s, which includes the code)", p.CompleteURI))
	}
	if !p.Expires.IsZero() {
		fmt.Fprintln(out, tr.Tf("Waiting for you to sign in (the code expires at %s)...", p.Expires.Local().Format("15:04")))
	}
	return c.Wait(ctx, p)
}

// browserSignIn is the installed-app sign-in for a machine without a
// browser: the address to open anywhere, then the address the browser
// ended on, pasted back on standard input.
func browserSignIn(ctx context.Context, c *oauth.Client, in io.Reader, out io.Writer) (*oauth.Token, error) {
	p, err := c.StartBrowser()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "%s\n\n%s\n\n", tr.T("Open this address in a browser on any phone or computer and sign in:"), p.URL)
	fmt.Fprintln(out, tr.Tf("The browser then goes to an address starting with %s, which does not load\n"+
		"(nothing listens there). Copy that whole address from the address bar and paste it here:", c.OAuth.RedirectURL))
	line, err := bufio.NewReader(io.LimitReader(in, 64<<10)).ReadString('\n')
	if err != nil && strings.TrimSpace(line) == "" {
		return nil, &oauth.Error{Op: "sign-in", Code: "bad_paste", Description: "nothing was pasted"}
	}
	return c.Finish(ctx, p, line)
}

func signInDueNote(t *oauth.Token) string {
	if due := t.SignInDue(); !due.IsZero() {
		return " " + tr.Tf("It renews itself with use; if unused, sign in again before %s.", due.Local().Format("2006-01-02"))
	}
	return ""
}

func tokenCommand() *cobra.Command {
	var cfgPath string
	c := &cobra.Command{
		Use:   "token",
		Short: "Print an OAuth access token for msmtp, mutt, aerc",
		Long: "token prints a valid access token on standard output and nothing else, refreshing it (and\n" +
			"saving the provider's new refresh token) when it has expired or is about to. Messages go to\n" +
			"standard error. Exit 1 when not signed in, or the sign-in has expired or was revoked: run\n" +
			"smtpsetup login again.",
		Example: "  # in msmtprc:\n" +
			"  passwordeval \"smtpsetup token --config /etc/smtpsetup/smtp.yaml\"",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := configPath(cfgPath)
			if _, err := config.Load(path); err != nil {
				return badInput("--config: %v", err)
			}
			src := &oauth.Source{Store: config.TokenFile(config.TokenPath(path))}
			tok, _, err := src.Token(cmd.Context())
			if err != nil {
				return tokenError(path, err)
			}
			_, err = io.WriteString(cmd.OutOrStdout(), tok.Reveal()+"\n")
			return err
		},
	}
	c.Flags().StringVar(&cfgPath, "config", "", "config file whose sign-in to use (the token file is beside it)")
	return c
}

// tokenError says what a failed refresh means and what to do.
func tokenError(cfgPath string, err error) error {
	var oe *oauth.Error
	if errors.As(err, &oe) {
		switch oe.Code {
		case oauth.CodeNotSignedIn:
			return failed(i18n.N("not signed in: there is no token file (%s): run smtpsetup login --config %s"), config.TokenPath(cfgPath), cfgPath)
		case "bad_token_file":
			return failed(i18n.N("the saved sign-in (%s) is damaged: run smtpsetup login --config %s"), config.TokenPath(cfgPath), cfgPath)
		case oauth.CodeInvalidGrant:
			return failed(i18n.N("%v\nThe sign-in has expired or was revoked: run smtpsetup login --config %s"), err, cfgPath)
		}
		return failed("%v", err)
	}
	var le *config.LoadError
	if errors.As(err, &le) && !errors.Is(err, fs.ErrNotExist) {
		return badInput("%v", err)
	}
	return failed("%v", err)
}

// oauthTokenSource is the token source of a config that uses OAuth, for
// check, setup and report; nil when the settings do not use it.
func oauthTokenSource(cfgPath string, s smtp.Settings) (*oauth.Source, bool) {
	if cfgPath == "" || s.Auth != smtp.AuthXOAUTH2 {
		return nil, false
	}
	if _, err := os.Stat(config.TokenPath(cfgPath)); err != nil && s.Password.Reveal() != "" {
		return nil, false // a config holding a token as its password (another tool's)
	}
	return &oauth.Source{Store: config.TokenFile(config.TokenPath(cfgPath))}, true
}

// memStore keeps a token in memory until the test has passed.
type memStore struct{ data []byte }

func (m *memStore) Load() ([]byte, error) {
	if m.data == nil {
		return nil, fs.ErrNotExist
	}
	return m.data, nil
}
func (m *memStore) Save(b []byte) error { m.data = append([]byte(nil), b...); return nil }

// signInDue reads when sign-in will be needed again, for check and report.
func signInDue(src *oauth.Source) (time.Time, bool) {
	t, err := oauth.Load(src.Store)
	if err != nil {
		return time.Time{}, false
	}
	due := t.SignInDue()
	return due, !due.IsZero()
}

// exportTokenCommand is the command an export names for an OAuth config:
// this binary by its absolute path (cron and sendmail run with a bare
// PATH), the token subcommand and the absolute config path, shell-quoted.
// "" when the config has no sign-in beside it.
func exportTokenCommand(cfgPath string, s smtp.Settings) string {
	if s.Auth != smtp.AuthXOAUTH2 {
		return ""
	}
	abs, err := filepath.Abs(cfgPath)
	if err != nil {
		return ""
	}
	if _, err := os.Stat(config.TokenPath(abs)); err != nil {
		return ""
	}
	exe, err := os.Executable()
	if err != nil {
		exe = ""
	}
	return config.TokenCommand(tokenCommandExe(exe, exec.LookPath), abs)
}

// tokenCommandExe is the program an exported token command runs: this
// binary by its absolute path, except a `go run` build (deleted when it
// exits), for which the installed smtpsetup on PATH stands in.
func tokenCommandExe(exe string, lookPath func(string) (string, error)) string {
	if filepath.IsAbs(exe) && !strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return exe
	}
	if p, err := lookPath("smtpsetup"); err == nil && filepath.IsAbs(p) {
		return p
	}
	return "smtpsetup"
}
