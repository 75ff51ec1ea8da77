package config

import (
	"errors"
	"testing"
)

// A host that is not a name or an address is refused at load, on its line,
// before any export can hand it to Postfix (which expands $name) or msmtp.
func TestLoadRefusesHostsThatAreNotNames(t *testing.T) {
	for _, host := range []string{`mail$myhostname.example`, `"mail.$(id).example"`, `"a'b.example"`, `'a"b.example'`, `mail(x).example`} {
		data := "version: 1\nport: 587\nhost: " + host + "\nsecurity: starttls\n"
		_, err := parse([]byte(data), "smtp.yaml")
		var le *LoadError
		if !errors.As(err, &le) || le.Field != "host" || le.Line != 3 || le.Fix == "" {
			t.Errorf("host %s: got %v, want a LoadError for field host on line 3 with a fix", host, err)
		}
	}
}
