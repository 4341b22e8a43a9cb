package point

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kiosk/config"
	"kiosk/hub/point/pointtest"
	"kiosk/visits"
)

func TestEnrollRightCA(t *testing.T) {
	h := pointtest.NewHub(t)
	dir := t.TempDir()
	toml := filepath.Join(dir, "kiosk.toml")
	os.WriteFile(toml, []byte("# 本机设置\n[kiosk]\nidle = \"90s\"\n"), 0o644)
	// The pin as staff may copy it: upper case with colons.
	var pin []string
	for i := 0; i < 64; i += 2 {
		pin = append(pin, strings.ToUpper(h.CA.SHA256()[i:i+2]))
	}
	cred, err := Enroll(context.Background(), dir, h.URL()+"/", h.Code("jinqueshan", "金雀山街道查阅点", "township"), strings.Join(pin, ":"), EnrollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cred.Point != "jinqueshan" || cred.URL != h.URL() || cred.CASHA256 != h.CA.SHA256() || cred.Token == "" {
		t.Fatalf("credential %+v", cred)
	}
	fi, err := os.Stat(filepath.Join(dir, CredentialFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("hub.json: %v %v", fi, err)
	}
	loaded, err := LoadCredential(dir)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Token != cred.Token || loaded.CA() == nil || !loaded.CA().Equal(h.CA.Cert) {
		t.Fatalf("loaded %+v", loaded)
	}
	cfg, err := config.Load(toml)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Point.ID != "jinqueshan" || cfg.Point.Name != "金雀山街道查阅点" || cfg.Point.Level != "township" || cfg.Kiosk.Idle.Seconds() != 90 {
		t.Fatalf("kiosk.toml: %+v", cfg)
	}
	// The credential works: a heartbeat is answered.
	store, err := visits.Open(filepath.Join(dir, "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := NewUploader(loaded, store, Options{}).heartbeat(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The code is used up.
	_, err = Enroll(context.Background(), t.TempDir(), h.URL(), "code-used", h.CA.SHA256(), EnrollOptions{})
	if err == nil || !strings.Contains(err.Error(), "注册码无效") {
		t.Fatalf("unknown code: %v", err)
	}
}

func TestEnrollWrongCARefusedNothingWritten(t *testing.T) {
	h := pointtest.NewHub(t)
	other := pointtest.NewCA(t, "someone else's CA")
	dir := filepath.Join(t.TempDir(), "data")
	code := h.Code("jinqueshan", "金雀山街道查阅点", "township")
	_, err := Enroll(context.Background(), dir, h.URL(), code, other.SHA256(), EnrollOptions{})
	var pe *PinError
	if !errors.As(err, &pe) {
		t.Fatalf("err %v, want a PinError", err)
	}
	for _, want := range []string{other.SHA256(), h.CA.SHA256(), "没有发送注册码"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %s: %v", want, err)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the data folder was made: %v", err)
	}
	// The code never reached the hub: it is still valid.
	if _, err := Enroll(context.Background(), dir, h.URL(), code, h.CA.SHA256(), EnrollOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestEnrollHostNotInCertificate(t *testing.T) {
	h := pointtest.NewHub(t)
	// The right CA, but a certificate for another host than 127.0.0.1.
	h.Stop()
	h.UseCertificate(h.CA.ServerCert(t, "hub.example"))
	h.Start()
	dir := t.TempDir()
	code := h.Code("jinqueshan", "金雀山街道查阅点", "township")
	_, err := Enroll(context.Background(), dir, h.URL(), code, h.CA.SHA256(), EnrollOptions{})
	var pe *PinError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("err %v", err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Fatalf("written: %v", es)
	}
}

func TestEnrollPointInKioskTOML(t *testing.T) {
	h := pointtest.NewHub(t)
	dir := t.TempDir()
	toml := filepath.Join(dir, "kiosk.toml")
	orig := "[point]\nid = \"lanshan\"\nname = \"兰山区\"\nlevel = \"county\"\n"
	os.WriteFile(toml, []byte(orig), 0o644)
	code := h.Code("jinqueshan", "金雀山街道查阅点", "township")
	_, err := Enroll(context.Background(), dir, h.URL(), code, h.CA.SHA256(), EnrollOptions{})
	if err == nil || !strings.Contains(err.Error(), "不是给本查阅点 lanshan 的") {
		t.Fatalf("err %v", err)
	}
	if b, _ := os.ReadFile(toml); string(b) != orig {
		t.Fatalf("kiosk.toml changed: %s", b)
	}
	if _, err := os.Stat(filepath.Join(dir, CredentialFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("hub.json: %v", err)
	}
	// The code was not used: the right kiosk enrols with it.
	if _, err := Enroll(context.Background(), t.TempDir(), h.URL(), code, h.CA.SHA256(), EnrollOptions{}); err != nil {
		t.Fatal(err)
	}
	// A kiosk that already names the code's point enrols, kiosk.toml as it was.
	code = h.Code("lanshan", "兰山区", "county")
	if _, err := Enroll(context.Background(), dir, h.URL(), code, h.CA.SHA256(), EnrollOptions{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(toml); string(b) != orig {
		t.Fatalf("kiosk.toml changed: %s", b)
	}
}

func TestEnrollRefusesBadInput(t *testing.T) {
	for _, tc := range []struct{ url, pin, want string }{
		{"http://127.0.0.1:1", strings.Repeat("a", 64), "https://"},
		{"https://127.0.0.1:1", "abc", "64"},
	} {
		dir := t.TempDir()
		_, err := Enroll(context.Background(), dir, tc.url, "code", tc.pin, EnrollOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: %v", tc.url, tc.pin, err)
		}
	}
}
