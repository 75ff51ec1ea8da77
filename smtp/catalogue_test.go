package smtp

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBuiltinCatalogueParses(t *testing.T) {
	c, err := ParseCatalogue(builtinCatalogue)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Providers); n < 30 {
		t.Errorf("catalogue has %d entries, want at least 30", n)
	}
	if last := c.Providers[len(c.Providers)-1].ID; last != OtherID {
		t.Errorf("last entry is %q, want %q", last, OtherID)
	}
	// The providers a user will name (issue "Every provider a user will name").
	for _, id := range []string{
		"gmail", "google-workspace", "google-relay", "microsoft365", "outlook", "yahoo", "aol", "icloud",
		"zoho", "zoho-eu", "zoho-in", "zoho-au", "zoho-jp", "zoho-ca", "yandex", "fastmail",
		"proton-bridge", "proton-smtp", "gmx", "webde", "mailru", "qq", "netease-163", "netease-126", "naver",
		"ses-us-east-1", "ses-us-east-2", "ses-us-west-2", "ses-eu-west-1", "ses-eu-central-1", "ses-ap-southeast-2",
		"sendgrid", "mailgun", "mailgun-eu", "postmark", "brevo", "mailjet", "sparkpost", "smtp2go",
		"mailbox-org", "ionos", "ovh", "other",
	} {
		if _, ok := c.ByID(id); !ok {
			t.Errorf("catalogue has no entry %q", id)
		}
	}
}

func TestCatalogueEntriesAreComplete(t *testing.T) {
	dated := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	for _, p := range BuiltinCatalogue().Providers {
		t.Run(p.ID, func(t *testing.T) {
			if p.ID != OtherID && p.HostHint == "" {
				if p.Host == "" {
					t.Error("no host")
				}
				if _, ok := p.Recommended(); !ok {
					t.Error("no port")
				}
				if p.Secret.Kind == "" {
					t.Error("no secret kind")
				}
			}
			if len(p.Prerequisites) == 0 && p.NoPrereqs == "" {
				t.Error("no prerequisites and no no_prerequisites reason")
			}
			if p.Status != StatusOK && !dated.MatchString(p.StatusNote) {
				t.Errorf("status %s needs a dated status_note, got %q", p.Status, p.StatusNote)
			}
			if p.LastChecked != NeverChecked {
				if _, err := time.Parse(time.DateOnly, p.LastChecked); err != nil {
					t.Errorf("last_checked %q is not a date", p.LastChecked)
				}
			}
			for _, pr := range p.Prerequisites {
				if !strings.HasPrefix(pr.URL, "https://") {
					t.Errorf("prerequisite %q: URL %q is not https", pr.Title, pr.URL)
				}
				if pr.Detail == "" || pr.Why == "" {
					t.Errorf("prerequisite %q: needs a detail and a why", pr.Title)
				}
			}
			// RFC 8314: implicit TLS is recommended wherever it is offered.
			rec, _ := p.Recommended()
			offersSSL := slices.ContainsFunc(p.Ports, func(po PortOption) bool { return po.Security == SecuritySSL })
			if offersSSL && rec.Security != SecuritySSL {
				t.Errorf("offers implicit TLS but recommends %s/%d", rec.Security, rec.Port)
			}
		})
	}
}

func TestCatalogueProviderStatuses(t *testing.T) {
	c := BuiltinCatalogue()
	for id, want := range map[string]string{
		"outlook":      StatusOAuthOnly,
		"microsoft365": StatusChanging,
		"gmail":        StatusOK,
	} {
		p, _ := c.ByID(id)
		if p.Status != want {
			t.Errorf("%s: status %s, want %s", id, p.Status, want)
		}
	}
	if p, _ := c.ByID("outlook"); !strings.Contains(p.StatusNote, "2024-09-16") {
		t.Errorf("outlook: status note does not say since when: %q", p.StatusNote)
	}
}

func TestCatalogueDomainsAreUnique(t *testing.T) {
	c := BuiltinCatalogue()
	owner := map[string]string{}
	for _, p := range c.Providers {
		for _, d := range p.Domains {
			if o, dup := owner[d]; dup {
				t.Errorf("domain %s is in %s and %s", d, o, p.ID)
			}
			owner[d] = p.ID
			got, ok := c.ByDomain(" " + strings.ToUpper(d) + ". ")
			if !ok || got.ID != p.ID {
				t.Errorf("ByDomain(%s) = %v, want %s", d, got, p.ID)
			}
		}
	}
}

func TestProviderByMX(t *testing.T) {
	c := BuiltinCatalogue()
	for _, tc := range []struct{ mx, want string }{
		{"aspmx.l.google.com", "google-workspace"},
		{"ALT1.ASPMX.L.GOOGLE.COM.", "google-workspace"},
		{"smtp.google.com", "google-workspace"},
		{"example-com.mail.protection.outlook.com", "microsoft365"},
		{"in1-smtp.messagingengine.com", "fastmail"},
		{"mx.zoho.eu", "zoho-eu"},
		{"mx2.zoho.com", "zoho"},
		{"mail.example.com", ""},
		{"google.com.evil.example", ""},
		{"", ""},
	} {
		p, ok := c.ByMX(tc.mx)
		got := ""
		if ok {
			got = p.ID
		}
		if got != tc.want {
			t.Errorf("ByMX(%q) = %q, want %q", tc.mx, got, tc.want)
		}
	}
}

func TestProviderLogin(t *testing.T) {
	c := BuiltinCatalogue()
	const addr = "nas@example.com"
	const token = "1a2b3c4d-0000-1111-2222-333344445555"
	for _, tc := range []struct{ id, forAddr, with string }{
		{"gmail", addr, addr},
		{"webde", "nas", "nas"},
		{"sendgrid", "apikey", "apikey"},
		{"sparkpost", "SMTP_Injection", "SMTP_Injection"},
		{"brevo", "", ""},
		{"postmark", "", token},
	} {
		p, _ := c.ByID(tc.id)
		if got := p.LoginFor(addr); got != tc.forAddr {
			t.Errorf("%s: LoginFor = %q, want %q", tc.id, got, tc.forAddr)
		}
		if got := p.LoginWith(addr, token+"\n"); got != tc.with {
			t.Errorf("%s: LoginWith = %q, want %q", tc.id, got, tc.with)
		}
	}
}

func TestCheckSecret(t *testing.T) {
	c := BuiltinCatalogue()
	tests := []struct {
		name, provider, in string
		value              string // want normalised value
		note               string // a note must contain this ("" = no notes)
		warning            string // the warning must contain this ("" = no warning)
	}{
		{"gmail groups", "gmail", "abcd efgh ijkl mnop", "abcdefghijklmnop", "removed the spaces", ""},
		{"gmail plain", "gmail", "abcdefghijklmnop", "abcdefghijklmnop", "", ""},
		{"gmail account password", "gmail", "Summer2024!", "Summer2024!", "", "Google account password"},
		{"gmail capitals", "gmail", "ABCD EFGH IJKL MNOP", "ABCDEFGHIJKLMNOP", "removed the spaces", "not an App Password"},
		{"gmail digits", "gmail", "abcd efgh ijkl mn0p", "abcdefghijklmn0p", "removed the spaces", "not an App Password"},
		{"gmail trailing newline", "gmail", "abcdefghijklmnop\n", "abcdefghijklmnop", "line break", ""},
		{"gmail trailing CRLF", "gmail", "abcdefghijklmnop\r\n", "abcdefghijklmnop", "line break", ""},
		{"leading space warned", "microsoft365", " hunter2", " hunter2", "", "starts or ends with a space"},
		{"trailing space warned", "microsoft365", "hunter2 ", "hunter2 ", "", "starts or ends with a space"},
		{"newline dropped, no shape", "microsoft365", "hunter2\n", "hunter2", "line break", ""},
		{"sendgrid key", "sendgrid", "SG.abc_DEF-123.xyz", "SG.abc_DEF-123.xyz", "", ""},
		{"sendgrid without SG.", "sendgrid", "abc_DEF-123.xyz", "abc_DEF-123.xyz", "", `start with "SG."`},
		{"icloud groups", "icloud", "abcd-efgh-ijkl-mnop", "abcd-efgh-ijkl-mnop", "", ""},
		{"icloud apple id password", "icloud", "MyApplePass1", "MyApplePass1", "", "App-Specific Password"},
		{"postmark uuid", "postmark", "1A2B3C4D-0000-1111-2222-333344445555", "1A2B3C4D-0000-1111-2222-333344445555", "", ""},
		{"postmark not a uuid", "postmark", "my-postmark-password", "my-postmark-password", "", "UUID"},
		{"yahoo groups", "yahoo", "abcd efgh ijkl mnop", "abcdefghijklmnop", "removed the spaces", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := c.ByID(tc.provider)
			if !ok {
				t.Fatalf("no provider %q", tc.provider)
			}
			got := p.CheckSecret(tc.in)
			if got.Value != tc.value {
				t.Errorf("value %q, want %q", got.Value, tc.value)
			}
			notes := strings.Join(got.Notes, "; ")
			if (tc.note == "") != (notes == "") || !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q, want one containing %q", notes, tc.note)
			}
			if (tc.warning == "") != (got.Warning == "") || !strings.Contains(got.Warning, tc.warning) {
				t.Errorf("warning %q, want one containing %q", got.Warning, tc.warning)
			}
		})
	}
	var none *Provider
	if got := none.CheckSecret("x\r\n"); got.Value != "x" || got.Warning != "" {
		t.Errorf("nil provider: %+v", got)
	}
}

func TestCatalogueBadEntryNamesField(t *testing.T) {
	tests := []struct{ file, want string }{
		{"http-url.yaml", `entry 2 ("bad"): field prerequisites[0].url`},
		{"bad-port.yaml", `entry 2 ("bad"): field ports[0].port`},
		{"bad-security.yaml", `entry 2 ("bad"): field ports[0].security`},
		{"bad-login.yaml", `entry 2 ("bad"): field login:`},
		{"literal-without-word.yaml", `entry 2 ("bad"): field login_literal`},
		{"bad-status.yaml", `entry 2 ("bad"): field status:`},
		{"changing-without-note.yaml", `entry 2 ("bad"): field status_note`},
		{"bad-date.yaml", `entry 2 ("bad"): field last_checked`},
		{"bad-shape.yaml", `entry 2 ("bad"): field secret.shape`},
		{"bad-kind.yaml", `entry 2 ("bad"): field secret.kind`},
		{"bad-host.yaml", `entry 2 ("bad"): field host`},
		{"bad-mx.yaml", `entry 2 ("bad"): field mx[0]`},
		{"two-recommended.yaml", `entry 2 ("bad"): field ports:`},
		{"unknown-field.yaml", `field hostname not found`},
		{"duplicate-id.yaml", `entry 2: id "twice" appears twice`},
		{"empty.yaml", `is empty`},
		{"missing.yaml", `no such file`},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "catalogue", tc.file)
			_, err := LoadCatalogueFile(path)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error does not name the file %s: %v", path, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestCatalogueMerge(t *testing.T) {
	extra, err := LoadCatalogueFile(filepath.Join("testdata", "catalogue", "valid.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c := BuiltinCatalogue()
	n := len(c.Providers)
	c.Merge(extra)
	c.Merge(nil)
	if len(c.Providers) != n+1 {
		t.Fatalf("%d entries after merge, want %d", len(c.Providers), n+1)
	}
	if c.Providers[0].ID != "gmail" || c.Providers[0].Host != "smtp-proxy.vendor.example" {
		t.Errorf("gmail not overridden in place: %+v", c.Providers[0])
	}
	if got := c.Providers[n-1].ID; got != "acme-relay" {
		t.Errorf("new entry at %q, want just before other", got)
	}
	if got := c.Providers[n].ID; got != OtherID {
		t.Errorf("last entry %q, want other", got)
	}
	p, ok := c.ByDomain("acme.example")
	if !ok || p.LoginWith("a@acme.example", "tok") != "tok" {
		t.Errorf("merged entry not found by domain or login rule lost: %+v", p)
	}
	if BuiltinCatalogue().Providers[0].Host != "smtp.gmail.com" {
		t.Error("Merge changed the built-in catalogue")
	}
}
