package smtptest

import (
	"encoding/binary"
	"net"
	"sync"
)

// Marks that Wire puts between segments of the transcript.
const (
	// TLSMark precedes bytes the client sent inside TLS (shown decrypted).
	TLSMark = "[smtptest: decrypted TLS follows]\r\n"
	// ConnMark precedes the bytes of every connection but the first.
	ConnMark = "[smtptest: new connection]\r\n"
)

// maxRecord bounds what is kept of one connection's client bytes, so that a
// client that floods a server cannot exhaust the test's memory.
const maxRecord = 64 << 20

// Segment is a run of bytes a client sent on one connection, either in clear
// (as an eavesdropper saw them) or inside TLS (decrypted).
type Segment struct {
	Conn int // connection number, from 0 in order of acceptance
	TLS  bool
	Data []byte
}

// wireState is where a connection is in its life as seen on the network.
type wireState int

const (
	wireClear wireState = iota // bytes cross in clear
	wireTLS                    // TLS was started: bytes should be TLS records; their plaintext is recorded above TLS
)

// TLS record framing (RFC 8446 5.1; RFC 5246 6.2).
const (
	recordHeaderLen = 5
	maxRecordLen    = 1<<14 + 2048 // the largest TLSCiphertext of any version
)

// recorder keeps what a client sent on one connection.
//
// Raw bytes read from the socket are judged by framing alone, so that no
// clear text can go unrecorded whatever a TLS stack makes of it: before TLS
// starts every byte is clear text; once it has started, bytes that form
// well-framed TLS records (handshake included) are left out, and from the
// first byte that cannot be part of a TLS record header everything is clear
// text again. The plaintext inside TLS comes from above the TLS layer
// (decrypted).
type recorder struct {
	mu       sync.Mutex
	conn     int
	state    wireState
	size     int
	segments []Segment

	hdr  [recordHeaderLen]byte // the part of a TLS record header read so far
	nhdr int
	body int // bytes of the current TLS record still to come

	greeted bool // go-smtp connections: the server has written its first bytes
}

func (r *recorder) add(tls bool, b []byte) {
	if len(b) == 0 || r.size >= maxRecord {
		return
	}
	b = b[:min(len(b), maxRecord-r.size)]
	r.size += len(b)
	if n := len(r.segments); n > 0 && r.segments[n-1].TLS == tls {
		r.segments[n-1].Data = append(r.segments[n-1].Data, b...)
		return
	}
	r.segments = append(r.segments, Segment{Conn: r.conn, TLS: tls, Data: append([]byte(nil), b...)})
}

// raw records bytes read from the socket.
func (r *recorder) raw(b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(b) > 0 && r.state == wireTLS {
		if r.body > 0 {
			k := min(r.body, len(b))
			r.body -= k
			b = b[k:]
			continue
		}
		k := min(recordHeaderLen-r.nhdr, len(b))
		r.nhdr += copy(r.hdr[r.nhdr:], b[:k])
		b = b[k:]
		if !plausibleRecordHeader(r.hdr[:r.nhdr]) {
			r.state = wireClear
			r.add(false, r.hdr[:r.nhdr])
			r.nhdr = 0
			break
		}
		if r.nhdr == recordHeaderLen {
			r.body = int(binary.BigEndian.Uint16(r.hdr[3:]))
			r.nhdr = 0
		}
	}
	if r.state == wireClear {
		r.add(false, b)
	}
}

// plausibleRecordHeader reports whether h, all or the start of a TLS record
// header, can belong to a record of TLS 1.0 to 1.3: a known content type,
// protocol version 3.x and a length no record exceeds.
func plausibleRecordHeader(h []byte) bool {
	switch {
	case len(h) > 0 && (h[0] < 20 || h[0] > 24): // change_cipher_spec .. heartbeat
		return false
	case len(h) > 1 && h[1] != 3:
		return false
	case len(h) > 2 && h[2] > 4:
		return false
	case len(h) > 4 && int(binary.BigEndian.Uint16(h[3:])) > maxRecordLen:
		return false
	}
	return true
}

// startTLS is called when the client is expected to start TLS: bytes from
// the next one on are checked as TLS records.
func (r *recorder) startTLS() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state, r.nhdr, r.body = wireTLS, 0, 0
}

// decrypted records bytes read from inside TLS.
func (r *recorder) decrypted(b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(true, b)
}

// serverWrite watches what a go-smtp server writes on the socket, below TLS,
// for where TLS starts and fails. go-smtp writes "220" only in its greeting
// and to accept STARTTLS, after which it runs the handshake on the socket;
// if that fails it answers in clear ("550 5.0.0 Handshake error") and reads
// commands in clear again. Inside TLS it writes only TLS records, which never
// start with a digit.
func (r *recorder) serverWrite(p []byte, starttls bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	startsDigit := len(p) > 0 && p[0] >= '0' && p[0] <= '9'
	switch {
	case !r.greeted:
		r.greeted = true
	case starttls && r.state == wireClear && len(p) >= 4 && string(p[:4]) == "220 ":
		r.state, r.nhdr, r.body = wireTLS, 0, 0
	case r.state == wireTLS && startsDigit:
		r.state = wireClear
	}
}

// decryptedIfTLS records bytes a go-smtp server read above the socket: inside
// TLS they are the decrypted stream; in clear raw has already seen them.
func (r *recorder) decryptedIfTLS(b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state == wireTLS {
		r.add(true, b)
	}
}

func (r *recorder) snapshot() []Segment {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Segment, len(r.segments))
	for i, s := range r.segments {
		out[i] = Segment{Conn: s.Conn, TLS: s.TLS, Data: append([]byte(nil), s.Data...)}
	}
	return out
}

// recordingConn records every byte read from the socket.
type recordingConn struct {
	net.Conn
	rec *recorder
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.rec.raw(p[:n])
	return n, err
}

// CloseWrite half-closes the socket, if it can.
func (c *recordingConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// decryptedConn records every byte read from inside TLS; it wraps a
// *tls.Conn.
type decryptedConn struct {
	net.Conn
	rec *recorder
}

func (c *decryptedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.rec.decrypted(p[:n])
	return n, err
}
