// Package results is the record every benchmark tool appends to a JSON
// Lines file, and the statistics the report draws from it.
package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync"
)

// Record is one measured figure: several runs of the same thing.
type Record struct {
	Group  string    `json:"group"`            // verdict, diagnosis, cancel, memory, size, tty
	Case   string    `json:"case"`             // e.g. "ssl", "starttls-on-implicit"
	Tool   string    `json:"tool"`             // smtpsetup, swaks, whiptail
	RTTms  float64   `json:"rtt_ms,omitempty"` // round trip added by rttproxy
	Unit   string    `json:"unit"`             // ms, bytes, KiB
	Values []float64 `json:"values"`           // one per run
	Exit   []int     `json:"exit,omitempty"`   // exit code per run, for commands
	// MaxRSSKiB is each run's peak resident set, from the kernel's rusage.
	MaxRSSKiB []float64 `json:"max_rss_kib,omitempty"`
	// Verdict is what the tool concluded, e.g. a diagnosis code or the
	// last error line it printed; Output is its last run's output, capped.
	Verdict string `json:"verdict,omitempty"`
	Output  string `json:"output,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Stats are the figures the report prints for a series.
type Stats struct {
	N                int
	Min, Median, Max float64
}

// Summarize computes min, median and max. The median of an even count is
// the mean of the two middle values.
func Summarize(v []float64) Stats {
	if len(v) == 0 {
		return Stats{}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stats{N: len(s), Min: s[0], Median: med, Max: s[len(s)-1]}
}

var mu sync.Mutex

// Append adds r as one line to the file at path.
func Append(path string, r Record) error {
	mu.Lock()
	defer mu.Unlock()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Load reads every record of a JSON Lines file.
func Load(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Record
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var r Record
		if err := dec.Decode(&r); err != nil {
			return out, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, r)
	}
	return out, nil
}
