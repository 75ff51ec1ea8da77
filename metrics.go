package main

import (
	"errors"
	"fmt"
	"time"

	"smtpsetup/config"
	"smtpsetup/metrics"
	"smtpsetup/smtp"
)

// configUnusable is the diagnosis code in the metrics when check could not
// test at all: the config is missing or invalid (exit 2).
const configUnusable = "config.unusable"

// writeMetrics writes the outcome of check to path for node_exporter's
// textfile collector, carrying the last success over from the previous
// file. runErr is check's own result, returned unless writing fails: then
// the failure to write is what the caller must see (exit 2).
func writeMetrics(path string, rep *smtp.Report, p *smtp.Provider, runErr error) error {
	prev, err := config.ReadPublicFile(path)
	if err != nil {
		prev = nil // unreadable: start afresh; the write below says why if it is fatal
	}
	c := metrics.Check{Report: rep, Now: time.Now(), Previous: prev, Version: version()}
	if rep != nil {
		c.Diagnosis = smtp.Diagnose(rep, p)
		c.SignInRenewal = rep.SignInDue // zero without an OAuth sign-in: no metric
	} else {
		var ee *exitError
		if runErr == nil || (errors.As(runErr, &ee) && ee.code != exitBadInput) {
			return runErr
		}
		c.Code = configUnusable
	}
	if err := config.WritePublicFile(path, metrics.Render(c), metrics.Ours); err != nil {
		if runErr != nil {
			return errors.Join(runErr, fmt.Errorf("--metrics: %w", err))
		}
		return badInput("--metrics: %v", err)
	}
	return runErr
}
