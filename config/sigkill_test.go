package config

import (
	"bufio"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// helperEnv makes the test binary, re-executed, run saveLoop instead of tests.
const helperEnv = "SMTPSETUP_SAVE_LOOP"

// TestSaveLoopHelper is not a test: in a child process started by
// TestSaveSurvivesSIGKILL it saves two drafts in turn until killed.
func TestSaveLoopHelper(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestSaveSurvivesSIGKILL")
	}
	os.Stdout.WriteString("ready\n")
	for i := 0; ; i++ {
		if _, err := Save(path, settingsN([]string{"A", "B"}[i%2]), SaveOptions{}); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(3)
		}
	}
}

// TestSaveSurvivesSIGKILL kills a process that saves in a loop at random
// moments: every time, the file is whole (old or new), loads, and is 0600;
// the backup likewise; CleanStale then leaves no temporary file.
func TestSaveSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 25 processes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "smtp.yaml")
	valid := map[string]bool{mustMarshal(t, settingsN("A")): true, mustMarshal(t, settingsN("B")): true}
	for _, n := range []string{"A", "B"} { // so that the backup exists from the start
		if _, err := Save(path, settingsN(n), SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	leftovers := 0
	for i := range 25 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSaveLoopHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper did not start: %q %s", line, stderr.String())
		}
		// A random moment inside the loop; the wait only spreads the kills,
		// nothing is asserted about time.
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		cmd.Process.Kill()
		if err := cmd.Wait(); err == nil || strings.Contains(stderr.String(), "cannot save") {
			t.Fatalf("kill %d: helper ended by itself: %v %s", i, err, stderr.String())
		}
		for _, p := range []string{path, path + ".bak"} {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("kill %d: %v", i, err)
			}
			if !valid[string(data)] {
				t.Fatalf("kill %d: %s is neither draft:\n%s", i, p, data)
			}
			if fi, _ := os.Lstat(p); fi.Mode() != 0o600 {
				t.Fatalf("kill %d: %s has mode %v", i, p, fi.Mode())
			}
		}
		if _, err := Load(path); err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		for _, n := range listDir(t, dir) {
			if strings.Contains(n, tempMarker) {
				leftovers++
			}
		}
		if err := CleanStale(dir); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(listDir(t, dir), " "); got != "smtp.yaml smtp.yaml.bak" {
			t.Fatalf("kill %d: after CleanStale the directory holds %s", i, got)
		}
	}
	t.Logf("%d kills left a temporary file that CleanStale removed", leftovers)
}
