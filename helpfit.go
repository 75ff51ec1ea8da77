package main

import (
	"smtpsetup/steps"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpWidth is the terminal width --help must fit: an 80-column SSH window
// or serial console.
const helpWidth = 80

// fitHelp wraps the texts fang prints in --help so that they fit
// helpWidth at word boundaries. fang wraps a description itself, but
// splits words at hyphens (--save- / anyway) and never wraps flag help;
// it does keep the line breaks of a flag's help aligned under its column.
// The texts are written as plain paragraphs; the man page joins the lines
// again (see manCommand).
func fitHelp(c *cobra.Command) {
	// fang: the description is indented by 2; lipgloss wraps at the width.
	c.Long = wrapParagraphs(c.Long, helpWidth-4)
	keyWidth := 10 // fang's minimum column
	visit := func(f *pflag.Flag) {
		key := "--" + f.Name
		if f.Shorthand != "" {
			key = "-" + f.Shorthand + " " + key
		}
		keyWidth = max(keyWidth, len(key)+2)
	}
	c.Flags().VisitAll(visit)
	c.InheritedFlags().VisitAll(visit)
	keyWidth = max(keyWidth, len("-v --version")+2, len("-h --help")+2)
	for _, sub := range c.Commands() {
		keyWidth = max(keyWidth, len(sub.Use)+len(" [--flags]")+2)
	}
	// fang: 4 spaces, the key column, the help.
	avail := helpWidth - 4 - keyWidth
	c.Flags().VisitAll(func(f *pflag.Flag) {
		last := avail
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			last -= len(" (" + f.DefValue + ")")
		}
		f.Usage = wrapWords(strings.ReplaceAll(f.Usage, "\n", " "), avail, last)
	})
	for _, sub := range c.Commands() {
		fitHelp(sub)
	}
}

// wrapParagraphs rewraps text at width: a blank line separates
// paragraphs, a line that starts with spaces (an example, a table) is kept
// as it is.
func wrapParagraphs(text string, width int) string {
	var out, para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, wrapWords(strings.Join(para, " "), width, width))
			para = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			flush()
			out = append(out, "")
		case strings.HasPrefix(line, " "):
			flush()
			out = append(out, line)
		default:
			para = append(para, strings.TrimSpace(line))
		}
	}
	flush()
	return strings.Join(out, "\n")
}

// wrapWords breaks s at spaces into lines of at most width runes (the last
// line at most last), never inside a word: a word longer than the line
// gets a line of its own. Width is in terminal cells: 授权码 takes six.
func wrapWords(s string, width, last int) string {
	words := strings.Fields(s)
	var lines []string
	var line string
	for _, w := range words {
		// Chinese and Japanese break between characters: a sentence fills
		// the line and goes on. Other words longer than the line (a URL)
		// stay whole, to be copied.
		for line != "" && ansi.StringWidth(line)+1+ansi.StringWidth(w) > width && steps.BreaksAnywhere(w) && width-ansi.StringWidth(line)-1 >= 2 {
			head := ansi.Truncate(w, width-ansi.StringWidth(line)-1, "")
			lines = append(lines, line+" "+head)
			line, w = "", w[len(head):]
		}
		for line == "" && ansi.StringWidth(w) > width && steps.BreaksAnywhere(w) {
			head := ansi.Truncate(w, width, "")
			if head == "" {
				break
			}
			lines = append(lines, head)
			w = w[len(head):]
		}
		if line != "" && ansi.StringWidth(line)+1+ansi.StringWidth(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		if ansi.StringWidth(line) > last && strings.Contains(line, " ") {
			i := strings.LastIndex(line, " ")
			lines = append(lines, line[:i])
			line = line[i+1:]
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
