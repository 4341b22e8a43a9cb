// Package point is the lookup point's side of the office hub protocol
// (hub/api): enrolment (Enroll), the stored credential (LoadCredential)
// and the uploader that sends closed visits and heartbeats (NewUploader).
//
//	cred, err := point.LoadCredential(dataDir) // errors.Is(err, point.ErrNotEnrolled): no hub
//	u := point.NewUploader(cred, store, point.Options{KioskVersion: v})
//	go u.Run(ctx)          // in the background until ctx ends
//	sum, err := u.SyncOnce(ctx) // or: everything now (kiosk sync)
//
// The point trusts one certificate authority only, the hub's own, pinned
// by its SHA-256 when the point enrols. See docs/hub-point.md.
package point

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Files in the data folder.
const (
	// CredentialFile holds the credential (mode 0600: the token is the
	// point's password).
	CredentialFile = "hub.json"
	// CAFile holds the pinned CA certificate (PEM).
	CAFile = "hub-ca.pem"
)

// ErrNotEnrolled is wrapped by LoadCredential's error when the data
// folder has no credential: the kiosk is not enrolled with a hub.
var ErrNotEnrolled = errors.New("not enrolled with an office hub")

// ErrCredential is wrapped by the error for the hub's 401 to a point's
// request: its credential is unknown or revoked. Only enrolling again
// helps; the uploader stops.
var ErrCredential = errors.New("凭证无效或已被吊销,请重新注册 (credential invalid or revoked: enrol again)")

// Credential is what enrolment stored in the data folder.
type Credential struct {
	URL      string `json:"url"` // the hub, https://host[:port][/prefix]
	Point    string `json:"point"`
	Name     string `json:"name"`
	Level    string `json:"level"`
	Token    string `json:"token"`
	CASHA256 string `json:"ca_sha256"` // hex, lower case, no colons
	ca       *x509.Certificate
}

// CA is the pinned CA certificate.
func (c Credential) CA() *x509.Certificate { return c.ca }

// LoadCredential reads the credential and the pinned CA of dataDir. With
// no credential the error wraps ErrNotEnrolled.
func LoadCredential(dataDir string) (Credential, error) {
	var c Credential
	path := filepath.Join(dataDir, CredentialFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, fmt.Errorf("%s: %w", path, ErrNotEnrolled)
	}
	if err != nil {
		return c, fmt.Errorf("无法读取中心服务器凭证 (cannot read the hub credential) %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("中心服务器凭证文件 %s 已损坏,请重新注册 (the credential file is damaged: enrol again): %w", path, err)
	}
	if c.URL == "" || c.Point == "" || c.Token == "" || c.CASHA256 == "" {
		return c, fmt.Errorf("中心服务器凭证文件 %s 不完整,请重新注册 (the credential file is incomplete: enrol again)", path)
	}
	caPath := filepath.Join(dataDir, CAFile)
	pemBytes, err := os.ReadFile(caPath)
	if err != nil {
		return c, fmt.Errorf("无法读取中心服务器的 CA 证书 (cannot read the hub's CA certificate) %s: %w", caPath, err)
	}
	blk, _ := pem.Decode(pemBytes)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return c, fmt.Errorf("%s 不是 PEM 证书,请重新注册 (not a PEM certificate: enrol again)", caPath)
	}
	if got := fingerprint(blk.Bytes); got != c.CASHA256 {
		return c, fmt.Errorf("%s 的指纹 %s 与凭证中的 %s 不符,请重新注册 (the CA file does not match the credential: enrol again)", caPath, got, c.CASHA256)
	}
	if c.ca, err = x509.ParseCertificate(blk.Bytes); err != nil {
		return c, fmt.Errorf("%s: 无法解析证书 (cannot parse the certificate): %w", caPath, err)
	}
	return c, nil
}

// HTTPClient returns a client that trusts the pinned CA only, speaks TLS
// 1.2 or later, never follows a redirect (the token goes to the hub only)
// and gives up on a silent hub: 10 s to connect and shake hands, 30 s for
// an answer, 60 s for the whole request.
func (c Credential) HTTPClient() *http.Client {
	pool := x509.NewCertPool()
	if c.ca != nil {
		pool.AddCert(c.ca)
	}
	return newClient(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
}

func newClient(tc *tls.Config) *http.Client {
	tr := &http.Transport{
		// No proxy from the environment: a kiosk talks to its hub directly.
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   1,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// fingerprint is the SHA-256 of a DER certificate, lower-case hex.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// NormalizeFingerprint accepts a SHA-256 fingerprint as staff may copy it
// (AB:CD:…, abcd…, with spaces) and returns it lower-case without colons.
func NormalizeFingerprint(s string) (string, error) {
	f := strings.ToLower(strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s)))
	if b, err := hex.DecodeString(f); err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("--ca 应为 64 位十六进制的 SHA-256 指纹(kiosk hub init 打印的那一串),不是 %q (--ca must be the 64-hex-digit SHA-256 fingerprint that kiosk hub init prints)", s)
	}
	return f, nil
}
