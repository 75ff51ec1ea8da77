package main

import (
	"runtime/debug"
	"strings"
)

// Stamped by release builds (.goreleaser.yaml):
//
//	-ldflags "-X main.buildVersion=1.2.3 -X main.buildCommit=<sha> -X main.buildDate=<RFC 3339>"
//
// Left empty, they come from what the go command recorded: the module
// version of `go install`, the commit and time of a build in a git checkout.
var buildVersion, buildCommit, buildDate string

// version is what `--version` and `report` print: "1.2.3 (commit
// 0123abc, 2026-11-29T18:00:00Z)", or "devel (...)" for a local build.
func version() string {
	v, commit, date := buildVersion, buildCommit, buildDate
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && commit == "":
				commit = s.Value
			case s.Key == "vcs.time" && date == "":
				date = s.Value
			case s.Key == "vcs.modified" && s.Value == "true" && buildCommit == "":
				commit += "+dirty"
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	var extra []string
	if commit != "" {
		if len(commit) > 12 && !strings.Contains(commit[:12], "+") {
			commit = commit[:12] + strings.TrimLeft(commit[12:], "0123456789abcdef")
		}
		extra = append(extra, "commit "+commit)
	}
	if date != "" {
		extra = append(extra, date)
	}
	if len(extra) > 0 {
		v += " (" + strings.Join(extra, ", ") + ")"
	}
	return v
}
