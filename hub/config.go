// Package hub is the district office's server that the lookup points
// talk to over HTTPS (the protocol is hub/api): it enrols points, stores
// their visits once each, keeps their heartbeats, and makes the year's
// report from what it holds. Its data folder H holds hub.toml, the
// private CA and server certificate, and (unless hub.toml names a
// PostgreSQL database) the SQLite file hub.db. See docs/hub.md.
package hub

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"kiosk/config"
	"kiosk/hub/store"
)

// Files in the hub's data folder.
const (
	ConfigFile = "hub.toml"
	DBFile     = "hub.db"
	CACert     = "ca.pem"
	CAKey      = "ca.key"
	ServerCert = "server.pem" // the server's certificate, then the CA's
	ServerKey  = "server.key"
)

// DefaultListen is the address the hub serves on unless hub.toml or
// --listen says otherwise.
const DefaultListen = ":8443"

// Config is hub.toml.
type Config struct {
	// Listen is the address to serve HTTPS on (host:port).
	Listen string `toml:"listen"`
	// Database is empty for the SQLite file hub.db in the data folder, or
	// a postgres:// URL.
	Database string        `toml:"database"`
	Labels   config.Labels `toml:"labels"`
	Limits   Limits        `toml:"limits"`
	// MetricsFrom are the networks (CIDR) allowed to read /metrics, which
	// names every point and how long ago it was heard from. Default: the
	// hub's own machine only.
	MetricsFrom []string `toml:"metrics_from"`

	// DataDir is the folder hub.toml was read from.
	DataDir string `toml:"-"`
}

// Limits protect the hub from a point gone wrong and from guessing.
type Limits struct {
	// PointPerMinute is how many requests (batches and heartbeats) one
	// point may make a minute on average; PointBurst how many at once. A
	// kiosk catching up after months offline sends a batch of 1,000
	// visits at a time: 120 a minute is 2,000 visits a second.
	PointPerMinute int `toml:"point_requests_per_minute"`
	PointBurst     int `toml:"point_burst"`
	// EnrollPerMinute is how many failed enrolment attempts (unknown,
	// used or expired codes) one remote address may make a minute (burst
	// the same); successful ones do not count. With 80-bit codes guessing
	// is hopeless, and this keeps it from costing the hub anything.
	EnrollPerMinute int `toml:"enroll_per_minute"`
}

// DefaultConfig is hub.toml's defaults.
func DefaultConfig() Config {
	return Config{
		Listen:      DefaultListen,
		Labels:      config.Default().Labels,
		Limits:      Limits{PointPerMinute: 120, PointBurst: 30, EnrollPerMinute: 5},
		MetricsFrom: []string{"127.0.0.0/8", "::1/128"},
	}
}

// metricsAllowed reports whether host (an IP address) may read /metrics.
func (c Config) metricsAllowed(host string) bool {
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, n := range c.MetricsFrom {
		if p, err := netip.ParsePrefix(n); err == nil && p.Contains(ip) {
			return true
		}
	}
	return false
}

// DatabaseURL is the database Open opens: the PostgreSQL URL, or the path
// of hub.db in the data folder.
func (c Config) DatabaseURL() string {
	if c.Database == "" {
		return filepath.Join(c.DataDir, DBFile)
	}
	return c.Database
}

// configTemplate is hub.toml as kiosk hub init writes it. It has no
// table header, so that a line appended to it (database = "postgres://…"
// by a script) is a top-level key; limits are dotted keys.
const configTemplate = `# 区政府信息查阅点汇总服务配置 (office hub configuration): see docs/hub.md

# 监听地址 (address to serve HTTPS on)
listen = %q

# 数据库:不写则使用本文件夹中的 SQLite 文件 hub.db;区里正式部署写 PostgreSQL 地址
# (database: absent or empty for the SQLite file hub.db here, or a postgres:// URL)
# database = "postgres://kiosk_hub@127.0.0.1:5432/kiosk_hub?sslmode=disable"

# 每个查阅点每分钟的请求数与突发数 (requests per point per minute, burst)
limits.point_requests_per_minute = 120
limits.point_burst = 30
# 每个来源地址每分钟允许的失败注册次数 (failed enrolment attempts per remote address per minute)
limits.enroll_per_minute = 5

# 允许读取 /metrics 的网络(默认仅本机),如监控服务器 "10.1.2.3/32"
# (networks that may read /metrics; default this machine only)
metrics_from = ["127.0.0.0/8", "::1/128"]
`

// LoadConfig reads H/hub.toml. Errors name the file, the line and the key,
// Chinese first.
func LoadConfig(dataDir string) (Config, error) {
	path := filepath.Join(dataDir, ConfigFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Config{}, fmt.Errorf("%s 不存在:请先运行 kiosk hub init --data %s (%s does not exist: run kiosk hub init first)", path, dataDir, path)
	}
	if err != nil {
		return Config{}, err
	}
	src := string(b)
	c := DefaultConfig()
	md, err := toml.Decode(src, &c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Config{}, fmt.Errorf("配置文件 %s:%d: TOML 格式错误 (syntax error): %s", path, pe.Position.Line, pe.Message)
		}
		return Config{}, fmt.Errorf("配置文件 %s: 值的类型不对 (wrong type of value): %w", path, err)
	}
	c.DataDir = dataDir
	var errs []string
	for _, k := range md.Undecoded() {
		errs = append(errs, at(path, keyLine(src, k), fmt.Sprintf("未知的键 %s (unknown key)", k)))
	}
	bad := func(key []string, msg string) {
		errs = append(errs, at(path, keyLine(src, key), strings.Join(key, ".")+": "+msg))
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil || port == "" {
		bad([]string{"listen"}, fmt.Sprintf("%q 不是 主机:端口 (is not host:port, e.g. \":8443\")", c.Listen))
	}
	if c.Database != "" && !store.IsPostgres(c.Database) {
		bad([]string{"database"}, "须留空(SQLite 文件 hub.db)或为 postgres:// 地址 (must be empty for SQLite or a postgres:// URL)")
	}
	for _, n := range c.MetricsFrom {
		if _, err := netip.ParsePrefix(n); err != nil {
			bad([]string{"metrics_from"}, fmt.Sprintf("%q 不是网络地址段,例如 \"10.1.2.0/24\" (is not a CIDR network)", n))
		}
	}
	for _, l := range []struct {
		key string
		v   int
	}{{"point_requests_per_minute", c.Limits.PointPerMinute}, {"point_burst", c.Limits.PointBurst}, {"enroll_per_minute", c.Limits.EnrollPerMinute}} {
		if l.v < 1 {
			bad([]string{"limits", l.key}, fmt.Sprintf("须至少为 1,现为 %d (must be at least 1)", l.v))
		}
	}
	if len(errs) > 0 {
		return Config{}, errors.New(strings.Join(errs, "\n"))
	}
	return c, nil
}

func at(path string, line int, msg string) string {
	if line > 0 {
		return fmt.Sprintf("配置文件 %s:%d: %s", path, line, msg)
	}
	return fmt.Sprintf("配置文件 %s: %s", path, msg)
}

// keyLine finds the line of key (table path then name) in src, 0 if it
// cannot tell.
func keyLine(src string, key []string) int {
	if len(key) == 0 {
		return 0
	}
	table := strings.Join(key[:len(key)-1], ".")
	name := key[len(key)-1]
	cur := ""
	for i, line := range strings.Split(src, "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "[") {
			cur = strings.Trim(l, "[] \t")
			continue
		}
		k, _, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(k), `"'`)
		if cur == table && k == name {
			return i + 1
		}
		if cur == "" && table != "" && k == table+"."+name {
			return i + 1
		}
	}
	return 0
}

func writeConfig(path, listen string) error {
	return writeFile(path, []byte(fmt.Sprintf(configTemplate, listen)))
}
