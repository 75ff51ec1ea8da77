// Command benchserver runs the servers the benchmarks talk to, all on
// 127.0.0.1, built from smtp/smtptest:
//
//   - implicit: implicit TLS (port-465 style) with one account
//   - starttls: STARTTLS (port-587 style) with the same account
//   - silent: accepts and never greets
//   - endless: sends "220-" and then one line that never ends
//   - endlessreply: a multi-line greeting of proper lines that never ends
//   - blackhole: a port that drops SYNs, as a firewall's DROP rule does
//     (see internal/blackhole)
//
// It writes the CA's certificate (ca.pem), the password (password, 0600)
// and the ports (ports.env, for `. ports.env` in a shell) into -dir, then
// serves until SIGINT, SIGTERM or -lifetime.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"smtpsetup/internal/blackhole"
	"smtpsetup/smtp/smtptest"
)

// User is the account the TLS servers accept.
const User = "bench@example.test"

func main() {
	dir := flag.String("dir", "", "directory for ca.pem, password and ports.env (required)")
	lifetime := flag.Duration("lifetime", 2*time.Hour, "stop by itself after this long")
	flag.Parse()
	log.SetPrefix("benchserver: ")
	log.SetFlags(0)
	if *dir == "" {
		log.Fatal("-dir is required")
	}
	if err := run(*dir, *lifetime); err != nil {
		log.Fatal(err)
	}
}

func run(dir string, lifetime time.Duration) error {
	ca, err := smtptest.NewCA()
	if err != nil {
		return err
	}
	pass := randomPassword()
	var closers []func()
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	ports := map[string]int{}
	start := func(name string, s *smtptest.Server, err error) error {
		if err != nil {
			return fmt.Errorf("%s server: %w", name, err)
		}
		closers = append(closers, func() { s.Close() })
		ports[name] = s.Port()
		return nil
	}
	account := smtptest.WithAccount(User, pass)
	for _, sv := range []struct {
		name  string
		start func() (*smtptest.Server, error)
	}{
		{"IMPLICIT", func() (*smtptest.Server, error) {
			return smtptest.Start(smtptest.WithMode(smtptest.ModeImplicitTLS), smtptest.WithCA(ca), account)
		}},
		{"STARTTLS", func() (*smtptest.Server, error) {
			return smtptest.Start(smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithCA(ca), account)
		}},
		{"SILENT", func() (*smtptest.Server, error) { return smtptest.StartRaw(smtptest.Silent) }},
		{"ENDLESS", func() (*smtptest.Server, error) { return smtptest.StartRaw(smtptest.EndlessLine) }},
		{"ENDLESSREPLY", func() (*smtptest.Server, error) { return smtptest.StartRaw(smtptest.EndlessReply) }},
	} {
		s, err := sv.start()
		if err := start(sv.name, s, err); err != nil {
			return err
		}
	}
	// Without a blackhole the other servers still serve; run.sh reports
	// the dropped-packets case as not measurable (BLACKHOLE_PORT=0).
	blackholeNote := "ok"
	if bh, err := blackhole.New(); err != nil {
		blackholeNote = strings.ReplaceAll(err.Error(), " ", "_")
		log.Printf("no blackhole: %v", err)
	} else {
		closers = append(closers, bh.Close)
		ports["BLACKHOLE"] = bh.Port
	}

	caFile := filepath.Join(dir, "ca.pem")
	passFile := filepath.Join(dir, "password")
	if err := os.WriteFile(caFile, ca.PEM(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(passFile, []byte(pass+"\n"), 0o600); err != nil {
		return err
	}
	var env strings.Builder
	for _, k := range []string{"IMPLICIT", "STARTTLS", "SILENT", "ENDLESS", "ENDLESSREPLY", "BLACKHOLE"} {
		fmt.Fprintf(&env, "%s_PORT=%d\n", k, ports[k])
	}
	fmt.Fprintf(&env, "BENCH_USER=%s\nCA_FILE=%s\nPASSWORD_FILE=%s\nBLACKHOLE_STATUS=%s\n", User, caFile, passFile, blackholeNote)
	// ports.env appears whole, once every server listens.
	tmp := filepath.Join(dir, "ports.env.tmp")
	if err := os.WriteFile(tmp, []byte(env.String()), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "ports.env")); err != nil {
		return err
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
	case <-time.After(lifetime):
		log.Printf("lifetime %s reached", lifetime)
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
