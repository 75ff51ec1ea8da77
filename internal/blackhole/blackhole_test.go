package blackhole

import (
	"errors"
	"net"
	"testing"
	"time"
)

// A connect to the hole neither completes nor is refused: it times out.
func TestConnectTimesOut(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Skipf("no blackhole on this kernel: %v", err)
	}
	defer h.Close()
	c, err := net.DialTimeout("tcp", h.Addr(), 200*time.Millisecond)
	if err == nil {
		c.Close()
		t.Fatal("connect completed")
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("connect: %v, want a timeout", err)
	}
}
