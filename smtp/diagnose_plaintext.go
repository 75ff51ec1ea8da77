package smtp

// plaintextPublicDiagnosis explains the refusal: the choice was made, but
// for a server outside the local network.
func plaintextPublicDiagnosis(in diagInput) Diagnosis {
	return Diagnosis{Code: "auth.plaintext_public", Family: FamilyWrongMode,
		Title: in.tr.T("We did not send the password unencrypted to a public address"),
		Detail: in.tr.Tf("Logging in without encryption was allowed (allow_plaintext_auth), but only for a server on a private network "+
			"(10.x, 172.16-31.x, 192.168.x, fc00::/7) or this machine; %s"+
			" is not one, so anyone on the way could read the password. The test stopped before logging in.", CleanLine(in.r.Server.Address)),
		Fix:        in.tr.T("Switch to an encrypted mode. If the server really is on your local network, use its private address as the host."),
		Suggestion: in.encryptSuggestion()}
}
