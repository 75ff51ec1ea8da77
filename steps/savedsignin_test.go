package steps

import (
	"os"
	"path/filepath"
	"testing"

	"smtpsetup/config"
	"smtpsetup/oauth"
	"smtpsetup/smtp"
)

// A config's saved sign-in follows the config when Save writes it to a new
// path, and is left alone when the path is the same.
func TestSavedSignInFollowsTheConfig(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "a", "smtp.yaml")
	if err := os.MkdirAll(filepath.Dir(old), 0o700); err != nil {
		t.Fatal(err)
	}
	tok := &oauth.Token{TokenURL: "https://login.example.test/token", ClientID: "app", RefreshToken: "rt-1", Scopes: []string{"x"}}
	if err := oauth.Save(config.TokenFile(config.TokenPath(old)), tok); err != nil {
		t.Fatal(err)
	}
	d := Draft{Settings: smtp.Settings{Auth: smtp.AuthXOAUTH2}, SavedSignIn: config.TokenPath(old)}

	if err := d.SaveSignIn(old); err != nil {
		t.Fatalf("same path: %v", err)
	}
	moved := filepath.Join(dir, "b", "smtp.yaml")
	if err := os.MkdirAll(filepath.Dir(moved), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := d.SaveSignIn(moved); err != nil {
		t.Fatalf("new path: %v", err)
	}
	got, err := oauth.Load(config.TokenFile(config.TokenPath(moved)))
	if err != nil {
		t.Fatalf("the sign-in did not follow the config: %v", err)
	}
	if got.RefreshToken != "rt-1" || got.ClientID != "app" {
		t.Errorf("token beside the new config = %+v, want the saved one", got)
	}
	if fi, err := os.Stat(config.TokenPath(moved)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode: %v %v, want 0600", fi.Mode().Perm(), err)
	}
}
