package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kiosk/content"
	"kiosk/release"
)

// A signed install switches the store's live version, then records its
// release. A hot-reload poll in between keeps the unrecorded version off
// the screen (signatures required); once the release is recorded the next
// poll shows it, and while nothing changes no poll reloads anything.
func TestHotReloadAfterTheReleaseIsRecorded(t *testing.T) {
	data := t.TempDir()
	pub, priv, err := release.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(data, "kiosk.toml"), []byte("[point]\nid = \"p01\"\n\n[content]\nrequire_signed = true\nsigning_keys = [\""+release.PublicKeyLine(pub)+"\"]\n"), 0o644)
	store, err := content.OpenStore(data)
	if err != nil {
		t.Fatal(err)
	}
	var arc bytes.Buffer
	ar, err := release.BuildArchive(packPath("good"), content.DefaultLimits(), &arc)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	_, env, err := release.Sign(priv, ar.Manifest(1, now, now.Add(time.Hour), nil))
	if err != nil {
		t.Fatal(err)
	}
	pt := release.Point{DataDir: data, Store: store, Keys: []ed25519.PublicKey{pub}, PointID: "p01", Build: content.NoIndex}
	r1, err := pt.Install(env, &arc)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{dataDir: data, cfg: readPointConfig(t, data), stderr: io.Discard}
	lc, err := loadContent(a)
	if err != nil || lc.Version != r1.Load.Version.ID {
		t.Fatalf("release 1 not shown: %+v %v", lc.Version, err)
	}
	live := &contentWatch{lc: lc}

	// The window: release 2 is live in the store, not yet recorded.
	r2, err := store.Load(packPath("synonyms"), content.NoIndex, nil)
	if err != nil {
		t.Fatal(err)
	}
	if next, ok := live.newer(a); ok && next.Version == r2.Version.ID {
		t.Fatal("an unrecorded version reached the screen")
	}
	if _, ok := live.newer(a); ok {
		t.Fatal("reloaded again with nothing changed")
	}

	// Recorded: the next poll switches.
	st, err := release.ReadState(data)
	if err != nil {
		t.Fatal(err)
	}
	st.Highest = 2
	st.Installed = append([]release.Installed{{Release: 2, Version: r2.Version.ID, KeyID: release.KeyID(pub), At: time.Now()}}, st.Installed...)
	b, _ := json.Marshal(st)
	if err := os.WriteFile(filepath.Join(data, release.StateDir, "state.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	next, ok := live.newer(a)
	if !ok || next.Version != r2.Version.ID {
		t.Fatalf("recorded release 2 not shown: %v %+v", ok, next.Version)
	}
	if _, ok := live.newer(a); ok {
		t.Fatal("reloaded again with nothing changed")
	}
}
