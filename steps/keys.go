package steps

import (
	"charm.land/bubbles/v2/key"

	"smtpsetup/i18n"
)

// KeyMap is every key the wizard and its steps handle, declared once: the
// handlers match with key.Matches, and the footer and the ? screen show
// the same bindings, so a key cannot be handled without being shown.
type KeyMap struct {
	// The wizard's own.
	Back key.Binding
	Quit key.Binding
	Help key.Binding

	// Steps'.
	Skip       key.Binding // detection: skip to the list
	Cancel     key.Binding // a running test
	Continue   key.Binding // a finished page: go on
	Apply      key.Binding // apply the suggested fix
	Edit       key.Binding
	Retry      key.Binding
	SaveAnyway key.Binding
	Details    key.Binding // the transcript and server facts
	Leave      key.Binding // quit from the test's menu
	Scroll     key.Binding
	PageScroll key.Binding
	QR         key.Binding
	AnyKey     key.Binding // every key does it: shown as "any key"
	Password   key.Binding // sign-in: use a password instead
	Trust      key.Binding // a self-signed certificate: trust exactly this one
	Send       key.Binding // a passed test: send a test message
	More       key.Binding // a page's hidden fields (Page.More)
	Plain      key.Binding // AUTH without TLS on a private address, warned
}

// NewKeyMap is the wizard's key map, its help in tr's language. Key names
// (esc, enter, ctrl+c) stay as the keyboard writes them; "any key" is words.
func NewKeyMap(tr *i18n.Printer) *KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return &KeyMap{
		Back: b([]string{"esc"}, "esc", tr.T("back")),
		Quit: b([]string{"ctrl+c"}, "ctrl+c", tr.T("quit")),
		Help: b([]string{"?"}, "?", tr.T("help")),

		Skip:       b([]string{"enter", "esc"}, "enter/esc", tr.T("skip")),
		Cancel:     b([]string{"esc"}, "esc", tr.T("cancel the test")),
		Continue:   b([]string{"enter"}, "enter", tr.T("continue")),
		Apply:      b([]string{"a"}, "a", tr.T("apply fix")),
		Edit:       b([]string{"e"}, "e", tr.T("edit")),
		Retry:      b([]string{"r"}, "r", tr.T("retry")),
		SaveAnyway: b([]string{"s"}, "s", tr.T("save anyway")),
		Details:    b([]string{"t"}, "t", tr.T("details")),
		Leave:      b([]string{"q"}, "q", tr.T("quit")),
		Scroll:     b([]string{"up", "down", "k", "j", "space"}, "↑/↓", tr.T("scroll")),
		PageScroll: b([]string{"pgup", "pgdown"}, "pgup/pgdn", tr.T("page")),
		QR:         b([]string{"p"}, "p", tr.T("QR code for your phone")),
		AnyKey:     b([]string{"enter"}, tr.T("any key"), tr.T("close")),
		Password:   b([]string{"ctrl+p"}, "ctrl+p", tr.T("use a password instead")),
		Trust:      b([]string{"f"}, "f", tr.T("trust this certificate")),
		Send:       b([]string{"m"}, "m", tr.T("send a test message")),
		More:       b([]string{"ctrl+o"}, "ctrl+o", tr.T("more fields")),
		Plain:      b([]string{"u"}, "u", tr.T("log in unencrypted (private network)")),
	}
}

// as is a binding with the help said for this moment: Enter "saves" on one
// screen and "applies the fix" on another, the same key either way.
func as(b key.Binding, desc string) key.Binding {
	h := b.Help()
	b.SetHelp(h.Key, desc)
	return b
}

// plus is a binding that also answers to more keys, helped as k.
func plus(b key.Binding, k string, more ...string) key.Binding {
	b.SetKeys(append(b.Keys(), more...)...)
	b.SetHelp(k, b.Help().Desc)
	return b
}
