// Command timeit runs a command several times and appends one results
// record: the wall time of each run (fork to exit), its exit code and its
// peak resident memory (the kernel's rusage), and what the command
// concluded, read from its last run's output.
//
//	timeit -n 7 -group verdict -case ssl -tool swaks -rtt 100 -out r.jsonl -verdict swaks -- swaks ...
//
// Every run is bounded by -timeout; standard input is /dev/null.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"smtpsetup/bench/internal/results"
)

func main() {
	var r results.Record
	n := flag.Int("n", 7, "measured runs")
	warmup := flag.Int("warmup", 1, "unmeasured runs first (page cache, first-run costs)")
	timeout := flag.Duration("timeout", 2*time.Minute, "kill a run after this long")
	out := flag.String("out", "", "JSON Lines file to append the record to (required)")
	verdict := flag.String("verdict", "", "how to read the verdict: json (smtpsetup check --json), swaks, or empty")
	flag.StringVar(&r.Group, "group", "", "record group")
	flag.StringVar(&r.Case, "case", "", "record case")
	flag.StringVar(&r.Tool, "tool", "", "tool name")
	flag.Float64Var(&r.RTTms, "rtt", 0, "round trip time added, in ms (for the record)")
	flag.StringVar(&r.Note, "note", "", "note for the record")
	flag.Parse()
	log.SetPrefix("timeit: ")
	log.SetFlags(0)
	args := flag.Args()
	if *out == "" || len(args) == 0 || *n < 1 || *n > 1000 {
		log.Fatal("usage: timeit -out FILE [-n N] [flags] -- command [args]")
	}
	r.Unit = "ms"
	var last []byte
	for i := range *warmup + *n {
		res, err := runOnce(args, *timeout)
		if err != nil {
			log.Fatalf("%s: %v", args[0], err)
		}
		if i < *warmup {
			continue
		}
		r.Values = append(r.Values, float64(res.wall.Microseconds())/1000)
		r.Exit = append(r.Exit, res.exit)
		r.MaxRSSKiB = append(r.MaxRSSKiB, float64(res.maxRSSKiB))
		last = res.output
	}
	r.Verdict = readVerdict(*verdict, last, r.Exit[len(r.Exit)-1])
	r.Output = capText(string(last), 8<<10)
	if err := results.Append(*out, r); err != nil {
		log.Fatal(err)
	}
	s := results.Summarize(r.Values)
	fmt.Fprintf(os.Stderr, "%-10s %-26s %-9s rtt=%-4g median %8.1f ms (min %.1f, max %.1f) exit %v  %s\n",
		r.Group, r.Case, r.Tool, r.RTTms, s.Median, s.Min, s.Max, r.Exit, r.Verdict)
}

type run struct {
	wall      time.Duration
	exit      int
	maxRSSKiB int64
	output    []byte
}

func runOnce(args []string, timeout time.Duration) (run, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return run{}, err
	}
	res := run{wall: wall, exit: cmd.ProcessState.ExitCode(), output: buf.Bytes()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.maxRSSKiB = ru.Maxrss // KiB on Linux
	}
	if ctx.Err() != nil {
		res.exit = -2 // killed by -timeout
	}
	return res, nil
}

// readVerdict names what the tool concluded: "pass", a diagnosis code, or
// the first error line swaks printed.
func readVerdict(kind string, out []byte, exit int) string {
	switch kind {
	case "json":
		var v struct {
			OK        bool `json:"ok"`
			Diagnosis *struct {
				Code  string `json:"code"`
				Title string `json:"title"`
			} `json:"diagnosis"`
			Suggestion *struct {
				Security string `json:"security"`
				Port     int    `json:"port"`
			} `json:"suggestion"`
		}
		start := bytes.IndexByte(out, '{')
		if start < 0 || json.Unmarshal(out[start:], &v) != nil {
			return fmt.Sprintf("(no JSON, exit %d)", exit)
		}
		if v.OK {
			return "pass"
		}
		if v.Diagnosis != nil {
			said := v.Diagnosis.Code + ": " + v.Diagnosis.Title
			if g := v.Suggestion; g != nil {
				said += fmt.Sprintf(" (suggests %s, port %d)", g.Security, g.Port)
			}
			return said
		}
		return "fail (no diagnosis)"
	case "swaks":
		if exit == 0 {
			return "pass"
		}
		var said []string
		for _, l := range strings.Split(string(out), "\n") {
			l = strings.Join(strings.Fields(l), " ")
			if len(said) < 2 && (strings.HasPrefix(l, "***") || strings.HasPrefix(l, "<**")) {
				said = append(said, l)
			}
		}
		if len(said) == 0 {
			return fmt.Sprintf("(nothing, exit %d)", exit)
		}
		return strings.Join(said, " ")
	}
	return ""
}

func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "\n… (cut)"
}
