package smtptest

import (
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
	wireClear     wireState = iota // bytes cross in clear
	wireHandshake                  // a TLS handshake is running
	wireTLS                        // bytes are TLS records; their plaintext is recorded above TLS
)

// recorder keeps what a client sent on one connection. Bytes read during a
// TLS handshake are held back: if the handshake succeeds they were TLS
// records and are dropped; if it fails they crossed in clear and are kept.
type recorder struct {
	mu       sync.Mutex
	conn     int
	state    wireState
	size     int
	pending  []byte
	segments []Segment
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
	switch r.state {
	case wireClear:
		r.add(false, b)
	case wireHandshake:
		if len(r.pending) < 64<<10 {
			r.pending = append(r.pending, b...)
		}
	}
}

// decrypted records bytes read from inside TLS.
func (r *recorder) decrypted(b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(true, b)
}

// handshake is called before a TLS handshake starts.
func (r *recorder) handshake() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state = wireHandshake
}

// handshakeDone is called after a TLS handshake ended, well or not.
func (r *recorder) handshakeDone(ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ok {
		r.state = wireTLS
	} else {
		r.state = wireClear
		r.add(false, r.pending)
	}
	r.pending = nil
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

// CloseWrite half-closes the socket, if it can.
func (c *recordingConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
