package smtp

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"smtpsetup/i18n"
)

// The reply families: what kind of cause a server's refusal points to. They
// are stable strings, used in `check --json` and docs/diagnoses.md.
const (
	FamilyCredentials     = "credentials"      // wrong login or secret, or the wrong kind of secret
	FamilyLoginDisabled   = "login_disabled"   // login turned off for the account or tenant, account locked
	FamilySender          = "sender"           // the From address is not allowed or not verified
	FamilyRecipient       = "recipient"        // a recipient problem
	FamilyRateLimit       = "rate_limit"       // rate, volume, quota or concurrency limits
	FamilyContentPolicy   = "content_policy"   // content, size, or the sending domain's SPF/DKIM/DMARC
	FamilyTLSRequired     = "tls_required"     // encryption required first, or TLS too old
	FamilyServerTemporary = "server_temporary" // temporary trouble at the server
	FamilyIPBlocked       = "ip_blocked"       // the sending IP or network is blocked or not allowed
	FamilyProtocol        = "protocol"         // sequence, syntax, not logged in, HELO refused
)

// ReplyFamilies lists the families a server's reply can decide.
var ReplyFamilies = []string{FamilyCredentials, FamilyLoginDisabled, FamilySender, FamilyRecipient, FamilyRateLimit,
	FamilyContentPolicy, FamilyTLSRequired, FamilyServerTemporary, FamilyIPBlocked, FamilyProtocol}

// replyFacts is what the classifier reads from a refused command.
type replyFacts struct {
	stage     string // greeting, ehlo, starttls, auth, mail, rcpt, data, quit
	reply     Reply
	text      string // the reply's text, on one line
	provider  *Provider
	host      string
	encrypted bool // TLS was up when the server answered
}

// replyStage names where a reply was given, in the words of the corpus and
// of replies-known.yaml: the command it answered.
func replyStage(f *Failure) string {
	switch strings.ToUpper(f.Command) {
	case "GREETING":
		return "greeting"
	case "EHLO", "HELO":
		return "ehlo"
	case "STARTTLS":
		return "starttls"
	case "AUTH":
		return "auth"
	case "MAIL":
		return "mail"
	case "RCPT":
		return "rcpt"
	case "DATA":
		return "data"
	case "QUIT":
		return "quit"
	}
	return string(f.Stage)
}

// verdict is a layer's answer: a family and the stable code within it.
type verdict struct {
	family, code string
	layer        string // basic, enhanced, known, words: which layer decided, for tests and docs
	known        *knownReply
	specific     bool // the basic code alone decides (503)
}

// classifyReply explains a server's refusal, in four layers, each a table:
//
//  1. the basic reply code at its stage (basicRules): 4xx is transient,
//     always; it gives a family for every reply;
//  2. the enhanced status code (enhanced.tsv, the IANA registry): a specific
//     code decides the family, a vague one lets the words speak;
//  3. what the provider publishes about its own replies (replies-known.yaml):
//     it decides when it matches, with the provider's own fix;
//  4. the reply's words (wordRules), only where 2 was vague.
func classifyReply(in diagInput) Diagnosis {
	rf := replyFacts{stage: replyStage(in.f), reply: in.reply(), provider: in.p, host: in.s.Host, encrypted: in.encrypted()}
	rf.text = strings.ReplaceAll(rf.reply.Text, "\n", " ")
	if rf.reply.Enhanced == "" {
		rf.reply.Enhanced = trailingEnhanced(rf.text)
	}
	v := classifyFacts(rf)
	return describeReply(in, rf, v)
}

// qmailEnhanced is the enhanced code as qmail and its patches write it, at
// the end of the text: "552 sorry, that message size exceeds my databytes
// limit (#5.3.4)".
var qmailEnhanced = regexp.MustCompile(`\(#([245]\.\d{1,3}\.\d{1,3})\)\s*$`)

// trailingEnhanced reads a qmail-style enhanced code, or "".
func trailingEnhanced(text string) string {
	if m := qmailEnhanced.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}

// classifyFacts runs the layers; it is a pure function of the reply, its
// stage and the provider.
func classifyFacts(rf replyFacts) verdict {
	if k := matchKnown(rf); k != nil {
		if rf.transient() && k.Family == FamilyCredentials && !rf.saysCredentialsInvalid() {
			// A temporary refusal never means the password is wrong.
			v := verdict{family: FamilyServerTemporary, layer: "known"}
			v.code = codeFor(v, rf)
			return v
		}
		return verdict{family: k.Family, code: k.Code, layer: "known", known: k}
	}
	v := basicVerdict(rf)
	specific := v.specific
	e, ok := lookupEnhanced(rf.reply.Enhanced)
	if ok && e.Family == FamilyServerTemporary && !e.Specific && !rf.transient() {
		// A vague mail-system code (X.3.x, X.4.x) in a permanent reply says
		// nothing the stage does not: postscreen's "521 5.3.2 Service
		// currently unavailable" greeting refuses this client.
		ok = false
	}
	if !specific && ok && e.Family != "" && (e.Stages == nil || slices.Contains(e.Stages, rf.stage)) {
		fam := e.Family
		if fam == familyAddress {
			fam = FamilyRecipient
			if rf.stage == "mail" {
				fam = FamilySender
			}
		}
		v = verdict{family: fam, layer: "enhanced"}
		specific = e.Specific
	}
	if w, ok := matchWords(rf, specific); ok {
		v = w
	}
	// A temporary refusal never means the password is wrong, unless the
	// server says so in as many words; it stays temporary then (describeReply).
	if rf.transient() && v.family == FamilyCredentials && !rf.saysCredentialsInvalid() {
		v = verdict{family: FamilyServerTemporary, layer: v.layer}
	}
	v.code = codeFor(v, rf)
	return v
}

func (rf replyFacts) transient() bool { return rf.reply.Code >= 400 && rf.reply.Code < 500 }

// saysCredentialsInvalid reports a reply that names the login as the cause:
// the registered X.7.8 "Authentication credentials invalid" (RFC 4954; a
// 4xx reply with it, such as Mailjet's "435 4.7.8 Error: authentication
// failed", is still temporary), or words that say the login or secret is
// wrong. Words that call the failure temporary (RFC 4954's "454 4.7.0
// Temporary authentication failure") never do.
func (rf replyFacts) saysCredentialsInvalid() bool {
	if temporaryWords.MatchString(rf.text) {
		return false
	}
	return strings.HasSuffix(rf.reply.Enhanced, ".7.8") || invalidCredentialWords.MatchString(rf.text)
}

var (
	temporaryWords         = words(`temporar|try (again )?later|system problem`)
	invalidCredentialWords = words(`(username|user name|login|password|credentials?)( and password| or password)? (is |are |was |were )?(not accepted|incorrect|invalid|wrong|rejected|no longer valid)|invalid (login|credentials|password|user ?name|user or password)|bad (user ?name|password|credentials)`)
)

// basicRule is one row of layer 1.
type basicRule struct {
	stages   string // space-separated stages, or "*"
	codes    string // space-separated codes, "4xx", "5xx", or "*"
	family   string
	code     string
	specific bool // the code alone decides: words cannot overrule it
}

// basicRules is layer 1: the family a basic reply code gives at its stage,
// before anything else is known (RFC 5321 4.2, RFC 4954 6, RFC 3207 4).
// The first row that matches wins.
var basicRules = []basicRule{
	{"*", "421", FamilyServerTemporary, "server.temporary", false}, // service not available, closing
	{"greeting", "4xx", FamilyServerTemporary, "server.temporary", false},
	{"greeting", "5xx", FamilyIPBlocked, "greeting.rejected", false}, // 554 No SMTP service here: this client is not welcome
	{"ehlo", "4xx", FamilyServerTemporary, "server.temporary", false},
	{"ehlo", "550 554", FamilyIPBlocked, "ip.blocked", false},
	{"ehlo", "5xx", FamilyProtocol, "helo.rejected", false},
	{"starttls", "454", FamilyTLSRequired, "tls.required", false}, // TLS not available due to temporary reason
	{"starttls", "4xx", FamilyServerTemporary, "server.temporary", false},
	{"starttls", "5xx", FamilyTLSRequired, "tls.required", false},
	{"auth", "4xx", FamilyServerTemporary, "server.temporary", false},  // 454 temporary authentication failure
	{"auth", "530 538", FamilyTLSRequired, "starttls.required", false}, // encryption required for this mechanism
	{"*", "503", FamilyProtocol, "protocol.error", true},               // bad sequence of commands, whatever the words
	{"*", "555", FamilyProtocol, "protocol.error", true},               // MAIL/RCPT parameters not recognised
	{"auth", "534", FamilyProtocol, "auth.not_offered", false},         // RFC 4954: mechanism too weak
	{"auth", "535", FamilyCredentials, "auth.bad_credentials", false},
	{"auth", "504", FamilyProtocol, "auth.not_offered", false},
	{"auth", "500 501 502", FamilyProtocol, "protocol.error", false},
	{"auth", "5xx", FamilyCredentials, "auth.bad_credentials", false},
	{"mail rcpt data", "530", FamilyProtocol, "send.auth_required", false},
	{"mail rcpt data", "500 501 502 504", FamilyProtocol, "protocol.error", false},
	{"mail", "4xx", FamilyServerTemporary, "server.temporary", false},
	{"mail data", "552", FamilyContentPolicy, "content.too_large", false},
	{"mail", "5xx", FamilySender, "send.sender_rejected", false},
	{"rcpt", "450", FamilyRecipient, "send.recipient_rejected", false}, // mailbox unavailable for now
	{"rcpt", "4xx", FamilyServerTemporary, "server.temporary", false},
	{"rcpt", "5xx", FamilyRecipient, "send.recipient_rejected", false},
	{"data", "4xx", FamilyServerTemporary, "server.temporary", false},
	{"data", "5xx", FamilyContentPolicy, "send.message_rejected", false},
	{"*", "4xx", FamilyServerTemporary, "server.temporary", false},
	{"*", "*", FamilyProtocol, "protocol.error", false},
}

func basicVerdict(rf replyFacts) verdict {
	for _, r := range basicRules {
		if listHas(r.stages, rf.stage) && codeIn(r.codes, rf.reply.Code) {
			return verdict{family: r.family, code: r.code, layer: "basic", specific: r.specific}
		}
	}
	return verdict{family: FamilyProtocol, code: "protocol.error", layer: "basic"}
}

func listHas(list, s string) bool { return list == "*" || slices.Contains(strings.Fields(list), s) }

// codeIn reports whether a reply code is in a list such as "530 538" or "5xx".
func codeIn(list string, code int) bool {
	for _, c := range strings.Fields(list) {
		switch {
		case c == "*":
			return true
		case strings.HasSuffix(c, "xx") && len(c) == 3:
			if d, err := strconv.Atoi(c[:1]); err == nil && code/100 == d {
				return true
			}
		case c == strconv.Itoa(code):
			return true
		}
	}
	return false
}

// wordRule is one row of layer 4.
type wordRule struct {
	family string
	code   string // "" to let codeFor choose within the family
	stages string // "*" or the stages where the words mean this
	codes  string // "*", or the basic codes ("4xx", "503") under which the words mean this
	strong bool   // the words name their cause so plainly that they overrule a specific code
	re     *lazyRegexp
}

func words(pattern string) *lazyRegexp { return lazy(`(?i)` + pattern) }

// Stage sets for wordRules. At the greeting nothing but the connection is
// known yet (no login, no address, no message): words about those cannot
// be what the server refuses, so only the connection's families apply there
// (RFC 5321 3.1: a 554 greeting refuses this client).
const (
	afterGreeting = "ehlo starttls auth mail rcpt data quit"
	afterLogin    = "auth mail rcpt data"
	transaction   = "mail rcpt data"
)

// wordRules is layer 4: what a reply's words say when its codes were vague.
// Most specific first; the first that matches wins. Patterns are the words
// RFCs and servers use for a class of cause, not any one reply: a rule for
// one reply belongs in replies-known.yaml, with its source.
var wordRules = []wordRule{
	// Strong words first: they name the cause even under a code that says
	// otherwise (a 503 "(TLS required)", a 452 4.1.1 "too many recent
	// messages", qmail's 503 "from and auth not the same").
	{FamilyServerTemporary, "", "*", "4xx", true, words(`grey ?list|gray ?list`)},
	{FamilyTLSRequired, "tls.version_too_old", "*", "*", true, tlsVersionWords},
	{FamilyTLSRequired, "", "*", "*", true, words(`\b(tls|ssl|starttls|encryption|secure connection|encrypted (connection|channel))( is| are)? (required|needed|mandatory)\b|must (issue|use|send) (a )?starttls|starttls (command )?(first|is required)`)},
	{FamilySender, "", afterLogin, "*", true, words(`\b(from|sender|mail from)( address)? (and|does not match|doesn.t match|not matching|mismatch(es)?( with)?) (the )?(auth|login|authenticated|smtp auth)|not owned by (the )?(auth(enticated)? )?user|(login|auth(entication)?|authenticated user) (and|does not match|doesn.t match) (the )?(from|sender)`)},
	{FamilyContentPolicy, "", afterGreeting, "*", true, words(`too many (received|hops|mime parts|parts|headers|attachments|nested)|(mail|routing) loop|hop count|\b(message )?size (exceeds|too)|exceeds .{0,30}\b(size|databytes)\b|databytes`)},
	{FamilyRateLimit, "", "*", "*", true, words(`too many (recent |concurrent )?(connections|messages|mails?|e-?mails|sessions)|too much mail|(receiving|sending) (e-?mail|mail|messages) (at a high rate|too (fast|quickly))`)},
	{FamilyProtocol, "", "*", "*", true, words(`protocol violation|pipelin(e|ing) after`)},
	{FamilyLoginDisabled, "", "auth mail", "*", true, words(`\b(account|user|mailbox|login) (has been |is |was )?(temporarily )?(disabled|locked|suspended|blocked|deactivated|banned)\b|(does not|doesn.t) have access( rights)? to (this|the) service|\b(outgoing|sending)( mail| e-?mail)? (is |has been )?(blocked|suspended|disabled)|e-?mail outgoing blocked`)},
	{FamilyProtocol, "", "*", "*", false, words(`synchroni[sz]ation error|bare ?<?lf\b|bare line ?feed|line too long`)},
	{FamilyTLSRequired, "", "*", "*", false, words(`(tls|ssl|starttls|encryption) (is )?not available|starttls|requires? (tls|encryption|a secure|an encrypted)|must (use|enable) (tls|encryption)|(over|use|using|via) (a )?(tls|ssl)\b|unencrypted|not encrypted|without (ssl|tls|ssl/tls|encryption)`)},
	{FamilyProtocol, "helo.rejected", afterGreeting, "*", false, heloWords},
	// Syntax is the protocol's, at MAIL and RCPT too (RFC 5321 4.2.2: 501
	// syntax error in parameters or arguments), whatever the command.
	{FamilyProtocol, "", "*", "*", false, words(`syntax error|invalid syntax|syntax (should|must) be|bad syntax|command syntax`)},
	{FamilyLoginDisabled, "auth.basic_auth_disabled", afterGreeting, "*", false, basicAuthWords},
	{FamilyLoginDisabled, "auth.web_login_required", "auth", "*", false, webLoginWords},
	{FamilyLoginDisabled, "", "auth mail data", "*", false, words(`(account|mailbox|user|login) (has been |is |was )?(temporarily )?(disabled|locked|suspended|blocked|inactive|frozen|deactivated|paused|banned)|(disabled|locked|suspended|blocked|banned) (account|user)|(smtp|imap|pop3?|service|access) (is )?not (been )?(enabled|activated|allowed for this (user|account))|enable (smtp|imap|pop)|(has|have) no permission|(suspended|disabled|paused|blocked) for (this|your) account|(mail )?sending (is |has been )?(paused|suspended|disabled|denied|blocked)|not permitted to (use|log ?in|send mail)|outgoing (mail )?(is )?blocked|unusual (sending |sign-?in |login )?activity|suspicious (sign-?in|login) activity|activate your (\w+ )?account|account (is |has )?not (yet )?(been )?(activated|verified|confirmed)`)},
	{FamilyCredentials, "", "auth", "*", false, words(`application-specific password|app(lication)? password|authori[sz]ation code|授权码|(username|user name|login|password|credentials?)( and password)? (is |are |was |were )?(not accepted|incorrect|invalid|wrong|rejected)|invalid (login|credentials|password|user ?name|user or password)|authentication (failed|unsuccessful|failure)|bad (user ?name|password|credentials)|incorrect authentication`)},
	// The same cause named after the login: the session's credentials went
	// stale (hMailServer "Login credentials no longer valid").
	{FamilyCredentials, "", "mail rcpt data", "*", false, words(`credentials (are |is |were )?(no longer valid|invalid|incorrect|expired|not valid)|please re-?authenticate`)},
	{FamilyProtocol, "send.auth_required", afterGreeting, "*", false, notLoggedInWords},
	{FamilyProtocol, "send.auth_required", afterGreeting, "*", false, words(`auth(entication)? (first|needed)|please (authenticate|log ?in)|unauthenticated (senders?|relay|submission|mail is not)|smtp auth(entication)? required|sender not authenticated`)},
	// The sending address's name or reputation (RFC 3463 X.7.25, reverse
	// DNS), also where the server says it limits the rate for that reason.
	{FamilyIPBlocked, "", "*", "*", false, words(`client host|reverse (dns|hostname|lookup)|\bptr\b|\brdns\b|(ip|client|host) name lookup|(ip|address|network|host) reputation|reputation of the (sending )?(ip|address|network|server|host)`)},
	// A lookup that failed for now (DNS, SPF, the recipient directory) is
	// the server's trouble, not a verdict on the mail (RFC 7208 2.6.6
	// temperror).
	{FamilyServerTemporary, "", "*", "4xx", false, words(`(unable to|cannot|could not|can.t|failed to) (complete )?(\w+ )?(verify|look ?up|resolve|check)|lookup (failure|failed|error|timed out)|temp ?error|(dns|directory|ldap|database) (failure|error|timeout|problem|unavailable)`)},
	{FamilyContentPolicy, "content.spf_dkim_dmarc", afterGreeting, "*", false, words(`\bspf\b|\bdkim\b|\bdmarc\b|sender policy framework|domainkeys|authentication (checks?|results?) (did not pass|failed|fail)|unauthenticated (email|messages?)`)},
	// "rate limited because ...": the cause named after it won above.
	{FamilyRateLimit, "", "*", "*", false, words(`too many (concurrent|recipients|commands)|throttl|frequency limit|rate[- ]limit`)},
	// A domain block list (Spamhaus DBL, SURBL, URIBL) lists domains found
	// in the message, not the sending address.
	{FamilyContentPolicy, "", afterGreeting, "*", false, words(`\bdbl\b|domain ?block ?list|\bsurbl\b|\buribl\b|\b(domains?|urls?|links?) (present |found |listed )?in (the )?\w+ ?(block|black|deny) ?list`)},
	{FamilyIPBlocked, "", "*", "*", false, words(`block ?list|black ?list|deny ?list|spamhaus|barracuda|spamcop|sorbs|\brbl\b|dnsbl|\bpbl\b|client host|(your|this|sending|client|source|remote|connecting) (ip|host|network|mail ?server|server)\b|(client|source|remote|connecting) address|\bip (address )?(is )?(not|blocked|listed|banned|black|block|has been)|\bip reputation|(dynamic|residential|dial-?up) (ip|address|range|pool)|(not (in|on) (the|our) )?(white|allow) ?list|(ip|address|network|host) reputation|reputation of the (sending )?(ip|address|network|server|host)|postscreen|reverse dns|\bptr\b|\brdns\b|connections? (not accepted|refused|rejected) from|traffic not accepted|banned sending|\bips?\b([^=]|$)`)},
	// A mailbox's own storage is the recipient's problem (RFC 3463 X.2.2,
	// RFC 5321 552 "exceeded storage allocation"); a quota on sending is a
	// rate limit.
	{FamilyRateLimit, "", "*", "*", false, words(`(sending|send|submission|daily|hourly|outbound|outgoing|message|recipient|relay|user sending) (\w+ )?quota|quota (for|on|of) (sending|messages|recipients)`)},
	{FamilyRecipient, "", "rcpt data", "*", false, words(`mailbox (is )?(full|over quota)|(account|mailbox|user) (that you tried to reach )?is over quota|over ?quota|storage (is )?full|storage allocation|(mailbox|user|disk) quota|mailbox (storage|space)|insufficient (storage|space) (for|in) (the )?(user|mailbox)`)},
	{FamilyRateLimit, "", "*", "*", false, words(`too many|rate ?limit|rate exceeded|limit (exceeded|reached|has been reached)|exceed(ed|s)? (the |your |its )?([a-z]+ ){0,2}(limit|quota|rate|threshold)|quota|throttl|sending limit|(daily|hourly|per (hour|day|minute)) (user )?(sending )?(limit|quota)|concurren|too (fast|quickly|much mail)|slow down|sending rate|credits exceeded|volume|\bover ?limit|\bmax(imum)? (number of )?(\w+ ){0,2}(per|reached|exceeded)`)},
	// At the greeting a refusal can only be of this client (a 5xx there is
	// by layer 1 already).
	{FamilyIPBlocked, "greeting.rejected", "greeting", "4xx", false, words(`no smtp service|block|listed|denied|refused|rejected|banned|not (allowed|permitted|welcome|accepted)|spam|reputation|abuse`)},
	{FamilySender, "", transaction, "*", false, words(`(unconfigured|unverified|unregistered|unknown|unauthori[sz]ed) (sending |sender )?domain|(sending|sender|from) domain (is )?(not |un)(verified|configured|registered|authori[sz]ed|allowed)|domain (is )?not (verified|configured|registered)|not (a )?(verified|configured|registered) (sending )?domain`)},
	{FamilySender, "", transaction, "*", false, words(`sender|not owned|from address|from: address|envelope from|mail from|send ?as|on behalf|not (been )?verified|unverified|relaying disallowed|does not match`)},
	{FamilyRecipient, "", "rcpt data", "*", false, words(`doesn.t have an? .{0,20}account|no such account|user (does not|doesn.t) exist|user unknown|unknown user|no such (user|mailbox|recipient|address|account)|mailbox (unavailable|not found|disabled|does not exist|inactive|unknown)|recipient|(target|destination) (address|mailbox)|relay(ing)? (access )?(denied|not permitted|prohibited|not allowed)|not (allowed|permitted) to relay|unable to relay|does not exist|doesn.t exist|unroute?able|invalid (address|mailbox)|address rejected|no mailbox`)},
	{FamilyIPBlocked, "", "*", "*", false, words(`\[?\b\d{1,3}(\.\d{1,3}){3}\b\]?.{0,60}(blocked|listed|deferred|banned|not accepted|weren.t sent|refused|rejected|denied)`)},
	{FamilyContentPolicy, "", afterGreeting, "*", false, words(`spam|virus|malware|phish|content|message (was )?(rejected|refused|blocked|not accepted)|(will not|won.t|cannot|can.t|does not|doesn.t) accept (delivery of )?(this|the|your) message|policy|\bsize\b|too (big|large|long)|message length|8-?bit|header|attachment|suspicious|unsolicited|bulk|\bmime\b`)},
	{FamilyProtocol, "", "*", "*", false, words(`syntax|command (not )?(recognized|unrecognized|unknown|not implemented)|unrecognized command|unknown command|bad sequence|out of sequence|line too long|bare ?<?lf|not implemented|synchroni[sz]ation error|pipelin|protocol (error|violation)|invalid (command|argument|parameter)`)},
	// A 5xx refusal is permanent by its code: only words that say
	// "temporary" make it the server's passing trouble; a 554 "SMTP service
	// not available" at the greeting refuses this client (RFC 5321 3.1).
	{FamilyServerTemporary, "", "*", "*", false, words(`temporar|try (again )?later`)},
	{FamilyServerTemporary, "", afterGreeting, "*", false, serverTroubleWords},
	{FamilyServerTemporary, "", "greeting", "4xx", false, serverTroubleWords},
}

var serverTroubleWords = words(`service (is )?(not |currently )?(un)?available|busy|local error|overload|maintenance|system (problem|error)|internal (server )?error|resources|insufficient system storage|server error|timeout|timed out|later`)

// matchWords finds the first word rule for the reply; with strongOnly,
// only the rules whose words overrule a specific code.
func matchWords(rf replyFacts, strongOnly bool) (verdict, bool) {
	for _, w := range wordRules {
		if strongOnly && !w.strong {
			continue
		}
		if listHas(w.stages, rf.stage) && codeIn(w.codes, rf.reply.Code) && w.re.MatchString(rf.text) {
			return verdict{family: w.family, code: w.code, layer: "words"}, true
		}
	}
	return verdict{}, false
}

var (
	appPasswordWords = words(`application-specific|app(lication)? password|authori[sz]ation code|授权码|专用密码`)
	sizeWords        = words(`\bsize\b|too (big|large)|message length|maximum message`)
	authMechWords    = words(`mechanism|auth(entication)? type`)
	spfWords         = words(`\bspf\b|\bdkim\b|\bdmarc\b`)
	basicAuthWords   = words(`basic auth|smtp ?auth(entication)? (is )?(disabled|not enabled|turned off)|authentication is disabled|SmtpClientAuthentication`)
	webLoginWords    = words(`log ?in (via|with|using) (your|a) web ?browser|web ?login ?required`)
	tlsVersionWords  = words(`\btls ?(v|version )?1\.[01]\b|\btlsv1(\.[01])?\b|\bssl ?v?3\b|tls version|protocol version`)
	heloWords        = words(`\b(helo|ehlo)\b|fully[- ]qualified (host|domain)|\bfqdn\b`)
	notLoggedInWords = words(`not (logged in|authenticated)|authentication (is )?required|must (authenticate|log ?in|be authenticated)|log ?in first`)
)

// codeFor picks the stable code within a family: a more specific code
// when the reply shows one, else the code a layer gave, else the family's.
func codeFor(v verdict, rf replyFacts) string {
	if c := refine(v.family, rf); c != "" {
		return c
	}
	if v.code != "" && codeFamily(v.code) == v.family {
		return v.code
	}
	switch v.family {
	case FamilyCredentials:
		return "auth.bad_credentials"
	case FamilyLoginDisabled:
		return "auth.login_disabled"
	case FamilySender:
		return "send.sender_rejected"
	case FamilyRecipient:
		return "send.recipient_rejected"
	case FamilyRateLimit:
		if rf.stage == "auth" {
			return "auth.rate_limited"
		}
		return "rate.limited"
	case FamilyContentPolicy:
		return "content.policy"
	case FamilyTLSRequired:
		return "tls.required"
	case FamilyServerTemporary:
		return "server.temporary"
	case FamilyIPBlocked:
		return "ip.blocked"
	case FamilyProtocol:
		return "protocol.error"
	}
	return "server.unexpected"
}

// refine finds the specific code a reply shows within its family, or "".
func refine(family string, rf replyFacts) string {
	enh := strings.TrimLeft(rf.reply.Enhanced, "245")
	switch family {
	case FamilyCredentials:
		if rf.reply.Code == 534 || enh == ".7.9" || appPasswordWords.MatchString(rf.text) {
			return "auth.app_password_required"
		}
	case FamilyLoginDisabled:
		switch {
		case basicAuthWords.MatchString(rf.text):
			return "auth.basic_auth_disabled"
		case enh == ".7.14" || webLoginWords.MatchString(rf.text):
			return "auth.web_login_required"
		}
	case FamilyContentPolicy:
		e, ok := lookupEnhanced(rf.reply.Enhanced)
		if ok && (strings.Contains(e.Detail, "DKIM") || strings.Contains(e.Detail, "SPF") || strings.Contains(e.Detail, "ARC") || enh == ".7.26") || spfWords.MatchString(rf.text) {
			return "content.spf_dkim_dmarc"
		}
		if enh == ".3.4" || enh == ".2.3" || rf.reply.Code == 552 || sizeWords.MatchString(rf.text) {
			return "content.too_large"
		}
	case FamilyTLSRequired:
		if tlsVersionWords.MatchString(rf.text) {
			return "tls.version_too_old"
		}
		if !rf.encrypted && rf.stage != "starttls" {
			return "starttls.required"
		}
	case FamilyProtocol:
		switch {
		case rf.stage == "ehlo" || heloWords.MatchString(rf.text):
			return "helo.rejected"
		case rf.stage == "auth" && (rf.reply.Code == 504 || enh == ".5.4" && authMechWords.MatchString(rf.text) || enh == ".7.4"):
			return "auth.not_offered"
		case enh == ".7.57" || rf.reply.Code == 530 && rf.stage != "auth" || notLoggedInWords.MatchString(rf.text):
			return "send.auth_required"
		}
	}
	return ""
}

// replyCode is what a reply's diagnosis code says, whatever the provider.
type replyCode struct {
	family string
	title  string
	means  string
	fix    string
}

// replyCodes gives each reply code its family, title, meaning and fix for a
// permanent (5xx) reply; a temporary one gets temporaryFix instead. Fixes
// that depend on the settings are completed in personalise.
var replyCodes = map[string]replyCode{
	"auth.bad_credentials": {FamilyCredentials, i18n.N("The server rejected the login or password"),
		i18n.N("The server does not accept this login and secret."),
		i18n.N("Check the login and type the secret again. We do not retry by ourselves: repeated failures can lock the account.")},
	"auth.app_password_required": {FamilyCredentials, i18n.N("This account needs an App Password, not the account password"),
		i18n.N("The server wants a password made for this one app (an App Password or authorization code), not the account's own password."),
		i18n.N("Turn on two-step verification for the account, create an App Password, and use it as the password.")},
	"auth.web_login_required": {FamilyLoginDisabled, i18n.N("The provider wants a sign-in on the web first"),
		i18n.N("The provider blocked this sign-in until the account holder confirms it in a browser."),
		i18n.N("Sign in to the account in a browser (from the same network if you can), confirm the security alert, and use an App Password.")},
	"auth.basic_auth_disabled": {FamilyLoginDisabled, i18n.N("Password logins are turned off for this account"),
		i18n.N("The server no longer accepts a password for SMTP for this account or organisation."),
		i18n.N("An administrator must enable SMTP logins (SMTP AUTH) for this mailbox, or use OAuth or a transactional mail service. Another password will not help.")},
	"auth.login_disabled": {FamilyLoginDisabled, i18n.N("Logins or sending are turned off for this account"),
		i18n.N("The account, or SMTP access for it, is disabled, locked or suspended at the provider."),
		i18n.N("Sign in to the provider's web mail or settings: enable SMTP access for the account, or follow the provider's steps to unlock it. Another password will not help.")},
	"auth.rate_limited": {FamilyRateLimit, i18n.N("The server is refusing logins after too many attempts"),
		i18n.N("The server limits login attempts; repeated tries extend the block."),
		i18n.N("Stop and wait: every retry extends the block. Then check the password.")},
	"auth.not_offered": {FamilyProtocol, i18n.N("The server does not accept this login mechanism"),
		i18n.N("The server refused the SASL mechanism we used."),
		i18n.N("Set the login mechanism to auto.")},
	"send.auth_required": {FamilyProtocol, i18n.N("The server requires a login before sending"),
		i18n.N("The server refuses mail from a client that has not logged in."),
		i18n.N("Fill in the login and password.")},
	"send.sender_rejected": {FamilySender, i18n.N("The server will not send from this address"),
		i18n.N("The From (MAIL FROM) address is not one this login may use, or the provider has not verified it."),
		i18n.N("Use the address you log in with as the From address, or register this address with the provider as a verified sender or alias.")},
	"send.recipient_rejected": {FamilyRecipient, i18n.N("The server refused the test recipient"),
		i18n.N("The recipient address is unknown, disabled or not reachable through this server."),
		i18n.N("Check the recipient address. \"Relay access denied\" means the server does not know you: log in, or use the provider's submission port.")},
	"send.message_rejected": {FamilyContentPolicy, i18n.N("The server refused the test message"),
		i18n.N("The server accepted the sender and recipient but refused the message itself."),
		i18n.N("Read the server's words above; they usually name the policy (sender verification, size, spam filter).")},
	"rate.limited": {FamilyRateLimit, i18n.N("A sending limit was reached"),
		i18n.N("The server limits how much mail, how many recipients or how many connections it takes from you."),
		i18n.N("Wait until the limit resets, then send less; nothing in the settings needs to change.")},
	"content.policy": {FamilyContentPolicy, i18n.N("The server refused the message's content"),
		i18n.N("A policy or filter at the server (spam, virus, headers, encoding) refused the message."),
		i18n.N("Nothing in the settings causes this. Read the server's words above; the provider's help names the policy.")},
	"content.spf_dkim_dmarc": {FamilyContentPolicy, i18n.N("The sending domain's SPF, DKIM or DMARC check failed"),
		i18n.N("The receiving side checked the From domain's published policy (SPF, DKIM, DMARC) and this message did not pass."),
		i18n.N("Send from an address of the provider you log in to, or have the domain's owner add the provider to its SPF record and set up DKIM signing for it.")},
	"content.too_large": {FamilyContentPolicy, i18n.N("The message is too large for the server"),
		i18n.N("The server's size limit is lower than the message."),
		i18n.N("Send a smaller message or attachment; the test message itself is small, so the server's limit is unusually low.")},
	"tls.required": {FamilyTLSRequired, i18n.N("The server requires encryption it could not get"),
		i18n.N("The server asks for TLS, or refused to start it."),
		i18n.N("Use SSL/TLS on port 465 or STARTTLS on 587, whichever the provider documents.")},
	"tls.version_too_old": {FamilyTLSRequired, i18n.N("The server refuses an old TLS version"),
		i18n.N("The server accepts only TLS 1.2 or newer. smtpsetup never uses older versions, so a device between this one and the server (a proxy or firewall that re-encrypts) may be using them."),
		i18n.N("Connect without the intercepting proxy, or ask the network administrator to let this connection through unchanged.")},
	"starttls.required": {FamilyTLSRequired, i18n.N("The server requires encryption first"),
		i18n.N("The server wants STARTTLS before this command."),
		i18n.N("Switch to STARTTLS.")},
	"server.temporary": {FamilyServerTemporary, i18n.N("The server has a temporary problem"),
		i18n.N("The server says it cannot serve this request right now."),
		i18n.N("Wait and test again later.")},
	"ip.blocked": {FamilyIPBlocked, i18n.N("The server does not accept this network's address"),
		i18n.N("The server refuses this device's public IP address: a block list, a dynamic or residential range, or an allow list it is not on. Your settings are not the cause."),
		i18n.N("Send from another network, or ask the owner of the address (often the Internet provider) to have it removed from the list the server's words name.")},
	"greeting.rejected": {FamilyIPBlocked, i18n.N("The server refused to talk to this device"),
		i18n.N("The server greeted with a refusal, before any command: it does not accept this network's address, or clients like this one."),
		i18n.N("Use the provider's submission port (587 or 465) with a login, or ask the server's administrator whether this network is allowed.")},
	"helo.rejected": {FamilyProtocol, i18n.N("The server refused this device's name (EHLO)"),
		i18n.N("The server wants a fully qualified host name in EHLO, or refused the one given."),
		i18n.N("Give this device's fully qualified name (one that resolves in DNS) as the EHLO name, or ask the server's administrator.")},
	"protocol.error": {FamilyProtocol, i18n.N("The server refused a command as out of order or malformed"),
		i18n.N("The server answered with a protocol error."),
		i18n.N("Check the host and port are the provider's submission server; if they are, send the report (smtpsetup report) to the provider or helpdesk.")},
}

// codeFamily is the family of a reply code, or "" for a code that is not a
// reply code.
func codeFamily(code string) string { return replyCodes[code].family }

// describeReply writes the diagnosis for a verdict: the provider's words
// when it published them, else the code's; the server's own words always.
// Its decisions read the English texts; each is translated where it is
// chosen.
func describeReply(in diagInput, rf replyFacts, v verdict) Diagnosis {
	tr := in.tr
	c := replyCodes[v.code]
	title, fix := c.title, c.fix
	means := c.means
	if k := v.known; k != nil {
		title = firstNonEmpty(k.Title, title)
		means = firstNonEmpty(k.Means, means)
		fix = firstNonEmpty(k.Fix, fix)
	}
	d := Diagnosis{Code: v.code, Family: v.family, Title: tr.T(title), Fix: tr.T(fix), Transient: rf.transient()}
	d.waitFix = strings.Contains(strings.ToLower(fix), "nothing in the settings needs to change")
	if d.Transient && v.family == FamilyCredentials {
		// The words blame the login, the code says "try again": say both,
		// and change nothing yet.
		title = "The server refused the login, for now"
		d.Title = tr.T("The server refused the login, for now")
		means = i18n.N("The server's words say the login failed, but its reply code (4xx) says the refusal is temporary.")
	}
	if d.Transient {
		if !strings.Contains(title, "temporar") {
			d.Title = tr.Tf("%s (temporary)", d.Title)
		}
		d.RetryAfter = retryAfter(rf.text)
		if v.known == nil || v.known.Fix == "" || !v.known.temporaryOnly() {
			d.Fix = temporaryFix(v.family, d.RetryAfter, tr)
			d.waitFix = true
		}
	} else if v.known == nil {
		personalise(&d, in)
	}
	d.Detail = tr.T(means)
	return d
}

// temporaryFix is the only kind of fix a 4xx reply gets: it changes no
// setting, since the settings may well be right. Each says that nothing in
// the settings needs to change.
func temporaryFix(family string, after time.Duration, tr *i18n.Printer) string {
	wait := tr.T("Wait a while")
	if after > 0 {
		wait = tr.Tf("Wait %s (the server asks for it)", plainDuration(after, tr))
	}
	switch family {
	case FamilyCredentials:
		return tr.Tf("This refusal is temporary (a 4xx reply): nothing in the settings needs to change yet, and retrying in a loop can lock the account. %s and test once more; only if the server then refuses the login with a permanent (5xx) reply, check the login and the secret.", wait)
	case FamilyRateLimit:
		return tr.Tf("The server limits how much is sent; this refusal is temporary and nothing in the settings needs to change. %s, then test again, and send less.", wait)
	case FamilyIPBlocked:
		return tr.Tf("The server is deferring this network's address for now; nothing in the settings needs to change. %s and test again; if it lasts for hours, send the report (smtpsetup report) to the provider.", wait)
	}
	return tr.Tf("This refusal is temporary (a 4xx reply): nothing in the settings needs to change. %s and test again; if it lasts for hours, send the report (smtpsetup report) to the provider.", wait)
}

// plainDuration says a wait as people do: "15 minutes", "2 hours".
func plainDuration(d time.Duration, tr *i18n.Printer) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		n := int(d / time.Hour)
		return tr.Tn(n, "%d hour", "%d hours", n)
	case d >= time.Minute && d%time.Minute == 0:
		n := int(d / time.Minute)
		return tr.Tn(n, "%d minute", "%d minutes", n)
	}
	n := int(d / time.Second)
	return tr.Tn(n, "%d second", "%d seconds", n)
}

// personalise completes a permanent reply's fix with what the settings and
// the provider say: the login, the secret's name, the sender rule.
func personalise(d *Diagnosis, in diagInput) {
	tr := in.tr
	label := in.secretLabel()
	secret := in.p.SecretNameIn(tr) // the secret's name inside a sentence
	switch d.Code {
	case "auth.bad_credentials":
		d.Title = tr.Tf("The server rejected the login or %s", secret)
		d.Fix = tr.Tf("Check the login (%s) and type the %s again. We do not retry by ourselves: repeated failures can lock the account.", CleanLine(in.s.Username), secret)
		if in.p != nil && in.p.Login == LoginLiteral && in.s.Username != in.p.LoginLiteral {
			d.Fix = tr.Tf("%s expects the login %q, literally, and the %s as the password.", in.p.Name, in.p.LoginLiteral, secret)
		}
	case "auth.app_password_required":
		name := in.p.SecretLabelIn(tr)
		if label == "Password" {
			name = tr.T("App Password")
		}
		d.Title = tr.Tf("This account needs an %s, not the account password", name)
		d.Fix = tr.Tf("Turn on two-step verification for the account, create an %s, and use it as the password.", name)
		if in.says("authorization code", "授权码") || in.p != nil && in.p.Secret.Kind == SecretAuthorizationCode {
			d.Fix = tr.T("Enable SMTP in the mailbox's web settings, generate an authorization code, and use it as the password.")
		}
	case "auth.not_offered":
		d.Fix = tr.Tf("Set the login mechanism to auto, or to one of: %s.", firstNonEmpty(strings.Join(in.r.Server.Auth, ", "), tr.T("none listed")))
	case "send.sender_rejected":
		d.Title = tr.Tf("The server will not send from %s", firstNonEmpty(CleanLine(in.s.From), tr.T("this address")))
		if in.p != nil && in.p.SenderRule != "" {
			d.Fix = tr.T(in.p.SenderRule)
		}
	case "greeting.rejected", "ip.blocked":
		if in.s.Port == 25 {
			d.Fix = tr.T("Port 25 is for servers, and often refuses home and cloud addresses: use the provider's submission port (587 with STARTTLS, or 465 with SSL/TLS) with a login.")
		}
	case "send.auth_required":
		if strings.TrimSpace(in.s.Username) == "" {
			// Not a wrong password: no password was ever sent.
			d.Title = tr.T("The server requires a login, and none is set")
			d.Fix = tr.T("This test never logged in, because no login is set. Fill in the login (usually the full e-mail address) and its password, then test again.")
		} else {
			d.Fix = tr.Tf("The test logged in as %s, yet the server says it is not logged in: check that the host and port are the provider's submission server (the one that takes the login), then send the report (smtpsetup report) to the provider.", CleanLine(in.s.Username))
		}
	case "starttls.required":
		if in.s.Security == SecurityNone {
			d.Suggestion = &Suggestion{SecuritySTARTTLS, in.s.Port}
		}
	}
}

// retryWords finds "try again in 5 minutes", "retry after 30 seconds".
var retryWords = words(`(?:try again|retry|wait|resend)\D{0,20}?(\d{1,5})\s*(seconds?|secs?|s\b|minutes?|mins?|hours?|hrs?|h\b)`)

// retryAfter is how long the server asks to wait, or 0 when it does not say.
func retryAfter(text string) time.Duration {
	m := retryWords.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0
	}
	unit := time.Second
	switch u := strings.ToLower(m[2]); {
	case strings.HasPrefix(u, "m"):
		unit = time.Minute
	case strings.HasPrefix(u, "h"):
		unit = time.Hour
	}
	return time.Duration(n) * unit
}
