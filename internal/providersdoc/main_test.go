package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"smtpsetup/smtp"
)

// TestProvidersDocIsCurrent fails when docs/providers.md no longer matches
// the catalogue, so a catalogue change cannot ship with stale docs.
func TestProvidersDocIsCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "providers.md")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run go generate ./...", err)
	}
	if want := render(smtp.BuiltinCatalogue()); !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: the provider catalogue changed; run go generate ./...", path)
	}
}

func TestProvidersDocEscapesTableCells(t *testing.T) {
	c := &smtp.Catalogue{Providers: []smtp.Provider{{ID: "x", Name: "A | B", Status: "ok", LastChecked: "2026-11-22"}}}
	if !bytes.Contains(render(c), []byte(`[A \| B](#x)`)) {
		t.Error("a | in a name breaks the table")
	}
}
