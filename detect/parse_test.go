package detect

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestParseAutoconfig(t *testing.T) {
	server := func(host, port, socket, user string) string {
		return `<clientConfig><emailProvider><outgoingServer type="smtp"><hostname>` + host + `</hostname><port>` + port +
			`</port><socketType>` + socket + `</socketType><username>` + user + `</username></outgoingServer></emailProvider></clientConfig>`
	}
	tests := []struct {
		name, doc string
		want      string // host:port:security/login, "" for an error
	}{
		{"ssl", server("smtp.%EMAILDOMAIN%", "465", "SSL", "%EMAILADDRESS%"), "smtp.ex.test:465:ssl/address"},
		{"starttls", server("Mail.Ex.Test.", " 587 ", "STARTTLS", "%EMAILLOCALPART%"), "mail.ex.test:587:starttls/localpart"},
		{"plain, fixed user", server("relay.ex.test", "25", "plain", "relay-user"), "relay.ex.test:25:none/"},
		{"unknown socket type", server("smtp.ex.test", "465", "TLSv9", ""), ""},
		{"port out of range", server("smtp.ex.test", "70000", "SSL", ""), ""},
		{"port not a number", server("smtp.ex.test", "465x", "SSL", ""), ""},
		{"host with escape", server("smtp.ex.test&#x1b;[2J", "465", "SSL", ""), ""},
		{"host with space", server("smtp ex.test", "465", "SSL", ""), ""},
		{"host with port", server("smtp.ex.test:465", "465", "SSL", ""), ""},
		{"imap only", `<clientConfig><emailProvider><incomingServer type="imap"><hostname>imap.ex.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>`, ""},
		{"not XML", "<html><body>hello", ""},
		{"other root", `<config><emailProvider/></config>`, ""},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAutoconfig([]byte(tc.doc), "ex.test")
			if tc.want == "" {
				if err == nil {
					t.Errorf("no error; got %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k := candKey(got[0]) + "/" + got[0].Login; k != tc.want {
				t.Errorf("got %q, want %q", k, tc.want)
			}
		})
	}
}

func TestReadReplyBounds(t *testing.T) {
	tests := []struct {
		name, in string
		code     int
		lines    int
		err      error
	}{
		{"single", "220 hello\r\n", 220, 1, nil},
		{"multi", "250-a\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n", 250, 3, nil},
		{"bare code", "250\r\n", 250, 1, nil},
		{"LF only", "220 hi\n", 220, 1, nil},
		{"long line", "220 " + strings.Repeat("x", maxLine) + "\r\n", 0, 0, errLineTooLong},
		{"code changes", "250-a\r\n251 b\r\n", 0, 0, errNotSMTP},
		{"http", "HTTP/1.1 400 Bad Request\r\n", 0, 0, errNotSMTP},
		{"short", "22\r\n", 0, 0, errNotSMTP},
		{"bad separator", "220_x\r\n", 0, 0, errNotSMTP},
		{"cut off", "250-a\r\n", 0, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, lines, err := readReply(bufio.NewReaderSize(strings.NewReader(tc.in), maxLine))
			if tc.name == "cut off" {
				if err == nil {
					t.Error("a reply cut off by EOF was accepted")
				}
				return
			}
			if !errors.Is(err, tc.err) || code != tc.code || len(lines) != tc.lines {
				t.Errorf("got %d %q %v, want %d, %d lines, %v", code, lines, err, tc.code, tc.lines, tc.err)
			}
		})
	}
}

func TestBudgetConnStopsReading(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	go func() {
		defer server.Close()
		chunk := []byte(strings.Repeat("250-flood\r\n", 100))
		for {
			if _, err := server.Write(chunk); err != nil {
				return
			}
		}
	}()
	conn := &budgetConn{Conn: client, left: maxExchange}
	_, _, err := readReply(bufio.NewReaderSize(conn, maxLine))
	if !errors.Is(err, errTooLarge) {
		t.Errorf("endless reply: %v, want errTooLarge", err)
	}
}

func TestDetectHonoursCancel(t *testing.T) {
	cert, pool := testCert(t, "smtp.slow.test")
	rt := &router{}
	res := &stubResolver{hosts: map[string][]string{"smtp.slow.test": {"127.0.0.1"}}}
	for _, port := range []string{"465", "587", "25"} {
		rt.add("smtp.slow.test:"+port, fakeSMTP(t, fakeSilent, cert))
	}
	ctx, cancel := context.WithCancel(context.Background())
	dialled := make(chan struct{}, 3)
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := rt.dial(ctx, network, addr)
		select {
		case dialled <- struct{}{}:
		default:
		}
		return c, err
	}
	opts := Options{Resolver: res, Dial: dial, HTTPClient: noHTTP(), TLSConfig: &tls.Config{RootCAs: pool},
		ProbeTimeout: time.Hour, AutoconfigTimeout: time.Hour}
	done := make(chan Result)
	go func() { done <- Detect(ctx, "nas@slow.test", nil, opts) }()
	<-dialled // a probe is now waiting on a silent server
	cancel()
	select {
	case got := <-done:
		if got.Found() || !containsText(got.Unchecked, "stopped before every source had answered") {
			t.Errorf("got %+v", got)
		}
	case <-time.After(time.Minute): // a hang detector, not a timing assertion
		t.Fatal("Detect did not return after its context was cancelled")
	}
}
