package i18n

import "testing"

// BenchmarkNew is the cost of loading one language's messages, paid once
// at start by every run that speaks it (English pays nothing).
func BenchmarkNew(b *testing.B) {
	for _, tag := range []string{"ja", "de", "ru"} {
		b.Run(tag, func(b *testing.B) {
			for b.Loop() {
				if New(tag) == nil {
					b.Fatal("no printer")
				}
			}
		})
	}
}
