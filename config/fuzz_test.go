package config

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"smtpsetup/smtp"
)

// Seeds with hostile values live in testdata/fuzz/<FuzzName>/; go test runs
// them as normal tests, go test -fuzz=FuzzName explores further.

// refusedText reports what checkText refuses, so that a fuzz target can tell
// an expected refusal from a bug.
func refusedText(vs ...string) bool {
	for _, v := range vs {
		if strings.ContainsAny(v, "\r\n\x00") || !utf8.ValidString(v) ||
			strings.ContainsFunc(v, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }) {
			return true
		}
	}
	return false
}

// parseEnv reads the env export back with the POSIX rules for what it uses:
// NAME=value, where value is a run of '...' (everything literal up to the
// next ') and \x (x literal). Comments and blank lines are skipped; anything
// else is an error, which would mean the export produced something a shell
// might interpret.
func parseEnv(out string) (map[string]string, error) {
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("no = in %q", line)
		}
		var v strings.Builder
		for rest != "" {
			switch rest[0] {
			case '\'':
				end := strings.IndexByte(rest[1:], '\'')
				if end < 0 {
					return nil, fmt.Errorf("unterminated quote in %q", line)
				}
				v.WriteString(rest[1 : 1+end])
				rest = rest[2+end:]
			case '\\':
				if len(rest) < 2 {
					return nil, fmt.Errorf("trailing backslash in %q", line)
				}
				v.WriteByte(rest[1])
				rest = rest[2:]
			default:
				return nil, fmt.Errorf("unquoted %q in %q", rest[0], line)
			}
		}
		vars[name] = v.String()
	}
	return vars, nil
}

func FuzzEnvRoundTrip(f *testing.F) {
	f.Add("nas@example.com", `it's "$(id)" #x`, "NAS `id`")
	f.Fuzz(func(t *testing.T, user, pass, fromName string) {
		s := fullSettings()
		s.Username, s.Password, s.FromName = user, smtp.NewSecret(pass), fromName
		var buf bytes.Buffer
		err := Export(&buf, s, "env", ExportOptions{IncludePassword: true})
		if refusedText(user, pass, fromName) {
			if err == nil {
				t.Fatal("a line break, NUL or invalid UTF-8 was exported")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		vars, err := parseEnv(buf.String())
		if err != nil {
			t.Fatalf("%v in:\n%s", err, buf.String())
		}
		if vars["SMTP_USERNAME"] != user || vars["SMTP_PASSWORD"] != pass || vars["SMTP_FROM_NAME"] != fromName {
			t.Fatalf("round trip lost a value:\n%s", buf.String())
		}
	})
}

func FuzzConfigRoundTrip(f *testing.F) {
	f.Add("smtp.example.com", "nas@example.com", "pw", "nas@example.com", "NAS", "/etc/ca.pem", uint16(587), uint8(1))
	f.Fuzz(func(t *testing.T, host, user, pass, from, fromName, caFile string, port uint16, flags uint8) {
		s := smtp.Settings{
			Provider: "other", Host: host, Port: int(port), Username: user, Password: smtp.NewSecret(pass),
			From: from, FromName: fromName, CAFile: caFile,
			Security:           smtp.Securities[int(flags)%3],
			Auth:               []smtp.AuthMethod{smtp.AuthAuto, smtp.AuthPlain, smtp.AuthLogin, smtp.AuthCRAMMD5, smtp.AuthXOAUTH2, smtp.AuthNone}[int(flags>>2)%6],
			InsecureSkipVerify: flags&0x40 != 0,
			AllowPlaintextAuth: flags&0x80 != 0,
		}
		data, err := Marshal(s)
		if refusedText(host, user, pass, from, fromName, caFile) || host != "" && smtp.ValidateHost(host) != nil {
			if err == nil {
				t.Fatal("a line break, NUL, invalid UTF-8 or a host that is no name was written")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := parse(data, "fuzz")
		if err != nil {
			t.Fatalf("%v in:\n%s", err, data)
		}
		same(t, got, s)
		// No extra keys: what the file holds is exactly the schema's fields.
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			if !slices.Contains(fieldNames, k) {
				t.Fatalf("extra key %q in:\n%s", k, data)
			}
		}
		if again, _ := Marshal(got); !bytes.Equal(again, data) {
			t.Fatalf("Marshal(parse(x)) != x:\n%s\n%s", data, again)
		}
	})
}

// parseMsmtp reads an msmtp config the way msmtp 1.8 does (conf.c:
// get_next_cmd, trim_string): lines of at most msmtpMaxLine bytes; blank and
// '#' lines skipped; the command is the first word; the argument is the rest
// with blanks (space, tab) trimmed at both ends and, if it then starts and
// ends with '"', those two quotes removed. No escapes.
func parseMsmtp(conf string) (map[string]string, error) {
	isBlank := func(r rune) bool { return r == ' ' || r == '\t' }
	cmds := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(conf, "\n"), "\n") {
		if len(line) > msmtpMaxLine {
			return nil, errors.New("line longer than msmtp reads")
		}
		l := strings.TrimLeftFunc(line, isBlank)
		if l == "" || l[0] == '#' {
			continue
		}
		var cmd, arg string
		if i := strings.IndexFunc(l, isBlank); i >= 0 {
			cmd, arg = l[:i], l[i:]
		} else {
			cmd, arg = l, ""
		}
		arg = strings.TrimFunc(arg, isBlank)
		if len(arg) >= 2 && arg[0] == '"' && arg[len(arg)-1] == '"' {
			arg = arg[1 : len(arg)-1]
		}
		cmds[cmd] = arg
	}
	return cmds, nil
}

func FuzzMsmtpRoundTrip(f *testing.F) {
	f.Add("nas@example.com", `" p\"w\\ #`, "nas@example.com")
	f.Fuzz(func(t *testing.T, user, pass, from string) {
		s := fullSettings()
		s.Username, s.Password, s.From = user, smtp.NewSecret(pass), from
		out, err := MsmtpConfig(s, ExportOptions{})
		hasControl := func(v string) bool {
			return strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\t' })
		}
		// "user " + quotes, "password " + quotes, "from " + quotes.
		tooLong := len(user)+7 > msmtpMaxLine || len(pass)+11 > msmtpMaxLine || len(from)+7 > msmtpMaxLine
		if refusedText(user, pass, from) || hasControl(user+pass+from) || tooLong || user == "" || msmtpFrom(from) != nil {
			if err == nil && user != "" {
				t.Fatalf("msmtp cannot carry this, but it was written:\n%s", out)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		cmds, err := parseMsmtp(string(out))
		if err != nil {
			t.Fatal(err)
		}
		if cmds["user"] != user || cmds["password"] != pass || (from != "" && cmds["from"] != from) {
			t.Fatalf("msmtp would read other values:\n%s\n%q", out, cmds)
		}
	})
}
