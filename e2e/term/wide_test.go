package term

import (
	"os/exec"
	"testing"
)

// TestWideCharacters: a Korean line, then the cursor sent to column 3 to
// overwrite its second syllable, as a renderer that redraws only what
// changed does. A real terminal gives each syllable two cells.
func TestWideCharacters(t *testing.T) {
	cmd := exec.Command("sh", "-c", `printf '한국어 abc\r\n\033[1;3H가\033[2;1Hdone'; sleep 0.2`)
	tm := StartWide(t, cmd, 20, 3)
	tm.WaitFor("done")
	if got := tm.Screen(); got != "한가어 abc\ndone\n" && got != "한가어 abc\ndone" {
		t.Errorf("screen %q, want the second syllable replaced", got)
	}
	tm.Wait()
}
