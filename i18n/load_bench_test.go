package i18n

import "testing"

// BenchmarkNew is the cost of loading one language's messages, paid once,
// on the first text a run prints in it (English pays nothing).
func BenchmarkNew(b *testing.B) {
	for _, tag := range []string{"ja", "de", "ru"} {
		b.Run(tag, func(b *testing.B) {
			for b.Loop() {
				if New(tag).T("Account") == "Account" {
					b.Fatal("not translated")
				}
			}
		})
	}
}
