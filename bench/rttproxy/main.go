// Command rttproxy is a TCP proxy on the loopback that adds a fixed round
// trip time, so that a server on 127.0.0.1 behaves like one far away.
//
//	rttproxy -target 127.0.0.1:4650 -rtt 100ms -addr-file /tmp/proxy.addr
//
// Every byte is delayed by half the RTT in its direction; bytes leave in
// the order they came, per direction.
//
// The client's connect() to the proxy returns at once (the kernel completes
// it), so the proxy emulates the TCP handshake's round trip instead
// (-handshake, on by default):
//   - the upstream connection is opened 1.5 RTT after the accept, when a
//     real server's accept() returns on the client's final ACK, so a
//     server-first greeting reaches the client 2 RTT after its connect();
//   - until the first server byte has reached the client, the client's
//     whole timeline runs one RTT early (its connect did not wait), so
//     what it sends in that time is held one RTT more: a ClientHello
//     written after 30 ms of local work arrives 30 ms + 1.5 RTT after the
//     connect, as on a real link. After that the two timelines agree.
//
// It listens only on the loopback, serves at most -max-conns connections
// at once and stops by itself after -lifetime, on SIGINT or SIGTERM.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback only)")
	target := flag.String("target", "", "address to forward to (loopback only), e.g. 127.0.0.1:4650")
	rtt := flag.Duration("rtt", 100*time.Millisecond, "round trip time to add: half each way")
	handshake := flag.Bool("handshake", true, "emulate the TCP handshake's round trip before the server sees the connection")
	addrFile := flag.String("addr-file", "", "write the listening address to this file once ready")
	lifetime := flag.Duration("lifetime", 2*time.Hour, "stop by itself after this long")
	maxConns := flag.Int("max-conns", 64, "connections served at once; more are closed at once")
	flag.Parse()
	log.SetPrefix("rttproxy: ")
	log.SetFlags(0)

	if err := loopbackOnly(*listen); err != nil {
		log.Fatalf("-listen: %v", err)
	}
	if err := loopbackOnly(*target); err != nil {
		log.Fatalf("-target: %v", err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	p := &Proxy{Target: *target, RTT: *rtt, Handshake: *handshake, MaxConns: *maxConns}
	if *addrFile != "" {
		if err := writeAtomic(*addrFile, ln.Addr().String()+"\n"); err != nil {
			log.Fatal(err)
		}
	} else {
		fmt.Println(ln.Addr())
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
		case <-time.After(*lifetime):
			log.Printf("lifetime %s reached", *lifetime)
		}
		ln.Close()
	}()
	p.Serve(ln)
}

// loopbackOnly refuses any address that is not on the loopback.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if host == "localhost" || ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address", addr)
}

func writeAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Proxy forwards connections to Target with RTT added.
type Proxy struct {
	Target    string
	RTT       time.Duration
	Handshake bool
	MaxConns  int

	wg sync.WaitGroup
}

// Serve accepts until ln is closed, then closes every connection and
// returns once they have ended.
func (p *Proxy) Serve(ln net.Listener) {
	var (
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
	)
	defer func() {
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		p.wg.Wait()
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		accepted := time.Now()
		mu.Lock()
		if len(conns) >= p.MaxConns {
			mu.Unlock()
			c.Close()
			continue
		}
		conns[c] = struct{}{}
		mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serveConn(c, accepted)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
		}()
	}
}

// chunk is one read, due for delivery at a time.
type chunk struct {
	due  time.Time
	data []byte
	err  error // io.EOF for a clean half-close
}

// queueReads reads src into a FIFO of chunks, each due delay(now) after it
// was read and never before notBefore. Due times never decrease, so the
// order is kept.
func queueReads(src net.Conn, delay func() time.Duration, notBefore time.Time) <-chan chunk {
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		buf := make([]byte, 32<<10)
		last := notBefore
		for {
			n, err := src.Read(buf)
			due := time.Now().Add(delay())
			if due.Before(last) {
				due = last
			}
			last = due
			if n > 0 {
				q <- chunk{due: due, data: append([]byte(nil), buf[:n]...)}
			}
			if err != nil {
				q <- chunk{due: due, err: err}
				return
			}
		}
	}()
	return q
}

// deliver writes the queued chunks to dst when they are due, calling
// before (if not nil) before each write. A clean EOF becomes a half-close
// of dst; anything else closes both sides.
func deliver(dst, src net.Conn, q <-chan chunk, before func()) {
	for c := range q {
		if d := time.Until(c.due); d > 0 {
			time.Sleep(d)
		}
		if before != nil {
			before()
		}
		if c.err != nil {
			if errors.Is(c.err, io.EOF) {
				if cw, ok := dst.(interface{ CloseWrite() error }); ok {
					cw.CloseWrite()
					continue
				}
			}
			dst.Close()
			src.Close()
			continue
		}
		if _, err := dst.Write(c.data); err != nil {
			dst.Close()
			src.Close()
		}
	}
}

func (p *Proxy) serveConn(client net.Conn, accepted time.Time) {
	defer client.Close()
	half := p.RTT / 2
	// A real client's connect() returns one RTT after its SYN, and the
	// server's accept() half an RTT later, on the final ACK. Until the
	// server's first byte reaches the client, the client runs one RTT
	// early (see the package comment).
	upAt := accepted
	var serverSpoke atomic.Bool
	clientDelay := func() time.Duration { return half }
	if p.Handshake {
		upAt = accepted.Add(p.RTT + half)
		clientDelay = func() time.Duration {
			if serverSpoke.Load() {
				return half
			}
			return p.RTT + half
		}
	}
	fromClient := queueReads(client, clientDelay, upAt)
	time.Sleep(time.Until(upAt))
	server, err := net.DialTimeout("tcp", p.Target, 10*time.Second)
	if err != nil {
		log.Printf("dialling %s: %v", p.Target, err)
		client.Close()
		for range fromClient {
		}
		return
	}
	defer server.Close()
	fromServer := queueReads(server, func() time.Duration { return half }, time.Time{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); deliver(server, client, fromClient, nil) }()
	go func() { defer wg.Done(); deliver(client, server, fromServer, func() { serverSpoke.Store(true) }) }()
	wg.Wait()
}
