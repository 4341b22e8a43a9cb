package config

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
)

// Content says which content packs the point accepts:
//
//	[content]
//	require_signed = true
//	signing_keys = ["base64 of the office's Ed25519 public key"]
//
// The keys are the lines `kiosk hub keygen` prints (package release).
type Content struct {
	// RequireSigned refuses every unsigned pack in `kiosk content load`
	// and keeps unsigned installed versions off the screen.
	RequireSigned bool `toml:"require_signed"`
	// SigningKeys are the office's public keys a release may be signed
	// with. More than one while a new key replaces an old one.
	SigningKeys []string `toml:"signing_keys"`
}

// Keys returns the signing keys; Load has checked each.
func (c Content) Keys() []ed25519.PublicKey {
	var out []ed25519.PublicKey
	for _, s := range c.SigningKeys {
		if k, ok := parseSigningKey(s); ok {
			out = append(out, k)
		}
	}
	return out
}

// parseSigningKey reads the standard base64 of an Ed25519 public key's 32
// bytes, as release.PublicKeyLine writes it.
func parseSigningKey(s string) (ed25519.PublicKey, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, false
	}
	return ed25519.PublicKey(b), true
}

func (c Content) problems() []problem {
	var out []problem
	for i, s := range c.SigningKeys {
		if _, ok := parseSigningKey(s); !ok {
			out = append(out, problem{"content.signing_keys", fmt.Sprintf("第 %d 个不是公钥:应为 kiosk hub keygen 打印的 44 个字符的 base64 (key %d is not a public key: use the 44-character line kiosk hub keygen prints)", i+1, i+1)})
		}
	}
	if c.RequireSigned && len(c.SigningKeys) == 0 {
		out = append(out, problem{"content.require_signed", "为 true 时 content.signing_keys 不能为空:没有公钥就无法验证任何内容 (signing_keys must not be empty when signatures are required)"})
	}
	return out
}
