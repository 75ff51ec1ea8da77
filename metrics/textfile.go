// Package metrics renders the outcome of a check in the Prometheus text
// exposition format, for node_exporter's textfile collector: a timer runs
// `smtpsetup check --metrics FILE` and Prometheus alerts when mail stops
// working (an App Password revoked, SMTP AUTH switched off by a tenant).
package metrics

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"smtpsetup/smtp"
)

// Check is what one run of `check` learned, as the metrics need it.
type Check struct {
	Report    *smtp.Report    // nil when the settings could not be tested at all
	Diagnosis *smtp.Diagnosis // nil when the test passed
	// Code is the diagnosis code when there is no report: the config could
	// not be read ("config.unusable"). Ignored when Diagnosis is set.
	Code string
	Now  time.Time
	// Previous is the file the last run wrote (nil if none): the time of
	// the last success is carried over from it while checks fail.
	Previous []byte
	// SignInRenewal is when an OAuth sign-in must be renewed by a person
	// (the refresh token's end), zero when the config has none: then the
	// metric is left out rather than written as a placeholder.
	SignInRenewal time.Time
	// Version is smtpsetup's version, for smtpsetup_build_info: which
	// machines of a fleet run which release.
	Version string
}

// Prefix starts every metric name; Ours uses it to recognise our file.
const Prefix = "smtpsetup_"

const lastSuccessName = Prefix + "check_last_success_timestamp_seconds"

// Render returns the text file: every metric with HELP and TYPE, gauges
// only, so that each run replaces the previous values whole.
func Render(c Check) []byte {
	var b bytes.Buffer
	ok := c.Report != nil && c.Report.OK
	server := ""
	if c.Report != nil {
		server = c.Report.Settings.Address()
	}

	gauge(&b, "check_success", "1 when the last check passed, 0 when it failed.")
	fmt.Fprintf(&b, "%scheck_success%s %s\n", Prefix, labels("server", server), boolValue(ok))

	gauge(&b, "check_timestamp_seconds", "When the last check ran, in seconds since the Unix epoch.")
	fmt.Fprintf(&b, "%scheck_timestamp_seconds %s\n", Prefix, seconds(c.Now))

	last, seen := LastSuccess(c.Previous)
	if ok {
		last, seen = float64(c.Now.UnixMilli())/1000, true
	}
	if seen {
		gauge(&b, "check_last_success_timestamp_seconds", "When a check last passed, in seconds since the Unix epoch.")
		fmt.Fprintf(&b, "%s %s\n", lastSuccessName, strconv.FormatFloat(last, 'f', -1, 64))
	}

	if c.Report != nil {
		gauge(&b, "check_duration_seconds", "How long the last check took, all stages together.")
		fmt.Fprintf(&b, "%scheck_duration_seconds %s\n", Prefix, duration(c.Report.Elapsed))
		if len(c.Report.Stages) > 0 {
			gauge(&b, "check_stage_duration_seconds", "How long each stage of the last check took (resolve, connect, tls, greeting, ehlo, starttls, auth, send, quit).")
			for _, st := range c.Report.Stages {
				fmt.Fprintf(&b, "%scheck_stage_duration_seconds%s %s\n", Prefix, labels("stage", string(st.Stage)), duration(st.Duration))
			}
			gauge(&b, "check_stage_success", "1 for each stage of the last check that passed, 0 for the one that failed.")
			for _, st := range c.Report.Stages {
				fmt.Fprintf(&b, "%scheck_stage_success%s %s\n", Prefix, labels("stage", string(st.Stage)), boolValue(st.OK))
			}
		}
	}

	code := c.Code
	if c.Diagnosis != nil {
		code = c.Diagnosis.Code
	}
	if !ok && code != "" {
		stage := ""
		if c.Report != nil && c.Report.Failure != nil {
			stage = string(c.Report.Failure.Stage)
		}
		gauge(&b, "check_failure_info", "The diagnosis of the last failed check: its code (docs/diagnoses.md) and stage; absent when it passed.")
		fmt.Fprintf(&b, "%scheck_failure_info%s 1\n", Prefix, labels("code", code, "stage", stage, "server", server))
	}

	if c.Version != "" {
		gauge(&b, "build_info", "Always 1; the version label says which smtpsetup wrote this file.")
		fmt.Fprintf(&b, "%sbuild_info%s 1\n", Prefix, labels("version", c.Version))
	}

	if !c.SignInRenewal.IsZero() {
		gauge(&b, "signin_renewal_timestamp_seconds", "When the OAuth sign-in must be renewed by a person (smtpsetup login), in seconds since the Unix epoch.")
		fmt.Fprintf(&b, "%ssignin_renewal_timestamp_seconds %s\n", Prefix, seconds(c.SignInRenewal))
	}
	return b.Bytes()
}

// LastSuccess reads the time of the last success from a file Render wrote.
func LastSuccess(prev []byte) (float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(prev))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || name != lastSuccessName {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || v <= 0 {
			return 0, false
		}
		return v, true
	}
	return 0, false
}

// Ours tells a file Render wrote (or an empty one) from anything else, so
// that a mistyped --metrics path is not overwritten.
func Ours(old []byte) bool {
	return len(bytes.TrimSpace(old)) == 0 || bytes.HasPrefix(old, []byte("# HELP "+Prefix))
}

func gauge(b *bytes.Buffer, name, help string) {
	fmt.Fprintf(b, "# HELP %s%s %s\n# TYPE %s%s gauge\n", Prefix, name, help, Prefix, name)
}

// labels renders name, value pairs as {name="value",...}, leaving out
// empty values, with each value escaped as the text format demands:
// backslash, double quote and line feed.
func labels(pairs ...string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			parts = append(parts, pairs[i]+`="`+r.Replace(pairs[i+1])+`"`)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func boolValue(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func seconds(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)
}

func duration(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}
