package point

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"kiosk/config"
	"kiosk/hub/api"
	"kiosk/internal/atomicfile"
	"kiosk/internal/termtext"
)

// EnrollOptions tune Enroll; the zero value is the kiosk's setting.
type EnrollOptions struct {
	// ConfigPath is the kiosk.toml whose [point] the enrolment checks and
	// fills in; "" means dataDir/kiosk.toml.
	ConfigPath   string
	KioskVersion string
}

// PinError is a hub whose certificate chain holds no CA with the pinned
// fingerprint (or whose certificate that CA did not issue for the host).
type PinError struct {
	Want      string   // the pin given
	Presented []string // fingerprints of the certificates the hub showed
	Reason    string
}

func (e *PinError) Error() string {
	got := strings.Join(e.Presented, ", ")
	if got == "" {
		got = "无 (none)"
	}
	return fmt.Sprintf("中心服务器的证书不是由指定的 CA 签发,已拒绝连接,没有发送注册码 (the hub's certificate is not from the pinned CA: refused, the code was not sent): 指定 (pinned) %s;服务器出示 (presented) %s%s",
		e.Want, got, e.Reason)
}

// Enroll exchanges a one-time enrolment code for the point's credential
// with the hub at hubURL, trusting only a CA whose SHA-256 is caSHA256.
//
// Before the code is sent: the config file must name the default point
// (Enroll then writes the enrolled point's id, name and level into it) or
// the point the code was made for (the hub refuses another point's code
// without using it up); and the hub must show a chain holding the pinned
// CA, which issued its certificate for the URL's host. On success the
// credential is saved as dataDir/hub.json (0600) and the CA as
// dataDir/hub-ca.pem; on any error nothing is written.
func Enroll(ctx context.Context, dataDir, hubURL, code, caSHA256 string, opt EnrollOptions) (Credential, error) {
	var cred Credential
	pin, err := NormalizeFingerprint(caSHA256)
	if err != nil {
		return cred, err
	}
	base, host, err := parseHubURL(hubURL)
	if err != nil {
		return cred, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return cred, errors.New("注册码为空 (the enrolment code is empty)")
	}
	cfgPath := opt.ConfigPath
	if cfgPath == "" {
		cfgPath = filepath.Join(dataDir, "kiosk.toml")
	}
	cfg, err := config.LoadOptional(cfgPath)
	if err != nil {
		return cred, fmt.Errorf("请先改正配置文件再注册 (fix the config file first): %w", err)
	}
	expect := ""
	if cfg.Point.ID != config.Default().Point.ID {
		expect = cfg.Point.ID
	} else if err := config.CheckSetPoint(cfgPath); err != nil {
		return cred, fmt.Errorf("注册后无法写入查阅点编号,未使用注册码 (the point could not be written after enrolling; the code was not used): %w", err)
	}

	// The handshake runs on the transport's goroutine.
	var mu sync.Mutex
	var ca *x509.Certificate
	var pinErr *PinError
	client := newClient(&tls.Config{
		MinVersion: tls.VersionTLS12,
		// The system roots are not asked: VerifyConnection checks the chain
		// against the pinned CA only.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			c, err := pinnedCA(cs.PeerCertificates, pin, host)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				pinErr = err
				return err
			}
			ca = c
			return nil
		},
	})
	defer client.CloseIdleConnections()
	var resp api.EnrollResponse
	err = post(ctx, client, base, api.PathEnroll, "", api.EnrollRequest{Code: code, KioskVersion: opt.KioskVersion, Point: expect}, &resp)
	mu.Lock()
	defer mu.Unlock()
	var he *HubError
	switch {
	case pinErr != nil:
		return cred, pinErr
	case errors.As(err, &he) && he.Status == http.StatusUnauthorized:
		return cred, fmt.Errorf("注册码无效、已用过或已过期(有效 %d 天),请向区办公室索取新的注册码 (the code is unknown, used or expired: ask the office for a new one): %s", api.EnrolCodeDays, he.Message)
	case errors.As(err, &he) && he.Status == http.StatusConflict:
		return cred, fmt.Errorf("这个注册码不是给本查阅点 %s 的,注册码仍可在正确的查阅点使用 (the code is for another point than %s; it is still valid there): %s", termtext.Line(expect), termtext.Line(expect), he.Message)
	case err != nil:
		return cred, err
	case ca == nil:
		return cred, errors.New("中心服务器的证书未经检查 (the hub's certificate was not checked)")
	}
	// The name is only shown and written into kiosk.toml: made safe rather
	// than refused, so the code is not wasted over it.
	cred = Credential{URL: base, Point: resp.Point, Name: termtext.Line(resp.Name), Level: resp.Level, Token: resp.Token, CASHA256: pin, ca: ca}
	if err := checkEnrolled(cred); err != nil {
		return Credential{}, err
	}
	if expect != "" && cred.Point != expect {
		// A hub that does not know EnrollRequest.Point used the code up.
		return Credential{}, fmt.Errorf("注册码属于查阅点 %s,而本机配置为 %s:未保存凭证;该注册码已用掉,请向区办公室索取 %s 的注册码 (the code was for point %s, this kiosk is %s: nothing saved; the code is used up, ask for one for %s)",
			termtext.Line(cred.Point), termtext.Line(expect), termtext.Line(expect), termtext.Line(cred.Point), termtext.Line(expect), termtext.Line(expect))
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return Credential{}, fmt.Errorf("无法创建数据文件夹 (cannot create the data folder) %s: %w", dataDir, err)
	}
	// The config first: a kiosk that then fails to save the credential
	// counts under its enrolled id already and enrols again with a new code.
	if expect == "" {
		if err := config.SetPoint(cfgPath, config.Point{ID: cred.Point, Name: cred.Name, Level: cred.Level}); err != nil {
			return Credential{}, fmt.Errorf("无法把查阅点写入配置文件,未保存凭证 (cannot write the point into the config file; nothing saved): %w", err)
		}
	}
	if err := saveCredential(dataDir, cred); err != nil {
		return Credential{}, err
	}
	return cred, nil
}

// parseHubURL checks the hub's address and returns it without a trailing
// slash, and its host name (or IP) as the certificate must name it.
func parseHubURL(s string) (base, host string, err error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", fmt.Errorf("中心服务器地址应为 https://主机[:端口],不是 %q (the hub URL must be https://host[:port])", s)
	}
	return strings.TrimSuffix(u.String(), "/"), u.Hostname(), nil
}

// pinnedCA finds the pinned CA in the chain a hub presented and checks
// that it issued the leaf for host.
func pinnedCA(chain []*x509.Certificate, pin, host string) (*x509.Certificate, *PinError) {
	perr := &PinError{Want: pin}
	var ca *x509.Certificate
	for _, c := range chain {
		f := fingerprint(c.Raw)
		perr.Presented = append(perr.Presented, f)
		if f == pin {
			ca = c
		}
	}
	if ca == nil || len(chain) == 0 {
		return nil, perr
	}
	if !ca.IsCA || !ca.BasicConstraintsValid {
		perr.Reason = ";指纹相符的证书不是 CA 证书 (the certificate with that fingerprint is not a CA)"
		return nil, perr
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(ca)
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter}); err != nil {
		perr.Reason = fmt.Sprintf(";服务器证书未通过该 CA 对 %s 的验证 (the server certificate does not verify for %s: %v)", host, host, err)
		return nil, perr
	}
	return ca, nil
}

// checkEnrolled refuses an enrolment answer the kiosk could not use.
func checkEnrolled(c Credential) error {
	bad := func(what, v string) error {
		return fmt.Errorf("中心服务器的注册回答无效:%s %q (the hub's enrolment answer is invalid: %s)", what, termtext.Line(v), what)
	}
	switch {
	case c.Point == "" || termtext.Line(c.Point) != c.Point || strings.TrimSpace(c.Point) != c.Point || c.Point == config.Default().Point.ID:
		return bad("point", c.Point)
	case c.Level != config.LevelCounty && c.Level != config.LevelTownship:
		return bad("level", c.Level)
	case c.Token == "" || strings.ContainsAny(c.Token, " \t\r\n"):
		return bad("token", "…")
	}
	return nil
}

// saveCredential writes hub-ca.pem, then hub.json (0600), each atomically.
func saveCredential(dataDir string, c Credential) error {
	caPath := filepath.Join(dataDir, CAFile)
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.ca.Raw})
	if err := atomicfile.Write(caPath, pemBytes, 0o644); err != nil {
		return fmt.Errorf("无法保存 CA 证书 (cannot save the CA certificate) %s: %w", caPath, err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the credential: %w", err)
	}
	path := filepath.Join(dataDir, CredentialFile)
	if err := atomicfile.Write(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("无法保存凭证 (cannot save the credential) %s: %w", path, err)
	}
	return nil
}
