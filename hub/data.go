package hub

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"kiosk/internal/atomicfile"
)

// writeFile writes one of the hub's files: readable by its owner only
// (0600), atomically.
func writeFile(path string, data []byte) error {
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return fmt.Errorf("写入 %s 失败 (writing %s): %w", path, path, err)
	}
	return nil
}

// InitResult is what Init made.
type InitResult struct {
	Fingerprint string    // the CA's, for points to pin
	CertExpires time.Time // the server certificate's end
}

// Init makes a hub's data folder: the folder (0700), a private CA, a
// server certificate for hosts signed by it and hub.toml, every file 0600.
// It refuses a folder that already holds a hub.
func Init(dataDir string, hosts []string, now time.Time) (InitResult, error) {
	for _, f := range []string{ConfigFile, CACert, CAKey, ServerCert, ServerKey, DBFile} {
		if _, err := os.Lstat(filepath.Join(dataDir, f)); err == nil {
			return InitResult{}, fmt.Errorf("%s 已经初始化过(存在 %s),未作任何改动 (%s already holds a hub: %s exists; nothing changed)",
				dataDir, f, dataDir, f)
		}
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return InitResult{}, err
	}
	if err := os.Chmod(dataDir, 0o700); err != nil {
		return InitResult{}, err
	}
	caPEM, caKeyPEM, err := newCA(now)
	if err != nil {
		return InitResult{}, fmt.Errorf("making the CA: %w", err)
	}
	ca, caKey, err := parseCA(caPEM, caKeyPEM)
	if err != nil {
		return InitResult{}, err
	}
	chain, key, notAfter, err := issueServer(ca, caKey, hosts, now)
	if err != nil {
		return InitResult{}, fmt.Errorf("making the server certificate: %w", err)
	}
	// The CA's key first and hub.toml last: a folder with hub.toml is
	// complete.
	for _, f := range []struct {
		name string
		data []byte
	}{{CAKey, caKeyPEM}, {CACert, caPEM}, {ServerKey, key}, {ServerCert, chain}} {
		if err := writeFile(filepath.Join(dataDir, f.name), f.data); err != nil {
			return InitResult{}, err
		}
	}
	if err := writeConfig(filepath.Join(dataDir, ConfigFile), DefaultListen); err != nil {
		return InitResult{}, err
	}
	return InitResult{Fingerprint: Fingerprint(ca.Raw), CertExpires: notAfter}, nil
}

// ReissueCert makes a new server certificate for hosts from the folder's
// CA (rotation: points keep their pin). A running hub takes it at its next
// start.
func ReissueCert(dataDir string, hosts []string, now time.Time) (InitResult, error) {
	if _, err := LoadConfig(dataDir); err != nil {
		return InitResult{}, err
	}
	caPEM, err := os.ReadFile(filepath.Join(dataDir, CACert))
	if err != nil {
		return InitResult{}, err
	}
	caKeyPEM, err := os.ReadFile(filepath.Join(dataDir, CAKey))
	if err != nil {
		return InitResult{}, err
	}
	ca, caKey, err := parseCA(caPEM, caKeyPEM)
	if err != nil {
		return InitResult{}, err
	}
	chain, key, notAfter, err := issueServer(ca, caKey, hosts, now)
	if err != nil {
		return InitResult{}, err
	}
	// Key then certificate, each atomically: a crash between them leaves a
	// pair that does not match, which serve reports; run hub cert again.
	if err := writeFile(filepath.Join(dataDir, ServerKey), key); err != nil {
		return InitResult{}, err
	}
	if err := writeFile(filepath.Join(dataDir, ServerCert), chain); err != nil {
		return InitResult{}, err
	}
	return InitResult{Fingerprint: Fingerprint(ca.Raw), CertExpires: notAfter}, nil
}

// LoadCertificate reads the server's certificate chain and key.
func LoadCertificate(dataDir string) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(filepath.Join(dataDir, ServerCert), filepath.Join(dataDir, ServerKey))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("服务器证书 (server certificate) %s: %w", filepath.Join(dataDir, ServerCert), err)
	}
	return cert, nil
}

// CAFingerprint reads the folder's CA certificate and gives its
// fingerprint.
func CAFingerprint(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, CACert))
	if err != nil {
		return "", err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return "", errors.New("CA 证书不是 PEM 格式 (the CA certificate is not PEM)")
	}
	if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
		return "", err
	}
	return Fingerprint(blk.Bytes), nil
}
