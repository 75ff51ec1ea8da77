package smtp

import (
	"strings"
	"testing"
)

func TestCheckEndpoint(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token": true,
		"http://127.0.0.1:8080/token":                                  true,
		"http://[::1]:8080/token":                                      true,
		"http://localhost:9/device":                                    true,
		"http://login.example.com/token":                               false, // a token in clear text
		"http://127.0.0.1.example.com/token":                           false,
		"ftp://login.example.com/token":                                false,
		"https://user:pw@login.example.com/token":                      false,
		"login.example.com/token":                                      false,
		"":                                                             false,
	} {
		if err := CheckEndpoint(raw); (err == nil) != ok {
			t.Errorf("CheckEndpoint(%q) = %v, want ok=%v", raw, err, ok)
		}
	}
}

func TestMicrosoftEntriesSignInWithDeviceCode(t *testing.T) {
	c := BuiltinCatalogue()
	for id, tenant := range map[string]string{"microsoft365": "organizations", "outlook": "consumers"} {
		p, _ := c.ByID(id)
		if p.OAuth == nil {
			t.Fatalf("%s has no oauth block", id)
		}
		if p.OAuth.ClientID != "" {
			t.Errorf("%s ships a client id %q; we have none of our own to ship", id, p.OAuth.ClientID)
		}
		o := p.OAuth.Resolved("", "")
		if o.Tenant != tenant || o.TokenURL != "https://login.microsoftonline.com/"+tenant+"/oauth2/v2.0/token" ||
			o.DeviceAuthorizationURL != "https://login.microsoftonline.com/"+tenant+"/oauth2/v2.0/devicecode" {
			t.Errorf("%s resolves to %+v", id, o)
		}
		if strings.Join(o.Scopes, " ") != "https://outlook.office.com/SMTP.Send offline_access" || o.Mechanism != "xoauth2" {
			t.Errorf("%s scopes %v mechanism %q", id, o.Scopes, o.Mechanism)
		}
		if r := p.OAuth.Resolved("app-id", "contoso.com"); r.ClientID != "app-id" || !strings.Contains(r.TokenURL, "/contoso.com/") {
			t.Errorf("%s with a client id and tenant resolves to %+v", id, r)
		}
	}
}

func TestVendorOAuthBlockIsChecked(t *testing.T) {
	entry := func(oauth string) string {
		return "providers:\n  - id: acme\n    name: Acme\n    host: smtp.acme.example\n    status: ok\n    last_checked: never\n    oauth:\n" + oauth
	}
	good := "      device_authorization_url: http://127.0.0.1:9/device\n      token_url: http://127.0.0.1:9/token\n      client_id: acme-app\n      scopes: [smtp]\n      mechanism: xoauth2\n"
	c, err := ParseCatalogue([]byte(entry(good)))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := c.ByID("acme"); p.OAuth.ClientID != "acme-app" {
		t.Errorf("vendor client id lost: %+v", p.OAuth)
	}
	for _, tc := range []struct{ replace, with, field string }{
		{"http://127.0.0.1:9/token", "http://idp.acme.example/token", "oauth.token_url"},
		{"mechanism: xoauth2", "mechanism: plain", "oauth.mechanism"},
		{"scopes: [smtp]", "scopes: []", "oauth.scopes"},
		{"http://127.0.0.1:9/device", "https://idp.acme.example/{tenant}/device", "oauth.tenant"},
		{"client_id: acme-app", "client_id: a/b", "oauth.client_id"},
	} {
		_, err := ParseCatalogue([]byte(entry(strings.Replace(good, tc.replace, tc.with, 1))))
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s -> %s: err = %v, want one naming %s", tc.replace, tc.with, err, tc.field)
		}
	}
}
