package metrics

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"smtpsetup/smtp"
)

var (
	monday  = time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
	tuesday = monday.Add(24 * time.Hour)
)

func passed(host string) *smtp.Report {
	return &smtp.Report{
		OK:       true,
		Settings: smtp.Settings{Host: host, Port: 587},
		Elapsed:  250 * time.Millisecond,
		Stages: []smtp.StageResult{
			{Stage: smtp.StageConnect, OK: true, Duration: 20 * time.Millisecond},
			{Stage: smtp.StageAuth, OK: true, Duration: 80 * time.Millisecond},
		},
	}
}

func failed() (*smtp.Report, *smtp.Diagnosis) {
	r := passed("smtp.office365.com")
	r.OK = false
	r.Stages[1].OK = false
	r.Failure = &smtp.Failure{Stage: smtp.StageAuth, Kind: smtp.KindReply}
	return r, &smtp.Diagnosis{Code: "auth.smtp_auth_disabled"}
}

// line returns the sample line of a metric (name plus labels), or "".
func line(file []byte, prefix string) string {
	for _, l := range strings.Split(string(file), "\n") {
		if strings.HasPrefix(l, prefix+" ") || strings.HasPrefix(l, prefix+"{") {
			return l
		}
	}
	return ""
}

func TestPassThenFailKeepsTheLastSuccess(t *testing.T) {
	first := Render(Check{Report: passed("smtp.gmail.com"), Now: monday})
	if got := line(first, "smtpsetup_check_success"); got != `smtpsetup_check_success{server="smtp.gmail.com:587"} 1` {
		t.Errorf("success line = %q", got)
	}
	if got := line(first, "smtpsetup_check_last_success_timestamp_seconds"); got != "smtpsetup_check_last_success_timestamp_seconds 1796011200" {
		t.Errorf("last success = %q", got)
	}
	if got := line(first, "smtpsetup_check_stage_duration_seconds{stage=\"auth\"}"); got != `smtpsetup_check_stage_duration_seconds{stage="auth"} 0.08` {
		t.Errorf("auth duration = %q", got)
	}
	if line(first, "smtpsetup_check_failure_info") != "" {
		t.Error("a passed check has a failure_info line")
	}

	r, d := failed()
	second := Render(Check{Report: r, Diagnosis: d, Now: tuesday, Previous: first})
	if got := line(second, "smtpsetup_check_success"); !strings.HasSuffix(got, " 0") {
		t.Errorf("success after failure = %q", got)
	}
	if got := line(second, "smtpsetup_check_last_success_timestamp_seconds"); !strings.HasSuffix(got, " 1796011200") {
		t.Errorf("the last success was not carried over from Monday: %q", got)
	}
	if got := line(second, "smtpsetup_check_failure_info"); got != `smtpsetup_check_failure_info{code="auth.smtp_auth_disabled",stage="auth",server="smtp.office365.com:587"} 1` {
		t.Errorf("failure info = %q", got)
	}
	if got := line(second, `smtpsetup_check_stage_success{stage="auth"}`); !strings.HasSuffix(got, " 0") {
		t.Errorf("auth stage success = %q", got)
	}
}

func TestNeverPassedHasNoLastSuccess(t *testing.T) {
	out := Render(Check{Code: "config.unusable", Now: monday})
	if line(out, "smtpsetup_check_last_success_timestamp_seconds") != "" {
		t.Error("a machine that never passed claims a last success")
	}
	if got := line(out, "smtpsetup_check_failure_info"); got != `smtpsetup_check_failure_info{code="config.unusable"} 1` {
		t.Errorf("failure info = %q", got)
	}
}

func TestSignInRenewalOnlyWhenKnown(t *testing.T) {
	without := Render(Check{Report: passed("smtp.gmail.com"), Now: monday})
	if bytes.Contains(without, []byte("signin_renewal")) {
		t.Error("renewal metric written without OAuth data")
	}
	with := Render(Check{Report: passed("smtp.office365.com"), Now: monday, SignInRenewal: monday.Add(90 * 24 * time.Hour)})
	if got := line(with, "smtpsetup_signin_renewal_timestamp_seconds"); got != "smtpsetup_signin_renewal_timestamp_seconds 1803787200" {
		t.Errorf("renewal = %q", got)
	}
}

// A host name from a config is user data: a quote, backslash or newline in
// it must not break the file for every other metric on the machine.
func TestLabelEscaping(t *testing.T) {
	out := Render(Check{Report: passed("a\"b\\c\nd"), Now: monday})
	want := `smtpsetup_check_success{server="a\"b\\c\nd:587"} 1`
	if got := line(out, "smtpsetup_check_success"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	promtool(t, out)
}

func TestOurs(t *testing.T) {
	for _, tc := range []struct {
		old  string
		want bool
	}{
		{"", true},
		{string(Render(Check{Now: monday})), true},
		{"# HELP node_cpu_seconds_total x\n", false},
		{"root:x:0:0:root:/root:/bin/bash\n", false},
	} {
		if got := Ours([]byte(tc.old)); got != tc.want {
			t.Errorf("Ours(%.30q) = %v", tc.old, got)
		}
	}
}

func TestPromtoolAcceptsEveryShape(t *testing.T) {
	r, d := failed()
	for name, c := range map[string]Check{
		"passed":   {Report: passed("smtp.gmail.com"), Now: monday},
		"failed":   {Report: r, Diagnosis: d, Now: tuesday},
		"unusable": {Code: "config.unusable", Now: monday},
		"oauth":    {Report: passed("smtp.office365.com"), Now: monday, SignInRenewal: tuesday, Version: "1.2.3 (commit 0123abc, 2026-11-29T18:00:00Z)"},
	} {
		t.Run(name, func(t *testing.T) { promtool(t, Render(c)) })
	}
}

// promtool runs Prometheus's own linter on a file when it is installed
// (Debian: apt-get install prometheus; .ci/run installs it).
func promtool(t *testing.T, file []byte) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed")
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = bytes.NewReader(file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s\n--- file:\n%s", err, out, file)
	}
}

func TestBuildInfo(t *testing.T) {
	out := Render(Check{Report: passed("smtp.gmail.com"), Now: monday, Version: "1.2.3 (commit 0123abc)"})
	if got := line(out, "smtpsetup_build_info"); got != `smtpsetup_build_info{version="1.2.3 (commit 0123abc)"} 1` {
		t.Errorf("build info = %q", got)
	}
}
