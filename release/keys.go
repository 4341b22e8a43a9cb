package release

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// KeyIDBytes is how many bytes of the SHA-256 of a public key its key id
// keeps (hex: twice as many characters). The id only picks which trusted
// key to try; the signature check decides.
const KeyIDBytes = 8

// KeyID names a public key: the hex of the first KeyIDBytes of the
// SHA-256 of its 32 bytes.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:KeyIDBytes])
}

// GenerateKey makes a new Ed25519 signing key for the office.
func GenerateKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("无法生成签名密钥 (cannot generate a signing key): %w", err)
	}
	return pub, priv, nil
}

// WritePrivateKey writes priv to path as a PEM "PRIVATE KEY" (PKCS #8),
// mode 0600. It never replaces an existing file: a signing key overwritten
// by mistake cannot be recovered, and every point trusts only the old one.
func WritePrivateKey(path string, priv ed25519.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	return writeNew(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

// WritePublicKey writes pub to path as a PEM "PUBLIC KEY" (PKIX), mode
// 0644, never over an existing file.
func WritePublicKey(path string, pub ed25519.PublicKey) error {
	return writeNew(path, MarshalPublicKeyPEM(pub), 0o644)
}

// writeNew creates path with data; an existing file is an error.
func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s 已存在,没有覆盖 (already exists, not overwritten)", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// ReadPrivateKey reads a key written by WritePrivateKey. A file that group
// or others may read is refused, as ssh refuses one: the key may have been
// copied already, and it must be moved to a safe place first.
func ReadPrivateKey(path string) (ed25519.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("无法读取签名私钥 (cannot read the signing key): %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("签名私钥 %s 的权限是 %04o,其他用户可以读取;请改为 0600(chmod 600),并考虑它是否已泄露 (the signing key is readable by others: chmod 600 and consider it leaked)", path, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s 不是 PEM 格式的私钥 (not a PEM private key)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s 不是有效的私钥 (not a valid private key): %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s 不是 Ed25519 私钥 (not an Ed25519 key)", path)
	}
	return priv, nil
}

// MarshalPublicKeyPEM encodes pub as a PEM "PUBLIC KEY" (PKIX).
func MarshalPublicKeyPEM(pub ed25519.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err) // an ed25519.PublicKey always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// PublicKeyLine is pub as one line for kiosk.toml's content.signing_keys:
// the standard base64 of its 32 bytes (44 characters).
func PublicKeyLine(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads a public key written as PublicKeyLine writes it or
// as a PEM "PUBLIC KEY" (the signing.pub file).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-----BEGIN") {
		block, _ := pem.Decode([]byte(s))
		if block == nil || block.Type != "PUBLIC KEY" {
			return nil, errors.New("不是 PEM 格式的公钥 (not a PEM public key)")
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("不是有效的公钥 (not a valid public key): %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, errors.New("不是 Ed25519 公钥 (not an Ed25519 key)")
		}
		return pub, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("不是公钥:应为 44 个字符的 base64(kiosk hub keygen 打印的那一行) (not a public key: expected the 44-character base64 line kiosk hub keygen prints)")
	}
	return ed25519.PublicKey(b), nil
}
