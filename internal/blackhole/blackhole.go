// Package blackhole makes a loopback port that drops SYNs, as a firewall's
// DROP rule does, without root and without iptables.
//
// It is a listener with a backlog of 0 whose accept queue is filled by our
// own connections and never drained. Linux then drops every new SYN without
// an answer (it answers with RST only when net.ipv4.tcp_abort_on_overflow
// is 1), so a client's connect() hangs and retransmits its SYN exactly as
// behind a DROP rule, until its own timeout.
package blackhole

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// Hole is a port that drops SYNs.
type Hole struct {
	Port int

	fd      int
	fillers []net.Conn
}

// Addr is the hole's "127.0.0.1:port".
func (h *Hole) Addr() string { return fmt.Sprintf("127.0.0.1:%d", h.Port) }

// New listens on 127.0.0.1 and fills the accept queue until a connect
// times out, which proves that SYNs are now dropped. It fails when that
// cannot be shown within 8 connections.
func New() (*Hole, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	h := &Hole{fd: fd}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		h.Close()
		return nil, err
	}
	if err := syscall.Listen(fd, 0); err != nil {
		h.Close()
		return nil, err
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		h.Close()
		return nil, err
	}
	h.Port = sa.(*syscall.SockaddrInet4).Port
	for range 8 {
		c, err := net.DialTimeout("tcp", h.Addr(), 300*time.Millisecond)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return h, nil
			}
			h.Close()
			return nil, err
		}
		h.fillers = append(h.fillers, c)
	}
	h.Close()
	return nil, errors.New("the accept queue never filled, so SYNs are not dropped here")
}

// Close closes the fillers and the listening socket.
func (h *Hole) Close() {
	for _, c := range h.fillers {
		c.Close()
	}
	syscall.Close(h.fd)
}
