package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"smtpsetup/smtp"
)

// confirmTries is how many times a person may type the code: enough for a
// typo, too few to guess six characters of a 32-letter alphabet.
const confirmTries = 3

// confirmDelivery asks for the code in the test message, so that delivery
// is proven end to end, not only accepted by the server. The code is never
// shown before it is typed: a person must have the message in front of them.
// An empty line skips; it reports whether the code came back. It reads from
// stdin (a terminal, or a pipe for scripts and tests) and prompts on stderr,
// so that --json keeps standard output to one object.
func confirmDelivery(ctx context.Context, cmd *cobra.Command, sent *smtp.SentMessage) (bool, error) {
	errw := cmd.ErrOrStderr()
	fmt.Fprintln(errw, tr.Tf("A test message went to %s with the subject %q followed by a 6-character code.",
		smtp.CleanLine(sent.To), smtp.TestSubjectPrefix+"…"))
	fmt.Fprintln(errw, tr.T("It may take a minute to arrive; look in the spam folder too."))
	lines := make(chan string)
	errs := make(chan error, 1)
	go func() {
		r := bufio.NewReader(cmd.InOrStdin())
		for {
			l, err := r.ReadString('\n')
			if l != "" || err == nil {
				lines <- l
			}
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	for try := 1; try <= confirmTries; try++ {
		fmt.Fprint(errw, tr.T("Type the code from the message (Enter to skip): "))
		var line string
		select {
		case <-ctx.Done():
			fmt.Fprintln(errw)
			return false, ctx.Err()
		case line = <-lines:
		case err := <-errs:
			fmt.Fprintln(errw)
			if err == io.EOF {
				return false, nil // nothing typed: skipped
			}
			return false, err
		}
		switch {
		case strings.TrimSpace(line) == "":
			fmt.Fprintln(errw, tr.T("Skipped: delivery is not confirmed."))
			return false, nil
		case sent.Confirm(line):
			fmt.Fprintln(errw, tr.T("The code matches: the message arrived."))
			return true, nil
		case try < confirmTries:
			fmt.Fprintln(errw, tr.T("That is not the code in this message; check the subject, or Enter to skip."))
		}
	}
	fmt.Fprintln(errw, tr.Tn(confirmTries, "The code did not match %d time: delivery is not confirmed. The server took the message; it may have gone to another mailbox or been filtered.",
		"The code did not match %d times: delivery is not confirmed. The server took the message; it may have gone to another mailbox or been filtered.", confirmTries))
	return false, errNotConfirmed
}

var errNotConfirmed = fmt.Errorf("delivery not confirmed")
