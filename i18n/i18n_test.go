package i18n

import (
	"fmt"
	"strings"
	"testing"
)

func TestChoose(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, c := range []struct {
		name, flag, config string
		env                func(string) string
		want               string
	}{
		{"nothing set", "", "", env(), "en"},
		{"LANG", "", "", env("LANG", "ko_KR.UTF-8"), "ko"},
		{"LC_MESSAGES over LANG", "", "", env("LANG", "de_DE.UTF-8", "LC_MESSAGES", "ja_JP.UTF-8"), "ja"},
		{"LC_ALL over both", "", "", env("LANG", "de_DE.UTF-8", "LC_MESSAGES", "ja_JP.UTF-8", "LC_ALL", "bg_BG.UTF-8"), "bg"},
		{"flag over the environment", "ky", "", env("LC_ALL", "bg_BG.UTF-8"), "ky"},
		{"C is English", "", "", env("LC_ALL", "C", "LANG", "ru_RU.UTF-8"), "en"},
		{"C lets the vendor's config speak", "", "fr", env("LANG", "C.UTF-8"), "fr"},
		{"POSIX", "", "", env("LANG", "POSIX"), "en"},
		{"environment over config", "", "fr", env("LANG", "es_ES.UTF-8"), "es"},
		{"unknown locale, silently English", "", "", env("LANG", "fi_FI.UTF-8"), "en"},
		{"garbage", "", "", env("LANG", "%%%"), "en"},
		{"unknown flag falls through", "tlh", "", env("LANG", "ru_RU.KOI8-R"), "ru"},
		{"Taiwan is Traditional", "", "", env("LANG", "zh_TW.UTF-8"), "zh-Hant"},
		{"Hong Kong is Traditional", "", "", env("LANG", "zh_HK.UTF-8"), "zh-Hant"},
		{"China is Simplified", "", "", env("LANG", "zh_CN.GB18030"), "zh-Hans"},
		{"bare zh is Simplified", "zh", "", env(), "zh-Hans"},
		{"Brazil", "", "", env("LANG", "pt_BR.UTF-8"), "pt-BR"},
		{"Portugal gets Brazilian rather than English", "", "", env("LANG", "pt_PT.UTF-8"), "pt-BR"},
		{"Kyrgyzstan", "", "", env("LANG", "ky_KG.UTF-8"), "ky"},
		{"Austria", "", "", env("LANG", "de_AT@euro"), "de"},
		{"Mexico", "", "", env("LANG", "es_MX"), "es"},
		{"Canada, French", "", "", env("LANG", "fr_CA.UTF-8"), "fr"},
		{"pseudo", "xx-pseudo", "", env(), Pseudo},
		{"config only", "", "ja", env(), "ja"},
	} {
		if got := Choose(c.flag, c.env, c.config); got != c.want {
			t.Errorf("%s: Choose = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestPseudoKeepsVerbs(t *testing.T) {
	p := New(Pseudo)
	got := p.Tf("Port %d expects %[2]s from the first byte; 100%% sure, %-6s.", 465, "TLS", "ok")
	if !strings.Contains(got, "465") || !strings.Contains(got, "TLS") || !strings.Contains(got, "100%") {
		t.Fatalf("verbs lost: %q", got)
	}
	if strings.Contains(got, "%!") {
		t.Fatalf("bad format: %q", got)
	}
	if !strings.HasPrefix(got, "[") || !strings.HasSuffix(got, "]") {
		t.Errorf("not bracketed: %q", got)
	}
	if en := fmt.Sprintf("Port %d expects %[2]s from the first byte; 100%% sure, %-6s.", 465, "TLS", "ok"); len([]rune(got)) < len([]rune(en))*13/10 {
		t.Errorf("pseudo %q is not ~40%% longer than %q", got, en)
	}
	if got := p.T("  indented\n"); !strings.HasPrefix(got, "  [") || !strings.HasSuffix(got, "]\n") {
		t.Errorf("layout spaces moved inside: %q", got)
	}
}

func TestNilIsEnglish(t *testing.T) {
	var p *Printer
	if p.Tf("%d files", 3) != "3 files" || p.Tn(1, "%d file", "%d files", 1) != "1 file" || p.Tag() != "en" || !p.Has("x") {
		t.Error("a nil printer must print English")
	}
	if New("en") != nil || New("fi") != nil {
		t.Error("English and unknown languages are the nil printer")
	}
}

func TestPeriod(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"en", "Usually the full address", "Usually the full address."},
		{"en", "Done.", "Done."},
		{"ja", "通常はアドレス全体", "通常はアドレス全体。"},
		{"zh-Hant", "通常是完整地址", "通常是完整地址。"},
		{"ja", "完了。", "完了。"},
		{"de", "Meist die ganze Adresse", "Meist die ganze Adresse."},
	} {
		if got := New(c.lang).Period(c.in); got != c.want {
			t.Errorf("%s: Period(%q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}
