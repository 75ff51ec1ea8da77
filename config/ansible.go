package config

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"smtpsetup/smtp"
)

// ansibleVaultVar is the variable the ansible export names for the
// password, unless it is asked to write the password itself.
const ansibleVaultVar = "vault_smtp_password"

// ansibleAccount is one entry of msmtp_accounts, with the keys the msmtp
// roles read (vladgh.system.msmtp: account, host, port, auth, from, user,
// password; chriswayg.msmtp-mailer also tls_starttls).
type ansibleAccount struct {
	Account     string     `yaml:"account"`
	Host        string     `yaml:"host"`
	Port        int        `yaml:"port"`
	Auth        string     `yaml:"auth"`
	TLS         string     `yaml:"tls"`
	TLSStartTLS string     `yaml:"tls_starttls"`
	From        string     `yaml:"from,omitempty"`
	User        string     `yaml:"user,omitempty"`
	Password    *yaml.Node `yaml:"password,omitempty"`
}

type ansibleVars struct {
	DefaultAccount   string           `yaml:"msmtp_default_account"`
	TrustFile        string           `yaml:"msmtp_tls_trust_file,omitempty"`
	Accounts         []ansibleAccount `yaml:"msmtp_accounts"`
	PostfixRelayhost string           `yaml:"postfix_relayhost"`
}

// exportAnsible writes Ansible variables in the names the common msmtp and
// Postfix roles use. The password is a reference to a Vault variable;
// with IncludePassword it is the password itself, tagged !unsafe so that
// Ansible never reads "{{" in it as a template.
func exportAnsible(s smtp.Settings, opts ExportOptions) ([]byte, error) {
	s, err := normalized(s)
	if err != nil {
		return nil, err
	}
	host := strings.Trim(s.Host, "[]")
	acct := ansibleAccount{
		Account: "default", Host: host, Port: s.Port, Auth: "off",
		TLS: onOff(s.Security.Encrypted()), TLSStartTLS: onOff(s.Security == smtp.SecuritySTARTTLS),
		From: s.From,
	}
	if usesAuth(s) {
		acct.Auth, acct.User = msmtpAuth[s.Auth], s.Username
		acct.Password = &yaml.Node{Kind: yaml.ScalarNode, Value: "{{ " + ansibleVaultVar + " }}"}
		if opts.IncludePassword {
			acct.Password = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!unsafe", Style: yaml.SingleQuotedStyle, Value: s.Password.Reveal()}
		}
	}
	vars := ansibleVars{DefaultAccount: "default", Accounts: []ansibleAccount{acct},
		PostfixRelayhost: "[" + host + "]:" + strconv.Itoa(s.Port)}
	if s.Security.Encrypted() && !s.InsecureSkipVerify {
		vars.TrustFile = s.CAFile
	}
	var b bytes.Buffer
	b.WriteString("# Ansible variables written by smtpsetup, named as the common roles name them:\n" +
		"# msmtp_* (vladgh.system.msmtp, chriswayg.msmtp-mailer), postfix_relayhost.\n")
	if acct.Password != nil && !opts.IncludePassword {
		fmt.Fprintf(&b, "# The password comes from %s; keep it in Ansible Vault:\n#   ansible-vault encrypt_string --name %s\n", ansibleVaultVar, ansibleVaultVar)
	}
	if s.Security == smtp.SecuritySSL {
		b.WriteString("# SSL/TLS from the first byte: vladgh.system.msmtp writes no tls_starttls, so\n" +
			"# msmtp would wait for a STARTTLS greeting; with that role use port 587 (STARTTLS).\n")
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(vars); err != nil {
		return nil, fmt.Errorf("config: cannot encode the settings as Ansible variables")
	}
	return b.Bytes(), enc.Close()
}
