package release

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// ManifestType is the manifest's type field. It is signed with the rest,
// so a signature made for something else by the same key (another format,
// a later version of this one) is never taken for a content release.
const ManifestType = "kiosk-content-release/1"

// MaxEnvelopeBytes bounds an envelope: a manifest with a few thousand point
// ids stays far under it; a larger one is refused before it is parsed.
const MaxEnvelopeBytes = 64 << 10

// Manifest describes one release: which archive, how big, for how long.
// Everything in it is covered by the signature. Title and PackVersion are
// pack.toml's, for display (sanitise them before printing).
type Manifest struct {
	Type        string    `json:"type"`
	Release     uint64    `json:"release"`
	SHA256      string    `json:"sha256"` // hex, lower case, of the archive
	Size        int64     `json:"size"`   // bytes of the archive
	Created     time.Time `json:"created"`
	Expires     time.Time `json:"expires"`
	Points      []string  `json:"points,omitempty"` // staged roll-out: only these points; empty: all
	Title       string    `json:"title,omitempty"`
	PackVersion string    `json:"pack_version,omitempty"`
}

// Envelope carries the exact manifest bytes that were signed, the
// signature over them and the id of the key that made it. In JSON the two
// byte fields are base64.
type Envelope struct {
	Manifest  []byte `json:"manifest"`
	KeyID     string `json:"key_id"`
	Signature []byte `json:"signature"`
}

// The refusals. Each is wrapped with what was found (errors.Is tells them
// apart); the messages are for staff, Chinese first.
var (
	ErrMalformed    = errors.New("不是有效的签名发布 (not a valid signed release)")
	ErrNoKeys       = errors.New("没有配置受信任的签名公钥 content.signing_keys,无法验证签名 (no trusted signing key configured)")
	ErrUnknownKey   = errors.New("签名所用的密钥不受信任 (signed by a key that is not trusted)")
	ErrBadSignature = errors.New("签名无效:清单在签名后被改动过,或签名不是用这个密钥做的 (bad signature: the manifest was changed after signing or signed by another key)")
	ErrExpired      = errors.New("发布已过期 (the release has expired)")
	ErrReplay       = errors.New("发布号不高于已安装的发布,可能是重放的旧发布 (release number not higher than the installed one: a replayed or rolled-back release)")
	ErrNotForPoint  = errors.New("这个发布不是给本查阅点的(分批发布) (the release is staged for other points)")
	ErrTooLarge     = errors.New("发布的归档超过大小上限 (the archive is over the size cap)")
	ErrSizeMismatch = errors.New("归档的大小与清单不符:文件被截断或被加长 (the archive size differs from the manifest: truncated or extended)")
	ErrHashMismatch = errors.New("归档的 SHA-256 与清单不符:归档被改动过 (the archive's SHA-256 differs from the manifest: tampered)")
	ErrUnsigned     = errors.New("本查阅点要求签名的内容(content.require_signed),只能加载 kiosk hub sign 制作的 .kpack 签名包 (signed content is required: only a .kpack bundle made by kiosk hub sign loads)")
)

// Sign encodes m and signs the encoded bytes with priv. The manifest's
// type is set; its release must not be 0, its hash must be a SHA-256 in
// hex and it must expire after it was created.
func Sign(priv ed25519.PrivateKey, m Manifest) (Envelope, []byte, error) {
	m.Type = ManifestType
	if err := m.validate(); err != nil {
		return Envelope{}, nil, err
	}
	mb, err := json.Marshal(m)
	if err != nil {
		return Envelope{}, nil, err
	}
	env := Envelope{
		Manifest:  mb,
		KeyID:     KeyID(priv.Public().(ed25519.PublicKey)),
		Signature: ed25519.Sign(priv, mb),
	}
	eb, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return Envelope{}, nil, err
	}
	return env, append(eb, '\n'), nil
}

// ParseEnvelope decodes an envelope, strictly: unknown fields, a wrong
// signature length or more than MaxEnvelopeBytes are refused. It does not
// check the signature (Policy.CheckManifest does).
func ParseEnvelope(b []byte) (Envelope, error) {
	var env Envelope
	if len(b) > MaxEnvelopeBytes {
		return env, fmt.Errorf("%w: 签名清单超过 %d 字节", ErrMalformed, MaxEnvelopeBytes)
	}
	if err := decodeStrict(b, &env); err != nil {
		return env, fmt.Errorf("%w: 签名清单不是有效的 JSON: %v", ErrMalformed, err)
	}
	if len(env.Signature) != ed25519.SignatureSize {
		return env, fmt.Errorf("%w: 签名长度 %d 字节,应为 %d", ErrMalformed, len(env.Signature), ed25519.SignatureSize)
	}
	if id, err := hex.DecodeString(env.KeyID); err != nil || len(id) != KeyIDBytes {
		return env, fmt.Errorf("%w: 密钥编号无效", ErrMalformed)
	}
	if len(env.Manifest) == 0 {
		return env, fmt.Errorf("%w: 没有清单", ErrMalformed)
	}
	return env, nil
}

// decodeStrict decodes exactly one JSON value with no unknown fields.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("JSON 之后还有内容 (trailing data)")
	}
	return nil
}

// parseManifest decodes signed manifest bytes, strictly: a field this
// version does not know may be a restriction it would ignore.
func parseManifest(b []byte) (Manifest, error) {
	var m Manifest
	if err := decodeStrict(b, &m); err != nil {
		return m, fmt.Errorf("%w: 清单不是有效的 JSON: %v", ErrMalformed, err)
	}
	if err := m.validate(); err != nil {
		return m, err
	}
	return m, nil
}

func (m Manifest) validate() error {
	bad := func(msg string) error { return fmt.Errorf("%w: %s", ErrMalformed, msg) }
	switch {
	case m.Type != ManifestType:
		return bad(fmt.Sprintf("清单类型 %q 不是 %q", m.Type, ManifestType))
	case m.Release == 0:
		return bad("发布号为 0")
	case m.Size <= 0:
		return bad("归档大小无效")
	case !m.Expires.After(m.Created):
		return bad("过期时间不晚于创建时间")
	}
	if h, err := hex.DecodeString(m.SHA256); err != nil || len(h) != 32 || hex.EncodeToString(h) != m.SHA256 {
		return bad("SHA-256 不是 64 个小写十六进制字符")
	}
	return nil
}
