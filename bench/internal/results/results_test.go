package results

import (
	"path/filepath"
	"testing"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want Stats
	}{
		{nil, Stats{}},
		{[]float64{3}, Stats{1, 3, 3, 3}},
		{[]float64{5, 1, 3}, Stats{3, 1, 3, 5}},
		{[]float64{4, 1, 3, 2}, Stats{4, 1, 2.5, 4}},
	} {
		if got := Summarize(tc.in); got != tc.want {
			t.Errorf("Summarize(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestAppendLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	for _, r := range []Record{{Group: "a", Values: []float64{1}}, {Group: "b", Values: []float64{2, 3}}} {
		if err := Append(path, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Load(path)
	if err != nil || len(got) != 2 || got[1].Group != "b" || got[1].Values[1] != 3 {
		t.Fatalf("Load = %+v, %v", got, err)
	}
}
