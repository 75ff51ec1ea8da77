package smtp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"mime/quotedprintable"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// minMaskedLen is the shortest form of a secret that is masked in server
// text. Masking "ab" wherever it occurs would garble every reply and protect
// nothing; a secret that short is already known to anyone who guesses.
const minMaskedLen = 4

// minFragmentLen is the shortest piece of base64 that is masked when it
// stands for the secret inside a longer blob (an AUTH PLAIN response with
// any login before the password). Shorter pieces match ordinary words.
const minFragmentLen = 8

// secretMask replaces every form in which a server might repeat a secret:
// raw, in any letter case, as the base64 of the password alone (AUTH LOGIN)
// or of a whole PLAIN or XOAUTH2 response, with or without padding, URL-safe,
// URL-encoded, quoted or escaped, as quoted-printable or hex, and as the
// escapes CleanText shows for its control characters. A nil mask changes
// nothing.
//
// It is applied where server text enters the report (replies, the banner,
// errors, the transcript), so every output built from a Report (check text
// and JSON, setup, the wizard, report) is covered at once.
type secretMask struct {
	forms []string // lower-cased (ASCII), longest first

	// Pieces of the secrets, for servers that repeat only part of one: a
	// reply cut short ("you sent: AG5hc0BleGFtcGxl…") or a password with a
	// character more or less. raw holds every minPieceLen-byte piece,
	// lower-cased, matched in the text as is; decoded holds, by length, the
	// pieces matched inside whatever a run of base64 in the text decodes to.
	raw     map[string]struct{}
	decoded map[int]map[string]struct{}
	// The first two bytes of every piece, so that most of the text is passed
	// over without a map look-up.
	rawStart, decodedStart pairSet
}

// pairSet is a set of two-byte strings.
type pairSet [1 << 16 / 64]uint64

func (p *pairSet) add(s string)       { k := int(s[0])<<8 | int(s[1]); p[k/64] |= 1 << (k % 64) }
func (p *pairSet) has(a, b byte) bool { k := int(a)<<8 | int(b); return p[k/64]&(1<<(k%64)) != 0 }

// minPieceLen is the longest piece of a secret that must be masked when a
// server repeats only part of it: raw, a piece this long; inside base64, a
// piece this long or 60% of the secret, whichever is shorter.
const minPieceLen = 8

// newSecretMask builds the mask for the settings' password; nil when there is
// no password to hide.
func newSecretMask(s Settings) *secretMask {
	return (*secretMask)(nil).with(s.Username, s.Password.Reveal())
}

// with adds a secret used with login user (the OAuth access token, once it
// is known) to the mask, creating it if m is nil. It returns m unchanged
// when the secret is too short to mask.
func (m *secretMask) with(user, secret string) *secretMask {
	forms := secretForms(user, secret)
	if len(forms) == 0 {
		return m
	}
	if m == nil {
		m = &secretMask{raw: map[string]struct{}{}, decoded: map[int]map[string]struct{}{}}
	}
	for _, f := range forms {
		m.forms = append(m.forms, asciiLower(f))
	}
	m.forms = slices.Compact(slices.SortedFunc(slices.Values(m.forms), func(a, b string) int {
		if d := len(b) - len(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	}))
	if len(secret) >= minPieceLen {
		low := asciiLower(secret)
		for i := 0; i+minPieceLen <= len(low); i++ {
			m.raw[low[i:i+minPieceLen]] = struct{}{}
			m.rawStart.add(low[i:])
		}
	}
	n := max(minMaskedLen, min(minPieceLen, (len(secret)*6+9)/10))
	set := m.decoded[n]
	if set == nil {
		set = map[string]struct{}{}
		m.decoded[n] = set
	}
	for i := 0; i+n <= len(secret); i++ {
		set[secret[i:i+n]] = struct{}{}
		m.decodedStart.add(secret[i:])
	}
	return m
}

// asciiLower lower-cases ASCII letters only, so that byte offsets stay the
// same as in the original text.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// secretForms lists the encodings of secret (used with login user) that a
// server could send back.
func secretForms(user, secret string) []string {
	if len(secret) < minMaskedLen {
		return nil
	}
	seen := map[string]bool{}
	var forms []string
	add := func(fs ...string) {
		for _, f := range fs {
			if len(f) >= minMaskedLen && !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	encodings := []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding}
	texts := []string{
		secret,
		strings.TrimSpace(secret),
		CleanLine(secret),
		strings.ReplaceAll(secret, " ", ""), // shown in groups (App Passwords)
		// Any letter case is matched for ASCII (apply); a server that
		// changes the case of other letters ("ց" → "Ց") echoes one of these.
		strings.ToUpper(secret),
		strings.ToLower(secret),
	}
	for _, t := range slices.Clone(texts) {
		q := strconv.Quote(t)
		j, _ := json.Marshal(t)
		var qp bytes.Buffer
		w := quotedprintable.NewWriter(&qp)
		w.Write([]byte(t))
		w.Close()
		qa := strconv.QuoteToASCII(t)
		texts = append(texts, q[1:len(q)-1], string(j[1:len(j)-1]), qa[1:len(qa)-1],
			url.QueryEscape(t), url.PathEscape(t), html.EscapeString(t),
			strings.ReplaceAll(t, "'", `'\''`), strings.ReplaceAll(qp.String(), "=\r\n", ""), hex.EncodeToString([]byte(t)))
	}
	add(texts...)
	// What AUTH sends: the password alone (LOGIN), and whole PLAIN and
	// XOAUTH2 responses, each in every base64 alphabet.
	blobs := []string{secret, "\x00" + user + "\x00" + secret, user + "\x00" + user + "\x00" + secret,
		"user=" + user + "\x01auth=Bearer " + secret + "\x01\x01"}
	for _, enc := range encodings {
		for _, b := range blobs {
			add(enc.EncodeToString([]byte(b)))
		}
		add(base64Fragments(enc, secret)...)
	}
	return forms
}

// base64Fragments are the runs of base64 that stand for secret alone when it
// sits at any offset inside a longer encoded blob: at each of the three byte
// alignments, the characters whose bits all come from the secret.
func base64Fragments(enc *base64.Encoding, secret string) []string {
	var out []string
	n := len(secret)
	for k := range 3 {
		buf := make([]byte, k+n+2)
		copy(buf[k:], secret)
		e := enc.EncodeToString(buf)
		first := (8*k + 5) / 6    // first character starting at or after the secret
		last := (8*(k+n) - 6) / 6 // last character ending within it
		if last-first+1 >= minFragmentLen {
			out = append(out, e[first:last+1])
		}
	}
	return out
}

// apply masks every form of the secret in s, in any ASCII letter case. It
// is a plain substring search per form (not one big regular expression,
// whose cost grows with the product of a 1 KiB password's forms and the
// text): a few dozen scans of a reply.
func (m *secretMask) apply(s string) string {
	if m == nil || s == "" {
		return s
	}
	low := asciiLower(s)
	var spans [][2]int
	for _, f := range m.forms {
		for off := 0; off < len(low); {
			i := strings.Index(low[off:], f)
			if i < 0 {
				break
			}
			spans = append(spans, [2]int{off + i, off + i + len(f)})
			off += i + len(f)
		}
	}
	spans = m.pieceSpans(s, low, spans)
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	last := 0
	for i := 0; i < len(spans); {
		start, end := spans[i][0], spans[i][1]
		for i++; i < len(spans) && spans[i][0] < end; i++ {
			end = max(end, spans[i][1])
		}
		b.WriteString(s[last:start])
		b.WriteString(Mask)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// pieceSpans adds to spans where text s (low: lower-cased) holds a piece of
// a secret: raw, or inside a run of base64 that decodes, at any of its four
// alignments, to bytes holding one. One map look-up per byte of text (and
// four per byte of base64), so a long reply costs microseconds.
func (m *secretMask) pieceSpans(s, low string, spans [][2]int) [][2]int {
	for i := 0; i+minPieceLen <= len(low); i++ {
		if !m.rawStart.has(low[i], low[i+1]) {
			continue
		}
		if _, ok := m.raw[low[i:i+minPieceLen]]; ok {
			spans = append(spans, [2]int{i, i + minPieceLen})
		}
	}
	shortest := minPieceLen
	for n := range m.decoded {
		shortest = min(shortest, n)
	}
	minRun := (shortest*4 + 2) / 3 // characters that can carry that many bytes
	for i := 0; i < len(s); {
		if !isBase64Char(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isBase64Char(s[j]) {
			j++
		}
		end := j
		for end < len(s) && s[end] == '=' {
			end++
		}
		if j-i >= minRun && m.decodesToPiece(s[i:j]) {
			spans = append(spans, [2]int{i, end})
		}
		i = end
	}
	return spans
}

func isBase64Char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

// decodesToPiece reports whether run (base64 in either alphabet, perhaps cut
// at both ends) decodes, at any alignment, to bytes holding a piece of a
// secret.
func (m *secretMask) decodesToPiece(run string) bool {
	std := []byte(run)
	for i, c := range std {
		switch c {
		case '-':
			std[i] = '+'
		case '_':
			std[i] = '/'
		}
	}
	buf := make([]byte, base64.RawStdEncoding.DecodedLen(len(std)))
	for a := range 4 {
		if a >= len(std) {
			break
		}
		r := std[a:]
		if len(r)%4 == 1 {
			r = r[:len(r)-1]
		}
		n, err := base64.RawStdEncoding.Decode(buf, r)
		if err != nil {
			continue
		}
		d := string(buf[:n])
		for k, set := range m.decoded {
			for i := 0; i+k <= len(d); i++ {
				if !m.decodedStart.has(d[i], d[i+1]) {
					continue
				}
				if _, ok := set[d[i:i+k]]; ok {
					return true
				}
			}
		}
	}
	return false
}

// clean is CleanText with the secret masked before cleaning (so that cutting
// a long line cannot leave half of it) and after (in case cleaning turned
// its control characters into escapes).
func (m *secretMask) clean(s string) string { return m.apply(CleanText(m.apply(s))) }

// reply builds a Reply from a server's raw text, the secret masked.
func (m *secretMask) reply(code int, raw string) Reply {
	r := newReply(code, m.apply(raw))
	r.Text = m.apply(r.Text)
	return r
}

// report masks every text in a finished report that a server had a say in:
// the last line of defence, whatever path the text took.
func (m *secretMask) report(r *Report) {
	if m == nil {
		return
	}
	for i := range r.Stages {
		r.Stages[i].Detail = m.apply(r.Stages[i].Detail)
	}
	if f := r.Failure; f != nil {
		f.Error, f.Seen = m.apply(f.Error), m.apply(f.Seen)
		if f.Reply != nil {
			rep := *f.Reply
			rep.Text = m.apply(rep.Text)
			f.Reply = &rep
		}
		m.cert(f.Certificate)
		m.list(f.Offered)
	}
	r.Server.Greeting = m.apply(r.Server.Greeting)
	m.list(r.Server.Extensions)
	m.list(r.Server.Auth)
	if r.Server.TLS != nil {
		m.cert(r.Server.TLS.Certificate)
	}
	for i := range r.Transcript {
		r.Transcript[i].Text = m.apply(r.Transcript[i].Text)
	}
}

func (m *secretMask) list(l []string) {
	for i := range l {
		l[i] = m.apply(l[i])
	}
}

func (m *secretMask) cert(c *CertInfo) {
	if c == nil {
		return
	}
	c.Subject, c.Issuer = m.apply(c.Subject), m.apply(c.Issuer)
	m.list(c.Names)
}

// MaskSecrets masks every form of the secrets in text, as server replies are
// masked: for text from elsewhere that may repeat one, such as an identity
// provider's error description after a refresh.
func MaskSecrets(text string, secrets ...string) string {
	var m *secretMask
	for _, s := range secrets {
		m = m.with("", s)
	}
	return m.apply(text)
}
