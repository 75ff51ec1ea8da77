package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"smtpsetup/smtp"
)

func failedReport() (*smtp.Report, *smtp.Diagnosis) {
	r := &smtp.Report{
		Settings: smtp.Settings{Host: "smtp.example.com", Port: 465, Security: smtp.SecuritySTARTTLS, Username: "nas@example.com", Password: smtp.NewSecret("CANARY-pw")},
		Stages: []smtp.StageResult{
			{Stage: smtp.StageResolve, OK: true, Duration: 3 * time.Millisecond, Detail: "192.0.2.1"},
			{Stage: smtp.StageGreeting, OK: false, Duration: 2 * time.Second, Detail: "no greeting"},
		},
		Failure:    &smtp.Failure{Stage: smtp.StageGreeting, Kind: smtp.KindSpeaksTLS},
		Transcript: []smtp.TranscriptLine{{At: time.Millisecond, Dir: smtp.FromClient, Text: "AUTH PLAIN " + smtp.Mask}},
		Started:    time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	return r, smtp.Diagnose(r, nil)
}

// TestJSONContract checks the keys docs/diagnoses.md promises scripts.
func TestJSONContract(t *testing.T) {
	r, d := failedReport()
	var buf bytes.Buffer
	if err := JSON(&buf, r, d); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ok", "stages", "diagnosis", "suggestion", "server", "transcript"} {
		if _, ok := got[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	stage := got["stages"].([]any)[1].(map[string]any)
	for _, k := range []string{"name", "ok", "ms", "detail"} {
		if _, ok := stage[k]; !ok {
			t.Errorf("stage key %q missing", k)
		}
	}
	if stage["ms"].(float64) != 2000 {
		t.Errorf("ms = %v, want 2000", stage["ms"])
	}
	if got["diagnosis"].(map[string]any)["code"] != "greeting.timeout" {
		t.Errorf("diagnosis %v", got["diagnosis"])
	}
	if s := got["suggestion"].(map[string]any); s["security"] != "ssl" || s["port"].(float64) != 465 {
		t.Errorf("suggestion %v", s)
	}

	buf.Reset()
	JSON(&buf, &smtp.Report{OK: true}, nil)
	if !strings.Contains(buf.String(), `"diagnosis": null`) || !strings.Contains(buf.String(), `"suggestion": null`) {
		t.Errorf("a passed test must have null diagnosis and suggestion:\n%s", buf.String())
	}
}

func TestTextAndReportNeverShowThePassword(t *testing.T) {
	r, d := failedReport()
	var text bytes.Buffer
	Text(&text, r, d)
	report := Helpdesk(r, d, "test")
	for name, out := range map[string]string{"text": text.String(), "report": report} {
		if strings.Contains(out, "CANARY-pw") {
			t.Errorf("%s shows the password", name)
		}
		if !strings.Contains(out, "greeting.timeout") {
			t.Errorf("%s lacks the diagnosis code", name)
		}
	}
	if !strings.Contains(report, "this clock looks wrong") {
		t.Errorf("a 1970 clock is not flagged:\n%s", report)
	}
	if !strings.Contains(text.String(), "--security ssl --port 465") {
		t.Errorf("text lacks the suggestion:\n%s", text.String())
	}
}

// TestServerWordsInEveryOutput: a refusal's words, all lines, reach the
// text, the JSON (with family and transient) and the report.
func TestServerWordsInEveryOutput(t *testing.T) {
	reply := smtp.Reply{Code: 550, Enhanced: "5.4.5", Text: "5.4.5 Daily user sending limit exceeded. For more information on Gmail\n5.4.5 sending limits go to https://support.google.com/a/answer/166852"}
	r := &smtp.Report{
		Settings: smtp.Settings{Host: "smtp.gmail.com", Port: 465, Security: smtp.SecuritySSL, Username: "nas@gmail.com"},
		Failure:  &smtp.Failure{Stage: smtp.StageSend, Kind: smtp.KindReply, Command: "MAIL", Reply: &reply},
	}
	gmail, _ := smtp.BuiltinCatalogue().ByID("gmail")
	d := smtp.Diagnose(r, gmail)
	var text, js bytes.Buffer
	Text(&text, r, d)
	if err := JSON(&js, r, d); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Diagnosis map[string]any `json:"diagnosis"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Diagnosis["family"] != "rate_limit" || got.Diagnosis["transient"] != false {
		t.Errorf("JSON family/transient: %v", got.Diagnosis)
	}
	for name, out := range map[string]string{"text": text.String(), "json reply": got.Diagnosis["reply"].(string), "report": Helpdesk(r, d, "test")} {
		for _, w := range []string{"550-5.4.5 Daily user sending limit exceeded.", "550 5.4.5 sending limits go to"} {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks the server's words %q:\n%s", name, w, out)
			}
		}
	}
}

// TestNetworkFactsAreShown: what the test learned about this machine's side
// reaches the text, the report and the JSON alike.
func TestNetworkFactsAreShown(t *testing.T) {
	r := &smtp.Report{
		Settings: smtp.Settings{Host: "smtp.example.com", Port: 587, Security: smtp.SecuritySTARTTLS},
		Stages:   []smtp.StageResult{{Stage: smtp.StageConnect, Detail: "dial tcp 192.0.2.1:587: connect: connection refused"}},
		Failure:  &smtp.Failure{Stage: smtp.StageConnect, Kind: smtp.KindRefused},
		Network:  smtp.NetworkFacts{Ports: []smtp.PortProbe{{Port: 465, Security: smtp.SecuritySSL, Open: true, Result: "open"}}},
	}
	d := smtp.Diagnose(r, nil)
	var text, js bytes.Buffer
	Text(&text, r, d)
	JSON(&js, r, d)
	report := Helpdesk(r, d, "test")
	for name, out := range map[string]string{"text": text.String(), "report": report} {
		if !strings.Contains(out, "port 465 (SSL/TLS): open") {
			t.Errorf("%s lacks the port that answered:\n%s", name, out)
		}
	}
	if !strings.Contains(js.String(), `"port": 465`) || !strings.Contains(js.String(), `"open": true`) {
		t.Errorf("json lacks the network facts:\n%s", js.String())
	}
	if !strings.Contains(text.String(), "--security ssl --port 465") {
		t.Errorf("text lacks the suggestion:\n%s", text.String())
	}
}
