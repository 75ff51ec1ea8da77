package main

import (
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"smtpsetup/config"
	"smtpsetup/i18n"
	"smtpsetup/output"
	"smtpsetup/smtp"
)

// connFlags are the settings flags shared by check, setup and report. No
// flag takes a password: argv is visible to every user of the machine.
type connFlags struct {
	live                               *output.Live // the test printed as it runs, until print finishes it
	config, provider, providers        string
	host, security, auth               string
	port                               int
	username, passwordFile, from       string
	fromName, sendTo, caFile           string
	clientID, tenant                   string
	passwordStdin, insecure, plainAuth bool
	timeout                            time.Duration
	jsonOut                            bool
	helo                               string // EHLO name
	builtinRoots                       bool   // trust the compiled-in public CAs when the system has none
	confirm                            bool   // check --confirm: ask for the code in the test message
	noLogin                            bool   // a relay by address: no AUTH
	tlsPin                             string // accept exactly this certificate
	signIn                             bool   // the secret is an OAuth token from `login`, not a password
}

func (f *connFlags) register(c *cobra.Command) {
	fs := c.Flags()
	fs.StringVar(&f.config, "config", "", "config file to read (flags override it)")
	fs.StringVar(&f.provider, "provider", "", "provider id from `smtpsetup providers`; fills what other flags leave empty")
	fs.StringVar(&f.providers, "providers", "", "extra provider catalogue (YAML)")
	fs.StringVar(&f.host, "host", "", "host name of the SMTP server")
	fs.IntVar(&f.port, "port", 0, "port (default: the mode's port)")
	fs.StringVar(&f.security, "security", "", "mode: ssl, starttls or none")
	fs.StringVar(&f.auth, "auth", "", "method: auto, plain, login, cram-md5, xoauth2 or none")
	fs.StringVar(&f.username, "username", "", "login")
	fs.BoolVar(&f.noLogin, "no-login", false, "do not log in: a relay that takes mail by address")
	fs.StringVar(&f.passwordFile, "password-file", "", "read the password from this file (or set SMTP_PASSWORD)")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	fs.StringVar(&f.from, "from", "", "sender address")
	fs.StringVar(&f.fromName, "from-name", "", "sender name")
	fs.StringVar(&f.sendTo, "send-to", "", "send one test message to this address (nothing is sent without it)")
	fs.StringVar(&f.caFile, "ca-file", "", "trust the CA in this PEM file (a private CA)")
	fs.StringVar(&f.tlsPin, "tls-pin-sha256", "", "accept only the certificate with this SHA-256 (as check shows it)")
	fs.StringVar(&f.clientID, "client-id", "", "the Application (client) ID of your registered app (OAuth)")
	fs.StringVar(&f.tenant, "tenant", "", "the directory (tenant) to sign in to with OAuth, when not the provider's default")
	fs.BoolVar(&f.insecure, "insecure-skip-verify", false, "accept any certificate (dangerous: anyone could read the password)")
	fs.BoolVar(&f.plainAuth, "allow-plaintext-auth", false, "allow sending the password over a connection without TLS")
	fs.DurationVar(&f.timeout, "timeout", smtp.DefaultStageTimeout, "time limit for each stage")
	fs.BoolVar(&f.jsonOut, "json", false, "print one JSON object instead of text")
	fs.StringVar(&f.helo, "helo", "", "name to say in EHLO, a fully-qualified name of this machine (default: its host name)")
	fs.BoolVar(&f.builtinRoots, "builtin-roots", false, "on a device without CA certificates, trust the public CAs built into smtpsetup")
}

// fromEnv lets every flag come from SMTPSETUP_<FLAG> (dashes as
// underscores), for first-boot scripts; a flag on the command line wins.
func fromEnv(c *cobra.Command) error {
	var err error
	c.Flags().VisitAll(func(fl *pflag.Flag) {
		name := envName(fl.Name)
		if v, ok := os.LookupEnv(name); ok && !fl.Changed && err == nil {
			if e := fl.Value.Set(v); e != nil {
				err = badInput("%s=%q %s", name, v, valueRule(fl, name+"="))
			}
		}
	})
	return err
}

// valueRule says what a flag's value must be, with an example written as
// the user gives it: "must be a whole number from 1 to 65535, as in --port
// 587" (as is "--port " or "SMTPSETUP_PORT="). Flags, variables and the
// range checks after parsing all say it in these words.
func valueRule(fl *pflag.Flag, as string) text {
	switch fl.Value.Type() {
	case "int":
		if fl.Name == "port" {
			return say(i18n.N("must be a whole number from 1 to 65535, as in %s"), as+"587")
		}
		return say(i18n.N("must be a whole number, as in %s"), as+"1")
	case "duration":
		return say(i18n.N("must be a positive length of time with its unit (s for seconds, m for minutes), as in %s"), as+"10s")
	case "bool":
		return say(i18n.N("must be true or false, as in %s"), as+"true")
	}
	return say(i18n.N("is not valid here"))
}

// flagValueError rewords a flag's unparsable value, which pflag reports in
// Go's words (strconv.ParseInt: parsing "abc": invalid syntax), as the
// rule for that flag; other errors are returned as they are.
func flagValueError(err error) error {
	// pflag's own sentences, said again in the user's language (the
	// English is pflag's, word for word).
	var ne *pflag.NotExistError
	var vre *pflag.ValueRequiredError
	var ise *pflag.InvalidSyntaxError
	switch {
	case errors.As(err, &ne) && ne.GetSpecifiedShortnames() == "":
		return badInput(i18n.N("unknown flag: --%s"), ne.GetSpecifiedName())
	case errors.As(err, &ne) && ne.GetSpecifiedName() != "":
		return badInput(i18n.N("unknown shorthand flag: %q in -%s"), rune(ne.GetSpecifiedName()[0]), ne.GetSpecifiedShortnames())
	case errors.As(err, &vre) && vre.GetSpecifiedShortnames() == "":
		return badInput(i18n.N("flag needs an argument: --%s"), vre.GetSpecifiedName())
	case errors.As(err, &vre) && vre.GetSpecifiedName() != "":
		return badInput(i18n.N("flag needs an argument: %q in -%s"), rune(vre.GetSpecifiedName()[0]), vre.GetSpecifiedShortnames())
	case errors.As(err, &ise):
		return badInput(i18n.N("bad flag syntax: %s"), ise.GetSpecifiedFlag())
	}
	var ive *pflag.InvalidValueError
	if !errors.As(err, &ive) {
		return err
	}
	fl := ive.GetFlag()
	return badInput("--%s %q %s", fl.Name, ive.GetValue(), valueRule(fl, "--"+fl.Name+" "))
}

// checkTimeout refuses a time limit of zero or less, from the flag or its
// variable: every stage would fail at once.
func checkTimeout(c *cobra.Command, d time.Duration) error {
	if d > 0 {
		return nil
	}
	fl := c.Flags().Lookup("timeout")
	if !fl.Changed {
		return badInput("%s=%q %s", envName("timeout"), os.Getenv(envName("timeout")), valueRule(fl, envName("timeout")+"="))
	}
	return badInput("--timeout %q %s", fl.Value.String(), valueRule(fl, "--timeout "))
}

// useSavedConfig reads the config the wizard saved when no server was
// named otherwise: `smtpsetup check` alone tests this machine's settings.
func (f *connFlags) useSavedConfig(c *cobra.Command) {
	if f.config != "" || c.Flags().Changed("host") || c.Flags().Changed("provider") || os.Getenv(envName("host")) != "" {
		return
	}
	if _, err := os.Stat(config.DefaultPath()); err == nil {
		f.config = config.DefaultPath()
	}
}

// envName is the variable a flag can also come from: --from-name is
// SMTPSETUP_FROM_NAME.
func envName(flag string) string {
	return "SMTPSETUP_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// settings builds the draft: the file first, flags over it, then
// smtp.Settings.Fill completes what is still empty from the provider and
// the conventions. Every error names the flag and the
// fix, and exits 2.
func (f *connFlags) settings(c *cobra.Command, stdin io.Reader) (smtp.Settings, *smtp.Provider, error) {
	var s smtp.Settings
	if f.config != "" {
		var err error
		if s, err = config.Load(f.config); err != nil {
			return s, nil, badInput("--config: %v", err)
		}
	}
	changed := func(name string) bool {
		return c.Flags().Changed(name) || os.Getenv("SMTPSETUP_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))) != ""
	}
	set := func(name string, dst *string, v string) {
		if changed(name) {
			*dst = v
		}
	}
	set("host", &s.Host, f.host)
	set("username", &s.Username, f.username)
	set("from", &s.From, f.from)
	set("from-name", &s.FromName, f.fromName)
	set("ca-file", &s.CAFile, f.caFile)
	set("provider", &s.Provider, f.provider)
	set("client-id", &s.OAuthClientID, f.clientID)
	set("tenant", &s.OAuthTenant, f.tenant)
	set("helo", &s.Helo, f.helo)
	if changed("tls-pin-sha256") {
		if s.TLSPinSHA256 = ""; f.tlsPin != "" {
			pin, err := smtp.ParsePin(f.tlsPin)
			if err != nil {
				return s, nil, badInput("--tls-pin-sha256: %v", err)
			}
			s.TLSPinSHA256 = pin
		}
	}
	if changed("port") {
		s.Port = f.port
	}
	if changed("security") {
		sec, err := smtp.ParseSecurity(f.security)
		if err != nil {
			return s, nil, badInput("--security: %v", err)
		}
		s.Security = sec
	}
	if changed("auth") {
		m, err := smtp.ParseAuthMethod(f.auth)
		if err != nil {
			return s, nil, badInput("--auth: %v", err)
		}
		s.Auth = m
	}
	if f.signIn {
		s.Auth = smtp.AuthXOAUTH2
	}
	s.InsecureSkipVerify = s.InsecureSkipVerify || f.insecure
	s.AllowPlaintextAuth = s.AllowPlaintextAuth || f.plainAuth
	if f.noLogin || changed("username") && f.username == "" {
		s.Auth = smtp.AuthNone
	}

	if err := checkTimeout(c, f.timeout); err != nil {
		return s, nil, err
	}
	p, err := f.catalogueEntry(s.Provider, changed("provider"))
	if err != nil {
		return s, nil, err
	}
	if p.OAuthOnly() && s.Auth != smtp.AuthXOAUTH2 && s.Auth != smtp.AuthNone {
		// Never send a password the provider refuses: each try counts
		// toward its lockout.
		return s, p, badInput(i18n.N("%s accepts only OAuth sign-in: run %s"), p.Name, loginCommandLine(p, s.From))
	}
	if err := f.readPassword(&s, stdin); err != nil {
		return s, nil, err
	}
	s.Fill(p)
	if s.NoLogin() {
		s = s.WithoutLogin()
	}
	if s.Host == "" && p != nil && p.HostHint != "" {
		return s, p, badInput("%s", needsHost(p, s.From))
	}
	if s.Host == "" {
		return s, p, badInput(i18n.N("no server: give --host, --provider or --config, or run smtpsetup (no command) to set up this machine"))
	}
	if errs := s.Validate(); len(errs) > 0 {
		e := errs[0]
		if e.Field == "password" && s.Password.IsZero() {
			return s, p, badInput("%s", missingPassword)
		}
		return s, p, badInput("--%s %s; %s", strings.NewReplacer(" ", "-", "_", "-").Replace(e.Field), phrase(e.Problem), phrase(e.Fix))
	}
	if s.CAFile != "" {
		if _, err := smtp.ReadCAFile(s.CAFile); err != nil {
			where := "ca_file in " + f.config
			if changed("ca-file") {
				where = "--ca-file"
			}
			return s, p, badInput("%s: %v", where, err)
		}
	}
	if f.sendTo != "" {
		if err := smtp.ValidateAddress("send-to", f.sendTo); err != nil {
			return s, p, badInput("--%v", err)
		}
	}
	return s, p, nil
}

// catalogueEntry is the catalogue entry the settings name. An id the catalogue
// lacks is an error when given as a flag; from a config file (a vendor's
// entry, the demo's) it only means no provider advice.
func (f *connFlags) catalogueEntry(id string, fromFlag bool) (*smtp.Provider, error) {
	if id == "" {
		return nil, nil
	}
	cat, err := loadCatalogue(f.providers)
	if err != nil {
		return nil, err
	}
	p, ok := cat.ByID(id)
	if !ok && fromFlag {
		return nil, badInput(i18n.N("--provider: unknown provider %q; `smtpsetup providers` lists them"), id)
	}
	if !ok {
		return nil, nil
	}
	return p, nil
}

// needsHost says that an entry whose server differs per customer (a
// connector relay) needs --host, with the catalogue's hint; for an MX host,
// how to look it up for the From domain.
func needsHost(p *smtp.Provider, from string) text {
	hint := phrase(smtp.CleanLine(p.HostHint))
	if _, domain, ok := strings.Cut(from, "@"); ok && strings.Contains(p.HostHint, "MX") {
		return say(i18n.N("--provider %s needs --host: %s (dig +short MX %s shows it)"), p.ID, hint, smtp.CleanLine(domain))
	}
	return say(i18n.N("--provider %s needs --host: %s"), p.ID, hint)
}

// loginCommandLine is the command that signs in to provider p with OAuth,
// for the address from ("ADDRESS" when not known yet).
func loginCommandLine(p *smtp.Provider, from string) string {
	if from == "" {
		from = "ADDRESS"
	}
	line := "smtpsetup login --provider " + p.ID + " --from " + from
	if p.OAuth != nil && p.OAuth.ClientID == "" {
		line += " --client-id ID"
	}
	return line
}

func (f *connFlags) testOptions(p *smtp.Provider) smtp.Options {
	o := smtp.Options{Timeout: f.timeout, SendTo: f.sendTo, Provider: p}
	if f.builtinRoots {
		o.SystemRoots = smtp.SystemOrBuiltinRoots
	}
	return o
}
