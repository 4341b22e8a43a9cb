// Package config reads a lookup point's kiosk configuration (TOML). Every
// key is documented in docs/config.md; every key has a sensible default so
// a kiosk runs with no file at all.
package config

import (
	"io"

	"errors"
	"fmt"
	"kiosk/internal/atomicfile"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"golang.org/x/crypto/bcrypt"
)

// Level of a lookup point, as the annual report splits them.
const (
	LevelCounty   = "county"   // 县政府(开发区)及其部门
	LevelTownship = "township" // 乡镇政府(街道办事处)
)

// Point is the lookup point this kiosk stands at.
type Point struct {
	ID    string `toml:"id"`
	Name  string `toml:"name"`
	Level string `toml:"level"`
	Hours string `toml:"hours"`
}

// Labels word the report rows; provinces word them differently.
type Labels struct {
	County   string `toml:"county"`
	Township string `toml:"township"`
}

// Config is everything a kiosk is configured with.
type Config struct {
	Point  Point  `toml:"point"`
	Labels Labels `toml:"labels"`
	Kiosk  Kiosk  `toml:"kiosk"`
	// Path is the file the config came from ("" for defaults only).
	Path string `toml:"-"`
}

// Kiosk holds the behaviour of the kiosk screen.
type Kiosk struct {
	Idle         Duration `toml:"idle"`
	StaffKey     string   `toml:"staff_key"`
	StaffPINHash string   `toml:"staff_pin_hash"`
	Style        string   `toml:"style"` // dark or light
	// ElderMode starts every visit in 长者模式; Traditional in 繁體.
	ElderMode   bool `toml:"elder_mode"`
	Traditional bool `toml:"traditional"`
	// SpeechCommand reads a sentence aloud (on its standard input, or in
	// place of {text}); empty: espeak-ng -v cmn. "off" hides read-aloud.
	SpeechCommand string `toml:"speech_command"`
	// PrintCommand prints a section sent as plain text on its standard
	// input, e.g. "lp -d kiosk"; empty: no print control.
	PrintCommand string `toml:"print_command"`
	// PrintLimit is how many print jobs one visit may send per document
	// (at least 1; default 1).
	PrintLimit int `toml:"print_limit"`
}

// Duration is a time.Duration written as a Go duration string ("120s").
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 120s or 2m", string(b))
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default returns the configuration used when no file sets a key.
func Default() Config {
	return Config{
		Point:  Point{ID: "default", Name: "政府信息查阅点", Level: LevelCounty},
		Labels: Labels{County: "县政府(开发区)及其部门", Township: "乡镇政府(街道办事处)"},
		Kiosk:  Kiosk{Idle: Duration{120 * time.Second}, StaffKey: "f12", Style: "dark", PrintLimit: 1},
	}
}

// Load reads path over the defaults. A missing file is an error; use
// LoadOptional for the data folder's optional kiosk.toml.
func Load(path string) (Config, error) {
	c := Default()
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		var keys []string
		for _, k := range u {
			keys = append(keys, k.String())
		}
		return c, fmt.Errorf("config %s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	c.Path = path
	return c, c.Validate()
}

// LoadOptional loads path if it exists and returns the defaults otherwise.
func LoadOptional(path string) (Config, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		c := Default()
		c.Path = path
		return c, nil
	}
	return Load(path)
}

// Validate checks values that have a fixed set of meanings.
func (c Config) Validate() error {
	if c.Point.Level != LevelCounty && c.Point.Level != LevelTownship {
		return fmt.Errorf("config %s: point.level must be %q or %q, not %q", c.Path, LevelCounty, LevelTownship, c.Point.Level)
	}
	if strings.TrimSpace(c.Point.ID) == "" {
		return fmt.Errorf("config %s: point.id must not be empty", c.Path)
	}
	if c.Kiosk.Idle.Duration < time.Second {
		return fmt.Errorf("config %s: kiosk.idle must be at least 1s", c.Path)
	}
	if c.Kiosk.Style != "dark" && c.Kiosk.Style != "light" {
		return fmt.Errorf("config %s: kiosk.style must be dark or light", c.Path)
	}
	if c.Kiosk.PrintLimit < 1 {
		return fmt.Errorf("config %s: kiosk.print_limit must be at least 1", c.Path)
	}
	return nil
}

// LevelLabel returns the report wording for a level.
func (c Config) LevelLabel(level string) string {
	if level == LevelTownship {
		return c.Labels.Township
	}
	return c.Labels.County
}

// HashPIN returns the bcrypt hash stored as kiosk.staff_pin_hash.
func HashPIN(pin string) (string, error) {
	if len(pin) < 4 {
		return "", errors.New("PIN must have at least 4 digits")
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return "", errors.New("PIN must be digits only (the kiosk may have a number pad only)")
		}
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.DefaultCost)
	return string(h), err
}

// CheckPIN reports whether pin matches the configured hash. With no hash
// configured nothing matches.
func (c Config) CheckPIN(pin string) bool {
	if c.Kiosk.StaffPINHash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(c.Kiosk.StaffPINHash), []byte(pin)) == nil
}

// SetPIN writes a new PIN hash into the config file at path, keeping every
// other setting. The file is replaced atomically.
func SetPIN(path, hash string) error {
	c := Default()
	if _, err := os.Stat(path); err == nil {
		if c, err = Load(path); err != nil {
			return err
		}
	}
	c.Kiosk.StaffPINHash = hash
	return c.Write(path)
}

// Write saves the config to path atomically (temp file, fsync, rename).
func (c Config) Write(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFunc(path, 0o600, func(w io.Writer) error {
		return toml.NewEncoder(w).Encode(c)
	})
}
