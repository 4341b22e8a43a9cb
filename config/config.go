// Package config reads a lookup point's kiosk configuration (TOML). Every
// key is documented in docs/config.md; every key has a sensible default so
// a kiosk runs with no file at all.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"golang.org/x/crypto/bcrypt"

	"kiosk/internal/atomicfile"
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
	// Content says which content the point accepts (config/content.go).
	Content Content `toml:"content"`
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

// defaultIdle is how long a kiosk waits without input before it ends a
// visit, when kiosk.idle does not say.
const defaultIdle = 120 * time.Second

// IdleTimeout is the kiosk's idle timeout: override when it is set (the
// --idle flag), else kiosk.idle, else the default. The screen and the visit
// tracker both ask here, so they cannot disagree.
func (k Kiosk) IdleTimeout(override time.Duration) time.Duration {
	switch {
	case override > 0:
		return override
	case k.Idle.Duration > 0:
		return k.Idle.Duration
	}
	return defaultIdle
}

// Duration is a time.Duration written as a Go duration string ("120s").
type Duration struct {
	time.Duration
	bad string // the text as written when it is not a duration (reported by Load)
}

// UnmarshalText implements encoding.TextUnmarshaler. Text that is not a
// duration is kept and reported by Load with its line.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		d.bad = string(b)
		return nil
	}
	d.Duration, d.bad = v, ""
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default returns the configuration used when no file sets a key.
func Default() Config {
	return Config{
		Point:  Point{ID: "default", Name: "政府信息查阅点", Level: LevelCounty},
		Labels: Labels{County: "县政府(开发区)及其部门", Township: "乡镇政府(街道办事处)"},
		Kiosk:  Kiosk{Idle: Duration{Duration: defaultIdle}, StaffKey: "f12", Style: "dark", PrintLimit: 1},
	}
}

// Load reads path over the defaults. A missing file is an error; use
// LoadOptional for the data folder's optional kiosk.toml. Every problem
// (a syntax error, an unknown key, a value out of range) is reported with
// the file and line, one a line, Chinese first.
func Load(path string) (Config, error) {
	c := Default()
	c.Path = path
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("无法读取配置文件 (cannot read the config file) %s: %w", path, err)
	}
	src := string(data)
	md, err := toml.Decode(src, &c)
	if err != nil {
		return c, syntaxError(path, err)
	}
	var errs []string
	for _, k := range md.Undecoded() {
		errs = append(errs, at(path, keyLine(src, k.String()), fmt.Sprintf("未知的键 %s (unknown key)", k)))
	}
	for _, p := range c.problems() {
		errs = append(errs, at(path, keyLine(src, p.key), p.key+" "+p.msg))
	}
	if len(errs) > 0 {
		return c, errors.New(strings.Join(errs, "\n"))
	}
	return c, nil
}

// at places a message at a file's line (0: the whole file).
func at(path string, line int, msg string) string {
	if line > 0 {
		return fmt.Sprintf("配置文件 %s:%d: %s", path, line, msg)
	}
	return fmt.Sprintf("配置文件 %s: %s", path, msg)
}

// syntaxError reports a file that is not valid TOML (or a value of the
// wrong type) at its line.
func syntaxError(path string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return errors.New(at(path, pe.Position.Line, "TOML 格式错误 (syntax error): "+pe.Message))
	}
	if line := typeErrorLine(err.Error()); line > 0 {
		return errors.New(at(path, line, "值的类型不对 (wrong type of value): "+err.Error()))
	}
	return errors.New(at(path, 0, "TOML 格式错误 (syntax error): "+err.Error()))
}

// typeErrorLine finds the line in the toml package's type errors
// ("toml: line 2 (last key …): incompatible types …"), 0 if none.
func typeErrorLine(msg string) int {
	rest, ok := strings.CutPrefix(msg, "toml: line ")
	if !ok {
		return 0
	}
	n, _, _ := strings.Cut(rest, " ")
	line, _ := strconv.Atoi(strings.TrimSuffix(n, ":"))
	return line
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

// problem is a value that is out of range: key is its dotted key.
type problem struct{ key, msg string }

// problems checks the values that have a fixed set of meanings.
func (c Config) problems() []problem {
	var out []problem
	add := func(key, msg string) { out = append(out, problem{key, msg}) }
	if c.Point.Level != LevelCounty && c.Point.Level != LevelTownship {
		add("point.level", fmt.Sprintf("应为 %q 或 %q,不是 %q (must be %q or %q)", LevelCounty, LevelTownship, c.Point.Level, LevelCounty, LevelTownship))
	}
	if strings.TrimSpace(c.Point.ID) == "" {
		add("point.id", "不能为空 (must not be empty)")
	}
	switch {
	case c.Kiosk.Idle.bad != "":
		add("kiosk.idle", fmt.Sprintf("%q 不是时长,应写成 120s 或 2m 这样 (not a duration such as 120s or 2m)", c.Kiosk.Idle.bad))
	case c.Kiosk.Idle.Duration < time.Second:
		add("kiosk.idle", "至少为 1s (must be at least 1s)")
	}
	if c.Kiosk.Style != "dark" && c.Kiosk.Style != "light" {
		add("kiosk.style", fmt.Sprintf("应为 dark 或 light,不是 %q (must be dark or light)", c.Kiosk.Style))
	}
	if c.Kiosk.PrintLimit < 1 {
		add("kiosk.print_limit", fmt.Sprintf("至少为 1,不是 %d (must be at least 1)", c.Kiosk.PrintLimit))
	}
	if msg := checkStaffKey(c.Kiosk.StaffKey); msg != "" {
		add("kiosk.staff_key", msg)
	}
	if msg := checkPINHash(c.Kiosk.StaffPINHash); msg != "" {
		add("kiosk.staff_pin_hash", msg)
	}
	out = append(out, c.Content.problems()...)
	return out
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
		return "", errors.New("PIN 至少要有 4 位数字 (PIN must have at least 4 digits)")
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return "", errors.New("PIN 只能是数字:自助终端可能只有数字键盘 (PIN must be digits only: the kiosk may have a number pad only)")
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

// checkPINHash says what is wrong with a staff_pin_hash value, "" when it
// is empty (no PIN: nobody leaves from the screen) or a bcrypt hash. A
// value that is not one would match no PIN at all, silently.
func checkPINHash(h string) string {
	if h == "" {
		return ""
	}
	_, err := bcrypt.Cost([]byte(h))
	if err != nil || len(h) != 60 || strings.Trim(h[7:], "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return "不是 bcrypt 哈希值,没有 PIN 能与它匹配;请用 kiosk staff set-pin 设置 PIN,不要手工填写 (not a bcrypt hash: set the PIN with kiosk staff set-pin)"
	}
	return ""
}

// writeFile replaces path with data atomically (internal/atomicfile),
// creating its folder.
func writeFile(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, data, mode)
}
