package smtp

import (
	"fmt"
	"time"

	"smtpsetup/i18n"
)

// Stage is one step of the live test, in the order they run.
type Stage string

// The stages of a test. Only those that apply to the settings run: no tls
// stage for STARTTLS (it has its own), no auth without a login, no send
// without a recipient.
const (
	StageResolve  Stage = "resolve"
	StageConnect  Stage = "connect"
	StageTLS      Stage = "tls"
	StageGreeting Stage = "greeting"
	StageEHLO     Stage = "ehlo"
	StageSTARTTLS Stage = "starttls"
	StageAuth     Stage = "auth"
	StageSender   Stage = "sender" // MAIL FROM then RSET: the server takes this sender; nothing is sent
	StageSend     Stage = "send"
	StageQuit     Stage = "quit"
)

// Label is the stage as a user reads it on the test screen.
func (s Stage) Label() string { return s.LabelIn(nil) }

// LabelIn is Label in tr's language.
func (s Stage) LabelIn(tr *i18n.Printer) string {
	return tr.T(s.label())
}

func (s Stage) label() string {
	switch s {
	case StageResolve:
		return i18n.N("Look up the server name")
	case StageConnect:
		return i18n.N("Connect")
	case StageTLS:
		return i18n.N("Start TLS encryption")
	case StageGreeting:
		return i18n.N("Wait for the server's greeting")
	case StageEHLO:
		return i18n.N("Say hello (EHLO)")
	case StageSTARTTLS:
		return i18n.N("Upgrade to encryption (STARTTLS)")
	case StageAuth:
		return i18n.N("Log in")
	case StageSender:
		return i18n.N("Check the sender (MAIL FROM)")
	case StageSend:
		return i18n.N("Send a test message")
	case StageQuit:
		return i18n.N("Say goodbye (QUIT)")
	}
	return string(s)
}

// Plan lists the stages a test of these settings runs, in order.
func Plan(s Settings, opts Options) []Stage {
	stages := []Stage{StageResolve, StageConnect}
	if s.Security == SecuritySSL {
		stages = append(stages, StageTLS)
	}
	stages = append(stages, StageGreeting, StageEHLO)
	if s.Security == SecuritySTARTTLS {
		stages = append(stages, StageSTARTTLS)
	}
	if s.wantsAuth() {
		stages = append(stages, StageAuth)
	}
	if s.envelopeSender() != "" {
		stages = append(stages, StageSender)
	}
	if opts.SendTo != "" {
		stages = append(stages, StageSend)
	}
	return append(stages, StageQuit)
}

func (s Settings) wantsAuth() bool { return s.Auth != AuthNone && s.Username != "" }

// StageResult is how one stage ended.
type StageResult struct {
	Stage    Stage         `json:"name"`
	OK       bool          `json:"ok"`
	Duration time.Duration `json:"-"`
	Detail   string        `json:"detail"` // cleaned, for the user

	said *worded // Detail's format and values when it has words of ours
}

// DetailIn is Detail in tr's language: the server's words stay as they
// were said, our own words are translated.
func (r StageResult) DetailIn(tr *i18n.Printer) string {
	if tr.English() || r.said == nil {
		return r.Detail
	}
	return r.said.in(tr)
}

// Took is the stage's duration as people read it: "12ms", "2.0s".
func (r StageResult) Took() string {
	if r.Duration < time.Second {
		return fmt.Sprintf("%dms", r.Duration.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", r.Duration.Seconds())
}

// Event reports progress: a stage starting (Done false) or ending.
type Event struct {
	Stage  Stage
	Done   bool
	Result StageResult // set when Done
}

// Kind is what was observed when a test failed, before any interpretation.
// Diagnose turns it, with the reply and the provider, into advice.
type Kind string

// Observations a test can end with.
const (
	KindDNSNotFound        Kind = "dns-not-found"
	KindDNSFailed          Kind = "dns-failed"
	KindDNSBlocked         Kind = "dns-blocked" // DNS answered 0.0.0.0 or ::, as DNS filters do
	KindRefused            Kind = "refused"
	KindTimeout            Kind = "timeout"
	KindUnreachable        Kind = "unreachable"
	KindReset              Kind = "reset"
	KindNotTLS             Kind = "not-tls"    // a TLS handshake got plain text back
	KindSpeaksTLS          Kind = "speaks-tls" // no greeting, and a TLS probe of the same port succeeded
	KindHTTP               Kind = "http"       // an HTTP server answered: a captive portal or proxy
	KindTLSUntrusted       Kind = "tls-untrusted"
	KindTLSExpired         Kind = "tls-expired"
	KindTLSHostname        Kind = "tls-hostname"
	KindTLSHandshake       Kind = "tls-handshake"
	KindTLSPinChanged      Kind = "tls-pin-changed" // the certificate is not the pinned one
	KindSTARTTLSNotOffered Kind = "starttls-not-offered"
	KindAuthNotOffered     Kind = "auth-not-offered"
	KindPlaintextRefused   Kind = "plaintext-refused"
	KindPlaintextPublic    Kind = "plaintext-public" // plaintext AUTH allowed, but the server's address is not private
	KindReply              Kind = "reply"            // the server answered a command with an error
	KindTooMuchData        Kind = "too-much-data"
	KindProtocol           Kind = "protocol" // the server's answer was not SMTP
	KindClosed             Kind = "closed"   // the server closed the connection
	KindCancelled          Kind = "cancelled"
	KindBadSettings        Kind = "bad-settings"
)

// Failure is what the test observed when it stopped.
type Failure struct {
	Stage   Stage  `json:"stage"`
	Kind    Kind   `json:"kind"`
	Command string `json:"command,omitempty"` // the command that was answered, for KindReply: "AUTH", "MAIL", ...
	Reply   *Reply `json:"reply,omitempty"`
	Error   string `json:"error,omitempty"` // the error as the library said it, cleaned
	Seen    string `json:"seen,omitempty"`  // what came back instead of what was expected (cleaned)

	// For certificate failures: the certificate and the local clock, since a
	// wrong clock on first boot makes every certificate look expired.
	Certificate *CertInfo `json:"certificate,omitempty"`
	LocalTime   time.Time `json:"local_time,omitzero"`
	// Offered lists what the server offered when what we needed was missing
	// (AUTH mechanisms).
	Offered []string `json:"offered,omitempty"`
	// OAuth is what the identity provider or an XOAUTH2 challenge said.
	OAuth *OAuthFailure `json:"oauth,omitempty"`
	// Host is the server the failure was with when it is not the SMTP
	// server: the identity provider that could not be reached at sign-in.
	Host string `json:"host,omitempty"`
	// For certificate failures: whether the chain leads to a trusted root,
	// whatever the names and dates (a name mismatch hides it), and whether
	// the system's CA bundle was used and found empty.
	ChainTrusted  bool `json:"chain_trusted,omitempty"`
	NoSystemRoots bool `json:"no_system_roots,omitempty"`
}

// ServerInfo is what the test learned about the server.
type ServerInfo struct {
	Address    string   `json:"address,omitempty"` // the IP and port connected to
	Greeting   string   `json:"greeting,omitempty"`
	Extensions []string `json:"extensions,omitempty"` // from the last EHLO (after STARTTLS when used)
	Auth       []string `json:"auth,omitempty"`       // mechanisms offered
	TLS        *TLSInfo `json:"tls,omitempty"`
	Notes      []string `json:"notes,omitempty"` // facts worth a warning on a passed test too (IPv6 unreachable, IPv4 used)
}

// Banner is the first line of the greeting.
func (s ServerInfo) Banner() string { return firstLine(s.Greeting) }

// TLSInfo describes the encrypted link and the server's certificate.
type TLSInfo struct {
	Version     string    `json:"version"`
	Cipher      string    `json:"cipher"`
	Certificate *CertInfo `json:"certificate,omitempty"`
	Verified    bool      `json:"verified"`
	Pinned      bool      `json:"pinned,omitempty"` // verified by the pinned fingerprint, not by a CA
}

// CertInfo is the server's leaf certificate, cleaned for display.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Names     []string  `json:"names,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	SHA256    string    `json:"sha256"`
}

// Report is the whole outcome of a live test.
type Report struct {
	Settings   Settings         `json:"-"`
	OK         bool             `json:"ok"`
	Stages     []StageResult    `json:"stages"`
	Failure    *Failure         `json:"failure,omitempty"`
	Server     ServerInfo       `json:"server"`
	Transcript []TranscriptLine `json:"transcript"`
	Started    time.Time        `json:"started"`
	Elapsed    time.Duration    `json:"-"`
	Sent       *SentMessage     `json:"sent,omitempty"`
	// SignInDue is when an OAuth sign-in must be renewed if the token is
	// not used before then; zero for a password login.
	SignInDue time.Time    `json:"signin_due,omitzero"`
	Helo      string       `json:"helo,omitempty"`   // the name we gave in EHLO
	Network   NetworkFacts `json:"network,omitzero"` // this machine's side, when the server was not reached
	Tried     []Attempt    `json:"-"`                // from Options.Tried

	noteFacts []familyFacts // Server.Notes' facts, for NetworkLinesIn
}

// SentMessage identifies the test message, so the user can find it.
type SentMessage struct {
	To        string `json:"to"`
	MessageID string `json:"message_id"`
	Code      string `json:"code"`                // short code in the subject and body
	Subject   string `json:"subject"`             // the subject to look for
	Confirmed bool   `json:"confirmed,omitempty"` // the user typed the code back: delivery proven
}

// Stage returns the result of a stage and whether it ran.
func (r *Report) Stage(s Stage) (StageResult, bool) {
	for _, st := range r.Stages {
		if st.Stage == s {
			return st, true
		}
	}
	return StageResult{}, false
}
