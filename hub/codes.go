package hub

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// codeAlphabet is 32 letters and digits that cannot be mistaken for one
// another when read off paper and typed on a kiosk keyboard: no I, O, 0
// or 1. A code is 16 of them, 80 bits.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// CodeLen is the number of characters in an enrolment code.
const CodeLen = 16

// NewEnrolCode makes a one-time enrolment code, written in groups of four
// (ABCD-EFGH-JKLM-NPQR).
func NewEnrolCode() string {
	var b [CodeLen]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[c&31]) // 256 is a multiple of 32: no bias
	}
	return sb.String()
}

// NormalizeCode reads a code as staff may type it: any case, with or
// without dashes and spaces. ok is false when it cannot be a code.
func NormalizeCode(s string) (code string, ok bool) {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r < 128 && strings.IndexByte(codeAlphabet, byte(r)) >= 0:
			sb.WriteRune(r)
		default:
			return "", false
		}
	}
	if sb.Len() != CodeLen {
		return "", false
	}
	return sb.String(), true
}

// CodeHash is what the hub stores of an enrolment code as staff typed it
// (NormalizeCode, then Hash); ok is false when it cannot be a code.
func CodeHash(typed string) (hash string, ok bool) {
	code, ok := NormalizeCode(typed)
	if !ok {
		return "", false
	}
	return Hash(code), true
}

// NewToken makes a point's credential: 32 random bytes, base64url.
func NewToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Hash is what the hub stores of a code or a token: the hex SHA-256.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
