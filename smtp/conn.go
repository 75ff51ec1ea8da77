package smtp

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultMaxRead is how many bytes one connection may read from the server.
// An honest session without a message reads a few KiB (greeting, EHLO, the
// certificate chain); go-mail and net/textproto read lines without a limit,
// so a hostile server could otherwise make a small NAS allocate gigabytes.
const DefaultMaxRead = 1 << 20

var errTooMuchData = errors.New("the server sent more data than any SMTP reply needs")

// guardedConn is the TCP connection under everything else (TLS included). It
// closes itself when the test's context ends, so cancel is immediate even in
// the middle of a read, counts what it reads against a budget, and
// remembers whether a read hit its deadline (a slow-drip server makes
// textproto return a half line with no error, and we must still say
// "timeout").
type guardedConn struct {
	net.Conn
	remaining atomic.Int64
	timedOut  atomic.Bool
	overflow  atomic.Bool
	aborted   atomic.Bool
	stop      func() bool
	closeOnce sync.Once

	// head is the first bytes read, for a diagnosis to quote what a
	// server sent where TLS was expected (the TLS error keeps only 5).
	headMu sync.Mutex
	head   []byte
}

// headLen is how much of the start of a connection is kept: a whole
// greeting line, which RFC 5321 bounds at 512 octets.
const headLen = 512

// firstLine is the first line the server sent, raw (the caller cleans it).
func (g *guardedConn) firstLine() string {
	g.headMu.Lock()
	defer g.headMu.Unlock()
	line, _, _ := strings.Cut(string(g.head), "\n")
	return strings.TrimSuffix(line, "\r")
}

func guard(ctx context.Context, c net.Conn, maxRead int64) *guardedConn {
	g := &guardedConn{Conn: c}
	g.remaining.Store(maxRead)
	g.stop = context.AfterFunc(ctx, func() { g.Close() })
	return g
}

func (g *guardedConn) Read(p []byte) (int, error) {
	left := g.remaining.Load()
	if left <= 0 {
		g.overflow.Store(true)
		return 0, errTooMuchData
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := g.Conn.Read(p)
	g.remaining.Add(-int64(n))
	g.headMu.Lock()
	if k := min(n, headLen-len(g.head)); k > 0 {
		g.head = append(g.head, p[:k]...)
	}
	g.headMu.Unlock()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		g.timedOut.Store(true)
	}
	return n, err
}

// abort closes the connection from another goroutine and remembers why.
func (g *guardedConn) abort() {
	g.aborted.Store(true)
	g.Close()
}

func (g *guardedConn) Close() error {
	var err error
	g.closeOnce.Do(func() {
		g.stop()
		err = g.Conn.Close()
	})
	return err
}
