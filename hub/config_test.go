package hub

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaultsAndErrorsWithTheLine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "h")
	if _, err := Init(dir, []string{"hub.example.gov.cn", "10.0.0.5"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A line appended by a script is a top-level key.
	b, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), append(b, "database = \"postgres://x@h/db\"\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadConfig(dir); err != nil || c.Database != "postgres://x@h/db" {
		t.Fatalf("appended database: %+v %v", c, err)
	}
	os.WriteFile(filepath.Join(dir, ConfigFile), b, 0o600)
	if c.Listen != ":8443" || c.DatabaseURL() != filepath.Join(dir, DBFile) || c.Limits.PointBurst != 30 || c.Labels.County == "" {
		t.Fatalf("defaults %+v", c)
	}
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("listen = \"127.0.0.1:9443\"\ndatabase = \"postgres://hub@db/kiosk\"\n")
	if c, err := LoadConfig(dir); err != nil || c.DatabaseURL() != "postgres://hub@db/kiosk" || c.Listen != "127.0.0.1:9443" {
		t.Fatalf("postgres: %+v %v", c, err)
	}
	for _, tc := range []struct{ src, want string }{
		{"listen = \"8443\"\n", ":1: listen"},
		{"# x\ndatabase = \"mysql://x\"\n", ":2: database"},
		{"\n[limits]\npoint_burst = 0\n", ":3: limits.point_burst"},
		{"listen = \":1\"\nlimits.enroll_per_minute = -1\n", ":2: limits.enroll_per_minute"},
		{"listn = \":1\"\n", ":1: 未知的键 listn"},
		{"listen = \n", ":1: TOML"},
	} {
		write(tc.src)
		_, err := LoadConfig(dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: want %q, got %v", tc.src, tc.want, err)
		}
	}
}

func TestCertRotationKeepsTheCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "h")
	first, err := Init(dir, []string{"hub.example.gov.cn"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(filepath.Join(dir, ServerCert))
	again, err := ReissueCert(dir, []string{"hub2.example.gov.cn", "10.0.0.9"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now, _ := os.ReadFile(filepath.Join(dir, ServerCert))
	if again.Fingerprint != first.Fingerprint || string(old) == string(now) {
		t.Fatal("rotation changed the CA or kept the certificate")
	}
	if fp, err := CAFingerprint(dir); err != nil || fp != first.Fingerprint || len(fp) != 64 {
		t.Fatalf("fingerprint %q %v", fp, err)
	}
	cert, err := LoadCertificate(dir)
	if err != nil || len(cert.Certificate) != 2 {
		t.Fatalf("chain of %d: %v", len(cert.Certificate), err)
	}
	if leaf := cert.Leaf; leaf == nil || leaf.DNSNames[0] != "hub2.example.gov.cn" || len(leaf.IPAddresses) != 1 ||
		leaf.NotAfter.Sub(time.Now()) < 700*24*time.Hour {
		t.Fatalf("leaf %+v", leaf)
	}
	if _, err := ParseHosts(" , "); err == nil {
		t.Fatal("no hosts accepted")
	}
	if _, err := ParseHosts("a.example, bad_name"); err == nil {
		t.Fatal("bad_name accepted")
	}
}
