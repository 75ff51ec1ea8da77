// Command cancellat measures how long smtp.Test takes to return after its
// context is cancelled, in the stages where a test waits on the network:
//
//   - connect: a port that drops SYNs (a full accept queue, as benchserver's
//     blackhole)
//   - tls: SSL/TLS against a server that never answers the ClientHello
//   - greeting: STARTTLS against a server that never greets, before the
//     TLS probe starts (at half of smtp.DefaultProbeAfter, 300 ms)
//   - greeting+probe: the same, cancelled while the TLS probe runs
//
// Each case starts a test, cancels it after -after (DefaultProbeAfter + -after
// for greeting+probe) and records the time from cancel() to Test's return.
// Every server is in this process, on 127.0.0.1.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"smtpsetup/bench/internal/results"
	"smtpsetup/internal/blackhole"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

func main() {
	n := flag.Int("n", 10, "runs per case")
	after := flag.Duration("after", 300*time.Millisecond, "cancel this long after the test starts")
	out := flag.String("out", "", "JSON Lines file to append records to (required)")
	flag.Parse()
	log.SetPrefix("cancellat: ")
	log.SetFlags(0)
	if *out == "" || *n < 1 || *n > 1000 {
		log.Fatal("usage: cancellat -out FILE [-n N] [-after D]")
	}
	silent, err := smtptest.StartRaw(smtptest.Silent)
	if err != nil {
		log.Fatal(err)
	}
	defer silent.Close()
	hole, err := blackhole.New()
	if err != nil {
		log.Fatal(err)
	}
	defer hole.Close()

	cases := []struct {
		name  string
		sec   smtp.Security
		port  int
		after time.Duration
	}{
		{"connect", smtp.SecuritySTARTTLS, hole.Port, *after},
		{"tls", smtp.SecuritySSL, silent.Port(), *after},
		{"greeting", smtp.SecuritySTARTTLS, silent.Port(), min(*after, smtp.DefaultProbeAfter/2)},
		{"greeting+probe", smtp.SecuritySTARTTLS, silent.Port(), smtp.DefaultProbeAfter + *after},
	}
	for _, c := range cases {
		rec := results.Record{Group: "cancel", Case: c.name, Tool: "smtpsetup", Unit: "ms",
			Note: fmt.Sprintf("cancelled %s after the start", c.after)}
		kinds := map[smtp.Kind]int{}
		for range *n {
			d, kind := measure(c.sec, c.port, c.after)
			rec.Values = append(rec.Values, float64(d.Microseconds())/1000)
			kinds[kind]++
		}
		rec.Verdict = fmt.Sprint(kinds)
		if err := results.Append(*out, rec); err != nil {
			log.Fatal(err)
		}
		s := results.Summarize(rec.Values)
		fmt.Fprintf(os.Stderr, "cancel     %-16s median %7.2f ms (min %.2f, max %.2f)  %s\n", c.name, s.Median, s.Min, s.Max, rec.Verdict)
	}
}

// measure runs one test, cancels it after wait and returns the time from
// cancel to Test's return, and the kind of failure it reported.
func measure(sec smtp.Security, port int, wait time.Duration) (time.Duration, smtp.Kind) {
	ctx, cancel := context.WithCancel(context.Background())
	s := smtp.Settings{Host: "127.0.0.1", Port: port, Security: sec, Auth: smtp.AuthAuto,
		Username: "bench@example.test", Password: smtp.NewSecret("not-used")}
	done := make(chan *smtp.Report, 1)
	go func() { done <- smtp.Test(ctx, s, smtp.Options{}) }()
	time.Sleep(wait)
	start := time.Now()
	cancel()
	rep := <-done
	d := time.Since(start)
	var kind smtp.Kind
	if rep.Failure != nil {
		kind = rep.Failure.Kind
	}
	return d, kind
}
